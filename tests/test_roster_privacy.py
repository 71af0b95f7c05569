"""A trainer sees only their own people (issue #13, PDPA).

Two trainers, two cohorts, volunteers in both and in none. A roster the
trainer of cohort X uploads names, besides new people, volunteers of X, of
another cohort X trains, of the other trainer's cohort Y and of no cohort:
the preview says which rows match an account, never whose; a match outside
X's trainer's cohorts is invited, never added; the invited volunteer
accepts or declines; claim codes stay with the cohort's own members; a
volunteer who opted in can be found by name, district and village only.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from courses.models import Enrolment
from npv_site.accounts.models import VolunteerProfile
from npv_site.cohorts.importing import import_roster, run_roster_import
from npv_site.cohorts.invitations import InvitationClosed, accept_invitation
from npv_site.cohorts.models import (
    ClaimCode,
    CohortInvitation,
    CohortMembership,
    RosterImport,
)
from npv_site.cohorts.roster import RowStatus
from tests.factories import (
    TrainingCohortFactory,
    UserFactory,
    VolunteerProfileFactory,
    build_course,
)
from tests.test_roster_import import csv_bytes, post_file

GOOD_ROWS = "good_rows"


def make_trainer(username):
    user = UserFactory(username=username, first_name="วิทยากร", last_name=username)
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


def volunteer(username, first, last, phone, district, subdistrict, village_no, village, **extra):
    return VolunteerProfileFactory(
        user__username=username,
        user__email=f"{username}@mail.example.th",
        title="นาง",
        first_name=first,
        last_name=last,
        phone=phone,
        province="ชุมพร",
        district=district,
        subdistrict=subdistrict,
        village_no=village_no,
        village_name=village,
        **extra,
    )


def row(first, last, phone, district, subdistrict, village_no, village):
    return ["นาง", first, last, phone, "", "ชุมพร", district, subdistrict, str(village_no), village]


@pytest.fixture
def world(db):
    course = build_course(modules=1, lessons=1, questions=0)
    trainer_x, trainer_y = make_trainer("trainer-x"), make_trainer("trainer-y")
    cohort_x = TrainingCohortFactory(
        name="ชุมพร รุ่น X", trainers=[trainer_x], courses=[course], provinces=["ชุมพร"]
    )
    earlier_x = TrainingCohortFactory(name="ชุมพร รุ่นก่อน", trainers=[trainer_x])
    cohort_y = TrainingCohortFactory(
        name="ชุมพร รุ่น Y", trainers=[trainer_y], courses=[course], provinces=["ชุมพร"]
    )
    people = {
        # In X already.
        "in_x": volunteer("somsri62", "สมศรี", "มีสุข", "0810000001", "ละแม", "ทุ่งหลวง", 1, "บ้านหนึ่ง"),
        # In another cohort trainer X trains.
        "in_earlier": volunteer(
            "arunee62", "อรุณี", "แสงทอง", "0810000004", "ละแม", "ทุ่งคาวัด", 4, "บ้านสี่"
        ),
        # In the other trainer's cohort Y.
        "in_y": volunteer(
            "boonruean62", "บุญเรือน", "ทองคำ", "0810000002", "ท่าแซะ", "หงษ์เจริญ", 2, "บ้านสอง"
        ),
        # Signed up on their own, in no cohort.
        "loner": volunteer(
            "prasert62", "ประเสริฐ", "ศรีงาม", "0810000003", "ท่าแซะ", "สลุย", 3, "บ้านสาม"
        ),
        # Y's, whose phone the file gives for another village.
        "phone_owner": volunteer(
            "chamnian62", "จำเนียร", "พูลผล", "0810000005", "หลังสวน", "นาขา", 5, "บ้านห้าลับ"
        ),
        # In no cohort, whose village the file gives with another phone.
        "village_owner": volunteer(
            "laiad62", "ละเอียด", "ชื่นใจ", "0810000007", "พะโต๊ะ", "ปังหวาน", 7, "บ้านเจ็ด"
        ),
    }
    CohortMembership.objects.create(cohort=cohort_x, user=people["in_x"].user)
    CohortMembership.objects.create(cohort=earlier_x, user=people["in_earlier"].user)
    CohortMembership.objects.create(cohort=cohort_y, user=people["in_y"].user)
    CohortMembership.objects.create(cohort=cohort_y, user=people["phone_owner"].user)
    return {
        "course": course,
        "trainer_x": trainer_x,
        "trainer_y": trainer_y,
        "cohort_x": cohort_x,
        "cohort_y": cohort_y,
        **people,
    }


# Line numbers in the file are the row's position + 1 (the header is line 1).
FILE_ROWS = {
    "new": row("มานี", "ใหม่เอี่ยม", "0890000001", "ละแม", "ละแม", 8, "บ้านแปด"),
    "same_cohort": row("สมศรี", "มีสุข", "0810000001", "ละแม", "ทุ่งหลวง", 1, "บ้านหนึ่ง"),
    "own_other_cohort": row("อรุณี", "แสงทอง", "0810000004", "ละแม", "ทุ่งคาวัด", 4, "บ้านสี่"),
    # The file's names for the two outsiders are not theirs: the preview must
    # not correct them from the account.
    "other_trainers_cohort": row("ชื่อในไฟล์", "หนึ่ง", "0810000002", "ท่าแซะ", "หงษ์เจริญ", 2, "บ้านสอง"),
    "no_cohort": row("ชื่อในไฟล์", "สอง", "0810000003", "ท่าแซะ", "สลุย", 3, "บ้านสาม"),
    "same_phone_elsewhere": row("สมหมาย", "ใช้เบอร์ซ้ำ", "0810000005", "ละแม", "ละแม", 9, "บ้านเก้า"),
    "same_village_elsewhere": row("สมจิต", "หมู่บ้านซ้ำ", "0890000006", "พะโต๊ะ", "ปังหวาน", 7, "บ้านเจ็ด"),
}
LINE = {name: index + 2 for index, name in enumerate(FILE_ROWS)}
ROSTER = csv_bytes(*FILE_ROWS.values())


def outsiders_secrets(world) -> list[str]:
    """What the file does not hold of the people outside trainer X's cohorts."""
    secrets = []
    for key in ("in_y", "loner", "phone_owner", "village_owner"):
        profile = world[key]
        secrets += [profile.first_name, profile.last_name, profile.user.email, profile.user.username]
    secrets += [
        world["phone_owner"].village_name,
        world["phone_owner"].subdistrict,
        world["village_owner"].phone,
        "081-000-0007",
    ]
    return secrets


