"""Roster import: reading CSV/XLSX in any encoding, the checks in the
preview, all-or-nothing against good rows only, re-import, who already exists."""

import dataclasses
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from npv_site.cohorts.importing import import_roster, run_roster_import
from npv_site.cohorts.models import (
    ClaimCode,
    CohortInvitation,
    CohortMembership,
    RosterImport,
    Village,
)
from npv_site.cohorts.roster import (
    RosterFileError,
    RowStatus,
    check_roster,
    read_roster,
    validate_row,
)
from courses.models import Enrolment
from npv_site.accounts.models import VolunteerProfile
from tests.factories import (
    TrainingCohortFactory,
    UserFactory,
    VolunteerProfileFactory,
    build_course,
)

DATA = Path(__file__).parent / "data"
CHUMPHON_UTF8 = DATA / "cohort-chumphon-2019-01-28.csv"
CHUMPHON_CP874 = DATA / "cohort-chumphon-2019-01-28.cp874.csv"
NATIONAL = DATA / "roster-24700.csv"
GOOD_ROWS = "good_rows"
ALL_OR_NOTHING = "all_or_nothing"
HEADER = [
    "title",
    "first_name",
    "last_name",
    "phone",
    "email",
    "province",
    "district",
    "subdistrict",
    "village_no",
    "village",
]
ROW_A = ["นาง", "นฤมล", "ฤทธิ์เดช", "0626840796", "", "ชุมพร", "ละแม", "ละแม", "6", "บ้านหนองลำเจียก"]
ROW_B = ["นาย", "วรวุฒิ", "สุขเจริญ", "0885867650", "", "ชุมพร", "ท่าแซะ", "หงษ์เจริญ", "2", "บ้านบางลำเจียก"]
ROW_C = ["นางสาว", "วันเพ็ญ", "ใจดี", "0811111111", "", "ระนอง", "กระบุรี", "น้ำจืด", "3", "บ้านน้ำจืด"]


def csv_bytes(*rows, header=HEADER, delimiter=",", encoding="utf-8", newline="\r\n") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return (newline.join(lines) + newline).encode(encoding)


