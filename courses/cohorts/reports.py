"""Progress reports of a training cohort, as plain functions over querysets.

Every figure is worked out by the database (grouped counts over joins,
Exists for the status filter, one query per kind of progress for a page of
rows), so a report takes the same few queries for 311 volunteers as for
24,700. Views, exports and the dashboard panel call
these; tests call them directly.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate
from courses.cohorts.models import CohortMembership, Province, TrainingCohort, Village
from courses.models import (
    CoursePage,
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModuleCompletion,
    ModulePage,
    QuizQuestion,
)
from courses.models.attempts import AttemptStatus, QuizAttempt


class Status:
    """Where a volunteer stands in the course; the report's status filter."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CERTIFIED = "certified"

    CHOICES = [
        (NOT_STARTED, _("ยังไม่เริ่มเรียน")),
        (IN_PROGRESS, _("กำลังเรียน")),
        (COMPLETED, _("เรียนจบแล้ว")),
        (CERTIFIED, _("ได้รับเกียรติบัตรแล้ว")),
    ]


@dataclass(frozen=True)
class ReportFilters:
    province: str = ""
    district: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, data) -> ReportFilters:
        status = data.get("status", "")
        return cls(
            province=data.get("province", "").strip(),
            district=data.get("district", "").strip(),
            status=status if status in dict(Status.CHOICES) else "",
        )

    def as_query(self) -> dict:
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class CourseOutline:
    """A course's modules and lesson ids, read once per report."""

    course: CoursePage
    modules: list[ModulePage] = field(default_factory=list)
    lesson_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, course: CoursePage) -> CourseOutline:
        modules = list(ModulePage.objects.child_of(course).order_by("path"))
        lesson_ids = list(LessonPage.objects.descendant_of(course).values_list("pk", flat=True))
        return cls(course=course, modules=modules, lesson_ids=lesson_ids)

    @property
    def module_ids(self) -> list[int]:
        return [m.pk for m in self.modules]


def report_course(cohort: TrainingCohort, course_id=None) -> CoursePage | None:
    """The course a report is about: the one asked for if the cohort covers
    it, otherwise the cohort's first course."""
    courses = cohort.courses.order_by("path")
    if course_id and str(course_id).isdigit():
        chosen = courses.filter(pk=course_id).first()
        if chosen is not None:
            return chosen
    return courses.first()


def _started(outline: CourseOutline) -> Q:
    user = OuterRef("user_id")
    return Q(
        Exists(LessonCompletion.objects.filter(user_id=user, lesson_id__in=outline.lesson_ids))
        | Exists(QuizAttempt.objects.filter(user_id=user, module_id__in=outline.module_ids))
        | Exists(ModuleCompletion.objects.filter(user_id=user, module_id__in=outline.module_ids))
    )


def _status_q(status: str, outline: CourseOutline) -> Q:
    user = OuterRef("user_id")
    course_id = outline.course.pk
    completed = Exists(
        Enrolment.objects.filter(user_id=user, course_id=course_id, completed_at__isnull=False)
    )
    certified = Exists(
        Certificate.objects.filter(
            user_id=user, course_id=course_id, status=Certificate.Status.VALID
        )
    )
    return {
        Status.NOT_STARTED: ~_started(outline),
        Status.IN_PROGRESS: _started(outline) & ~Q(completed),
        Status.COMPLETED: Q(completed),
        Status.CERTIFIED: Q(certified),
    }[status]


def _place_filter(filters: ReportFilters) -> Q:
    q = Q()
    if filters.province:
        q &= Q(village__province=filters.province)
    if filters.district:
        q &= Q(village__district=filters.district)
    return q


ROW_ORDER = (
    "village__province",
    "village__district",
    "village__subdistrict",
    "village__village_no",
    "pk",
)


def cohort_members(
    cohort: TrainingCohort, outline: CourseOutline, filters: ReportFilters = ReportFilters()
) -> QuerySet[CohortMembership]:
    """The cohort's memberships matching the filters, in village order. The
    status filter is a condition in SQL; the figures of each row come from
    `progress_of`, a few queries for any number of rows."""
    members = CohortMembership.objects.filter(cohort=cohort).filter(_place_filter(filters))
    if filters.status:
        members = members.filter(_status_q(filters.status, outline))
    return members.order_by(*ROW_ORDER)


@dataclass(slots=True)
class Progress:
    enrolled_at: object = None
    completed_at: object = None
    started: bool = False
    passed: set = field(default_factory=set)
    certificate_number: str = ""
    certified_at: object = None