def assert_reveals_nothing(content: bytes | str, world, where: str) -> None:
    text = content.decode() if isinstance(content, bytes) else content
    leaked = [secret for secret in outsiders_secrets(world) if secret in text]
    assert not leaked, f"{where} shows {leaked}"


# ---------------------------------------------------------------------------
# The preview: which rows match an account, never whose
# ---------------------------------------------------------------------------


def test_each_import_outcome_is_previewed_without_anyone_elses_data(client, world):
    client.force_login(world["trainer_x"])
    cohort = world["cohort_x"]
    post_file(client, cohort, ROSTER, "x.csv")
    roster_import = RosterImport.objects.get()
    page = client.get(f"/admin/cohorts/{cohort.pk}/import/{roster_import.pk}/?show=all")
    assert page.status_code == 200
    assert_reveals_nothing(page.content, world, "the preview")

    text = page.text
    assert text.count("สร้างบัญชีใหม่") >= 3
    assert "อยู่ในรุ่นนี้แล้ว ไม่เปลี่ยนแปลง" in text
    assert "มีบัญชีแล้ว เพิ่มเข้ารุ่นนี้" in text
    assert text.count("ตรงกับบัญชีที่มีอยู่แล้ว: จะส่งคำเชิญให้เจ้าของบัญชียืนยัน") == 2
    assert "เบอร์โทรนี้มีในบัญชีของเน็ตอาสาหมู่บ้านอื่นอยู่แล้ว" in text
    assert "หมู่บ้านนี้มีบัญชีเน็ตอาสาอีกคนในระบบแล้ว" in text
    # Nothing was written by looking.
    assert not CohortInvitation.objects.exists()
    assert cohort.memberships.count() == 1


