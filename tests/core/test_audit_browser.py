"""The audit browser: agency administrators only, their own agency only, read only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import agency, staff
from xaso.core import selectors, views
from xaso.core.audit import audit_record
from xaso.core.context import RequestMeta, reset_request_meta, set_request_meta
from xaso.core.errors import NotFound
from xaso.core.models import AuditEntry

LIST = "/audit/"


def seqs(response) -> list[int]:
    """The entry numbers listed on a page, in order."""
    return [int(n) for n in re.findall(r'href="/audit/(\d+)/"', response.content.decode())]


def record(actor, action="staff.update", *, address="10.0.0.5", **kwargs) -> AuditEntry:
    token = set_request_meta(RequestMeta(client_address=address, channel="web"))
    try:
        return audit_record(actor=actor, action=action, **kwargs)
    finally:
        reset_request_meta(token)


@pytest.fixture
def home():
    return agency(code="H25.38.21", name="UBND xã Thạch Khoán")


@pytest.fixture
def admin(home):
    return staff(agency_obj=home, roles=("admin",), username="quantri", full_name="Hà Văn Quản")


@pytest.fixture
def clerk(home):
    return staff(agency_obj=home, roles=("reception", "clerk"), username="motcua")


@pytest.fixture
def other_admin():
    return staff(agency_obj=agency(code="H25.38.22"), roles=("admin",), username="quantri2")


@pytest.fixture
def trail(admin, clerk, other_admin):
    """Entries 1..6: four of this agency, two of another."""
    return [
        record(clerk, "auth.login", obj=clerk, address="10.0.0.5"),
        record(other_admin, "auth.login", obj=other_admin, address="172.16.0.9"),
        record(
            admin,
            "staff.update",
            object_type="org.staff",
            object_id="motcua",
            object_repr="Nguyễn Thị Hằng",
            changes={"title": ["", "Công chức một cửa"], "roles": [["reception"], ["clerk"]]},
            address="10.0.1.7",
        ),
        record(other_admin, "staff.create", object_type="org.staff", object_id="x"),
        record(
            clerk,
            "dossier.receive",
            object_type="dossiers.dossier",
            object_id="HS-001",
            changes={"lý do": "Nhận hồ sơ", "trang": 3},
            address="10.0.1.8",
        ),
        record(
            admin,
            "agency.update",
            object_type="org.agency",
            object_id="H25.38.21",
            changes={"is_active": [True, False], "note": [None, "tạm dừng"]},
        ),
    ]


@pytest.mark.django_db
def test_admin_sees_own_agency_entries_newest_first(client, admin, trail):
    client.force_login(admin)
    response = client.get(LIST)
    assert response.status_code == 200
    assert seqs(response) == [6, 5, 3, 1]
    body = response.content.decode()
    assert "Nhật ký hệ thống" in body
    local = timezone.localtime(trail[0].at).strftime("%d/%m/%Y %H:%M:%S")
    assert local in body
    assert "172.16.0.9" not in body
    assert "Cũ hơn" not in body and "Mới hơn" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "roles", [("reception",), ("specialist",), ("leader",), ("clerk",), ("supervisor",)]
)
def test_other_roles_get_404(client, home, trail, roles):
    client.force_login(staff(agency_obj=home, roles=roles))
    assert client.get(LIST).status_code == 404
    assert client.get(f"/audit/{trail[0].seq}/").status_code == 404


@pytest.mark.django_db
def test_inactive_admin_gets_nothing(admin, trail):
    admin.is_active = False
    assert list(selectors.audit_list_for(admin)) == []


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, trail):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_detail_shows_the_changes_as_a_table(client, admin, trail):
    client.force_login(admin)
    response = client.get(f"/audit/{trail[2].seq}/")
    assert response.status_code == 200
    body = response.content.decode()
    rows = re.findall(r"<tr><td><code>(.*?)</code></td><td>(.*?)</td><td>(.*?)</td></tr>", body)
    assert rows == [
        ("roles", "[&quot;reception&quot;]", "[&quot;clerk&quot;]"),
        ("title", "—", "Công chức một cửa"),
    ]
    assert "Nguyễn Thị Hằng" in body
    assert "10.0.1.7" in body
    assert trail[2].hash in body and trail[2].prev_hash in body
    assert timezone.localtime(trail[2].at).strftime("%d/%m/%Y %H:%M:%S") in body


@pytest.mark.django_db
def test_detail_of_values_that_are_not_pairs(client, admin, trail):
    client.force_login(admin)
    body = client.get(f"/audit/{trail[5].seq}/").content.decode()
    rows = re.findall(r"<tr><td><code>(.*?)</code></td><td>(.*?)</td><td>(.*?)</td></tr>", body)
    assert rows == [("is_active", "có", "không"), ("note", "—", "tạm dừng")]
    body = client.get(f"/audit/{trail[4].seq}/").content.decode()
    rows = re.findall(r"<tr><td><code>(.*?)</code></td><td>(.*?)</td><td>(.*?)</td></tr>", body)
    assert rows == [("lý do", "—", "Nhận hồ sơ"), ("trang", "—", "3")]


@pytest.mark.django_db
def test_another_agencys_entry_is_404(client, admin, trail):
    client.force_login(admin)
    assert client.get(f"/audit/{trail[1].seq}/").status_code == 404
    assert client.get("/audit/999/").status_code == 404
    with pytest.raises(NotFound):
        selectors.audit_get_for(admin, seq=trail[1].seq)


@pytest.mark.django_db
def test_there_is_no_way_to_write(client, admin, trail):
    client.force_login(admin)
    before = list(AuditEntry.objects.values_list("seq", "hash"))
    for url in (LIST, f"/audit/{trail[2].seq}/"):
        assert client.post(url, {"object_repr": "x"}).status_code == 405
        assert client.delete(url).status_code == 405
        assert client.put(url).status_code == 405
    assert list(AuditEntry.objects.values_list("seq", "hash")) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor_username": "motcua"}, [5, 1]),
        ({"actor_username": "quantri2"}, []),
        ({"action": "staff."}, [3]),
        ({"action": "auth.login"}, [1]),
        ({"object_type": "org.staff"}, [3, 1]),
        ({"object_type": "org.staff", "object_id": "motcua"}, [3]),
        ({"object_id": "HS-001"}, [5]),
        ({"client_address": "10.0.1."}, [5, 3]),
        ({"client_address": "10.0.0.5"}, [6, 1]),
        ({"actor_username": "quantri", "action": "agency"}, [6]),
    ],
)
def test_filters(client, admin, trail, query, expected):
    client.force_login(admin)
    assert seqs(client.get(LIST, query)) == expected


@pytest.mark.django_db
def test_date_filters_are_whole_days_in_vietnam_time(client, admin, trail):
    client.force_login(admin)
    today = timezone.localdate(trail[0].at)
    fmt = "%d/%m/%Y"
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    assert seqs(client.get(LIST, {"date_from": today.strftime(fmt)})) == [6, 5, 3, 1]
    assert seqs(client.get(LIST, {"date_to": today.strftime(fmt)})) == [6, 5, 3, 1]
    assert seqs(client.get(LIST, {"date_from": tomorrow.strftime(fmt)})) == []
    assert seqs(client.get(LIST, {"date_to": yesterday.strftime(fmt)})) == []
    both = {"date_from": yesterday.strftime(fmt), "date_to": today.strftime(fmt)}
    assert seqs(client.get(LIST, both)) == [6, 5, 3, 1]


@pytest.mark.django_db
def test_bad_dates_are_shown_as_errors(client, admin, trail):
    client.force_login(admin)
    response = client.get(LIST, {"date_from": "2026-01-31"})
    assert response.status_code == 200
    assert seqs(response) == []
    body = response.content.decode()
    assert "Điều kiện lọc chưa hợp lệ" in body
    assert "Ngày viết theo dạng dd/mm/yyyy, ví dụ 31/01/2026." in body
    response = client.get(LIST, {"date_from": "02/01/2026", "date_to": "01/01/2026"})
    assert seqs(response) == []
    assert "“Đến ngày” phải từ “Từ ngày” trở đi." in response.content.decode()


@pytest.mark.django_db
def test_keyset_pages_of_fifty(client, admin, other_admin):
    for i in range(120):
        record(admin if i % 4 else other_admin, "test.page", object_id=str(i))
    mine = list(
        AuditEntry.objects.filter(agency_code=admin.agency.code)
        .order_by("-seq")
        .values_list("seq", flat=True)
    )
    assert len(mine) == 90
    client.force_login(admin)
    first = client.get(LIST, {"action": "test."})
    assert seqs(first) == mine[:50]
    body = first.content.decode()
    assert f'href="?action=test.&amp;before={mine[49]}"' in body
    assert "Mới hơn" not in body
    second = client.get(LIST, {"action": "test.", "before": mine[49]})
    assert seqs(second) == mine[50:90]
    body = second.content.decode()
    assert "Cũ hơn" not in body
    assert f'href="?action=test.&amp;after={mine[50]}"' in body
    back = client.get(LIST, {"action": "test.", "after": mine[50]})
    assert seqs(back) == mine[:50]
    assert "Mới hơn" not in back.content.decode()


@pytest.mark.django_db
def test_page_newer_than_a_middle_entry(admin):
    for i in range(130):
        record(admin, "test.page", object_id=str(i))
    page = selectors.audit_page_for(admin, after=20)
    assert [e.seq for e in page.entries] == list(range(70, 20, -1))
    assert (page.newer_than, page.older_than) == (70, 21)
    page = selectors.audit_page_for(admin, before=21)
    assert [e.seq for e in page.entries] == list(range(20, 0, -1))
    assert (page.newer_than, page.older_than) == (20, None)


@pytest.mark.django_db
def test_views_make_one_query_whatever_the_number_of_entries(rf, admin, django_assert_num_queries):
    """The staff member comes with agency and roles loaded (as after login); the list and the
    detail then cost one query each, with 1 entry or 81."""
    record(admin, "test.one")

    def get(path: str, view, **kwargs):
        request = rf.get(path)
        request.user = admin
        with django_assert_num_queries(1):
            response = view(request, **kwargs)
        assert response.status_code == 200
        return response

    assert seqs(get(LIST, views.audit_list)) == [1]
    for i in range(80):
        record(admin, "test.many", object_id=str(i))
    assert len(seqs(get(LIST, views.audit_list))) == 50
    assert seqs(get(f"{LIST}?before=40&actor_username=quantri", views.audit_list)) == list(
        range(39, 0, -1)
    )
    assert b"test.many" in get("/audit/30/", views.audit_detail, seq=30).content


@pytest.mark.django_db
def test_full_request_query_count_does_not_grow_with_entries(client, admin):
    client.force_login(admin)
    record(admin, "test.one")
    client.get(LIST)  # the idle-logout middleware writes the session once a minute, not per page

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx)

    few = count(LIST)
    for i in range(80):
        record(admin, "test.many", object_id=str(i))
    assert count(LIST) == few
    assert count(f"{LIST}?before=60") == few
