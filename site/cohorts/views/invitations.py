"""The volunteer's side of a cohort invitation: the page that says who
invites them and what the trainers would see, with accept and decline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from npv_site.cohorts.invitations import InvitationClosed, accept_invitation, decline_invitation
from npv_site.cohorts.models import CohortInvitation


@login_required
@require_http_methods(["GET", "POST"])
def invitation_view(request, pk: int):
    # Someone else's invitation is not found: its existence says who was invited.
    invitation = get_object_or_404(
        CohortInvitation.objects.select_related("cohort"), pk=pk, user=request.user
    )
    if request.method == "POST" and invitation.is_pending:
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                accept_invitation(invitation, request.user)
                messages.success(
                    request,
                    _("เข้าร่วมรุ่น “%(cohort)s” แล้ว หลักสูตรของรุ่นอยู่ในการเรียนของฉัน")
                    % {"cohort": invitation.cohort.name},
                )
                return redirect("courses:my_learning")
            if answer == "decline":
                decline_invitation(invitation, request.user)
                messages.success(
                    request,
                    _("ปฏิเสธคำเชิญของรุ่น “%(cohort)s” แล้ว วิทยากรของรุ่นจะไม่เห็นข้อมูลของคุณ")
                    % {"cohort": invitation.cohort.name},
                )
                return redirect("courses:my_learning")
        except InvitationClosed:
            invitation.refresh_from_db()
        else:
            messages.error(request, _("กรุณาเลือกตอบรับหรือปฏิเสธคำเชิญ"))
    cohort = invitation.cohort
    return render(
        request,
        "cohorts/invitation.html",
        {
            "invitation": invitation,
            "cohort": cohort,
            "trainers": [
                trainer.get_full_name() or trainer.get_username()
                for trainer in cohort.trainers.order_by("first_name", "username")
            ],
            "courses": cohort.courses.order_by("title"),
        },
    )
