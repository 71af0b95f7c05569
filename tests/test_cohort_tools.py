"""A cohort's tools as buttons: in its row of the cohort listing and on its
page, each shown only to someone its view lets in."""

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission

from tests.factories import TrainingCohortFactory, UserFactory

pytestmark = pytest.mark.django_db

ROW_TOOLS = {"import/", "claim-sheet/", "report/", "certificates.zip"}
PAGE_TOOLS = ROW_TOOLS | {"volunteers/", "find-volunteers/", "messages/"}


def trainer(username="trainer-chumphon"):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


def viewer(username="viewer"):
    """May only look at the cohorts they train (no add, change or delete)."""
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_trainingcohort"),
    )
    return user


def manager(username="manager"):
    """Manages every cohort but trains none: no certificates ZIP (its PDFs
    carry names and villages, for the cohort's own trainers)."""
    user = trainer(username)
    user.user_permissions.add(Permission.objects.get(codename="manage_all_cohorts"))
    return user


def tools_in(html: str, cohort, scope: str) -> dict[str, set[str]]:
    """The cohort's tool links in the listing row or page header `scope`,
    split into top-level buttons and the items of the "⋯" menu."""
    soup = BeautifulSoup(html, "html.parser")
    area = soup.select_one(scope)
    assert area is not None, scope
    prefix = f"/admin/cohorts/{cohort.pk}/"
    found = {"buttons": set(), "menu": set()}
    for link in area.select("a[href]"):
        href = link["href"]
        if not href.startswith(prefix) or href[len(prefix) :] in ("", "edit/"):
            continue
        in_menu = link.find_parent(attrs={"data-controller": re.compile("w-dropdown")})
        found["menu" if in_menu else "buttons"].add(href[len(prefix) :])
    return found


def assert_refused(response) -> None:
    # Wagtail's admin turns PermissionDenied into a redirect home with a message.
    assert (response.status_code, response.get("Location")) == (302, "/admin/")


def row_scope(cohort) -> str:
    # The title is a link only for someone who may edit the cohort.
    return f'td.title:has(.title-wrapper:-soup-contains("{cohort.name}"))'


def test_the_trainers_row_has_import_claim_sheet_report_and_zip_as_buttons(client):
    user = trainer()
    cohort = TrainingCohortFactory(trainers=[user])
    client.force_login(user)
    html = client.get("/admin/cohorts/").text
    tools = tools_in(html, cohort, row_scope(cohort))
    assert tools["buttons"] == ROW_TOOLS
    # The other tools are still in the menu.
    assert tools["menu"] == {"volunteers/", "find-volunteers/", "invitations/", "messages/"}
    soup = BeautifulSoup(html, "html.parser")
    zip_link = soup.select_one(f"a[href='/admin/cohorts/{cohort.pk}/certificates.zip']")
    assert zip_link.has_attr("download")
    assert zip_link["aria-label"] == "ดาวน์โหลดเกียรติบัตร (ZIP) ทั้งรุ่น"
    assert "เกียรติบัตร (ZIP)" in zip_link.get_text()


def test_the_cohort_page_has_every_tool_as_a_header_button(client):
    user = trainer()
    cohort = TrainingCohortFactory(trainers=[user])
    client.force_login(user)
    html = client.get(f"/admin/cohorts/edit/{cohort.pk}/").text
    tools = tools_in(html, cohort, "#w-slim-header-buttons")
    assert tools["buttons"] == PAGE_TOOLS
    # What a trainer needs less often stays in the "⋯" menu, beside delete.
    assert tools["menu"] == {"invitations/"}
    header = BeautifulSoup(html, "html.parser").select_one("#w-slim-header-buttons")
    names = {a["aria-label"]: " ".join(a.get_text().split()) for a in header.select("a.w-header-button")}
    # A short label to see, the whole name (which starts with it) to hear.
    assert names["ค้นหาและเชิญเน็ตอาสา"] == "ค้นหาและเชิญ"
    assert names["รายงานความก้าวหน้า"] == "รายงาน"


def test_a_viewer_sees_only_the_tools_that_need_no_change_permission(client):
    user = viewer()
    cohort = TrainingCohortFactory(trainers=[user])
    client.force_login(user)
    tools = tools_in(client.get("/admin/cohorts/").text, cohort, row_scope(cohort))
    assert tools["buttons"] == {"report/", "certificates.zip"}
    assert "import/" not in tools["menu"] and "find-volunteers/" not in tools["menu"]
    # The buttons match the views: the hidden ones refuse.
    assert_refused(client.get(f"/admin/cohorts/{cohort.pk}/import/"))
    assert client.get(f"/admin/cohorts/{cohort.pk}/report/").status_code == 200


def test_a_manager_who_trains_not_the_cohort_gets_no_zip_button(client):
    user = manager()
    cohort = TrainingCohortFactory(trainers=[trainer("trainer-nan")])
    client.force_login(user)
    tools = tools_in(client.get("/admin/cohorts/").text, cohort, row_scope(cohort))
    assert tools["buttons"] == ROW_TOOLS - {"certificates.zip"}
    page = client.get(f"/admin/cohorts/edit/{cohort.pk}/").text
    assert "certificates.zip" not in tools_in(page, cohort, "#w-slim-header-buttons")["buttons"]
    assert_refused(client.get(f"/admin/cohorts/{cohort.pk}/certificates.zip"))


def test_a_superuser_gets_every_tool(client):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    cohort = TrainingCohortFactory(trainers=[trainer()])
    client.force_login(admin)
    tools = tools_in(client.get("/admin/cohorts/").text, cohort, row_scope(cohort))
    assert tools["buttons"] == ROW_TOOLS
    page = client.get(f"/admin/cohorts/edit/{cohort.pk}/").text
    assert tools_in(page, cohort, "#w-slim-header-buttons")["buttons"] == PAGE_TOOLS


def test_another_trainers_cohort_is_not_listed_with_its_tools(client):
    user = trainer()
    theirs = TrainingCohortFactory(trainers=[trainer("trainer-nan")])
    TrainingCohortFactory(trainers=[user])
    client.force_login(user)
    html = client.get("/admin/cohorts/").text
    assert f"/admin/cohorts/{theirs.pk}/" not in html


def test_the_listing_buttons_take_no_query_per_cohort(client, django_assert_max_num_queries):
    user = trainer()
    TrainingCohortFactory.create_batch(2, trainers=[user])
    client.force_login(user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/admin/cohorts/")
    TrainingCohortFactory.create_batch(6, trainers=[user])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/cohorts/")