def test_each_import_outcome_writes_memberships_or_invitations(world):
    cohort, trainer = world["cohort_x"], world["trainer_x"]
    check, outcome = import_roster(ROSTER, "x.csv", cohort, mode=GOOD_ROWS, imported_by=trainer)

    status = {row.line: row.status for row in check.rows}
    assert status == {
        LINE["new"]: RowStatus.NEW,
        LINE["same_cohort"]: RowStatus.MEMBER,
        LINE["own_other_cohort"]: RowStatus.EXISTING,
        LINE["other_trainers_cohort"]: RowStatus.INVITE,
        LINE["no_cohort"]: RowStatus.INVITE,
        LINE["same_phone_elsewhere"]: RowStatus.NEW,
        LINE["same_village_elsewhere"]: RowStatus.NEW,
    }
    warnings = {row.line: row.warnings for row in check.rows}
    assert warnings[LINE["other_trainers_cohort"]] == []  # not even "the name differs"
    assert warnings[LINE["no_cohort"]] == []
    assert (outcome.created, outcome.linked, outcome.invited, outcome.unchanged) == (3, 1, 2, 1)

    members = set(cohort.memberships.values_list("user__volunteer_profile__first_name", flat=True))
    assert members == {"สมศรี", "อรุณี", "มานี", "สมหมาย", "สมจิต"}
    invited = CohortInvitation.objects.filter(cohort=cohort)
    assert {i.user for i in invited} == {world["in_y"].user, world["loner"].user}
    assert all(i.is_pending and i.invited_by == trainer for i in invited)
    # The outsiders are in nothing of X's, enrolled in nothing new, given no code.
    for key in ("in_y", "loner"):
        user = world[key].user
        assert not CohortMembership.objects.filter(cohort=cohort, user=user).exists()
        assert not ClaimCode.objects.filter(user=user).exists()
    assert not Enrolment.objects.filter(user=world["loner"].user).exists()
    # The same phone in another village, and another phone in a taken
    # village, are new people, as before.
    assert VolunteerProfile.objects.filter(phone="0810000005").count() == 2
    assert VolunteerProfile.objects.filter(village_no=7, subdistrict="ปังหวาน").count() == 2


def test_reimporting_the_same_file_sends_no_second_invitation(world):
    cohort, trainer = world["cohort_x"], world["trainer_x"]
    import_roster(ROSTER, "x.csv", cohort, mode=GOOD_ROWS, imported_by=trainer)
    before = (CohortInvitation.objects.count(), CohortMembership.objects.count())

    check, outcome = import_roster(ROSTER, "x.csv", cohort, mode=GOOD_ROWS, imported_by=trainer)

    assert {row.status for row in check.rows} == {RowStatus.MEMBER, RowStatus.INVITED}
    assert (outcome.created, outcome.linked, outcome.invited) == (0, 0, 0)
    assert (CohortInvitation.objects.count(), CohortMembership.objects.count()) == before


def test_a_declined_invitation_is_not_sent_again_by_a_reimport(world):
    cohort, trainer = world["cohort_x"], world["trainer_x"]
    import_roster(ROSTER, "x.csv", cohort, mode=GOOD_ROWS, imported_by=trainer)
    loner = world["loner"].user
    CohortInvitation.objects.filter(user=loner).update(status=CohortInvitation.Status.DECLINED)

    check, _outcome = import_roster(ROSTER, "x.csv", cohort, mode=GOOD_ROWS, imported_by=trainer)

    assert check.rows[LINE["no_cohort"] - 2].status == RowStatus.INVITED
    invitation = CohortInvitation.objects.get(user=loner)
    assert invitation.status == CohortInvitation.Status.DECLINED
    assert not CohortMembership.objects.filter(cohort=cohort, user=loner).exists()


