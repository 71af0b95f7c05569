"""Issued certificates in the Wagtail admin: list, inspect, revoke, re-issue.

Certificates are made by the system, never typed in: the viewset has no
create, edit, copy or delete. Revoking and re-issuing need the
`change_certificate` permission (site administrators).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy

from certificates import lifecycle
from certificates.models import Certificate, CertificateVersion, certificate_storage

CHANGE_PERMISSION = "certificates.change_certificate"


class IssuedCertificatePolicy(ModelPermissionPolicy):
    """View only: the system issues certificates and admins never edit them by hand."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete", "copy"):
            return False
        return super().user_has_permission(user, action)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("เหตุผล"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class CertificateActionView(WagtailAdminTemplateMixin, FormView):
    template_name = "wagtailadmin/generic/form.html"
    form_class = ReasonForm
    header_icon = "doc-full-inverse"

    def dispatch(self, request, pk):
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        self.certificate = get_object_or_404(
            Certificate.objects.select_related("current_version"), pk=pk
        )
        if not self.allowed():
            messages.error(request, _("ทำรายการนี้กับเกียรติบัตรฉบับนี้ไม่ได้"))
            return redirect(inspect_url(self.certificate))
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.certificate.number

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = self.request.path
        context["submit_button_label"] = self.submit_button_label
        context["submit_button_active_label"] = self.submit_button_label
        return context


class RevokeView(CertificateActionView):
    page_title = gettext_lazy("เพิกถอนเกียรติบัตร")
    submit_button_label = gettext_lazy("เพิกถอน")

    def allowed(self):
        return self.certificate.status == Certificate.Status.VALID

    def form_valid(self, form):
        lifecycle.revoke_certificate(
            self.certificate, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, _("เพิกถอนเกียรติบัตร %s แล้ว") % self.certificate.number)
        return redirect(inspect_url(self.certificate))


class ReissueView(CertificateActionView):
    page_title = gettext_lazy("ออกเกียรติบัตรใหม่")
    submit_button_label = gettext_lazy("ออกใหม่")

    def allowed(self):
        return self.certificate.status != Certificate.Status.WITHDRAWN and self.certificate.user_id

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["reason"].help_text = _(
            "ฉบับใหม่ใช้ชื่อและที่อยู่ปัจจุบันในข้อมูลของเน็ตอาสา และแบบเกียรติบัตรปัจจุบัน "
            "เลขที่และรหัสตรวจสอบเดิม ฉบับเก่าเก็บไว้ในประวัติ"
        )
        return form

    def form_valid(self, form):
        version = lifecycle.reissue_certificate(
            self.certificate, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            self.request,
            _("ออกเกียรติบัตร %(number)s ฉบับที่ %(version)s แล้ว ไฟล์ PDF จะพร้อมในอีกสักครู่")
            % {"number": self.certificate.number, "version": version.version},
        )
        return redirect(inspect_url(self.certificate))


def version_pdf(request, pk):
    """Any stored version's PDF, for administrators (history included)."""
    if not request.user.has_perm("certificates.download_any_certificate"):
        raise PermissionDenied
    version = get_object_or_404(CertificateVersion.objects.select_related("certificate"), pk=pk)
    if not version.pdf:
        raise Http404
    handle = certificate_storage().open(version.pdf.name, "rb")
    return FileResponse(
        handle,
        content_type="application/pdf",
        filename=f"certificate-{version.certificate.number}-v{version.version}.pdf",
    )


def inspect_url(certificate):
    return reverse("issued_certificates:inspect", args=[certificate.pk])


class CertificateInspectView(InspectView):
    template_name = "certificates/admin/inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.object
        context["certificate"] = certificate
        context["versions"] = list(certificate.versions.order_by("-version"))
        context["events"] = list(certificate.events.select_related("actor").order_by("-created_at"))
        context["can_download"] = self.request.user.has_perm(
            "certificates.download_any_certificate"
        )
        return context

    @cached_property
    def header_more_buttons(self):
        buttons = []
        certificate = self.object
        if not self.request.user.has_perm(CHANGE_PERMISSION):
            return buttons
        if certificate.status == Certificate.Status.VALID:
            buttons.append(
                Button(
                    _("เพิกถอน"),
                    url=reverse("issued_certificates:revoke", args=[certificate.pk]),
                    icon_name="cross",
                    priority=10,
                )
            )
        if certificate.status != Certificate.Status.WITHDRAWN and certificate.user_id:
            buttons.append(
                Button(
                    _("ออกใหม่"),
                    url=reverse("issued_certificates:reissue", args=[certificate.pk]),
                    icon_name="resubmit",
                    priority=20,
                )
            )
        return buttons


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("เกียรติบัตรที่ออกแล้ว")
    menu_order = 310
    add_to_admin_menu = True
    inspect_view_enabled = True
    inspect_view_class = CertificateInspectView
    copy_view_enabled = False
    list_display = [
        Column("number", label=gettext_lazy("เลขที่"), accessor="number"),
        Column("holder", label=gettext_lazy("ผู้ได้รับ"), accessor="current_version.holder_name"),
        Column("course", label=gettext_lazy("หลักสูตร"), accessor="current_version.course_title"),
        Column("issued_on", label=gettext_lazy("วันที่ให้ไว้"), accessor="issued_on"),
        StatusTagColumn(
            "status",
            label=gettext_lazy("สถานะ"),
            accessor="get_status_display",
            primary=lambda certificate: certificate.status == Certificate.Status.VALID,
        ),
    ]
    list_filter = ["status", "year_be"]
    search_fields = [
        "number",
        "code",
        "current_version__holder_name",
        "current_version__course_title",
    ]
    ordering = ["-issued_at"]
    inspect_view_fields = []

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Certificate.objects.select_related("current_version"), **kwargs
        )

    def get_urlpatterns(self):
        # Only the views that exist for issued certificates (no add/edit/delete).
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("revoke/<int:pk>/", RevokeView.as_view(), name="revoke"),
            path("reissue/<int:pk>/", ReissueView.as_view(), name="reissue"),
            path("version-pdf/<int:pk>/", version_pdf, name="version_pdf"),
        ]
