"""An existing Net Pracharat database survives the plugin-set moves (issue #15): a
database at the schema main had before them (the migration leaves below), loaded with
the demo course, an imported cohort, graded attempts and certificates, is migrated to
today's leaves, and nothing is lost or orphaned: the counts stay, every content type
that pages, revisions, log entries, search entries and the Trainers group's permissions
point at still resolves to a model, and the apps keep their labels and tables (cohorts
moved to site/cohorts and kept the label `cohorts`)."""

import contextlib
import io
import uuid

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models.signals import post_save
from wagtail.models import ModelLogEntry, Page, PageLogEntry, Revision
from wagtail.search.models import IndexEntry

from certificates import tasks as certificate_tasks
from certificates.models import Certificate, CertificateVersion
from courses import attempts as quiz
from courses import tasks as course_tasks
from courses.models import Enrolment, GradingJob, QuizAttempt
from tests.certificates_support import completed_enrolment, load_demo_design
from tests.factories import TrainingCohortFactory, UserFactory
from tests.quiz_helpers import answers, quiz_module
from tests.test_roster_import import ROW_A, ROW_B, csv_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The leaf migrations of the project's own apps on main before the moves (939dca9).
LEAVES_BEFORE_THE_MOVES = [
    ("accounts", "0003_findable_by_trainers"),
    ("certificates", "0003_render_claimed_by"),
    ("cohorts", "0005_cohort_invitations"),
    ("courses", "0003_attempt_first_pass_idx"),
    ("home", "0002_create_homepage"),
]

# Today's code writes the columns these later migrations add (the course's reading rule):
# they move nothing, so the old database gets them before today's code loads it.
COLUMNS_TODAYS_CODE_WRITES = [("courses", "0006_course_require_lessons_before_quiz")]

# What the Trainers group held on a database migrated before the moves. Migration files
# were edited since (the certificate-design grant moved from certificates.0002 to the
# site's accounts.0004), so replaying the old leaves with today's files is not quite the
# old database: the missing grants are put back as the old migrations made them.
TRAINERS_PERMISSIONS_BEFORE_THE_MOVES = {
    ("certificates", "certificatesettings", "change_certificatesettings"),
    ("cohorts", "trainingcohort", "add_trainingcohort"),
    ("cohorts", "trainingcohort", "change_trainingcohort"),
    ("cohorts", "trainingcohort", "delete_trainingcohort"),
    ("cohorts", "trainingcohort", "view_trainingcohort"),
    ("cohorts", "village", "view_village"),
    ("wagtailadmin", "admin", "access_admin"),
}

# App label, model and table of every model of the project's apps before the moves: a
# Python package may move, its label and tables stay.
TABLES = {
    "courses": {
        "CourseIndexPage": "courses_courseindexpage",
        "CoursePage": "courses_coursepage",
        "Enrolment": "courses_enrolment",
        "GradingJob": "courses_gradingjob",
        "LessonCompletion": "courses_lessoncompletion",
        "LessonPage": "courses_lessonpage",
        "ModuleCompletion": "courses_modulecompletion",
        "ModulePage": "courses_modulepage",
        "QuizAttempt": "courses_quizattempt",
        "QuizChoice": "courses_quizchoice",
        "QuizQuestion": "courses_quizquestion",
    },
    "certificates": {
        "Certificate": "certificates_certificate",
        "CertificateEvent": "certificates_certificateevent",
        "CertificateNumberCounter": "certificates_certificatenumbercounter",
        "CertificateSettings": "certificates_certificatesettings",
        "CertificateVersion": "certificates_certificateversion",
    },
    "cohorts": {
        "ClaimCode": "cohorts_claimcode",
        "CohortInvitation": "cohorts_cohortinvitation",
        "CohortMembership": "cohorts_cohortmembership",
        "Province": "cohorts_province",
        "ReportExport": "cohorts_reportexport",
        "RosterImport": "cohorts_rosterimport",
        "TrainingCohort": "cohorts_trainingcohort",
        "Village": "cohorts_village",
    },
    "accounts": {"VolunteerProfile": "accounts_volunteerprofile"},
    "home": {"HomePage": "home_homepage"},
}


def migrate_to(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def trainers_permissions() -> set[tuple[str, str, str]]:
    return {
        (p.content_type.app_label, p.content_type.model, p.codename)
        for p in Group.objects.get(name="Trainers").permissions.select_related("content_type")
    }


def restore_the_old_trainers_grants() -> None:
    from django.contrib.auth.models import Permission

    trainers = Group.objects.get(name="Trainers")
    for app_label, model, codename in TRAINERS_PERMISSIONS_BEFORE_THE_MOVES:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": codename}
        )
        trainers.permissions.add(permission)


@contextlib.contextmanager
def without_receivers_of_newer_tables():
    """Today's code loads the old database: receivers written for tables the old leaves do
    not have yet (the reset codes of accounts.0005, which a user's save ends) are off while
    it does, as they did not exist then. So are the notifications (their outbox, and the
    consents of accounts.0006 they read, came later), by the signals and the site's calls."""
    from unittest import mock

    from django.contrib.auth import get_user_model

    from npv_site.accounts.apps import _password_may_have_changed

    uid = "accounts-end-reset-codes"
    post_save.disconnect(sender=get_user_model(), dispatch_uid=uid)
    try:
        with (
            mock.patch("notifications.outbox.notify", return_value=None),
            mock.patch("notifications.receivers.notify", return_value=None),
        ):
            yield
    finally:
        post_save.connect(_password_may_have_changed, sender=get_user_model(), dispatch_uid=uid)