def test_the_finished_import_records_invitations_and_no_names(client, world):
    cohort, trainer = world["cohort_x"], world["trainer_x"]
    roster_import = RosterImport.objects.create(
        cohort=cohort, uploaded_by=trainer, file_name="x.csv", file_size=len(ROSTER),
        sha256="0" * 64, content=ROSTER, status=RosterImport.Status.QUEUED, mode=GOOD_ROWS,
    )
    run_roster_import(roster_import.pk)
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.invited_count) == (RosterImport.Status.DONE, 2)
    assert set(CohortInvitation.objects.values_list("roster_import", flat=True)) == {
        roster_import.pk
    }
    client.force_login(trainer)
    url = f"/admin/cohorts/{cohort.pk}/import/{roster_import.pk}/progress/"
    assert client.get(url + "?format=json").json()["invited"] == 2
    page = client.get(url)
    assert "ส่งคำเชิญให้เจ้าของบัญชียืนยัน" in page.text
    assert_reveals_nothing(page.content, world, "the progress page")
    assert_reveals_nothing(client.get(url + "?format=json").content, world, "the progress JSON")


def test_an_import_by_an_administrator_who_trains_nothing_invites_too(world):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    check, outcome = import_roster(
        ROSTER, "x.csv", world["cohort_x"], mode=GOOD_ROWS, imported_by=admin
    )
    # The cohort's trainers would see whoever joins: outside this cohort,
    # everyone is asked first (the administrator may approve it).
    assert outcome.invited == 3 and outcome.linked == 0


# ---------------------------------------------------------------------------
# The invited volunteer decides
# ---------------------------------------------------------------------------


@pytest.fixture
def invited(world):
    import_roster(ROSTER, "x.csv", world["cohort_x"], mode=GOOD_ROWS, imported_by=world["trainer_x"])
    invitation = CohortInvitation.objects.get(user=world["loner"].user)
    return invitation


def test_the_trainer_sees_nothing_of_an_invitee_until_they_accept(
    client, world, invited, django_capture_on_commit_callbacks
):
    cohort = world["cohort_x"]
    client.force_login(world["trainer_x"])
    volunteers = client.get(f"/admin/cohorts/{cohort.pk}/volunteers/?q=ประเสริฐ")
    assert "ไม่พบเน็ตอาสาที่ตรงกับการค้นหา" in volunteers.text
    invitations = client.get(f"/admin/cohorts/{cohort.pk}/invitations/")
    assert invitations.status_code == 200
    assert "รอเจ้าของบัญชียืนยัน" in invitations.text
    # What the trainer's own file said, and nothing more.
    assert "0810000003" in invitations.text
    assert_reveals_nothing(invitations.content, world, "the invitations page")

    volunteer = Client()
    volunteer.force_login(world["loner"].user)
    learning = volunteer.get("/learn/")
    assert "ชุมพร รุ่น X" in learning.text
    assert f"/learn/invitations/{invited.pk}/" in learning.text
    page = volunteer.get(f"/learn/invitations/{invited.pk}/")
    assert "วิทยากรของรุ่นจะเห็นชื่อ เบอร์โทร หมู่บ้าน" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = volunteer.post(f"/learn/invitations/{invited.pk}/", {"answer": "accept"})
    assert response.status_code == 302 and response["Location"] == "/learn/"

    invited.refresh_from_db()
    assert invited.status == CohortInvitation.Status.ACCEPTED and invited.decided_at
    membership = CohortMembership.objects.get(cohort=cohort, user=world["loner"].user)
    # The roster's phone and village, so that a later re-import matches it.
    assert membership.roster_phone == "0810000003" and membership.village.village_no == 3
    assert Enrolment.objects.filter(user=world["loner"].user, course=world["course"]).exists()
    assert "ประเสริฐ" in client.get(f"/admin/cohorts/{cohort.pk}/volunteers/").text
    check, _outcome = import_roster(
        ROSTER, "x.csv", cohort, mode=GOOD_ROWS, imported_by=world["trainer_x"]
    )
    assert check.rows[LINE["no_cohort"] - 2].status == RowStatus.MEMBER
    assert "การเรียนของฉัน" in volunteer.get("/learn/").text
    assert f"/learn/invitations/{invited.pk}/" not in volunteer.get("/learn/").text