def progress_of(user_ids, outline: CourseOutline) -> dict[int, Progress]:
    """Each user's progress in the course, by user id. `user_ids` is a list
    or a subquery of user ids; five queries whatever its size."""
    course_id = outline.course.pk
    found: dict[int, Progress] = defaultdict(Progress)
    for user_id, enrolled_at, completed_at in Enrolment.objects.filter(
        course_id=course_id, user_id__in=user_ids
    ).values_list("user_id", "enrolled_at", "completed_at"):
        found[user_id].enrolled_at = enrolled_at
        found[user_id].completed_at = completed_at
    for user_id, module_id in ModuleCompletion.objects.filter(
        module_id__in=outline.module_ids, user_id__in=user_ids
    ).values_list("user_id", "module_id"):
        found[user_id].passed.add(module_id)
        found[user_id].started = True
    for user_id, number, issued_at in Certificate.objects.filter(
        course_id=course_id, user_id__in=user_ids, status=Certificate.Status.VALID
    ).values_list("user_id", "number", "issued_at"):
        found[user_id].certificate_number = number
        found[user_id].certified_at = issued_at
    started = (
        LessonCompletion.objects.filter(lesson_id__in=outline.lesson_ids, user_id__in=user_ids)
        .order_by()
        .values_list("user_id", flat=True)
        .union(
            QuizAttempt.objects.filter(module_id__in=outline.module_ids, user_id__in=user_ids)
            .order_by()
            .values_list("user_id", flat=True)
        )
    )
    for user_id in started:
        found[user_id].started = True
    return found


@dataclass(slots=True)
class VolunteerRow:
    membership_id: int
    province: str
    district: str
    subdistrict: str
    village_no: int | None
    village_name: str
    first_name: str
    last_name: str
    phone: str
    progress: Progress

    def passed(self, module_id: int) -> bool:
        return module_id in self.progress.passed


ROW_FIELDS = (
    "pk",
    "user_id",
    "village__province",
    "village__district",
    "village__subdistrict",
    "village__village_no",
    "village__name",
    "user__volunteer_profile__first_name",
    "user__volunteer_profile__last_name",
    "user__first_name",
    "user__last_name",
    "roster_phone",
    "user__volunteer_profile__phone",
)


def volunteer_rows(
    cohort: TrainingCohort,
    outline: CourseOutline,
    filters: ReportFilters = ReportFilters(),
    members: QuerySet[CohortMembership] | None = None,
) -> list[VolunteerRow]:
    """The report's rows: the given memberships (a page) or all that match
    the filters, each with the volunteer's progress. Six queries."""
    if members is None:
        members = cohort_members(cohort, outline, filters)
    values = list(members.values_list(*ROW_FIELDS))
    if len(values) <= 500:
        user_ids = [v[1] for v in values]
    else:
        # A subquery, not thousands of parameters (SQLite caps them).
        user_ids = cohort_members(cohort, outline, filters).order_by().values("user_id")
    progress = progress_of(user_ids, outline)
    return [
        VolunteerRow(
            membership_id=pk,
            province=province or "",
            district=district or "",
            subdistrict=subdistrict or "",
            village_no=village_no,
            village_name=village_name or "",
            first_name=first or user_first,
            last_name=last or user_last,
            phone=roster_phone or phone or "",
            progress=progress.get(user_id) or Progress(),
        )
        for (
            pk,
            user_id,
            province,
            district,
            subdistrict,
            village_no,
            village_name,
            first,
            last,
            user_first,
            user_last,
            roster_phone,
            phone,
        ) in values
    ]


@dataclass
class PlaceSummary:
    province: str
    district: str
    volunteers: int
    enrolled: int
    started: int
    passed: list[int]
    completed: int
    certified: int


def _counts(members: QuerySet[CohortMembership], by_district: bool, **extra) -> dict:
    place = {"province": F("village__province")}
    if by_district:
        place["district"] = F("village__district")
    grouped = members.order_by().values(**place, **extra).annotate(n=Count("pk", distinct=True))
    return {
        (row["province"], row.get("district", ""), *(row[k] for k in extra)): row["n"]
        for row in grouped
    }


def place_summaries(
    cohort: TrainingCohort,
    outline: CourseOutline,
    filters: ReportFilters = ReportFilters(),
    by_district: bool | None = None,
) -> list[PlaceSummary]:
    """Per province, or per district (by default once a province is chosen):
    how many volunteers, enrolled, started, passed each module, completed,
    certified. Six grouped queries, whatever the number of volunteers."""
    if by_district is None:
        by_district = bool(filters.province)
    counts = functools.partial(_counts, by_district=by_district)
    order = _place_order()
    course_id = outline.course.pk
    members = cohort_members(cohort, outline, filters)
    volunteers = counts(members)
    enrolled = counts(members.filter(user__enrolments__course_id=course_id))
    completed = counts(
        members.filter(
            user__enrolments__course_id=course_id, user__enrolments__completed_at__isnull=False
        )
    )
    certified = counts(
        members.filter(
            user__certificates__course_id=course_id,
            user__certificates__status=Certificate.Status.VALID,
        )
    )
    started = counts(members.filter(_started(outline)))
    passed = counts(
        members.filter(user__module_completions__module_id__in=outline.module_ids),
        module=F("user__module_completions__module_id"),
    )
    return [
        PlaceSummary(
            province=place[0] or "",
            district=place[1] or "",
            volunteers=count,
            enrolled=enrolled.get(place, 0),
            started=started.get(place, 0),
            passed=[passed.get((*place, m), 0) for m in outline.module_ids],
            completed=completed.get(place, 0),
            certified=certified.get(place, 0),
        )
        for place, count in sorted(volunteers.items(), key=lambda item: order(item[0]))
    ]


