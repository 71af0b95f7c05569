"""What the certificates app does when other apps report events."""

from certificates import lifecycle


def issue_on_course_completion(sender, user_id: int, course_id: int, **kwargs) -> None:
    # course_completed is sent after commit; queue_issue still goes through
    # on_commit, so a sender inside a transaction would be safe too.
    lifecycle.queue_issue(user_id, course_id)


def withdraw_on_account_deletion(sender, instance, **kwargs) -> None:
    lifecycle.withdraw_certificates(instance)