def load_a_live_site():
    """What a running Net Pracharat site holds: the demo course (published, with
    revisions, log entries and search entries), a cohort imported from a roster,
    graded attempts and rendered certificates."""
    call_command("load_demo_course", no_cohort=True, stdout=io.StringIO())
    from npv_site.cohorts.importing import import_roster

    trainer = UserFactory(username="trainer-chumphon")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    module = quiz_module(lessons=1)
    cohort = TrainingCohortFactory(
        name="ชุมพร 28 ม.ค. 2562", trainers=[trainer], courses=[module.get_parent().specific]
    )
    import_roster(csv_bytes(ROW_A, ROW_B), "roster.csv", cohort, mode="good_rows")

    for right in (None, 0):
        learner = UserFactory()
        attempt = quiz.start_attempt(learner, module)
        quiz.submit_attempt(learner, attempt.pk, answers(attempt, right=right))
        course_tasks.grade_attempt.run(GradingJob.objects.get(attempt=attempt).pk)

    load_demo_design()
    for _ in range(2):
        user, course = completed_enrolment()
        certificate_tasks.issue_certificate.run(user.pk, course.pk)


def counts() -> dict:
    from npv_site.cohorts.models import ClaimCode, CohortMembership, TrainingCohort

    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "page log entries": PageLogEntry.objects.count(),
        "model log entries": ModelLogEntry.objects.count(),
        "search entries": IndexEntry.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "attempts": QuizAttempt.objects.count(),
        "graded attempts": QuizAttempt.objects.filter(status="graded").count(),
        "certificates": Certificate.objects.count(),
        "certificate PDFs": CertificateVersion.objects.exclude(pdf="").count(),
        "cohorts": TrainingCohort.objects.count(),
        "memberships": CohortMembership.objects.count(),
        "claim codes": ClaimCode.objects.count(),
        "trainers' permissions": Group.objects.get(name="Trainers").permissions.count(),
        "content types": ContentType.objects.count(),
    }


def content_types_in_use() -> dict[str, set[int]]:
    trainers = Group.objects.get(name="Trainers")
    return {
        "pages": set(Page.objects.values_list("content_type_id", flat=True)),
        "revisions": set(Revision.objects.values_list("content_type_id", flat=True))
        | set(Revision.objects.values_list("base_content_type_id", flat=True)),
        "page log entries": set(PageLogEntry.objects.values_list("content_type_id", flat=True)),
        "model log entries": set(ModelLogEntry.objects.values_list("content_type_id", flat=True)),
        "search entries": set(IndexEntry.objects.values_list("content_type_id", flat=True)),
        "Trainers' permissions": set(
            trainers.permissions.values_list("content_type_id", flat=True)
        ),
    }


def test_a_database_from_before_the_moves_migrates_with_nothing_lost_or_orphaned():
    migrate_to(LEAVES_BEFORE_THE_MOVES)
    restore_the_old_trainers_grants()
    assert trainers_permissions() == TRAINERS_PERMISSIONS_BEFORE_THE_MOVES
    migrate_to(COLUMNS_TODAYS_CODE_WRITES)
    with without_receivers_of_newer_tables():
        load_a_live_site()
        before = counts()
    # Two certificates issued and rendered here; the learner who passed the quiz may
    # have one more (issued on completion; rendered inline only with the embedded broker).
    assert before["certificate PDFs"] >= 2 and before["certificates"] >= 2
    assert before["graded attempts"] == 2 and before["memberships"] == 2
    assert before["search entries"] and before["revisions"] and before["page log entries"]

    call_command("migrate", interactive=False, verbosity=0)

    assert counts() == before
    assert trainers_permissions() == TRAINERS_PERMISSIONS_BEFORE_THE_MOVES
    for what, ids in content_types_in_use().items():
        unresolved = [
            f"{ct.app_label}.{ct.model}"
            for ct in ContentType.objects.filter(pk__in=ids)
            if ct.model_class() is None
        ]
        assert unresolved == [], f"{what} point at content types without a model: {unresolved}"
        assert ContentType.objects.filter(pk__in=ids).count() == len(ids - {None})
    ours = ContentType.objects.filter(app_label__in=TABLES)
    assert [f"{ct.app_label}.{ct.model}" for ct in ours if ct.model_class() is None] == []
    for page in Page.objects.all():
        assert page.specific_class is not None, f"page {page.pk} ({page.title}) lost its type"
        assert page.specific.pk == page.pk

    tables = set(connection.introspection.table_names())
    for label, models in TABLES.items():
        for model_name, table in models.items():
            model = apps.get_model(label, model_name)
            assert model._meta.db_table == table
            assert table in tables


def test_courses_made_before_the_reading_rule_keep_their_quizzes_open(settings):
    # Even on a host whose new courses start with the rule on.
    settings.COURSES_REQUIRE_LESSONS_BEFORE_QUIZ = True
    before = [("courses", "0004_attempt_module_graded_idx")]
    migrate_to(before)
    old_apps = MigrationExecutor(connection).loader.project_state(before).apps
    content_type = ContentType.objects.get_for_model(apps.get_model("courses", "CoursePage"))
    index = Page.objects.get(depth=2)
    old_apps.get_model("courses", "CoursePage").objects.create(
        title="หลักสูตรเดิม",
        slug="old-course",
        path=f"{index.path}9999",
        depth=index.depth + 1,
        content_type_id=content_type.pk,
        url_path=f"{index.url_path}old-course/",
        locale_id=index.locale_id,
        translation_key=uuid.uuid4(),
    )
    migrate_to(COLUMNS_TODAYS_CODE_WRITES)
    from courses.models import CoursePage

    assert CoursePage.objects.get(slug="old-course").require_lessons_before_quiz is False
    assert CoursePage().require_lessons_before_quiz is True
    call_command("migrate", interactive=False, verbosity=0)