def _place_order():
    """Sort key: provinces in Thai dictionary order (Province.sort_order),
    then districts; volunteers without a village last."""
    orders = dict(Province.objects.values_list("name", "sort_order"))

    def key(place):
        province, district = place[0], place[1]
        return (province is None, orders.get(province or "", 999), province or "", district or "")

    return key


def total_summary(places: list[PlaceSummary], module_count: int) -> PlaceSummary:
    return PlaceSummary(
        province="",
        district="",
        volunteers=sum(p.volunteers for p in places),
        enrolled=sum(p.enrolled for p in places),
        started=sum(p.started for p in places),
        passed=[sum(p.passed[i] for p in places) for i in range(module_count)],
        completed=sum(p.completed for p in places),
        certified=sum(p.certified for p in places),
    )


def cohort_completion(cohorts: QuerySet[TrainingCohort]) -> QuerySet[TrainingCohort]:
    """Cohorts with `volunteer_count`, `completed_count` (finished any of the
    cohort's courses) and `certified_count`, for the dashboard panel."""
    members = CohortMembership.objects.filter(cohort=OuterRef("pk"))

    def count_of(queryset) -> Subquery:
        return Subquery(
            queryset.order_by().values("cohort").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        )

    completed = members.filter(
        Exists(
            Enrolment.objects.filter(
                user_id=OuterRef("user_id"),
                course__cohorts=OuterRef("cohort_id"),
                completed_at__isnull=False,
            )
        )
    )
    certified = members.filter(
        Exists(
            Certificate.objects.filter(
                user_id=OuterRef("user_id"),
                course__cohorts=OuterRef("cohort_id"),
                status=Certificate.Status.VALID,
            )
        )
    )
    return cohorts.annotate(
        volunteer_count=count_of(members),
        completed_count=count_of(completed),
        certified_count=count_of(certified),
    )


# ---------------------------------------------------------------------------
# Questions and modules
# ---------------------------------------------------------------------------


@dataclass
class QuestionStats:
    question_id: str
    text: str
    answered: int = 0
    right: int = 0

    @property
    def share_right(self) -> Decimal | None:
        if not self.answered:
            return None
        return (Decimal(100) * self.right / self.answered).quantize(Decimal("0.1"))


@dataclass
class ModuleStats:
    module: ModulePage
    graded_attempts: int
    average_score: Decimal | None
    passers: int
    average_attempts_to_pass: Decimal | None
    questions: list[QuestionStats]


def module_stats(cohort: TrainingCohort, outline: CourseOutline) -> list[ModuleStats]:
    """Per module: graded attempts by the cohort's volunteers, their average
    score, and how many attempts the volunteers who passed needed (the number
    of their first passing attempt, averaged). Per question: on how many
    graded attempts it was answered and the share answered right (the
    marks are read from each attempt's results, so a question since removed
    from the pool still counts)."""
    volunteers = CohortMembership.objects.filter(cohort=cohort).values("user_id")
    graded = QuizAttempt.objects.filter(
        user_id__in=volunteers, module_id__in=outline.module_ids, status=AttemptStatus.GRADED
    )
    scores = {
        row["module_id"]: row
        for row in graded.order_by()
        .values("module_id")
        .annotate(attempts=Count("pk"), average=Avg("score_percent"))
    }
    first_pass = (
        QuizAttempt.objects.filter(
            user_id=OuterRef("user_id"), module_id=OuterRef("module_id"), passed=True
        )
        .order_by()
        .values("user_id")
        .annotate(first=Min("number"))
        .values("first")
    )
    passes = {
        row["module_id"]: row
        for row in ModuleCompletion.objects.filter(
            user_id__in=volunteers, module_id__in=outline.module_ids
        )
        .annotate(first_pass=Subquery(first_pass, output_field=IntegerField()))
        .order_by()
        .values("module_id")
        .annotate(passers=Count("pk"), average=Avg("first_pass"))
    }
    questions = _question_stats(graded)
    result = []
    for module in outline.modules:
        score = scores.get(module.pk, {})
        passed = passes.get(module.pk, {})
        result.append(
            ModuleStats(
                module=module,
                graded_attempts=score.get("attempts", 0),
                average_score=_round(score.get("average")),
                passers=passed.get("passers", 0),
                average_attempts_to_pass=_round(passed.get("average")),
                questions=list(questions.get(module.pk, {}).values()),
            )
        )
    return result


