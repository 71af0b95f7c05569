"""Progress reports of a training cohort, as plain functions over querysets.

Every figure is worked out by the database: the place summaries are one
grouped query, the rows one query with each volunteer's progress as columns,
the per-question figures come from the attempts' JSON unpacked in SQL. A
report takes the same few queries for 311 volunteers as for 24,700. Views,
exports and the dashboard panel call these; tests call them directly.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate
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
from npv_site.cohorts.models import CohortMembership, Province, TrainingCohort, Village
from npv_site.input_rules import parse_id


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
    # parse_id: "²".isdigit() is true and int("²") fails; a key past 64 bits
    # overflows SQLite.
    if (pk := parse_id(course_id)) is not None:
        chosen = courses.filter(pk=pk).first()
        if chosen is not None:
            return chosen
    return courses.first()


def _users_in(queryset: QuerySet, few_rows: bool = False) -> Q:
    """The membership's volunteer is among the queryset's users. PostgreSQL
    gets an uncorrelated IN, whose users it hashes once per query, where an
    Exists in a count's FILTER or in the select list is a probe for every
    row (24,700 rows times eight figures at national size). SQLite gets the
    Exists: its probes are cheap, and it would build a temporary index of
    the whole subquery for an IN each time, too slow for a small cohort.
    A query of a few rows (a page of the report) gets the Exists everywhere:
    hashing the IN reads the whole course's progress for fifty volunteers."""
    if connection.vendor == "postgresql" and not few_rows:
        return Q(user_id__in=queryset.order_by().values("user_id"))
    return Q(Exists(queryset.filter(user_id=OuterRef("user_id"))))


def _started(outline: CourseOutline, few_rows: bool = False) -> Q:
    return (
        _users_in(LessonCompletion.objects.filter(lesson_id__in=outline.lesson_ids), few_rows)
        | _users_in(QuizAttempt.objects.filter(module_id__in=outline.module_ids), few_rows)
        | _users_in(ModuleCompletion.objects.filter(module_id__in=outline.module_ids), few_rows)
    )


def _completed(outline: CourseOutline) -> Q:
    return _users_in(
        Enrolment.objects.filter(course_id=outline.course.pk, completed_at__isnull=False)
    )


def _certified(outline: CourseOutline) -> Q:
    return _users_in(
        Certificate.objects.filter(course_id=outline.course.pk, status=Certificate.Status.VALID)
    )


def _passed(module_id: int, few_rows: bool = False) -> Q:
    return _users_in(ModuleCompletion.objects.filter(module_id=module_id), few_rows)


def _status_q(status: str, outline: CourseOutline) -> Q:
    return {
        Status.NOT_STARTED: ~_started(outline),
        Status.IN_PROGRESS: _started(outline) & ~_completed(outline),
        Status.COMPLETED: _completed(outline),
        Status.CERTIFIED: _certified(outline),
    }[status]


def passes_by_user(outline: CourseOutline) -> tuple[str, list]:
    """SQL of one row per volunteer who passed any of the course's modules,
    with `passed_<index>` (how many passes of that module: 0 or 1): one
    grouped scan of the passes, to be joined by `user_id`, where a condition
    per module is a scan and a hash of the passes each (PostgreSQL)."""
    passes = (
        ModuleCompletion.objects.filter(module_id__in=outline.module_ids)
        .order_by()
        .values("user_id")
        .annotate(
            **{
                f"passed_{index}": Count("pk", filter=Q(module_id=module_id))
                for index, module_id in enumerate(outline.module_ids)
            }
        )
    )
    sql, params = passes.query.sql_with_params()
    return sql, list(params)


def _uncorrelated_in(column: str, queryset: QuerySet) -> tuple[str, list]:
    """`column IN (the queryset's user ids)`, or false for a queryset that
    can match nothing (Django will not write `IN ()`)."""
    try:
        sql, params = queryset.order_by().values("user_id").query.sql_with_params()
    except EmptyResultSet:
        return "false", []
    return f"{column} IN ({sql})", list(params)


