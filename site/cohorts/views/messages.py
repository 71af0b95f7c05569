"""A cohort's messages: the list of what its trainers sent, with delivered /
failed / waiting counts per channel, and the compose screen (preview first,
then send once)."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from courses.ratelimits import PER_USER, seconds_until_allowed
from npv_site.cohorts.forms import CohortMessageForm
from npv_site.cohorts.messaging import (
    MAX_LENGTH,
    RATE_GROUP,
    REMINDERS,
    AlreadySent,
    delivery_counts,
    preview,
    rate_limits,
    send_cohort_message,
)
from npv_site.cohorts.models import CohortMessage
from npv_site.cohorts.permissions import may_message_cohort
from npv_site.cohorts.views.mixins import CohortAdminMixin

MESSAGES_PER_PAGE = 20


class CohortMessagesView(CohortAdminMixin, TemplateView):
    """Whoever may view the cohort sees its messages and their counts (no names)."""

    permission_action = "view"
    template_name = "cohorts/admin/messages.html"
    page_title = gettext_lazy("ข้อความถึงรุ่น")
    header_icon = "comment"

    def get_context_data(self, **kwargs):
        sent = CohortMessage.objects.filter(cohort=self.cohort).select_related("author", "course")
        page = Paginator(sent, MESSAGES_PER_PAGE).get_page(self.request.GET.get("p"))
        rows = list(page.object_list)
        counts = delivery_counts(rows)
        return super().get_context_data(
            page=page,
            rows=[(message, counts.get(message.pk, [])) for message in rows],
            may_send=may_message_cohort(self.request.user, self.cohort),
            **kwargs,
        )


class ComposeCohortMessageView(CohortAdminMixin, TemplateView):
    """Write, preview (what the volunteer sees, how many each channel reaches, the
    LINE quota), then send. Only the cohort's own trainers and superusers."""

    permission_action = "change"
    template_name = "cohorts/admin/message_compose.html"
    page_title = gettext_lazy("เขียนข้อความถึงรุ่น")
    header_icon = "comment"

    def setup_cohort_checks(self):
        if not may_message_cohort(self.request.user, self.cohort):
            raise PermissionDenied

    def get(self, request, *args, **kwargs):
        self.setup_cohort_checks()
        initial = {
            "audience": CohortMessage.Audience.EVERYONE,
            "link": CohortMessage.Link.MY_LEARNING,
            "send_key": uuid.uuid4(),
        }
        reminder = request.GET.get("reminder", "")
        if reminder in REMINDERS:
            initial.update(audience=reminder, text=str(REMINDERS[reminder]))
        form = CohortMessageForm(initial=initial, cohort=self.cohort)
        if reminder in REMINDERS and reminder not in dict(form.fields["audience"].choices):
            # A cohort without a course has no progress to remind of.
            form = CohortMessageForm(
                initial={**initial, "audience": "everyone"}, cohort=self.cohort
            )
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        self.setup_cohort_checks()
        form = CohortMessageForm(request.POST, cohort=self.cohort)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        draft = form.draft()
        if "send" not in request.POST:
            return self.render_to_response(
                self.get_context_data(form=form, preview=preview(self.cohort, draft, request.user))
            )
        listing = reverse("cohorts:messages", args=[self.cohort.pk])
        existing = CohortMessage.objects.filter(send_key=form.cleaned_data["send_key"]).first()
        if existing is not None:
            messages.info(request, _("ข้อความนี้ส่งไปแล้ว ไม่ได้ส่งซ้ำ"))
            return redirect(listing)
        retry_after = seconds_until_allowed(request, RATE_GROUP, PER_USER, rate_limits)
        if retry_after is not None:
            form.add_error(
                None,
                _("ส่งข้อความถี่เกินไป ส่งได้อีกครั้งในอีก %(minutes)s นาที")
                % {"minutes": -(-retry_after // 60)},
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(retry_after)
            return response
        try:
            sent = send_cohort_message(
                self.cohort, draft, request.user, send_key=form.cleaned_data["send_key"]
            )
        except AlreadySent:
            messages.info(request, _("ข้อความนี้ส่งไปแล้ว ไม่ได้ส่งซ้ำ"))
            return redirect(listing)
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
            return self.render_to_response(
                self.get_context_data(form=form, preview=preview(self.cohort, draft, request.user)),
                status=400,
            )
        messages.success(
            request,
            _("ส่งข้อความถึงเน็ตอาสา %(count)s คนแล้ว ระบบกำลังทยอยส่งตามช่องทางของแต่ละคน")
            % {"count": f"{sent.recipients:,}"},
        )
        if sent.line_skipped:
            messages.warning(request, sent.line_skipped)
        return redirect(listing)

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        items.insert(
            -1,
            {"url": reverse("cohorts:messages", args=[self.cohort.pk]), "label": _("ข้อความถึงรุ่น")},
        )
        return items

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        # A hidden field's error (a form key or a course tampered with) has no place of its own.
        hidden_errors = [
            ("" if field.name == "send_key" else field.label, error)
            for field in (form.hidden_fields() if form is not None else [])
            for error in field.errors
        ]
        return super().get_context_data(
            hidden_errors=hidden_errors,
            max_length=MAX_LENGTH,
            reminders=[
                ("not_started", _("ข้อความเตือนผู้ที่ยังไม่เริ่มเรียน")),
                ("in_progress", _("ข้อความเตือนผู้ที่เรียนค้างไว้ครึ่งทาง")),
            ],
            **kwargs,
        )