def _round(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


# Unpacks each graded attempt's per-question marks (a JSON object keyed by
# question id) in the database: one row per module and question. The JSON
# functions differ, hence one statement per database.
QUESTION_STATS_SQL = {
    "sqlite": """
        SELECT a.module_id, mark.key,
               SUM(CASE WHEN json_array_length(a.answers, '$."' || mark.key || '"') > 0
                   THEN 1 ELSE 0 END),
               SUM(CASE WHEN json_array_length(a.answers, '$."' || mark.key || '"') > 0
                        AND json_extract(mark.value, '$.correct') THEN 1 ELSE 0 END)
        FROM courses_quizattempt a, json_each(a.results) mark
        WHERE a.id IN ({attempts})
        GROUP BY a.module_id, mark.key
    """,
    "postgresql": """
        SELECT a.module_id, mark.key,
               COUNT(*) FILTER (WHERE jsonb_typeof(a.answers -> mark.key) = 'array'
                                  AND jsonb_array_length(a.answers -> mark.key) > 0),
               COUNT(*) FILTER (WHERE jsonb_typeof(a.answers -> mark.key) = 'array'
                                  AND jsonb_array_length(a.answers -> mark.key) > 0
                                  AND (mark.value ->> 'correct')::boolean)
        FROM courses_quizattempt a, jsonb_each(a.results) mark
        WHERE a.id IN ({attempts})
        GROUP BY a.module_id, mark.key
    """,
}


def _question_stats(graded: QuerySet[QuizAttempt]) -> dict[int, dict[str, QuestionStats]]:
    attempts_sql, params = graded.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(QUESTION_STATS_SQL[connection.vendor].format(attempts=attempts_sql), params)
        rows = cursor.fetchall()
    # The question text as the pool has it now; a question since deleted
    # shows by its number.
    texts = dict(
        QuizQuestion.objects.filter(
            pk__in={int(key) for _m, key, *_ in rows if key.isdigit()}
        ).values_list("pk", "text")
    )
    by_module: dict[int, dict[str, QuestionStats]] = defaultdict(dict)
    for module_id, key, answered, right in rows:
        text = texts.get(int(key)) if key.isdigit() else None
        by_module[module_id][key] = QuestionStats(
            question_id=key,
            text=text or _("คำถามที่ถูกลบแล้ว (รหัส %(id)s)") % {"id": key},
            answered=answered or 0,
            right=right or 0,
        )
    return by_module


# ---------------------------------------------------------------------------
# Village coverage
# ---------------------------------------------------------------------------


@dataclass
class ProvinceCoverage:
    province: str
    villages: int
    covered: int

    @property
    def percent(self) -> Decimal:
        if not self.villages:
            return Decimal(0)
        return (Decimal(100) * self.covered / self.villages).quantize(Decimal("0.1"))


def village_coverage(cohort: TrainingCohort) -> list[ProvinceCoverage]:
    """For each province the cohort serves: villages in the register, and
    those with at least one volunteer (of any cohort) holding a valid
    certificate for one of this cohort's courses."""
    provinces = list(cohort.provinces.values_list("name", flat=True))
    course_ids = list(cohort.courses.values_list("pk", flat=True))
    certified_here = CohortMembership.objects.filter(
        village_id=OuterRef("pk"),
        user__certificates__course_id__in=course_ids,
        user__certificates__status=Certificate.Status.VALID,
    )
    rows = (
        Village.objects.filter(province__in=provinces)
        .order_by()
        .values("province")
        .annotate(villages=Count("pk"), covered=Count("pk", filter=Exists(certified_here)))
    )
    found = {row["province"]: row for row in rows}
    # Keep the cohort's own province order; a province with an empty register shows as 0.
    ordered = cohort.provinces.order_by("sort_order").values_list("name", flat=True)
    return [
        ProvinceCoverage(
            province=name,
            villages=found.get(name, {}).get("villages", 0),
            covered=found.get(name, {}).get("covered", 0),
        )
        for name in ordered
    ]


# ---------------------------------------------------------------------------
# Certificates of a cohort
# ---------------------------------------------------------------------------


def cohort_certificates(cohort: TrainingCohort) -> QuerySet[Certificate]:
    """Valid certificates of the cohort's volunteers for its courses whose PDF
    has been rendered."""
    return (
        Certificate.objects.filter(
            user__cohort_memberships__cohort=cohort,
            course__in=cohort.courses.all(),
            status=Certificate.Status.VALID,
            current_version__rendered_at__isnull=False,
        )
        .exclude(current_version__pdf="")
        .select_related("current_version")
        .order_by("number")
        .distinct()
    )
