from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from courses.blocks import SIMPLE_RICH_TEXT


class HomePage(Page):
    headline = models.CharField(_("ข้อความหลัก"), max_length=200, blank=True)
    intro = RichTextField(_("คำแนะนำ"), blank=True, features=SIMPLE_RICH_TEXT)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("ภาพหลัก"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("headline"),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
    ]
    subpage_types = ["courses.CourseIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("หน้าแรก")
        verbose_name_plural = _("หน้าแรก")

    def get_context(self, request, *args, **kwargs):
        from courses.models import CoursePage
        from courses.progress import _build_course_progress

        context = super().get_context(request, *args, **kwargs)
        courses = list(CoursePage.objects.live().descendant_of(self).order_by("path"))
        context["course_progress"] = _build_course_progress(request.user, courses)
        return context
