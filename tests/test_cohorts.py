"""Training cohorts in the Wagtail admin: who sees which cohort, the cohort
form, the volunteers page, the claim sheet and the claim-code export."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Enrolment
from npv_site.cohorts.importing import import_roster
from npv_site.cohorts.models import ClaimCode, Province, RosterImport, TrainingCohort, Village
from tests.factories import TrainingCohortFactory, UserFactory, build_course
from tests.test_roster_import import CHUMPHON_UTF8, ROW_A, ROW_B, csv_bytes


def make_trainer(username: str):
    user = UserFactory(username=username, first_name="วิทยากร", last_name=username)
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


@pytest.fixture
def trainer(db):
    return make_trainer("trainer-chumphon")


@pytest.fixture
def other_trainer(db):
    return make_trainer("trainer-nan")


@pytest.fixture
def course(db):
    return build_course(modules=1, lessons=1, questions=0)


@pytest.fixture
def cohort(trainer, course):
    return TrainingCohortFactory(
        name="ชุมพร 28 ม.ค. 2562", trainers=[trainer], courses=[course], provinces=["ชุมพร", "ระนอง"]
    )


@pytest.fixture
def other_cohort(other_trainer):
    return TrainingCohortFactory(
        name="น่าน 4 ก.พ. 2562", trainers=[other_trainer], provinces=["น่าน"]
    )


def cohort_urls(cohort, roster_import=None) -> list[str]:
    urls = [
        f"/admin/cohorts/edit/{cohort.pk}/",
        f"/admin/cohorts/delete/{cohort.pk}/",
        f"/admin/cohorts/history/{cohort.pk}/",
        f"/admin/cohorts/usage/{cohort.pk}/",
        f"/admin/cohorts/{cohort.pk}/volunteers/",
        f"/admin/cohorts/{cohort.pk}/import/",
        f"/admin/cohorts/{cohort.pk}/claim-sheet/",
        f"/admin/cohorts/{cohort.pk}/claim-codes.csv",
    ]
    if roster_import is not None:
        urls += [
            f"/admin/cohorts/{cohort.pk}/import/{roster_import.pk}/",
            f"/admin/cohorts/{cohort.pk}/import/{roster_import.pk}/progress/",
        ]
    return urls


def upload(cohort, content=None) -> RosterImport:
    content = content or csv_bytes(ROW_A, ROW_B)
    return RosterImport.objects.create(
        cohort=cohort, file_name="a.csv", file_size=len(content), sha256="0" * 64, content=content
    )


# ---------------------------------------------------------------------------
# Who sees which cohort
# ---------------------------------------------------------------------------


def test_a_trainer_lists_only_the_cohorts_they_train(client, trainer, cohort, other_cohort):
    client.force_login(trainer)
    response = client.get("/admin/cohorts/")
    assert response.status_code == 200
    assert "ชุมพร 28 ม.ค. 2562" in response.text
    assert "น่าน 4 ก.พ. 2562" not in response.text


def test_every_page_of_another_trainers_cohort_is_not_found(client, trainer, other_cohort):
    client.force_login(trainer)
    for url in cohort_urls(other_cohort, upload(other_cohort)):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/admin/cohorts/{other_cohort.pk}/import/", {"file": io.BytesIO(b"x")})
    assert response.status_code == 404
    assert TrainingCohort.objects.filter(pk=other_cohort.pk).exists()


def test_a_trainer_opens_every_page_of_their_own_cohort(client, trainer, cohort):
    client.force_login(trainer)
    for url in cohort_urls(cohort, upload(cohort)):
        assert client.get(url).status_code == 200, url


def test_a_superuser_sees_every_cohort(client, cohort, other_cohort):
    client.force_login(UserFactory(username="admin", is_superuser=True, is_staff=True))
    response = client.get("/admin/cohorts/")
    assert "ชุมพร 28 ม.ค. 2562" in response.text and "น่าน 4 ก.พ. 2562" in response.text
    assert client.get(f"/admin/cohorts/{other_cohort.pk}/volunteers/").status_code == 200


def test_the_manage_all_cohorts_permission_sees_every_cohort(client, cohort, other_cohort):
    coordinator = make_trainer("coordinator")
    coordinator.user_permissions.add(Permission.objects.get(codename="manage_all_cohorts"))
    client.force_login(coordinator)
    response = client.get("/admin/cohorts/")
    assert "น่าน 4 ก.พ. 2562" in response.text
    assert client.get(f"/admin/cohorts/edit/{other_cohort.pk}/").status_code == 200


ADMIN_URLS = ["/admin/", "/admin/cohorts/", "/admin/cohorts/new/", "/admin/villages/"]


@pytest.mark.parametrize("who", ["volunteer", "anonymous"])
def test_a_volunteer_reaches_no_admin_page(client, cohort, who):
    if who == "volunteer":
        client.force_login(UserFactory(username="somchai"))
    for url in ADMIN_URLS + cohort_urls(cohort, upload(cohort)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_the_training_menu_is_there_for_trainers(client, trainer):
    client.force_login(trainer)
    response = client.get("/admin/")
    assert "/admin/cohorts/" in response.text and "/admin/villages/" in response.text


def test_the_cohort_list_takes_the_same_number_of_queries_for_more_cohorts(client, trainer):
    client.force_login(trainer)

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/cohorts/").status_code == 200
        return len(captured)

    TrainingCohortFactory.create_batch(2, trainers=[trainer], provinces=["ชุมพร", "ระนอง"])
    few = queries_for_listing()
    TrainingCohortFactory.create_batch(8, trainers=[trainer], provinces=["ชุมพร", "ระนอง"])
    assert queries_for_listing() == few


def test_the_cohort_list_filters_by_province(client, trainer):
    client.force_login(trainer)
    TrainingCohortFactory(name="รุ่นชุมพร", trainers=[trainer], provinces=["ชุมพร"])
    TrainingCohortFactory(name="รุ่นเลย", trainers=[trainer], provinces=["เลย"])
    province = Province.objects.get(name="เลย")
    response = client.get(f"/admin/cohorts/?provinces={province.pk}")
    assert "รุ่นเลย" in response.text and "รุ่นชุมพร" not in response.text


def test_the_cohort_list_shows_dates_provinces_and_volunteer_count(client, trainer, cohort):
    import_roster(csv_bytes(ROW_A, ROW_B), "a.csv", cohort, mode="good_rows")
    client.force_login(trainer)
    response = client.get("/admin/cohorts/")
    assert "28 ม.ค. 2562 – 30 ม.ค. 2562" in response.text
    assert "ชุมพร, ระนอง" in response.text
    at = response.text.index("ชุมพร 28 ม.ค. 2562")
    row = response.text[response.text.rindex("<tr", 0, at) : response.text.index("</tr>", at)]
    assert re.search(r"<td[^>]*>\s*2\s*</td>", row)


# ---------------------------------------------------------------------------
# The cohort form
# ---------------------------------------------------------------------------


def form_data(course, trainers, provinces=("ชุมพร",), **extra) -> dict:
    return {
        "name": "ชุมพร รุ่นที่ 2",
        "venue": "โรงแรมชุมพรคาบาน่า",
        "start_date": "2019-02-11",
        "end_date": "2019-02-13",
        "courses": [course.pk],
        "trainers": [t.pk for t in trainers],
        "provinces": [p.pk for p in Province.objects.filter(name__in=provinces)],
        **extra,
    }


def test_a_trainer_creates_a_cohort_they_then_train(client, trainer, course):
    client.force_login(trainer)
    form = client.get("/admin/cohorts/new/")
    assert form.status_code == 200
    assert "วิทยากร trainer-chumphon (trainer-chumphon)" in form.text
    response = client.post("/admin/cohorts/new/", form_data(course, [trainer]))
    assert response.status_code == 302
    cohort = TrainingCohort.objects.get(name="ชุมพร รุ่นที่ 2")
    assert list(cohort.trainers.all()) == [trainer]
    assert [p.name for p in cohort.provinces.all()] == ["ชุมพร"]
    assert "ชุมพร รุ่นที่ 2" in client.get("/admin/cohorts/").text


def test_a_trainer_cannot_leave_themselves_out_of_a_cohort(client, trainer, other_trainer, course):
    client.force_login(trainer)
    response = client.post("/admin/cohorts/new/", form_data(course, [other_trainer]))
    assert response.status_code == 200
    assert "ต้องเลือกตัวคุณเองเป็นวิทยากรของรุ่นนี้ด้วย" in response.text
    assert not TrainingCohort.objects.exists()


def test_a_cohort_cannot_end_before_it_starts(client, trainer, course):
    client.force_login(trainer)
    data = form_data(course, [trainer], start_date="2019-02-13", end_date="2019-02-11")
    response = client.post("/admin/cohorts/new/", data)
    assert "วันสุดท้ายต้องไม่ก่อนวันเริ่มอบรม" in response.text
    assert not TrainingCohort.objects.exists()


def test_only_trainers_are_offered_as_trainers(client, trainer, course):
    UserFactory(username="somchai", first_name="สมชาย")
    client.force_login(trainer)
    response = client.get("/admin/cohorts/new/")
    assert "trainer-chumphon" in response.text
    assert "somchai" not in response.text


def test_adding_a_course_enrols_the_volunteers_already_in_the_cohort(client, trainer, cohort):
    import_roster(csv_bytes(ROW_A, ROW_B), "a.csv", cohort, mode="good_rows")
    second = build_course(
        modules=1, lessons=1, questions=0, parent=cohort.courses.get().get_parent()
    )
    client.force_login(trainer)
    data = form_data(cohort.courses.first(), [trainer], provinces=("ชุมพร", "ระนอง"))
    data["courses"].append(second.pk)
    data["name"] = cohort.name
    response = client.post(f"/admin/cohorts/edit/{cohort.pk}/", data)
    assert response.status_code == 302
    assert Enrolment.objects.filter(course=second).count() == 2


# ---------------------------------------------------------------------------
# Volunteers, claim sheet, export
# ---------------------------------------------------------------------------


def test_the_volunteers_page_lists_names_villages_and_claim_codes(client, trainer, cohort):
    import_roster(csv_bytes(ROW_A, ROW_B), "a.csv", cohort, mode="good_rows")
    code = ClaimCode.objects.get(user__volunteer_profile__first_name="นฤมล")
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{cohort.pk}/volunteers/")
    assert "นางนฤมล ฤทธิ์เดช" in response.text
    assert "062-684-0796" in response.text
    assert "หมู่ที่ 6 บ้านหนองลำเจียก ต.ละแม อ.ละแม จ.ชุมพร" in response.text
    assert code.display_code in response.text
    assert "ยังไม่รับบัญชี" in response.text
    searched = client.get(f"/admin/cohorts/{cohort.pk}/volunteers/?q=วรวุฒิ")
    assert "วรวุฒิ" in searched.text and "นฤมล" not in searched.text


def test_the_volunteers_page_takes_the_same_number_of_queries_for_more_volunteers(
    client, trainer, cohort
):
    client.force_login(trainer)
    url = f"/admin/cohorts/{cohort.pk}/volunteers/"
    import_roster(csv_bytes(ROW_A), "a.csv", cohort, mode="good_rows")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    import_roster(CHUMPHON_UTF8.read_bytes(), "c.csv", cohort, mode="good_rows")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)


def test_the_claim_sheet_has_a_slip_with_code_and_qr_for_each_unclaimed_volunteer(
    client, trainer, cohort, settings
):
    settings.WAGTAILADMIN_BASE_URL = "https://learn.example.th"
    import_roster(csv_bytes(ROW_A, ROW_B), "a.csv", cohort, mode="good_rows")
    claimed = ClaimCode.objects.get(user__volunteer_profile__first_name="วรวุฒิ")
    ClaimCode.objects.filter(pk=claimed.pk).update(claimed_at="2019-01-29T10:00:00+07:00")
    pending = ClaimCode.objects.get(user__volunteer_profile__first_name="นฤมล")
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{cohort.pk}/claim-sheet/")
    assert response.status_code == 200
    assert response.text.count('class="slip"') == 1
    assert "นางนฤมล ฤทธิ์เดช" in response.text and "วรวุฒิ" not in response.text
    assert pending.display_code in response.text
    assert "learn.example.th/claim/" in response.text
    assert response.text.count("<svg") == 1
    assert "@page { size: A4" in response.text


def test_the_claim_code_export_is_a_utf8_csv_excel_reads(client, trainer, cohort, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://learn.example.th"
    evil = ["นาย", "สมชาย", "ใจดี", "0812345678", "", "ชุมพร", "ละแม", "ละแม", "9", "=HYPERLINK(1)"]
    import_roster(csv_bytes(ROW_A, evil), "a.csv", cohort, mode="good_rows")
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{cohort.pk}/claim-codes.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["ลำดับ", "คำนำหน้าชื่อ", "ชื่อ", "นามสกุล"]
    by_name = {row[2]: row for row in rows[1:]}
    narumon = by_name["นฤมล"]
    code = ClaimCode.objects.get(user__volunteer_profile__first_name="นฤมล").code
    assert narumon[4] == "062-684-0796"
    assert narumon[11] == " ".join([code[:4], code[4:8], code[8:]])
    assert narumon[12] == f"https://learn.example.th/claim/{code}/"
    # A cell that a spreadsheet would run as a formula is neutralised.
    assert by_name["สมชาย"][9] == "'=HYPERLINK(1)"


def test_a_new_code_replaces_the_old_one(client, trainer, cohort):
    import_roster(csv_bytes(ROW_A), "a.csv", cohort, mode="good_rows")
    old = ClaimCode.objects.get()
    membership = cohort.memberships.get()
    client.force_login(trainer)
    response = client.post(f"/admin/cohorts/{cohort.pk}/volunteers/{membership.pk}/new-code/")
    assert response.status_code == 302
    new = ClaimCode.objects.get()
    assert new.code != old.code
    assert client.get(f"/claim/{old.code}/").status_code == 404
    assert client.get(f"/claim/{new.code}/").status_code == 200


# ---------------------------------------------------------------------------
# Village register
# ---------------------------------------------------------------------------


def test_trainers_may_look_at_the_village_register_but_not_change_it(client, trainer, cohort):
    import_roster(csv_bytes(ROW_A, ROW_B), "a.csv", cohort, mode="good_rows")
    client.force_login(trainer)
    response = client.get("/admin/villages/?q=หนองลำเจียก")
    assert response.status_code == 200
    assert "บ้านหนองลำเจียก" in response.text and "บ้านบางลำเจียก" not in response.text
    assert client.get("/admin/villages/new/").status_code in (302, 403)


def test_the_village_register_loads_from_a_file_once(cohort):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_villages", str(CHUMPHON_UTF8), stdout=out)
    assert "311 villages added, 0 already in the register." in out.getvalue()
    out = io.StringIO()
    call_command("load_villages", str(CHUMPHON_UTF8), stdout=out)
    assert "0 villages added, 311 already in the register." in out.getvalue()

    check, outcome = import_roster(CHUMPHON_UTF8.read_bytes(), "c.csv", cohort, mode="good_rows")
    assert outcome.created == 311 and not any(row.warnings for row in check.rows)
    assert Village.objects.count() == 311
    assert set(Village.objects.values_list("source", flat=True)) == {"register"}


def test_a_volunteers_data_download_lists_their_cohorts(cohort):
    from courses.personal_data_registry import collect_personal_data

    import_roster(csv_bytes(ROW_A), "a.csv", cohort, mode="good_rows")
    volunteer = cohort.volunteers.get()
    cohorts = collect_personal_data(volunteer)["cohorts"]
    assert [entry["cohort"] for entry in cohorts] == ["ชุมพร 28 ม.ค. 2562"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_qr_code_on_the_printed_claim_sheet_opens_its_claim_link(
    live_server, tmp_path, settings
):
    import shutil
    import subprocess

    from django.test import Client

    from tests.plugin_fixtures import skip_or_fail

    try:
        import zxingcpp
        from PIL import Image
        from playwright.sync_api import sync_playwright
        from pypdf import PdfReader
    except ImportError as error:
        skip_or_fail(f"missing: {error}")
    if not shutil.which("pdftoppm"):
        skip_or_fail("pdftoppm (poppler-utils) is not installed")
    settings.WAGTAILADMIN_BASE_URL = "https://learn.example.th"
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    cohort = TrainingCohortFactory()
    import_roster(CHUMPHON_UTF8.read_bytes(), "c.csv", cohort, mode="good_rows")
    expected = {
        f"https://learn.example.th/claim/{code}/"
        for code in ClaimCode.objects.values_list("code", flat=True)
    }
    session_client = Client()
    session_client.force_login(admin)
    cookie = session_client.cookies["sessionid"].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/cohorts/{cohort.pk}/claim-sheet/")
        page.emulate_media(media="print")
        page.pdf(path=str(tmp_path / "sheet.pdf"), prefer_css_page_size=True)
        browser.close()
    pdf = PdfReader(tmp_path / "sheet.pdf")
    box = pdf.pages[0].mediabox
    assert (round(box.width / 72 * 25.4), round(box.height / 72 * 25.4)) == (210, 297)  # A4
    assert len(pdf.pages) == 32  # 311 slips, ten to a page
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-l",
            "3",
            str(tmp_path / "sheet.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    found = set()
    for image in sorted(tmp_path.glob("p-*.png")):
        found |= {result.text for result in zxingcpp.read_barcodes(Image.open(image))}
    # Ten slips to an A4 page; the first three pages hold thirty of the 311.
    assert len(found) == 30
    assert found <= expected