def test_declining_keeps_the_volunteer_out_of_the_cohort(client, world, invited):
    volunteer = Client()
    volunteer.force_login(world["loner"].user)
    volunteer.post(f"/learn/invitations/{invited.pk}/", {"answer": "decline"})
    invited.refresh_from_db()
    assert invited.status == CohortInvitation.Status.DECLINED
    assert not CohortMembership.objects.filter(user=world["loner"].user).exists()
    # Answered once: a second answer (another tab) changes nothing.
    volunteer.post(f"/learn/invitations/{invited.pk}/", {"answer": "accept"})
    assert not CohortMembership.objects.filter(user=world["loner"].user).exists()
    with pytest.raises(InvitationClosed):
        accept_invitation(invited, world["loner"].user)


def test_only_the_invited_volunteer_can_open_or_answer_the_invitation(world, invited):
    url = f"/learn/invitations/{invited.pk}/"
    for other in (world["in_y"].user, world["trainer_x"], world["trainer_y"]):
        client = Client()
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.post(url, {"answer": "accept"}).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    invited.refresh_from_db()
    assert invited.is_pending


def test_answering_an_invitation_needs_the_csrf_token(world, invited):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["loner"].user)
    response = client.post(f"/learn/invitations/{invited.pk}/", {"answer": "accept"})
    assert response.status_code == 403
    invited.refresh_from_db()
    assert invited.is_pending


def test_a_post_without_an_answer_changes_nothing_and_says_why(world, invited):
    client = Client()
    client.force_login(world["loner"].user)
    response = client.post(f"/learn/invitations/{invited.pk}/", {"answer": "maybe"})
    assert response.status_code == 200
    assert "กรุณาเลือกตอบรับหรือปฏิเสธคำเชิญ" in response.text
    invited.refresh_from_db()
    assert invited.is_pending


def test_an_administrator_approves_an_invitation_a_trainer_cannot(client, world, invited):
    cohort = world["cohort_x"]
    url = f"/admin/cohorts/{cohort.pk}/invitations/{invited.pk}/approve/"
    client.force_login(world["trainer_x"])
    assert client.post(url).status_code == 302  # back to the dashboard
    invited.refresh_from_db()
    assert invited.is_pending
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(f"/admin/cohorts/{cohort.pk}/invitations/")
    assert "ประเสริฐ" in page.text  # the administrator sees whose account it is
    response = client.post(url)
    assert response["Location"] == f"/admin/cohorts/{cohort.pk}/invitations/"
    invited.refresh_from_db()
    assert invited.status == CohortInvitation.Status.APPROVED
    assert invited.decided_by == admin
    assert CohortMembership.objects.filter(cohort=cohort, user=world["loner"].user).exists()


# ---------------------------------------------------------------------------
# Claim sheets and codes: the cohort's own unclaimed members only
# ---------------------------------------------------------------------------


def test_no_claim_code_of_another_trainers_volunteer_reaches_the_trainer(client, world):
    # Trainer Y imported a volunteer who has not claimed the account yet.
    cohort_x, cohort_y = world["cohort_x"], world["cohort_y"]
    unclaimed_row = row("ยังไม่รับ", "บัญชี", "0820000009", "สวี", "นาสัก", 9, "บ้านสวี")
    import_roster(csv_bytes(unclaimed_row), "y.csv", cohort_y, mode=GOOD_ROWS,
                  imported_by=world["trainer_y"])
    code = ClaimCode.objects.get(user__volunteer_profile__phone="0820000009")
    y_membership = CohortMembership.objects.get(user=code.user)
    # Trainer X's file names the same volunteer: an invitation, not a member.
    check, outcome = import_roster(
        csv_bytes(unclaimed_row), "x.csv", cohort_x, mode=GOOD_ROWS,
        imported_by=world["trainer_x"],
    )
    assert outcome.invited == 1
    client.force_login(world["trainer_x"])
    for url in (
        f"/admin/cohorts/{cohort_x.pk}/claim-sheet/",
        f"/admin/cohorts/{cohort_x.pk}/claim-codes.csv",
        f"/admin/cohorts/{cohort_x.pk}/volunteers/",
        f"/admin/cohorts/{cohort_x.pk}/invitations/",
    ):
        content = client.get(url).content.decode()
        assert code.code not in content and code.display_code not in content, url
    # Nor a new code for a membership of Y's.
    response = client.post(
        f"/admin/cohorts/{cohort_x.pk}/volunteers/{y_membership.pk}/new-code/"
    )
    assert response.status_code == 404
    assert ClaimCode.objects.get(pk=code.pk).code == code.code


