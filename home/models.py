from django.db import models
from django.http import Http404
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

    def route(self, request, path_components):
        """Find the page a path names in one query rather than two per level.

        Wagtail's own route() fetches each level's child and then its specific
        object: eight queries for a lesson four levels below this page. Here
        the pages on the path are fetched together; those above the page asked
        for become specific objects without a query (their own fields
        deferred) and each is cached as the next one's parent, so breadcrumbs
        and progress walk up the tree for free. A page type with a route() of
        its own gets the rest of the path, as it would from Wagtail.
        """
        if not path_components:
            return super().route(request, path_components)
        by_parent_and_slug = {
            (page.path[: -self.steplen], page.slug): page
            for page in Page.objects.filter(
                path__startswith=self.path,
                depth__gt=self.depth,
                depth__lte=self.depth + len(path_components),
                slug__in=path_components,
            )
        }
        parent = self
        for index, slug in enumerate(path_components):
            page = by_parent_and_slug.get((parent.path, slug))
            if page is None:
                raise Http404
            remaining = path_components[index + 1 :]
            if not remaining or getattr(page.specific_class, "route", Page.route) is not Page.route:
                page = page.specific
                page._cached_parent_obj = parent
                return page.route(request, remaining)
            page = page.specific_deferred
            page._cached_parent_obj = parent
            parent = page

    def get_context(self, request, *args, **kwargs):
        from courses.models import CoursePage
        from courses.progress import courses_progress

        context = super().get_context(request, *args, **kwargs)
        courses = list(CoursePage.objects.live().descendant_of(self).order_by("path"))
        context["course_progress"] = courses_progress(request.user, courses)
        return context