def started_sql(outline: CourseOutline, user_id: str, passes: str | None) -> tuple[str, list]:
    """_started() in SQL for a query that has joined passes_by_user() as
    `passes` (None: the course has no modules): passed any module, tried a
    quiz or read a lesson of the course."""
    attempted, attempted_params = _uncorrelated_in(
        user_id, QuizAttempt.objects.filter(module_id__in=outline.module_ids)
    )
    read, read_params = _uncorrelated_in(
        user_id, LessonCompletion.objects.filter(lesson_id__in=outline.lesson_ids)
    )
    passed_any = f'{passes}."user_id" IS NOT NULL' if passes else "false"
    return f"({passed_any} OR {attempted} OR {read})", [*attempted_params, *read_params]


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
    status filter is a condition in SQL; `volunteer_rows` adds each row's
    progress to the same query."""
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
    certificate_code: str = ""
    certified_at: object = None


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


# Who and where a cohort member is, for the report's rows and the exports.
MEMBER_FIELDS = (
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
ROW_FIELDS = (
    "pk",
    *MEMBER_FIELDS,
    "course_enrolment__enrolled_at",
    "course_enrolment__completed_at",
    "course_certificate__number",
    "course_certificate__code",
    "course_certificate__issued_at",
    "started",
)


def with_progress(
    members: QuerySet[CohortMembership],
    outline: CourseOutline,
    few_rows: bool = False,
    progress: bool = True,
) -> QuerySet[CohortMembership]:
    """The memberships with the volunteer's progress in the course as columns
    of the same query: the enrolment and the valid certificate joined (at
    most one of each, by their unique constraints), started and each module
    passed as conditions (looked up row by row when `few_rows`; left out
    without `progress`, for a caller that joins them itself)."""
    course_id = outline.course.pk
    flags = {
        "started": ExpressionWrapper(_started(outline, few_rows), output_field=BooleanField()),
        **{
            f"passed_{index}": ExpressionWrapper(
                _passed(module_id, few_rows), output_field=BooleanField()
            )
            for index, module_id in enumerate(outline.module_ids)
        },
    }
    return members.annotate(
        course_enrolment=FilteredRelation(
            "user__enrolments", condition=Q(user__enrolments__course_id=course_id)
        ),
        course_certificate=FilteredRelation(
            "user__certificates",
            condition=Q(
                user__certificates__course_id=course_id,
                user__certificates__status=Certificate.Status.VALID,
            ),
        ),
        **(flags if progress else {}),
    )


def volunteer_rows(
    cohort: TrainingCohort,
    outline: CourseOutline,
    filters: ReportFilters = ReportFilters(),
    members: QuerySet[CohortMembership] | None = None,
) -> list[VolunteerRow]:
    """The report's rows: the given memberships (a page) or all that match
    the filters, each with the volunteer's progress. One query."""
    few_rows = members is not None
    if members is None:
        members = cohort_members(cohort, outline, filters)
    module_ids = outline.module_ids
    passed_fields = [f"passed_{index}" for index in range(len(module_ids))]
    values = with_progress(members, outline, few_rows).values_list(*ROW_FIELDS, *passed_fields)
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
            progress=Progress(
                enrolled_at=enrolled_at,
                completed_at=completed_at,
                started=bool(started),
                passed={m for m, yes in zip(module_ids, passed, strict=True) if yes},
                certificate_number=certificate_number or "",
                certificate_code=certificate_code or "",
                certified_at=certified_at,
            ),
        )
        for (
            pk,
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
            enrolled_at,
            completed_at,
            certificate_number,
            certificate_code,
            certified_at,
            started,
            *passed,
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


def place_summaries(
    cohort: TrainingCohort,
    outline: CourseOutline,
    filters: ReportFilters = ReportFilters(),
    by_district: bool | None = None,
) -> list[PlaceSummary]:
    """Per province, or per district (by default once a province is chosen):
    how many volunteers, enrolled, started, passed each module, completed,
    certified. One grouped query, whatever the number of volunteers: each
    figure counts the memberships meeting its condition."""
    if by_district is None:
        by_district = bool(filters.province)
    place = {"province": F("village__province")}
    if by_district:
        place["district"] = F("village__district")
    passed = {
        f"passed_{index}": Count("pk", filter=_passed(module_id))
        for index, module_id in enumerate(outline.module_ids)
    }
    # The enrolment and the valid certificate are joined (at most one of
    # each per volunteer), where an IN list each took a scan and a hash.
    course_id = outline.course.pk
    members = (
        cohort_members(cohort, outline, filters)
        .annotate(
            course_enrolment=FilteredRelation(
                "user__enrolments", condition=Q(user__enrolments__course_id=course_id)
            ),
            course_certificate=FilteredRelation(
                "user__certificates",
                condition=Q(
                    user__certificates__course_id=course_id,
                    user__certificates__status=Certificate.Status.VALID,
                ),
            ),
        )
        .order_by()
    )
    if connection.vendor == "postgresql" and outline.module_ids:
        rows = _grouped_place_rows(members, outline, place, list(passed))
    else:
        rows = members.values(**place).annotate(
            volunteers=Count("pk"),
            enrolled=Count("course_enrolment__pk"),
            started=Count("pk", filter=_started(outline)),
            completed=Count("course_enrolment__completed_at"),
            certified=Count("course_certificate__pk"),
            **passed,
        )
    order = _place_order()
    return [
        PlaceSummary(
            province=row["province"] or "",
            district=row.get("district") or "",
            volunteers=row["volunteers"],
            enrolled=row["enrolled"],
            started=row["started"],
            passed=[row[name] for name in passed],
            completed=row["completed"],
            certified=row["certified"],
        )
        for row in sorted(rows, key=lambda row: order((row["province"], row.get("district"))))
    ]


def _grouped_place_rows(
    members: QuerySet, outline: CourseOutline, place: dict, passed: list[str]
) -> list[dict]:
    """place_summaries() on PostgreSQL: the same figures, the passes counted
    from one grouped scan joined by volunteer (passes_by_user), where the
    ORM's query probes an IN list per module for every member."""
    rows = members.values(
        "user_id",
        row_enrolment=F("course_enrolment__pk"),
        row_completed=F("course_enrolment__completed_at"),
        row_certificate=F("course_certificate__pk"),
        **place,
    )
    inner, inner_params = rows.query.sql_with_params()
    passes, passes_params = passes_by_user(outline)
    started, started_params = started_sql(outline, 'r."user_id"', "p")
    places = [f'r."{name}"' for name in place]
    counts = ", ".join(f'COUNT(*) FILTER (WHERE p."{name}" > 0)' for name in passed)
    statement = (
        f'SELECT {", ".join(places)}, COUNT(*), COUNT(r."row_enrolment"), '  # noqa: S608
        f'COUNT(*) FILTER (WHERE {started}), COUNT(r."row_completed"), '
        f'COUNT(r."row_certificate"), {counts} '
        f'FROM ({inner} OFFSET 0) r LEFT JOIN ({passes}) p ON p."user_id" = r."user_id" '
        f"GROUP BY {', '.join(places)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*started_params, *inner_params, *passes_params])
        found = cursor.fetchall()
    names = [*place, "volunteers", "enrolled", "started", "completed", "certified", *passed]
    return [dict(zip(names, row, strict=True)) for row in found]


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


# How long the per-question figures of a cohort are kept at most. A new
# grade, a volunteer joining or leaving the cohort starts them afresh at once
# (see _stats_key); what the key cannot see, an attempt deleted by hand or a
# grade committed after a later one, shows within this time.
STATS_CACHE_SECONDS = 300


def _stats_key(cohort: TrainingCohort, outline: CourseOutline) -> str:
    """What the figures depend on, read in one cheap query: the cohort's
    members (how many, the newest) and each module's latest grade (one step
    of an index each)."""
    latest = {
        # Max() of an uncorrelated subquery: worked out once, not per member.
        f"graded_{index}": Max(
            Subquery(
                QuizAttempt.objects.filter(
                    module_id=module_id, status=AttemptStatus.GRADED, graded_at__isnull=False
                )
                .order_by("-graded_at")
                .values("graded_at")[:1]
            )
        )
        for index, module_id in enumerate(outline.module_ids)
    }
    state = CohortMembership.objects.filter(cohort=cohort).aggregate(
        members=Count("pk"), newest=Max("pk"), **latest
    )
    prefix = getattr(settings, "COHORT_STATS_CACHE_PREFIX", "cohort-stats")
    parts = [cohort.pk, outline.course.pk, *outline.module_ids, *state.values()]
    # Hashed: the times have spaces, which some cache backends refuse in a key.
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"{prefix}:{cohort.pk}:{digest}"


def module_stats(cohort: TrainingCohort, outline: CourseOutline) -> list[ModuleStats]:
    """Per module: graded attempts by the cohort's volunteers, their average
    score, and how many attempts the volunteers who passed needed (the number
    of their first passing attempt, averaged). Per question: on how many
    graded attempts it was answered and the share answered right (the
    marks are read from each attempt's results, so a question since removed
    from the pool still counts). At national size that reads some 100,000
    attempts, so the figures are kept in the cache until a grade or the
    cohort's membership changes (at most STATS_CACHE_SECONDS)."""
    key = _stats_key(cohort, outline)
    figures = cache.get(key)
    if figures is None:
        figures = _module_figures(cohort, outline)
        cache.set(key, figures, STATS_CACHE_SECONDS)
    return _module_stats_of(outline, *figures)


def _module_figures(cohort: TrainingCohort, outline: CourseOutline) -> tuple:
    volunteers = CohortMembership.objects.filter(cohort=cohort).values("user_id")
    graded = QuizAttempt.objects.filter(
        user_id__in=volunteers, module_id__in=outline.module_ids, status=AttemptStatus.GRADED
    )
    passes = _passes(volunteers, outline)
    scores, questions = _question_stats(graded)
    return scores, passes, questions


def _module_stats_of(outline: CourseOutline, scores: dict, passes: dict, questions: dict):
    result = []
    for module in outline.modules:
        attempts, scored, score_sum = scores.get(module.pk, (0, 0, None))
        passers, average_first_pass = passes.get(module.pk, (0, None))
        result.append(
            ModuleStats(
                module=module,
                graded_attempts=attempts,
                average_score=_round(Decimal(str(score_sum)) / scored) if scored else None,
                passers=passers,
                average_attempts_to_pass=_round(average_first_pass),
                questions=list(questions.get(module.pk, {}).values()),
            )
        )
    return result


def _round(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.order_by().query.sql_with_params()


# Per module: the volunteers who passed it (their ModuleCompletion) and the
# number of their first passing attempt, averaged. The first passes are
# grouped once and joined, rather than looked up for each completion.
PASSES_SQL = """
    SELECT completion.module_id, COUNT(*), AVG(first_pass.first_number)
    FROM ({completions}) completion
    LEFT JOIN ({first_passes}) first_pass
        ON first_pass.user_id = completion.user_id
       AND first_pass.module_id = completion.module_id
    GROUP BY completion.module_id
"""


def _passes(volunteers: QuerySet, outline: CourseOutline) -> dict[int, tuple[int, float | None]]:
    completions, completion_params = _sql(
        ModuleCompletion.objects.filter(
            user_id__in=volunteers, module_id__in=outline.module_ids
        ).values("user_id", "module_id")
    )
    first_passes, first_pass_params = _sql(
        QuizAttempt.objects.filter(
            user_id__in=volunteers, module_id__in=outline.module_ids, passed=True
        )
        .values("user_id", "module_id")
        .annotate(first_number=Min("number"))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            PASSES_SQL.format(completions=completions, first_passes=first_passes),
            (*completion_params, *first_pass_params),
        )
        # float(): an average of whole numbers, as Django's Avg gives it.
        return {
            module_id: (passers, None if average is None else float(average))
            for module_id, passers, average in cursor.fetchall()
        }


# One pass over the cohort's graded attempts gives both the modules' figures
# (attempts, scores) and the questions' (each attempt's per-question marks, a
# JSON object keyed by question id, unpacked in the database): one row per
# module and question, plus a row with no question for a module whose attempts
# have no marks. An attempt's scores are counted on its first mark's row only
# (ordinality 1, or no mark at all). The JSON functions differ, hence one
# statement per database; SQLite's json_each has no ordinality, so it reads
# the attempts twice in one statement (the module rows, then the marks).
QUESTION_STATS_SQL = {
    "sqlite": """
        SELECT a.module_id, NULL, COUNT(*), COUNT(a.score_percent), SUM(a.score_percent), 0, 0
        FROM ({attempts}) a
        GROUP BY a.module_id
        UNION ALL
        SELECT a.module_id, mark.key, 0, 0, NULL,
               SUM(CASE WHEN json_array_length(a.answers, '$."' || mark.key || '"') > 0
                   THEN 1 ELSE 0 END),
               SUM(CASE WHEN json_array_length(a.answers, '$."' || mark.key || '"') > 0
                        AND json_extract(mark.value, '$.correct') THEN 1 ELSE 0 END)
        FROM ({attempts}) a, json_each(a.results) mark
        GROUP BY a.module_id, mark.key
    """,
    # Each mark's "answered" and "correct" are worked out once, in the inner
    # select, where the FILTERs each read the attempt's answers again: a
    # fifth of the query's time at national size (some 340,000 marks).
    "postgresql": """
        SELECT m.module_id, m.key,
               COUNT(*) FILTER (WHERE m.first),
               COUNT(m.score_percent) FILTER (WHERE m.first),
               SUM(m.score_percent) FILTER (WHERE m.first),
               COUNT(*) FILTER (WHERE m.answered),
               COUNT(*) FILTER (WHERE m.answered AND m.correct)
        FROM (
            SELECT a.module_id, mark.key, COALESCE(mark.n, 1) = 1 AS first, a.score_percent,
                   COALESCE(jsonb_array_length(
                       CASE WHEN jsonb_typeof(given.value) = 'array' THEN given.value END
                   ) > 0, false) AS answered,
                   (mark.value ->> 'correct')::boolean AS correct
            FROM ({attempts}) a
            LEFT JOIN LATERAL jsonb_each(a.results) WITH ORDINALITY mark(key, value, n) ON true
            LEFT JOIN LATERAL (SELECT a.answers -> mark.key AS value) given ON true
        ) m
        GROUP BY m.module_id, m.key
    """,
}


def _question_stats(
    graded: QuerySet[QuizAttempt],
) -> tuple[dict[int, tuple[int, int, object]], dict[int, dict[str, QuestionStats]]]:
    """Per module (graded attempts, attempts with a score, their scores'
    sum), and per module and question its figures; one query."""
    attempts_sql, params = _sql(graded.values("module_id", "score_percent", "answers", "results"))
    statement = QUESTION_STATS_SQL[connection.vendor].format(attempts=attempts_sql)
    if connection.vendor == "sqlite":
        params = (*params, *params)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner takes jsonb_each for 100 rows (an attempt has a
            # handful of marks), so the cost passes jit_above_cost and
            # compiling would take longer than the query runs.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    scores: dict[int, tuple[int, int, object]] = {}
    for module_id, _key, attempts, scored, score_sum, *_counts in rows:
        if attempts:
            before_attempts, before_scored, before_sum = scores.get(module_id, (0, 0, 0))
            scores[module_id] = (
                before_attempts + attempts,
                before_scored + scored,
                before_sum + (score_sum or 0),
            )
    marks = [row for row in rows if row[1] is not None]
    # The question text as the pool has it now; a question since deleted
    # shows by its number.
    texts = dict(
        QuizQuestion.objects.filter(
            pk__in={int(key) for _m, key, *_ in marks if key.isdigit()}
        ).values_list("pk", "text")
    )
    by_module: dict[int, dict[str, QuestionStats]] = defaultdict(dict)
    for module_id, key, _attempts, _scored, _sum, answered, right in marks:
        text = texts.get(int(key)) if key.isdigit() else None
        by_module[module_id][key] = QuestionStats(
            question_id=key,
            text=text or _("คำถามที่ถูกลบแล้ว (รหัส %(id)s)") % {"id": key},
            answered=answered or 0,
            right=right or 0,
        )
    return scores, by_module


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