def test_the_claim_sheet_has_only_the_cohorts_unclaimed_members(client, world):
    cohort = world["cohort_x"]
    import_roster(ROSTER, "x.csv", cohort, mode=GOOD_ROWS, imported_by=world["trainer_x"])
    client.force_login(world["trainer_x"])
    sheet = client.get(f"/admin/cohorts/{cohort.pk}/claim-sheet/").text
    # The three new accounts; members with their own account need no slip.
    assert sheet.count('class="slip"') == 3
    assert "มานี" in sheet and "สมศรี" not in sheet and "อรุณี" not in sheet
    assert_reveals_nothing(sheet, world, "the claim sheet")
    codes = client.get(f"/admin/cohorts/{cohort.pk}/claim-codes.csv").content.decode()
    assert_reveals_nothing(codes, world, "the claim-code CSV")
    assert ClaimCode.objects.count() == 3


def test_a_code_not_yet_used_is_not_offered_for_an_account_with_its_own_password(world):
    cohort = world["cohort_x"]
    import_roster(csv_bytes(FILE_ROWS["new"]), "x.csv", cohort, mode=GOOD_ROWS)
    user = ClaimCode.objects.get().user
    # Set a password another way (a password reset by e-mail).
    user.set_password("a-password-2562")
    user.save()
    client = Client()
    client.force_login(world["trainer_x"])
    sheet = client.get(f"/admin/cohorts/{cohort.pk}/claim-sheet/").text
    assert 'class="slip"' not in sheet
    code = ClaimCode.objects.get()
    assert Client().get(f"/claim/{code.code}/").status_code == 410


# ---------------------------------------------------------------------------
# Found only by consent
# ---------------------------------------------------------------------------


def test_a_volunteer_opts_in_to_be_found_and_withdraws(client, world):
    profile = world["loner"]
    client.force_login(profile.user)
    page = client.get("/accounts/profile/")
    assert "ให้วิทยากรในจังหวัดของฉันค้นหาและเชิญฉันเข้ารุ่นการอบรมได้" in page.text
    assert "ไม่เห็นเบอร์โทรหรืออีเมล" in page.text
    form = {
        field: getattr(profile, field)
        for field in (
            "title", "title_other", "first_name", "last_name", "name_en", "phone", "province",
            "district", "subdistrict", "village_no", "village_name",
        )
    }
    client.post("/accounts/profile/", {**form, "findable_by_trainers": "on"})
    profile.refresh_from_db()
    assert profile.findable_by_trainers and profile.findable_consented_at is not None
    data = client.get("/accounts/profile/data/").json()
    assert data["profile"]["findable_by_trainers"] is True
    assert data["profile"]["findable_consented_at"]

    client.post("/accounts/profile/", form)
    profile.refresh_from_db()
    assert not profile.findable_by_trainers and profile.findable_consented_at is None


@pytest.fixture
def findable(world):
    world["loner"].findable_by_trainers = True
    world["loner"].findable_consented_at = timezone.now()
    world["loner"].save()
    elsewhere = VolunteerProfileFactory(
        user__username="nan-volunteer", first_name="ประเสริฐ", last_name="น่านเมือง",
        province="น่าน", district="เมืองน่าน", subdistrict="ในเวียง", village_no=1,
        village_name="บ้านน่าน", findable_by_trainers=True,
    )
    return {"profile": world["loner"], "elsewhere": elsewhere}


def test_a_trainer_finds_opted_in_volunteers_of_the_cohorts_provinces_by_name_only(
    client, world, findable
):
    cohort = world["cohort_x"]
    client.force_login(world["trainer_x"])
    page = client.get(f"/admin/cohorts/{cohort.pk}/find-volunteers/?q=ประเสริฐ")
    assert page.status_code == 200
    profile = findable["profile"]
    assert "นางประเสริฐ ศรีงาม" in page.text
    assert "ท่าแซะ" in page.text and "หมู่ที่ 3 บ้านสาม" in page.text
    for hidden in (profile.phone, "081-000-0003", profile.user.email, profile.subdistrict):
        assert hidden not in page.text
    # Another province's volunteer, and the one who did not opt in, stay hidden.
    assert "น่านเมือง" not in page.text
    not_opted_in = client.get(f"/admin/cohorts/{cohort.pk}/find-volunteers/?q=ละเอียด")
    assert "ชื่นใจ" not in not_opted_in.text
    assert "ไม่พบเน็ตอาสาที่ตรงกับการค้นหา" in not_opted_in.text


