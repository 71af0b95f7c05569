"""Who may do what with a training cohort: a trainer only with the cohorts
they train, a site administrator (superuser, or the "manage all cohorts"
permission) with all of them."""

from wagtail.permission_policies import ModelPermissionPolicy

from npv_site.cohorts.models import TrainingCohort


class TrainingCohortPermissionPolicy(ModelPermissionPolicy):
    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not self.user_has_any_permission(user, actions):
            return False
        return TrainingCohort.objects.for_user(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return TrainingCohort.objects.none()
        return TrainingCohort.objects.for_user(user)


cohort_permission_policy = TrainingCohortPermissionPolicy(TrainingCohort)


def trains_volunteer_on_course(user, volunteer_id: int, course_id: int) -> bool:
    """Whether `user` trains a cohort that has this volunteer and this course:
    such a trainer may download the volunteer's certificate for the course, as
    the cohort's ZIP of certificates has it."""
    if not cohort_permission_policy.user_has_permission(user, "view"):
        return False
    return TrainingCohort.objects.filter(
        trainers=user, memberships__user_id=volunteer_id, courses=course_id
    ).exists()


def may_message_cohort(user, cohort: TrainingCohort) -> bool:
    """Whether `user` may send a message to `cohort`'s volunteers: a message speaks
    as the cohort's trainer, so only its own trainers (and superusers) send one;
    whoever may view the cohort sees its sent messages and their counts."""
    if not cohort_permission_policy.user_has_permission(user, "change"):
        return False
    return user.is_superuser or cohort.trainers.filter(pk=user.pk).exists()
