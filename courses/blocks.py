"""StreamField blocks for lesson bodies, in the bakerydemo style: every block
has an icon, a label, a template and a preview."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

SIMPLE_RICH_TEXT = ["bold", "italic", "link", "ol", "ul"]


def _first_image():
    from wagtail.images import get_image_model

    return get_image_model().objects.order_by("pk").first()


def _first_document():
    from wagtail.documents import get_document_model

    return get_document_model().objects.order_by("pk").first()


# Previews in the block picker use whatever image or document the library
# holds; they are evaluated when the picker opens, not at import.
def _image_preview():
    return {"image": _first_image(), "caption": "ตู้อุปกรณ์เน็ตประชารัฐประจำหมู่บ้าน", "alt": ""}


def _video_preview():
    return {
        "title": "วิธีตรวจไฟสถานะอุปกรณ์",
        "url": "https://www.youtube.com/watch?v=example",
        "poster": _first_image(),
        "duration": "3:20",
    }


def _document_preview():
    return {
        "document": _first_document(),
        "title": "แบบบันทึกการตรวจอุปกรณ์ประจำเดือน",
        "description": "พิมพ์ออกมาใช้จดทุกเดือน",
    }


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("ข้อความหัวข้อ"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("ระดับ"),
        choices=[("h2", _("หัวข้อหลัก")), ("h3", _("หัวข้อย่อย"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("หัวข้อ")
        template = "courses/blocks/heading.html"
        preview_value = {"text": "การตรวจอุปกรณ์ประจำวัน", "level": "h2"}
        description = _("หัวข้อที่แบ่งบทเรียนเป็นช่วง ๆ")


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=SIMPLE_RICH_TEXT, **kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("ย่อหน้า")
        template = "courses/blocks/paragraph.html"
        preview_value = "<p>เน็ตประชารัฐนำอินเทอร์เน็ตความเร็วสูงไปถึงหมู่บ้าน</p>"
        description = _("ข้อความเนื้อหา ใส่ตัวหนา ลิงก์ และรายการได้")


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("รูปภาพ"))
    alt = blocks.CharBlock(
        label=_("คำอธิบายรูปสำหรับผู้พิการทางสายตา"), max_length=250, required=False
    )
    caption = blocks.CharBlock(label=_("คำบรรยายใต้ภาพ"), max_length=250, required=False)

    class Meta:
        icon = "image"
        label = _("รูปภาพพร้อมคำบรรยาย")
        template = "courses/blocks/image.html"
        preview_value = _image_preview
        description = _("รูปภาพขนาดพอดีจอโทรศัพท์ พร้อมคำบรรยาย")


class VideoBlock(blocks.StructBlock):
    """A poster and a link, or a clip of the site's own: either way the video
    loads only when the volunteer taps, so a lesson stays light on a slow
    village link and saves without internet."""

    title = blocks.CharBlock(label=_("ชื่อวิดีโอ"), max_length=200)
    url = blocks.URLBlock(
        label=_("ลิงก์วิดีโอ"),
        required=False,
        help_text=_("ลิงก์ไปยังเว็บไซต์วิดีโอ หรือเว้นว่างแล้วเลือกไฟล์วิดีโอด้านล่าง"),
    )
    file = DocumentChooserBlock(
        label=_("ไฟล์วิดีโอ (WebM หรือ MP4)"),
        required=False,
        help_text=_("ไฟล์ที่อัปโหลดไว้ในเว็บไซต์ เล่นในหน้าบทเรียนได้เลย"),
    )
    captions = DocumentChooserBlock(
        label=_("คำบรรยายภาษาไทย (WebVTT)"), required=False
    )
    poster = ImageChooserBlock(label=_("ภาพปก"), required=False)
    duration = blocks.CharBlock(label=_("ความยาว (เช่น 3:20)"), max_length=10, required=False)

    class Meta:
        icon = "media"
        label = _("วิดีโอ")
        template = "courses/blocks/video.html"
        preview_value = _video_preview
        description = _("ภาพปกและลิงก์หรือไฟล์วิดีโอ วิดีโอเล่นเมื่อผู้เรียนแตะเท่านั้น")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("url") and not value.get("file"):
            raise blocks.StructBlockValidationError(
                block_errors={"url": ValidationError(_("ใส่ลิงก์วิดีโอ หรือเลือกไฟล์วิดีโอ"))}
            )
        return value


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("ชนิด"),
        choices=[("tip", _("เคล็ดลับ")), ("warning", _("ข้อควรระวัง")), ("remember", _("จำไว้"))],
        default="tip",
    )
    title = blocks.CharBlock(label=_("หัวเรื่อง"), max_length=200, required=False)
    text = blocks.RichTextBlock(label=_("ข้อความ"), features=SIMPLE_RICH_TEXT)

    class Meta:
        icon = "warning"
        label = _("กล่องเน้นข้อความ")
        template = "courses/blocks/callout.html"
        preview_value = {
            "kind": "warning",
            "title": "ห้ามเปิดตู้อุปกรณ์เอง",
            "text": "<p>หากอุปกรณ์ผิดปกติ ให้แจ้งผู้ให้บริการ</p>",
        }
        description = _("เคล็ดลับ ข้อควรระวัง หรือสิ่งที่ต้องจำ")


class StepBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(label=_("คำอธิบายขั้นตอน"), features=SIMPLE_RICH_TEXT)
    image = ImageChooserBlock(label=_("รูปประกอบ (ไม่บังคับ)"), required=False)

    class Meta:
        icon = "order"
        label = _("ขั้นตอน")


class StepsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("ชื่อขั้นตอนการทำงาน"), max_length=200, required=False)
    steps = blocks.ListBlock(StepBlock(), label=_("ขั้นตอน"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("ขั้นตอนทีละข้อ")
        template = "courses/blocks/steps.html"
        preview_value = {
            "title": "ตรวจไฟสถานะอุปกรณ์",
            "steps": [
                {"text": "<p>ดูว่าไฟ POWER ติดสีเขียว</p>", "image": None},
                {"text": "<p>ดูว่าไฟ PON ติดค้าง ไม่กะพริบ</p>", "image": None},
            ],
        }
        description = _("ขั้นตอนที่มีลำดับ เช่น วิธีดูแลอุปกรณ์ ใส่รูปแต่ละขั้นได้")


class ChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("ชื่อรายการตรวจ"), max_length=200, required=False)
    items = blocks.ListBlock(blocks.CharBlock(label=_("รายการ"), max_length=300), min_num=1)

    class Meta:
        icon = "tasks"
        label = _("รายการตรวจสอบ")
        template = "courses/blocks/checklist.html"
        preview_value = {"title": "ก่อนออกจากจุดติดตั้ง", "items": ["ปิดตู้", "จดบันทึก"]}
        description = _("รายการให้ผู้เรียนติ๊กตามได้")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("เอกสาร"))
    title = blocks.CharBlock(label=_("ชื่อที่แสดง"), max_length=200, required=False)
    description = blocks.CharBlock(label=_("คำอธิบาย"), max_length=300, required=False)

    class Meta:
        icon = "doc-full"
        label = _("เอกสารดาวน์โหลด")
        template = "courses/blocks/document.html"
        preview_value = _document_preview
        description = _("แบบฟอร์มหรือเอกสารให้ดาวน์โหลด")


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("คำถาม"), max_length=300)
    answer = blocks.RichTextBlock(label=_("คำตอบ"), features=SIMPLE_RICH_TEXT)

    class Meta:
        icon = "help"
        label = _("คำถาม-คำตอบ")


class FAQBlock(blocks.StructBlock):
    items = blocks.ListBlock(FAQItemBlock(), label=_("คำถาม"), min_num=1)

    class Meta:
        icon = "help"
        label = _("คำถามที่พบบ่อย")
        template = "courses/blocks/faq.html"
        preview_value = {
            "items": [
                {"question": "ใช้เน็ตประชารัฐเสียเงินไหม", "answer": "<p>ไม่เสียค่าใช้จ่าย</p>"}
            ]
        }
        description = _("คำถามและคำตอบ เปิดอ่านทีละข้อ")


class LessonStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = CaptionedImageBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    steps = StepsBlock()
    checklist = ChecklistBlock()
    document = DocumentBlock()
    faq = FAQBlock()