def test_a_trainer_invites_a_found_volunteer_once(client, world, findable):
    cohort = world["cohort_x"]
    profile = findable["profile"]
    client.force_login(world["trainer_x"])
    url = f"/admin/cohorts/{cohort.pk}/find-volunteers/"
    response = client.post(url, {"profile": profile.pk, "q": "ประเสริฐ"}, follow=True)
    assert "ส่งคำเชิญให้ นางประเสริฐ ศรีงาม แล้ว" in response.text
    invitation = CohortInvitation.objects.get()
    assert (invitation.cohort, invitation.user, invitation.invited_by) == (
        cohort, profile.user, world["trainer_x"],
    )
    assert not CohortMembership.objects.filter(cohort=cohort, user=profile.user).exists()
    # Invited once: the search no longer lists them, and a second post invites no one.
    assert "ศรีงาม" not in client.get(url + "?q=ประเสริฐ").text
    client.post(url, {"profile": profile.pk})
    assert CohortInvitation.objects.count() == 1

    accept_invitation(invitation, profile.user)
    membership = CohortMembership.objects.get(cohort=cohort, user=profile.user)
    assert membership.village.key == ("ชุมพร", "ท่าแซะ", "สลุย", 3)


def test_the_invitations_list_names_a_found_volunteer_while_they_stay_findable(
    client, world, findable
):
    cohort = world["cohort_x"]
    profile = findable["profile"]
    client.force_login(world["trainer_x"])
    client.post(f"/admin/cohorts/{cohort.pk}/find-volunteers/", {"profile": profile.pk})
    invitations = f"/admin/cohorts/{cohort.pk}/invitations/"
    page = client.get(invitations).text
    # What the search showed: name, village and district; never the phone.
    assert "นางประเสริฐ ศรีงาม" in page and "หมู่ที่ 3 บ้านสาม" in page
    assert profile.phone not in page
    # Consent withdrawn: the invitation stays, the name goes.
    profile.findable_by_trainers = False
    profile.save()
    page = client.get(invitations).text
    assert "ศรีงาม" not in page and "รอเจ้าของบัญชียืนยัน" in page


@pytest.mark.parametrize("target", ["not_opted_in", "other_province", "garbage"])
def test_inviting_someone_not_findable_is_refused_and_changes_nothing(
    client, world, findable, target
):
    pk = {
        "not_opted_in": world["village_owner"].pk,
        "other_province": findable["elsewhere"].pk,
        "garbage": "abc",
    }[target]
    client.force_login(world["trainer_x"])
    response = client.post(
        f"/admin/cohorts/{world['cohort_x'].pk}/find-volunteers/", {"profile": pk}, follow=True
    )
    assert response.status_code == 200
    assert "เชิญไม่ได้" in response.text
    assert not CohortInvitation.objects.exists()


def test_the_other_trainer_cannot_search_or_invite_for_the_cohort(client, world, findable):
    client.force_login(world["trainer_y"])
    url = f"/admin/cohorts/{world['cohort_x'].pk}/find-volunteers/"
    assert client.get(url + "?q=ประเสริฐ").status_code == 404
    assert client.post(url, {"profile": findable["profile"].pk}).status_code == 404
    assert not CohortInvitation.objects.exists()


# ---------------------------------------------------------------------------
# The site history
# ---------------------------------------------------------------------------


