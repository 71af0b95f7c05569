"""The Wagtail admin for training cohorts and the village register.

A trainer reaches only the cohorts they train: every view of a cohort takes
its object from the permission policy's queryset, so another trainer's cohort
is a 404, not merely a missing link.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, ProtectedError, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button, HeaderButton, ListingButton, MenuItem

from courses.models import CoursePage
from npv_site.cohorts.forms import TrainingCohortForm
from npv_site.cohorts.models import CohortMembership, Province, TrainingCohort, Village
from npv_site.cohorts.permissions import cohort_permission_policy
from npv_site.cohorts.tools import cohort_tools
from npv_site.cohorts.views import (
    cohort_invitations,
    reports,
    reset_codes,
    roster,
    volunteers,
)
from npv_site.cohorts.views import messages as cohort_messages

ANY_ACTION = ["add", "change", "delete", "view"]


def _own_cohorts(request):
    return cohort_permission_policy.instances_user_has_any_permission_for(request.user, ANY_ACTION)


class TrainingCohortFilterSet(WagtailFilterSet):
    provinces = django_filters.ModelChoiceFilter(
        label=_("จังหวัด"), queryset=Province.objects.all(), distinct=True
    )
    courses = django_filters.ModelChoiceFilter(
        label=_("หลักสูตร"), queryset=CoursePage.objects.order_by("title"), distinct=True
    )
    start_date = django_filters.DateFromToRangeFilter(
        label=_("วันเริ่มอบรม"), widget=DateRangePickerWidget
    )

    class Meta:
        model = TrainingCohort
        fields = ["provinces", "courses", "start_date"]


class CohortIndexView(generic.IndexView):
    def get_base_queryset(self):
        member_count = (
            CohortMembership.objects.filter(cohort=OuterRef("pk"))
            .values("cohort")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            _own_cohorts(self.request)
            .annotate(
                volunteer_count=Coalesce(Subquery(member_count, output_field=IntegerField()), 0)
            )
            .prefetch_related("provinces", "trainers")
        )

    def get_list_more_buttons(self, instance):
        # The row's tools as buttons (ListingButton stays out of the "⋯"
        # menu); the rest of the tools join Wagtail's own items in the menu.
        buttons = super().get_list_more_buttons(instance)
        for priority, tool in enumerate(cohort_tools(self.request.user, instance), start=11):
            if tool.in_row:
                buttons.append(
                    ListingButton(
                        tool.short_label,
                        url=tool.url(instance),
                        icon_name=tool.icon,
                        classname="cohort-tool",
                        attrs=tool.attrs,
                        priority=priority,
                    )
                )
            else:
                buttons.append(
                    MenuItem(tool.label, url=tool.url(instance), icon_name=tool.icon, priority=priority)
                )
        return buttons


class CohortEditView(generic.EditView):
    def get_queryset(self):
        return _own_cohorts(self.request)

    @cached_property
    def header_buttons(self):
        # The cohort's tools beside the breadcrumbs, where a trainer looks,
        # rather than behind the "⋯" menu (which keeps delete and history).
        return [
            HeaderButton(
                tool.short_label,
                url=tool.url(self.object),
                icon_name=tool.icon,
                classname="cohort-tool",
                attrs=tool.attrs,
                priority=priority,
            )
            for priority, tool in enumerate(cohort_tools(self.request.user, self.object))
            if tool.in_header
        ]

    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            *(
                Button(tool.label, url=tool.url(self.object), icon_name=tool.icon, priority=5)
                for tool in cohort_tools(self.request.user, self.object)
                if not tool.in_header
            ),
        ]


class CohortDeleteView(generic.DeleteView):
    def get_queryset(self):
        return _own_cohorts(self.request)


class CohortHistoryView(history.HistoryView):
    def get_base_object_queryset(self):
        return _own_cohorts(self.request)


class CohortUsageView(usage.UsageView):
    def get_base_object_queryset(self):
        return _own_cohorts(self.request)


def _dates(cohort):
    # The template filter: Thai form in Thai, the language's own format otherwise.
    from courses.templatetags.thai_dates import thai_date_filter

    start, end = (
        thai_date_filter(cohort.start_date, "short"),
        thai_date_filter(cohort.end_date, "short"),
    )
    return start if start == end else f"{start} – {end}"


class TrainingCohortViewSet(ModelViewSet):
    model = TrainingCohort
    name = "cohorts"
    url_prefix = "cohorts"
    icon = "group"
    menu_label = _("รุ่นการอบรม")
    menu_order = 100
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    search_fields = ["name", "venue"]
    filterset_class = TrainingCohortFilterSet
    index_view_class = CohortIndexView
    edit_view_class = CohortEditView
    delete_view_class = CohortDeleteView
    history_view_class = CohortHistoryView
    usage_view_class = CohortUsageView
    list_display = [
        "name",
        Column("dates", label=_("วันที่อบรม"), accessor=_dates),
        "venue",
        Column(
            "provinces",
            label=_("จังหวัด"),
            accessor=lambda cohort: ", ".join(p.name for p in cohort.provinces.all()),
        ),
        Column("volunteer_count", label=_("เน็ตอาสา")),
        Column(
            "trainers",
            label=_("วิทยากร"),
            accessor=lambda cohort: ", ".join(
                t.get_full_name() or t.get_username() for t in cohort.trainers.all()
            ),
        ),
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("venue"),
            FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
            FieldPanel("courses", widget=forms.CheckboxSelectMultiple),
            FieldPanel("trainers"),
            FieldPanel("provinces", widget=forms.CheckboxSelectMultiple),
        ],
        base_form_class=TrainingCohortForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "<int:pk>/volunteers/", volunteers.CohortVolunteersView.as_view(), name="volunteers"
            ),
            path(
                "<int:pk>/volunteers/<int:membership_pk>/new-code/",
                volunteers.NewClaimCodeView.as_view(),
                name="new_claim_code",
            ),
            path(
                "<int:pk>/volunteers/<int:membership_pk>/reset-code/",
                reset_codes.IssueResetCodeView.as_view(),
                name="issue_reset_code",
            ),
            path(
                "<int:pk>/invitations/",
                cohort_invitations.CohortInvitationsView.as_view(),
                name="invitations",
            ),
            path(
                "<int:pk>/invitations/<int:invitation_pk>/approve/",
                cohort_invitations.ApproveInvitationView.as_view(),
                name="approve_invitation",
            ),
            path(
                "<int:pk>/find-volunteers/",
                cohort_invitations.FindVolunteersView.as_view(),
                name="find_volunteers",
            ),
            path("<int:pk>/claim-sheet/", volunteers.ClaimSheetView.as_view(), name="claim_sheet"),
            path(
                "<int:pk>/claim-codes.csv",
                volunteers.ClaimCodesCsvView.as_view(),
                name="claim_codes_csv",
            ),
            path("<int:pk>/import/", roster.RosterUploadView.as_view(), name="import"),
            path(
                "<int:pk>/import/<int:import_pk>/",
                roster.RosterPreviewView.as_view(),
                name="import_preview",
            ),
            path(
                "<int:pk>/import/<int:import_pk>/progress/",
                roster.RosterImportProgressView.as_view(),
                name="import_progress",
            ),
            path("roster-template.csv", roster.roster_template, name="roster_template"),
            path("<int:pk>/report/", reports.CohortReportView.as_view(), name="report"),
            path("<int:pk>/report.csv", reports.CohortReportCsvView.as_view(), name="report_csv"),
            path(
                "<int:pk>/report.xlsx", reports.CohortReportXlsxView.as_view(), name="report_xlsx"
            ),
            path(
                "<int:pk>/report/exports/<int:export_pk>/",
                reports.ReportExportView.as_view(),
                name="report_export",
            ),
            path(
                "<int:pk>/report/exports/<int:export_pk>/download/",
                reports.ReportExportDownloadView.as_view(),
                name="report_export_download",
            ),
            path(
                "<int:pk>/report/questions/",
                reports.CohortQuestionsView.as_view(),
                name="report_questions",
            ),
            path(
                "<int:pk>/report/villages/",
                reports.CohortCoverageView.as_view(),
                name="report_coverage",
            ),
            path(
                "<int:pk>/messages/", cohort_messages.CohortMessagesView.as_view(), name="messages"
            ),
            path(
                "<int:pk>/messages/new/",
                cohort_messages.ComposeCohortMessageView.as_view(),
                name="message_compose",
            ),
            path(
                "<int:pk>/certificates.zip",
                reports.CohortCertificatesZipView.as_view(),
                name="certificates_zip",
            ),
        ]


class VillageDeleteView(generic.DeleteView):
    """Memberships keep their village (PROTECT), and Wagtail's usage check
    sees only its reference index, which does not list them: the delete
    raised ProtectedError, a 500."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("ลบหมู่บ้านนี้ไม่ได้ เพราะมีเน็ตอาสาในรุ่นอบรมที่อยู่หมู่บ้านนี้"),
            )
            return redirect(self.request.get_full_path())


class VillageViewSet(ModelViewSet):
    """The register, read-only for trainers (it is loaded from a file or
    grows with imports); an administrator may correct a village."""

    model = Village
    name = "villages"
    url_prefix = "villages"
    icon = "home"
    menu_label = _("ทะเบียนหมู่บ้าน")
    menu_order = 200
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    delete_view_class = VillageDeleteView
    search_fields = ["name", "subdistrict", "district"]
    list_filter = ["province", "source"]
    list_display = ["name", "village_no", "subdistrict", "district", "province"]
    list_per_page = 50
    form_fields = ["province", "district", "subdistrict", "village_no", "name"]
    inspect_view_fields = [
        "province",
        "district",
        "subdistrict",
        "village_no",
        "name",
        "source",
        "created_at",
    ]


class TrainingViewSetGroup(ModelViewSetGroup):
    menu_label = _("การอบรม")
    menu_icon = "group"
    menu_order = 250
    items = (TrainingCohortViewSet, VillageViewSet)