def xlsx_bytes(*rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def counts() -> dict:
    return {
        "users": get_user_model().objects.count(),
        "profiles": VolunteerProfile.objects.count(),
        "memberships": CohortMembership.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "claim_codes": ClaimCode.objects.count(),
        "villages": Village.objects.count(),
    }


@pytest.fixture
def course(db):
    return build_course(modules=1, lessons=1, questions=0)


@pytest.fixture
def trainer(db):
    user = UserFactory(username="trainer-chumphon")
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


@pytest.fixture
def cohort(course, trainer):
    return TrainingCohortFactory(
        name="ชุมพร 28 ม.ค. 2562", trainers=[trainer], courses=[course], provinces=["ชุมพร", "ระนอง"]
    )


def run(content: bytes, cohort, mode=GOOD_ROWS, name="roster.csv", by=None):
    return import_roster(content, name, cohort, mode=mode, imported_by=by)


# ---------------------------------------------------------------------------
# The shared rosters
# ---------------------------------------------------------------------------


def _cleaned(path):
    parsed = read_roster(path.read_bytes(), path.name)
    return parsed, [
        {k: v for k, v in dataclasses.asdict(validate_row(raw)).items() if k != "raw"}
        for raw in parsed.rows
    ]


def test_chumphon_roster_reads_the_same_in_utf8_and_windows_874():
    utf8, utf8_rows = _cleaned(CHUMPHON_UTF8)
    cp874, cp874_rows = _cleaned(CHUMPHON_CP874)
    assert (utf8.encoding, cp874.encoding) == ("UTF-8", "Windows-874 (TIS-620)")
    assert len(utf8_rows) == 311
    assert utf8_rows == cp874_rows
    assert not any(row["errors"] for row in utf8_rows)


@pytest.mark.parametrize("path", [CHUMPHON_UTF8, CHUMPHON_CP874], ids=["utf8", "cp874"])
def test_chumphon_roster_becomes_311_claimable_volunteers_enrolled_in_the_course(
    path, cohort, course, trainer
):
    check, outcome = run(path.read_bytes(), cohort, name=path.name, by=trainer)

    assert (outcome.created, outcome.linked, outcome.skipped) == (311, 0, 0)
    assert counts() == {
        "users": 311 + 1,  # and the trainer
        "profiles": 311,
        "memberships": 311,
        "enrolments": 311,
        "claim_codes": 311,
        "villages": 311,
    }
    provinces = VolunteerProfile.objects.values_list("province", flat=True)
    assert sorted(set(provinces)) == ["ชุมพร", "ระนอง"]
    assert list(provinces).count("ชุมพร") == 276
    profile = VolunteerProfile.objects.get(phone="0626840796")
    assert (profile.title, profile.first_name, profile.last_name) == ("นาง", "นฤมล", "ฤทธิ์เดช")
    assert (profile.district, profile.subdistrict, profile.village_no) == ("ละแม", "ละแม", 6)
    assert profile.village_name == "บ้านหนองลำเจียก"
    # Nobody has consented yet, nor can log in before claiming the account.
    assert profile.consented_at is None
    assert not profile.user.has_usable_password()
    codes = list(ClaimCode.objects.values_list("code", flat=True))
    assert len(set(codes)) == 311 and all(re.fullmatch(r"\d{12}", code) for code in codes)
    membership = CohortMembership.objects.get(user=profile.user)
    assert membership.imported_by == trainer and membership.cohort == cohort
    assert str(membership.village) == "หมู่ที่ 6 บ้านหนองลำเจียก ต.ละแม อ.ละแม จ.ชุมพร"
    assert Enrolment.objects.filter(user=profile.user, course=course).exists()


def test_windows_874_copy_after_the_utf8_file_finds_every_volunteer_already_there(course, trainer):
    # The same trainer trains both cohorts, so the volunteers join at once
    # (another trainer's would be invited: tests/test_roster_privacy.py).
    first = TrainingCohortFactory(courses=[course], trainers=[trainer])
    second = TrainingCohortFactory(courses=[course], trainers=[trainer])
    run(CHUMPHON_UTF8.read_bytes(), first, by=trainer)

    check, outcome = run(
        CHUMPHON_CP874.read_bytes(), second, name=CHUMPHON_CP874.name, by=trainer
    )

    assert (outcome.created, outcome.linked) == (0, 311)
    assert not any(row.warnings for row in check.rows)
    assert VolunteerProfile.objects.count() == 311
    assert CohortMembership.objects.filter(cohort=second).count() == 311


def test_reimporting_the_same_file_changes_nothing(cohort):
    run(CHUMPHON_UTF8.read_bytes(), cohort)
    before = counts()
    snapshot = list(
        CohortMembership.objects.order_by("pk").values_list("pk", "user_id", "imported_at")
    )
    codes = list(ClaimCode.objects.order_by("pk").values_list("code", "expires_at"))

    check, outcome = run(CHUMPHON_UTF8.read_bytes(), cohort)

    assert {row.status for row in check.rows} == {RowStatus.MEMBER}
    assert (outcome.created, outcome.linked, outcome.unchanged) == (0, 0, 311)
    assert counts() == before
    assert (
        list(CohortMembership.objects.order_by("pk").values_list("pk", "user_id", "imported_at"))
        == snapshot
    )
    assert list(ClaimCode.objects.order_by("pk").values_list("code", "expires_at")) == codes


def test_national_roster_imports_and_keeps_the_shared_phone_as_two_volunteers(course):
    cohort = TrainingCohortFactory(courses=[course])
    check, outcome = run(NATIONAL.read_bytes(), cohort, name=NATIONAL.name)

    assert outcome.created == 24_700 and outcome.skipped == 0
    assert VolunteerProfile.objects.count() == 24_700
    assert Village.objects.count() == 24_700
    assert Enrolment.objects.filter(course=course).count() == 24_700
    shared = VolunteerProfile.objects.filter(phone="0612826420").order_by("province")
    assert [(p.first_name, p.province) for p in shared] == [
        ("ขวัญใจ", "กรุงเทพมหานคร"),
        ("กาญจนา", "เลย"),
    ]
    flagged = [row for row in check.rows if row.warnings]
    assert [row.line for row in flagged] == [3961, 4236]
    assert "แถวที่ 4236" in flagged[0].warnings[0] and "คนละหมู่บ้าน" in flagged[0].warnings[0]


# ---------------------------------------------------------------------------
# Encodings, delimiters and spreadsheet formats
# ---------------------------------------------------------------------------


THAI_HEADER = [
    "คำนำหน้า",
    "ชื่อ",
    "นามสกุล",
    "เบอร์โทร",
    "อีเมล",
    "จังหวัด",
    "อำเภอ",
    "ตำบล",
    "หมู่ที่",
    "หมู่บ้าน",
]


@pytest.mark.parametrize(
    ("content", "name", "encoding", "delimiter"),
    [
        (csv_bytes(ROW_A, ROW_B), "a.csv", "UTF-8", "จุลภาค"),
        (b"\xef\xbb\xbf" + csv_bytes(ROW_A, ROW_B), "a.csv", "UTF-8 (BOM)", "จุลภาค"),
        (csv_bytes(ROW_A, ROW_B, encoding="cp874"), "a.csv", "Windows-874 (TIS-620)", "จุลภาค"),
        (csv_bytes(ROW_A, ROW_B, delimiter=";"), "a.csv", "UTF-8", "อัฒภาค"),
        (csv_bytes(ROW_A, ROW_B, delimiter="\t"), "a.txt", "UTF-8", "แท็บ"),
        (csv_bytes(ROW_A, ROW_B, newline="\n"), "a.csv", "UTF-8", "จุลภาค"),
        # Excel's "Unicode text": UTF-16 with a BOM, tab-separated.
        (csv_bytes(ROW_A, ROW_B, delimiter="\t", encoding="utf-16"), "a.txt", "UTF-16", "แท็บ"),
        (csv_bytes(ROW_A, ROW_B, header=THAI_HEADER), "a.csv", "UTF-8", "จุลภาค"),
        (xlsx_bytes(ROW_A, ROW_B), "a.xlsx", "", ""),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "cp874",
        "semicolon",
        "tab",
        "lf",
        "utf16-excel",
        "thai-header",
        "xlsx",
    ],
)
def test_every_supported_format_reads_the_same_rows(content, name, encoding, delimiter):
    parsed = read_roster(content, name)
    assert (parsed.encoding, parsed.delimiter_label) == (encoding, delimiter)
    rows = [validate_row(raw) for raw in parsed.rows]
    assert [(r.first_name, r.phone, r.village_key) for r in rows] == [
        ("นฤมล", "0626840796", ("ชุมพร", "ละแม", "ละแม", 6)),
        ("วรวุฒิ", "0885867650", ("ชุมพร", "ท่าแซะ", "หงษ์เจริญ", 2)),
    ]
    assert not any(r.errors for r in rows)


def test_xlsx_numbers_lose_nothing_the_volunteer_needs():
    # Excel keeps a phone typed as a number without its leading zero, and a
    # village number as a float.
    content = xlsx_bytes(
        ["นาง", "นฤมล", "ฤทธิ์เดช", 626840796, None, "ชุมพร", "ละแม", "ละแม", 6.0, "บ้านหนองลำเจียก"]
    )
    row = validate_row(read_roster(content, "a.xlsx").rows[0])
    assert (row.phone, row.village_no, row.errors) == ("0626840796", 6, [])
    assert row.warnings == [
        "เบอร์โทร “626840796” ไม่มีเลข 0 ข้างหน้า (Excel มักตัดทิ้ง) จะบันทึกเป็น 0626840796"
    ]


def test_thai_digits_prefixes_and_bangkok_short_name_are_understood():
    row = validate_row(
        read_roster(
            csv_bytes(
                [
                    "น.ส.",
                    "สมศรี",
                    "ดีใจ",
                    "๐๘๑-๒๓๔-๕๖๗๘",
                    "",
                    "กทม.",
                    "เขตบางรัก",
                    "แขวงสีลม",
                    "หมู่ ๕",
                    "ชุมชนสีลม",
                ]
            ),
            "a.csv",
        ).rows[0]
    )
    assert (row.title, row.phone, row.province, row.village_no) == (
        "นางสาว",
        "0812345678",
        "กรุงเทพมหานคร",
        5,
    )
    assert row.errors == []
    row = validate_row(
        read_roster(
            csv_bytes(
                [
                    "นาย",
                    "สมชาย",
                    "ใจดี",
                    "0812345678",
                    "",
                    "จ.ชุมพร",
                    "อ.ท่าแซะ",
                    "ต.หงษ์เจริญ",
                    "2",
                    "บ้านบางลำเจียก",
                ]
            ),
            "a.csv",
        ).rows[0]
    )
    assert row.village_key == ("ชุมพร", "ท่าแซะ", "หงษ์เจริญ", 2)


# ---------------------------------------------------------------------------
# Files refused as a whole
# ---------------------------------------------------------------------------


def _zip_bytes(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BAD_FILES = {
    "empty": (b"", "a.csv", "ไฟล์ว่างเปล่า"),
    "no-header": (
        b"\r\n".join(",".join(r).encode() for r in (ROW_A, ROW_B)),
        "a.csv",
        "ไม่พบแถวหัวตาราง",
    ),
    "missing-column": (
        csv_bytes(ROW_A[:-1], header=HEADER[:-1]),
        "a.csv",
        "ขาดคอลัมน์: village",
    ),
    "extra-column": (
        csv_bytes(ROW_A + ["x"], header=HEADER + ["line_id"]),
        "a.csv",
        "มีคอลัมน์ที่ไม่รู้จัก: line_id",
    ),
    "repeated-column": (
        csv_bytes(ROW_A + ["x"], header=HEADER + ["phone"]),
        "a.csv",
        "หัวตารางมีคอลัมน์ซ้ำ: phone",
    ),
    "header-only": (csv_bytes(), "a.csv", "ไม่มีรายชื่อ"),
    "pdf": (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "roster.pdf",
        "ไม่ใช่ CSV หรือ XLSX",
    ),
    "png-named-csv": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        "roster.csv",
        "ไม่ใช่ CSV หรือ XLSX",
    ),
    "old-xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
        "roster.xls",
        "Excel รุ่นเก่า (.xls)",
    ),
    "zip-named-xlsx": (_zip_bytes({"readme.txt": "hello"}), "roster.xlsx", "ไม่ใช่ CSV หรือ XLSX"),
    "docx": (_zip_bytes({"word/document.xml": "<w/>"}), "roster.docx", "ไม่ใช่ CSV หรือ XLSX"),
    "broken-xlsx": (_zip_bytes({"xl/workbook.xml": "not xml"}), "roster.xlsx", "อ่านไฟล์ XLSX ไม่ได้"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_with_a_thai_message(case):
    content, name, message = BAD_FILES[case]
    with pytest.raises(RosterFileError, match=re.escape(message)):
        read_roster(content, name)


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.ROSTER_MAX_UPLOAD_SIZE = 1000
    with pytest.raises(RosterFileError, match="ไฟล์ใหญ่เกินไป"):
        read_roster(csv_bytes(*[ROW_A] * 20), "a.csv")


def test_a_file_with_too_many_rows_is_refused(settings):
    settings.ROSTER_MAX_ROWS = 2
    with pytest.raises(RosterFileError, match="เกิน 2 แถว"):
        read_roster(csv_bytes(ROW_A, ROW_B, ROW_C), "a.csv")


# ---------------------------------------------------------------------------
# Row problems in the preview
# ---------------------------------------------------------------------------


def test_each_row_problem_is_listed_in_thai(cohort):
    rows = [
        ["นาง", "", "ฤทธิ์เดช", "0626840796", "", "ชุมพร", "ละแม", "ละแม", "6", "บ้านหนองลำเจียก"],
        [
            "นาย",
            "Somchai",
            "สุขเจริญ",
            "0885867650",
            "",
            "ชุมพร",
            "ท่าแซะ",
            "หงษ์เจริญ",
            "2",
            "บ้านบางลำเจียก",
        ],
        ["นาย", "สมชาย", "ใจดี", "0811111111", "", "ชุมพอ", "ท่าแซะ", "หงษ์เจริญ", "3", "บ้านบน"],
        ["นาย", "สมชาย", "ใจดี", "12345", "", "ชุมพร", "ท่าแซะ", "หงษ์เจริญ", "4", "บ้านล่าง"],
        ["นาย", "สมศักดิ์", "ใจดี", "0822222222", "", "ชุมพร", "ท่าแซะ", "หงษ์เจริญ", "ห้า", "บ้านกลาง"],
        ["นาง", "สมใจ", "ดีงาม", "0833333333", "ไม่ใช่อีเมล", "ชุมพร", "ท่าแซะ", "ท่าแซะ", "7", "บ้านเจ็ด"],
        ["นาง", "สมใจ", "ดีงาม", "0833333333", "", "ชุมพร", "ท่าแซะ", "ท่าแซะ", "7", "บ้านเจ็ด"],
        ["นาย", "ก้อง", "ดีงาม", "0844444444", "", "ชุมพร", "ท่าแซะ", "ท่าแซะ", "8", "บ้านแปด"],
        ["นาย", "เก่ง", "ดีงาม", "0855555555", "", "ชุมพร", "ท่าแซะ", "ท่าแซะ", "8", "บ้านแปด"],
        ["นาย", "กล้า", "ดีงาม", "0866666666", "", "เชียงใหม่", "สันทราย", "หนองหาร", "1", "บ้านหนึ่ง"],
    ]
    check = check_roster(read_roster(csv_bytes(*rows), "a.csv"), cohort)
    by_line = {row.line: row for row in check.rows}

    assert by_line[2].errors == ["ไม่มีชื่อ"]
    assert by_line[3].errors == ["ชื่อ “Somchai” ต้องเป็นภาษาไทย"]
    assert by_line[4].errors == ["ไม่รู้จักจังหวัด “ชุมพอ”"]
    assert by_line[5].errors[0].startswith("เบอร์โทร “12345”: เบอร์โทรศัพท์ไม่ถูกต้อง")
    assert by_line[6].errors == ["หมู่ที่ต้องเป็นตัวเลข 1 ถึง 99 ไม่ใช่ “ห้า”"]
    assert by_line[7].status == RowStatus.NEW
    assert by_line[7].warnings == ["อีเมล “ไม่ใช่อีเมล” ไม่ถูกต้อง จะไม่บันทึกอีเมลนี้"]
    assert by_line[8].errors == ["ซ้ำกับแถวที่ 7 (เบอร์โทรและหมู่บ้านเดียวกัน)"]
    assert by_line[9].errors == ["หมู่บ้านนี้ซ้ำกับแถวที่ 10 ในไฟล์เดียวกัน (หนึ่งหมู่บ้านมีเน็ตอาสาหนึ่งคน)"]
    assert by_line[10].errors == ["หมู่บ้านนี้ซ้ำกับแถวที่ 9 ในไฟล์เดียวกัน (หนึ่งหมู่บ้านมีเน็ตอาสาหนึ่งคน)"]
    assert by_line[11].status == RowStatus.NEW
    assert by_line[11].warnings == ["จังหวัดเชียงใหม่ไม่อยู่ในจังหวัดที่รุ่นนี้ดูแล"]
    assert check.error_count == 8 and check.count(RowStatus.NEW) == 2


def test_a_row_with_more_cells_than_the_header_is_an_error():
    content = csv_bytes(ROW_A + ["เกิน"], ROW_B)
    rows = [validate_row(raw) for raw in read_roster(content, "a.csv").rows]
    assert rows[0].errors == ["แถวนี้มีข้อมูลเกินจำนวนคอลัมน์ของหัวตาราง"]
    assert rows[1].errors == []


# ---------------------------------------------------------------------------
# All or nothing, good rows only
# ---------------------------------------------------------------------------


BAD_ROW = ["นาย", "", "ไร้ชื่อ", "0899999999", "", "ชุมพร", "ละแม", "ละแม", "9", "บ้านเก้า"]


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(cohort):
    before = counts()
    check, outcome = run(csv_bytes(ROW_A, BAD_ROW, ROW_B), cohort, mode=ALL_OR_NOTHING)
    assert outcome.rejected and outcome.created == 0
    assert counts() == before


def test_all_or_nothing_writes_everything_when_every_row_is_good(cohort):
    check, outcome = run(csv_bytes(ROW_A, ROW_B), cohort, mode=ALL_OR_NOTHING)
    assert not outcome.rejected and outcome.created == 2
    assert cohort.memberships.count() == 2


def test_good_rows_only_skips_the_bad_row_and_writes_the_rest(cohort):
    check, outcome = run(csv_bytes(ROW_A, BAD_ROW, ROW_B), cohort, mode=GOOD_ROWS)
    assert (outcome.created, outcome.skipped) == (2, 1)
    assert sorted(cohort.volunteers.values_list("volunteer_profile__first_name", flat=True)) == [
        "นฤมล",
        "วรวุฒิ",
    ]


def test_an_error_while_writing_leaves_the_database_as_it_was(cohort, monkeypatch):
    import npv_site.cohorts.importing as importing

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "enrol_users", broken)
    before = counts()
    with pytest.raises(RuntimeError):
        run(csv_bytes(ROW_A, ROW_B), cohort)
    assert counts() == before


# ---------------------------------------------------------------------------
# Who already exists
# ---------------------------------------------------------------------------


@pytest.fixture
def signed_up(db):
    """A volunteer who signed up on their own, in ROW_A's village."""
    return VolunteerProfileFactory(
        user__username="narumon",
        title="นาง",
        first_name="นฤมล",
        last_name="ฤทธิ์เดช",
        phone="062-684-0796",
        province="ชุมพร",
        district="ละแม",
        subdistrict="ละแม",
        village_no=6,
        village_name="บ้านหนองลำเจียก",
    )


def test_a_volunteer_with_the_same_phone_and_village_is_invited_with_their_own_account(
    cohort, course, signed_up, trainer
):
    check, outcome = run(csv_bytes(ROW_A), cohort, by=trainer)
    assert check.rows[0].status == RowStatus.INVITE
    assert (outcome.created, outcome.linked, outcome.invited) == (0, 0, 1)
    assert VolunteerProfile.objects.count() == 1
    # Not in the cohort until they accept: the trainer sees nothing of them.
    assert not cohort.volunteers.exists()
    invitation = CohortInvitation.objects.get()
    assert (invitation.cohort, invitation.user, invitation.invited_by) == (
        cohort,
        signed_up.user,
        trainer,
    )
    assert not Enrolment.objects.filter(user=signed_up.user, course=course).exists()
    # Their own account needs no claim code.
    assert not ClaimCode.objects.exists()


def test_the_same_phone_in_another_village_is_another_volunteer_with_a_warning(cohort, signed_up):
    other_village = ROW_A[:5] + ["ชุมพร", "ละแม", "ละแม", "7", "บ้านเจ็ด"]
    check, outcome = run(csv_bytes(other_village), cohort)
    row = check.rows[0]
    assert row.status == RowStatus.NEW and outcome.created == 1
    # Whose phone it is stays unsaid (PDPA): the file did not name them.
    assert row.warnings == [
        "เบอร์โทรนี้มีในบัญชีของเน็ตอาสาหมู่บ้านอื่นอยู่แล้ว "
        "ระบบจะถือเป็นคนละคนและสร้างบัญชีใหม่ โปรดตรวจว่าเบอร์ถูกต้อง"
    ]
    assert VolunteerProfile.objects.filter(phone="0626840796").count() == 2


def test_another_volunteer_in_a_village_that_has_one_is_flagged(cohort, signed_up):
    newcomer = [
        "นาย",
        "สมปอง",
        "ใจดี",
        "0877777777",
        "",
        "ชุมพร",
        "ละแม",
        "ละแม",
        "6",
        "บ้านหนองลำเจียก",
    ]
    row = check_roster(read_roster(csv_bytes(newcomer), "a.csv"), cohort).rows[0]
    assert row.status == RowStatus.NEW
    assert row.warnings == [
        "หมู่บ้านนี้มีบัญชีเน็ตอาสาอีกคนในระบบแล้ว (เบอร์โทรต่างกัน) "
        "หากเป็นคนเดียวกันที่เปลี่ยนเบอร์ โปรดใช้เบอร์เดิมในไฟล์"
    ]


def test_the_same_name_with_another_phone_and_village_is_not_merged(cohort):
    twin = ["นาง", "นฤมล", "ฤทธิ์เดช", "0800000001", "", "ระนอง", "กระบุรี", "น้ำจืด", "1", "บ้านน้ำจืด"]
    check, outcome = run(csv_bytes(ROW_A, twin), cohort)
    assert outcome.created == 2
    assert not any(row.warnings or row.errors for row in check.rows)


def test_a_name_that_differs_from_the_existing_account_is_warned_and_the_account_kept(
    cohort, signed_up, trainer
):
    # The trainer trains another cohort she is in, so she joins at once.
    earlier = TrainingCohortFactory(trainers=[trainer])
    CohortMembership.objects.create(cohort=earlier, user=signed_up.user)
    renamed = ["นาง", "นฤมน", "ฤทธิ์เดช"] + ROW_A[3:]
    check, outcome = run(csv_bytes(renamed), cohort, by=trainer)
    assert outcome.linked == 1
    # The account's name is not quoted: the file did not hold it.
    assert check.rows[0].warnings == ["ชื่อในไฟล์ไม่ตรงกับชื่อในบัญชีเดิม จะใช้บัญชีและชื่อเดิม"]
    signed_up.refresh_from_db()
    assert signed_up.first_name == "นฤมล"


def test_reimport_still_matches_after_the_volunteer_changes_their_phone(cohort):
    run(csv_bytes(ROW_A), cohort)
    VolunteerProfile.objects.update(phone="0899999999")
    check, outcome = run(csv_bytes(ROW_A), cohort)
    assert check.rows[0].status == RowStatus.MEMBER
    assert VolunteerProfile.objects.count() == 1


def test_a_row_matching_two_accounts_is_an_error_not_a_guess(cohort, signed_up):
    VolunteerProfileFactory(
        user__username="narumon-again",
        phone="0626840796",
        province="ชุมพร",
        district="ละแม",
        subdistrict="ละแม",
        village_no=6,
    )
    row = check_roster(read_roster(csv_bytes(ROW_A), "a.csv"), cohort).rows[0]
    assert row.status == RowStatus.ERROR
    assert row.errors == ["ตรงกับบัญชีเดิมมากกว่าหนึ่งบัญชี ให้ผู้ดูแลระบบตรวจสอบก่อนนำเข้า"]


def test_register_name_mismatch_is_a_warning_and_the_register_is_kept(cohort):
    Village.objects.create(
        province="ชุมพร", district="ละแม", subdistrict="ละแม", village_no=6, name="บ้านหนองลำเจียกใต้"
    )
    check, outcome = run(csv_bytes(ROW_A), cohort)
    assert check.rows[0].warnings == ["ทะเบียนหมู่บ้านบันทึกหมู่ที่ 6 นี้ชื่อ “บ้านหนองลำเจียกใต้”"]
    assert Village.objects.get().name == "บ้านหนองลำเจียกใต้"
    assert CohortMembership.objects.get().village.name == "บ้านหนองลำเจียกใต้"


# ---------------------------------------------------------------------------
# The import as recorded background work
# ---------------------------------------------------------------------------


def _uploaded(cohort, content, name="roster.csv", mode=GOOD_ROWS) -> RosterImport:
    return RosterImport.objects.create(
        cohort=cohort,
        file_name=name,
        file_size=len(content),
        sha256="0" * 64,
        content=content,
        status=RosterImport.Status.QUEUED,
        mode=mode,
    )


def test_running_an_import_records_its_outcome_and_forgets_the_file(cohort):
    roster_import = _uploaded(cohort, csv_bytes(ROW_A, BAD_ROW, ROW_B))
    run_roster_import(roster_import.pk)
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DONE
    assert (roster_import.row_count, roster_import.created_count, roster_import.skipped_count) == (
        3,
        2,
        1,
    )
    assert bytes(roster_import.content) == b""
    assert set(CohortMembership.objects.values_list("roster_import", flat=True)) == {
        roster_import.pk
    }


def test_a_second_delivery_of_the_same_import_does_nothing(cohort):
    roster_import = _uploaded(cohort, csv_bytes(ROW_A))
    assert run_roster_import(roster_import.pk) is not None
    before = counts()
    assert run_roster_import(roster_import.pk) is None
    roster_import.refresh_from_db()
    assert roster_import.created_count == 1 and counts() == before


def test_a_rejected_import_keeps_the_file_for_another_choice(cohort):
    roster_import = _uploaded(cohort, csv_bytes(ROW_A, BAD_ROW), mode=ALL_OR_NOTHING)
    run_roster_import(roster_import.pk)
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.REJECTED
    assert "มีแถวที่ผิด 1 แถว" in roster_import.message
    assert bytes(roster_import.content) and not VolunteerProfile.objects.exists()


# ---------------------------------------------------------------------------
# The admin screens: upload, preview, confirm, progress
# ---------------------------------------------------------------------------


def post_file(client, cohort, content: bytes, name: str):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(f"/admin/cohorts/{cohort.pk}/import/", {"file": upload})


@pytest.mark.parametrize("case", ["pdf", "no-header", "extra-column", "old-xls"])
def test_uploading_a_bad_file_shows_why_and_stores_nothing(client, trainer, cohort, case):
    content, name, message = BAD_FILES[case]
    client.force_login(trainer)
    before = counts()
    response = post_file(client, cohort, content, name)
    assert response.status_code == 200
    assert message in response.text
    assert not RosterImport.objects.exists()
    assert counts() == before


def test_uploading_a_file_over_the_limit_is_refused(client, trainer, cohort, settings):
    settings.ROSTER_MAX_UPLOAD_SIZE = 500
    client.force_login(trainer)
    response = post_file(client, cohort, csv_bytes(*[ROW_A] * 10), "big.csv")
    assert "ไฟล์ใหญ่เกินไป" in response.text
    assert not RosterImport.objects.exists()


def test_preview_lists_problems_writes_nothing_and_confirm_imports_good_rows(
    client, trainer, cohort, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    response = post_file(client, cohort, csv_bytes(ROW_A, BAD_ROW, ROW_B), "chumphon.csv")
    roster_import = RosterImport.objects.get()
    preview_url = f"/admin/cohorts/{cohort.pk}/import/{roster_import.pk}/"
    assert response.status_code == 302 and response["Location"] == preview_url

    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert "ไม่มีชื่อ" in preview.text
    assert "UTF-8" in preview.text
    assert "นำเข้าเฉพาะแถวที่ถูกต้อง (เพิ่ม 2 คน)" in preview.text
    assert not VolunteerProfile.objects.exists()
    everything = client.get(preview_url + "?show=all")
    assert "นฤมล" in everything.text and "วรวุฒิ" in everything.text

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(preview_url, {"mode": GOOD_ROWS})
    progress_url = f"/admin/cohorts/{cohort.pk}/import/{roster_import.pk}/progress/"
    assert response["Location"] == progress_url
    assert len(callbacks) == 1  # the task is sent once the confirmation is committed
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.QUEUED
    assert client.get(progress_url + "?format=json").json()["finished"] is False

    run_roster_import(roster_import.pk)  # what the worker does

    progress = client.get(progress_url + "?format=json").json()
    assert progress["finished"] and (progress["created"], progress["skipped"]) == (2, 1)
    page = client.get(progress_url)
    assert "นำเข้าเสร็จเมื่อ" in page.text
    assert VolunteerProfile.objects.count() == 2


def test_preview_of_a_file_already_imported_says_so_and_offers_nothing_to_add(
    client, trainer, cohort
):
    client.force_login(trainer)
    content = csv_bytes(ROW_A, ROW_B)
    post_file(client, cohort, content, "a.csv")
    first = RosterImport.objects.get()
    client.post(f"/admin/cohorts/{cohort.pk}/import/{first.pk}/", {"mode": GOOD_ROWS})
    run_roster_import(first.pk)

    post_file(client, cohort, content, "a.csv")
    second = RosterImport.objects.exclude(pk=first.pk).get()
    preview = client.get(f"/admin/cohorts/{cohort.pk}/import/{second.pk}/?show=all")
    assert "ไฟล์นี้เคยนำเข้าในรุ่นนี้แล้วเมื่อ" in preview.text
    assert preview.text.count("อยู่ในรุ่นนี้แล้ว ไม่เปลี่ยนแปลง") == 2
    assert "ไม่มีแถวที่จะเพิ่ม" in preview.text


def test_discarding_an_upload_forgets_it(client, trainer, cohort):
    client.force_login(trainer)
    post_file(client, cohort, csv_bytes(ROW_A), "a.csv")
    roster_import = RosterImport.objects.get()
    client.post(f"/admin/cohorts/{cohort.pk}/import/{roster_import.pk}/", {"action": "discard"})
    assert not RosterImport.objects.exists()
    assert not VolunteerProfile.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_imports_the_chumphon_roster_while_the_page_polls(client, celery_worker):
    import time

    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    cohort = TrainingCohortFactory(courses=[build_course(modules=1, lessons=1, questions=0)])
    client.force_login(admin)
    post_file(client, cohort, CHUMPHON_CP874.read_bytes(), CHUMPHON_CP874.name)
    roster_import = RosterImport.objects.get()
    client.post(f"/admin/cohorts/{cohort.pk}/import/{roster_import.pk}/", {"mode": ALL_OR_NOTHING})

    progress_url = f"/admin/cohorts/{cohort.pk}/import/{roster_import.pk}/progress/?format=json"
    deadline = time.monotonic() + 90
    progress = client.get(progress_url).json()
    while not progress["finished"] and time.monotonic() < deadline:
        time.sleep(0.3)
        progress = client.get(progress_url).json()
    assert progress["finished"], celery_worker.log()[-3000:]
    assert (progress["status"], progress["created"]) == ("done", 311)
    assert celery_worker.deliveries("courses.cohorts.tasks.import_roster") == [(roster_import.pk,)]
    assert cohort.memberships.count() == 311


# ---------------------------------------------------------------------------
# Nothing typed is silently changed; no cell is a server error
# ---------------------------------------------------------------------------


def _row_with(**cells) -> list[str]:
    values = dict(zip(HEADER, ROW_A, strict=True)) | cells
    return [values[column] for column in HEADER]


def test_a_phone_cell_with_a_letter_is_an_error_naming_it_not_a_shorter_number():
    row = validate_row(read_roster(csv_bytes(_row_with(phone="062684079l")), "a.csv").rows[0])
    assert row.phone == ""
    assert row.errors == [
        "เบอร์โทร “062684079l”: เบอร์โทรศัพท์ไม่ถูกต้อง มี “l” ซึ่งไม่ใช่ตัวเลข "
        "ใช้ได้เฉพาะตัวเลข ช่องว่าง และขีด (-)"
    ]


def test_roster_names_lose_invisible_characters_by_the_same_rule_as_sign_up():
    name = "นฤ\u200bมล\u200f"
    row = validate_row(read_roster(csv_bytes(_row_with(first_name=name)), "a.csv").rows[0])
    assert (row.first_name, row.errors) == ("นฤมล", [])


@pytest.mark.parametrize("cell", ["²", "๒²", "1" * 5000, "٣"])
def test_a_village_number_in_other_digits_is_a_row_error_not_a_crash(cell):
    row = validate_row(read_roster(csv_bytes(_row_with(village_no=cell)), "a.csv").rows[0])
    assert row.village_no is None
    assert row.errors == [f"หมู่ที่ต้องเป็นตัวเลข 1 ถึง 99 ไม่ใช่ “{cell}”"]


def test_a_windows_874_file_with_undecodable_bytes_says_where_and_what_to_do():
    # 0xFC and 0xDB are not characters in Windows-874.
    lines = csv_bytes(ROW_A, ROW_B, ROW_C, encoding="cp874").split(b"\r\n")
    lines[1] = lines[1].replace("ฤทธิ์เดช".encode("cp874"), "ฤทธิ์".encode("cp874") + b"\xfc")
    lines[3] = b"\xdb" + lines[3]
    with pytest.raises(RosterFileError) as caught:
        read_roster(b"\r\n".join(lines), "roster.csv")
    message = str(caught.value)
    assert "ไม่ใช่ CSV" not in message
    assert "Windows-874 (TIS-620)" in message
    position = lines[1].index(b"\xfc") + 1
    assert f"บรรทัดที่ 2 ไบต์ที่ {position} (0xFC)" in message
    assert "บรรทัดที่ 4 ไบต์ที่ 1 (0xDB)" in message
    assert "CSV UTF-8" in message


def test_a_utf8_file_with_a_broken_byte_is_reported_as_utf8():
    content = csv_bytes(ROW_A, ROW_B).replace("นฤมล".encode(), "นฤ".encode() + b"\xe0\xb8")
    with pytest.raises(RosterFileError) as caught:
        read_roster(content, "roster.csv")
    assert "แบบ UTF-8 แต่มีไบต์ที่อ่านไม่ได้: บรรทัดที่ 2" in str(caught.value)
