"""The image form of the admin: an image file Pillow cannot read is a form
error, not a server error.

Upstream bug (Wagtail 8, wagtail/images/fields.py): WagtailImageField opens an
upload with Willow, which knows a GIF by its first six bytes, then asks its
size in `check_image_pixel_size`, where Pillow reads the rest and raises
PIL.UnidentifiedImageError for a damaged file; only DecompressionBomb errors
are caught there, so the upload view answers 500.
"""

from django.core.exceptions import ValidationError
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm


class ReadableImageField(WagtailImageField):
    def to_python(self, data):
        try:
            return super().to_python(data)
        except ValidationError:
            raise
        except Exception as error:  # Pillow raises many kinds on a damaged file
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from error


class ImageForm(BaseImageForm):
    """WAGTAILIMAGES_IMAGE_FORM_BASE: the add, edit and multiple-upload forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        # Wagtail builds the field in its own formfield_for_dbfield; the class
        # is swapped to keep every setting Wagtail gave it.
        if type(field) is WagtailImageField:
            field.__class__ = ReadableImageField