def test_the_site_history_is_kept_from_trainers_and_shown_to_administrators(client, world):
    from wagtail.log_actions import log

    log(world["cohort_y"], "wagtail.edit", user=world["trainer_y"])
    client.force_login(world["trainer_x"])
    for url in ("/admin/reports/site-history/", "/admin/reports/site-history/results/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "/admin/reports/site-history/" not in client.get("/admin/").text
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get("/admin/reports/site-history/")
    assert page.status_code == 200 and "ชุมพร รุ่น Y" in page.text
    # The cohort's own history stays with its trainers.
    client.force_login(world["trainer_x"])
    assert client.get(f"/admin/cohorts/history/{world['cohort_y'].pk}/").status_code == 404


def test_an_invitation_waits_for_its_answer_however_long(world, invited):
    # An invitation stays until answered: a volunteer who visits a month later
    # still decides (no silent joining, no silent dropping).
    CohortInvitation.objects.filter(pk=invited.pk).update(created=timezone.now() - timedelta(days=60))
    accept_invitation(invited, world["loner"].user)
    assert CohortMembership.objects.filter(user=world["loner"].user).exists()


def test_the_notice_on_my_learning_follows_new_and_answered_invitations(
    world, django_capture_on_commit_callbacks
):
    volunteer = Client()
    volunteer.force_login(world["loner"].user)
    assert "คำเชิญเข้ารุ่นการอบรม" not in volunteer.get("/learn/").text  # and cached so
    with django_capture_on_commit_callbacks(execute=True):
        import_roster(
            ROSTER, "x.csv", world["cohort_x"], mode=GOOD_ROWS, imported_by=world["trainer_x"]
        )
    learning = volunteer.get("/learn/").text
    assert "คำเชิญเข้ารุ่นการอบรม" in learning and "ชุมพร รุ่น X" in learning
    invitation = CohortInvitation.objects.get(user=world["loner"].user)
    with django_capture_on_commit_callbacks(execute=True):
        volunteer.post(f"/learn/invitations/{invitation.pk}/", {"answer": "decline"})
    assert "คำเชิญเข้ารุ่นการอบรม" not in volunteer.get("/learn/").text


def test_naming_another_trainers_volunteer_gives_no_right_to_their_certificate(world):
    from npv_site.cohorts.permissions import trains_volunteer_on_course

    in_y, course = world["in_y"].user, world["course"]
    assert not trains_volunteer_on_course(world["trainer_x"], in_y.pk, course.pk)
    import_roster(ROSTER, "x.csv", world["cohort_x"], mode=GOOD_ROWS, imported_by=world["trainer_x"])
    # Before, the row made her a member of X, and X's trainer could download
    # her certificate for the course both cohorts teach.
    assert not trains_volunteer_on_course(world["trainer_x"], in_y.pk, course.pk)
    assert trains_volunteer_on_course(world["trainer_y"], in_y.pk, course.pk)
    accept_invitation(CohortInvitation.objects.get(user=in_y), in_y)
    assert trains_volunteer_on_course(world["trainer_x"], in_y.pk, course.pk)


def _findable_volunteers(count: int, start: int) -> list:
    return [
        VolunteerProfileFactory(
            first_name="ค้นพบ", last_name=f"คนที่{start + n}", district="ท่าแซะ",
            village_no=(start + n) % 99 + 1, village_name="บ้านค้นพบ", findable_by_trainers=True,
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("who", ["trainer_x", "admin"])
def test_the_invitations_page_takes_the_same_number_of_queries_for_more_invitations(
    client, world, who
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cohort = world["cohort_x"]
    user = world[who] if who in world else UserFactory(username="admin", is_superuser=True)
    client.force_login(user)
    url = f"/admin/cohorts/{cohort.pk}/invitations/"
    counts = []
    for batch, start in ((1, 0), (6, 1)):
        for profile in _findable_volunteers(batch, start):
            CohortInvitation.objects.create(cohort=cohort, user=profile.user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_volunteer_search_takes_the_same_number_of_queries_for_more_results(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["trainer_x"])
    url = f"/admin/cohorts/{world['cohort_x'].pk}/find-volunteers/?q=ค้นพบ"
    counts = []
    for batch, start in ((1, 0), (6, 1)):
        _findable_volunteers(batch, start)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        counts.append(len(queries))
    assert page.text.count("เชิญเข้ารุ่น</button>") == 7
    assert counts[0] == counts[1], counts
