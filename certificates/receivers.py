"""What the certificates app does when other apps report events."""

from datetime import timedelta

from certificates import lifecycle


def issue_on_course_completion(sender, user_id: int, course_id: int, **kwargs) -> None:
    # course_completed is sent after commit; queue_issue still goes through
    # on_commit, so a sender inside a transaction would be safe too.
    lifecycle.queue_issue(user_id, course_id)


def issue_waiting_for_profile(sender, user_id: int, **kwargs) -> None:
    # The learner's profile was saved: a certificate that waited for it
    # (lifecycle.ProfileIncomplete) is queued now, not at the next sweep.
    for course_id in lifecycle.completions_without_certificate(
        older_than=timedelta(0), waiting_for_profile=True
    ).filter(user_id=user_id).values_list("course_id", flat=True):
        lifecycle.queue_issue(user_id, course_id)


def withdraw_on_account_deletion(sender, instance, **kwargs) -> None:
    lifecycle.withdraw_certificates(instance)
