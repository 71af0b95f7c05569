"""Blocks of the certificate settings: the people who sign."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class SignatoryBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("ชื่อผู้ลงนาม"), max_length=120, help_text=_("เช่น นายสมศักดิ์ ใจดี"))
    position = blocks.CharBlock(
        label=_("ตำแหน่ง"), max_length=200, help_text=_("พิมพ์ใต้ชื่อ เช่น ผู้อำนวยการโครงการ")
    )
    signature = ImageChooserBlock(
        label=_("ภาพลายมือชื่อ"),
        required=False,
        help_text=_("ภาพ PNG พื้นโปร่งใส สูงอย่างน้อย 150 พิกเซล"),
    )

    class Meta:
        icon = "user"
        label = _("ผู้ลงนาม")
