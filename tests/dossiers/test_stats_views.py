"""/stats/: the table, the server-drawn SVG chart, the Excel export; login, filters, queries."""

from __future__ import annotations

import re
from io import BytesIO

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests import factories
from tests.dossiers.stats_world import build_october
from tests.dossiers.world import APPLICANT, BIRTH, World, receive, vn
from xaso.org.models import Agency
from xaso.org.selectors import agency_tree_changed

OCT = {"from": "2026-10-01", "to": "2026-10-31"}


def cells(html: str, row_header: str) -> list[str]:
    """The data cells of the table row headed ``row_header``, tags stripped."""
    match = re.search(rf"<th scope=\"row\">{re.escape(row_header)}</th>(.*?)</tr>", html)
    assert match, row_header
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", match.group(1))]


def figures(text: str) -> list[str]:
    return text.split()


def test_login_is_required(client, world: World) -> None:
    for url in ("/stats/", "/stats/export.xlsx"):
        r = client.get(url)
        assert r.status_code == 302
        assert r["Location"].startswith("/login/")


def test_the_table_and_the_chart(client, world: World) -> None:
    made = build_october(world)
    client.force_login(world.reception)
    r = client.get("/stats/", {**OCT, "group_by": "channel"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Kỳ báo cáo 01/10/2026 - 31/10/2026, số liệu tính đến 00:00 01/11/2026." in html
    # carried, new, online, total | resolved, early, on time, late, refused, withdrawn |
    # pending, in time, overdue, supplement | returned | on-time %, online %
    assert cells(html, "Trực tiếp") == figures("1 7 0 8 6 1 3 2 0 1 2 1 1 1 2 66,7 0,0")
    assert cells(html, "Bưu chính công ích") == figures("0 1 0 1 1 1 0 0 1 0 0 0 0 0 0 100,0 0,0")
    assert cells(html, "Trực tuyến") == figures("0 2 2 2 1 1 0 0 0 0 1 1 0 0 1 100,0 100,0")
    assert cells(html, "Tổng cộng") == figures("1 10 2 11 8 3 3 2 1 1 3 2 1 1 3 75,0 20,0")
    # The chart: one bar per channel, segments proportional to the longest bar (counter, 8
    # dossiers = 520 units, so one dossier is 65).
    svg = html[html.index('<svg role="img"') : html.index("</svg>")]
    rects = re.findall(
        r'<rect x="([\d.]+)" y="(\d+)" width="([\d.]+)" height="16" fill="(#\w+)">', svg
    )
    assert rects == [
        ("130.0", "4", "65.0", "#1a7f37"),
        ("195.0", "4", "195.0", "#0b5cad"),
        ("390.0", "4", "130.0", "#b42318"),
        ("520.0", "4", "65.0", "#8c959f"),
        ("585.0", "4", "65.0", "#9a6700"),
        ("130.0", "28", "65.0", "#1a7f37"),
        ("130.0", "52", "65.0", "#1a7f37"),
        ("195.0", "52", "65.0", "#8c959f"),
    ]
    assert "<title>Trực tiếp — Giải quyết quá hạn: 2</title>" in svg
    assert "<script" not in html.split("</head>", 1)[1]
    assert (
        'href="/stats/export.xlsx?from=2026-10-01&amp;to=2026-10-31&amp;group_by=channel"' in html
    )
    for secret in (APPLICANT["full_name"], APPLICANT["personal_id"], made["early"].code):
        assert secret not in html


def test_without_filters_the_page_shows_this_month(client, world: World) -> None:
    client.force_login(world.reception)
    r = client.get("/stats/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="group_by"' in html
    assert "Không có hồ sơ trong kỳ." in html
    assert cells(html, "Tổng cộng") == figures("0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 — —")


def test_bad_filters_are_vietnamese_form_errors(client, world: World) -> None:
    client.force_login(world.reception)
    r = client.get("/stats/", {"from": "2026-10-31", "to": "2026-10-01"})
    assert r.status_code == 400
    assert "Phải trước hoặc bằng ngày kết thúc." in r.content.decode()
    r = client.get("/stats/", {"from": "31/13/2026", "to": "2026-10-01"})
    assert r.status_code == 400
    assert '<ul class="errorlist" id="id_from_error"><li>Nhập một ngày hợp lệ.</li></ul>' in (
        r.content.decode()
    )
    # An agency outside the officer's reach is not among the choices.
    r = client.get("/stats/", {**OCT, "agency": "H98.02"})
    assert r.status_code == 400
    assert "H98.02 không phải là một trong các lựa chọn khả thi." in r.content.decode()
    assert 'data-testid="stats-table"' not in r.content.decode()
    r = client.get("/stats/export.xlsx", {**OCT, "agency": "H98.02"})
    assert r.status_code == 400


def test_a_superior_picks_an_agency_below(client, world: World) -> None:
    build_october(world)
    top = factories.agency(code="H98", unit_obj=world.a.unit.parent)
    Agency.objects.filter(pk__in=[world.a.pk, world.b.pk]).update(parent=top)
    agency_tree_changed()
    boss = factories.staff(agency_obj=top, roles=("supervisor",), username="giamsat_tinh")
    client.force_login(boss)
    r = client.get("/stats/", {**OCT, "group_by": "agency"})
    html = r.content.decode()
    assert r.status_code == 200
    assert re.findall(r'<option value="(H[\d.]+)"', html) == ["H98", "H98.01", "H98.02"]
    assert "gồm 3 cơ quan" in html
    assert cells(html, '<span class="tag">H98.02</span> ' + world.b.name)[:4] == [
        "0",
        "2",
        "0",
        "2",
    ]
    assert cells(html, "Tổng cộng")[:4] == ["1", "12", "2", "13"]
    r = client.get("/stats/", {**OCT, "agency": "H97.01"})
    assert r.status_code == 400


def test_the_excel_export(client, world: World) -> None:
    build_october(world)
    client.force_login(world.reception)
    r = client.get("/stats/export.xlsx", OCT)
    assert r.status_code == 200
    assert r["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert r["Content-Disposition"] == (
        'attachment; filename="thong-ke-H98.01-20261001-20261031.xlsx"'
    )
    ws = load_workbook(BytesIO(r.content)).active
    assert ws.title == "Thống kê"
    assert ws["A1"].value == "Báo cáo tình hình giải quyết hồ sơ thủ tục hành chính"
    assert ws["A2"].value == f"{world.a.name} (H98.01)"
    assert ws["A3"].value == (
        "Kỳ báo cáo: 01/10/2026 - 31/10/2026; số liệu tính đến 00:00 01/11/2026"
    )
    assert [ws.cell(5, c).value for c in (1, 2, 3, 7, 13, 17, 18)] == [
        "Thủ tục",
        "Tên",
        "Tiếp nhận",
        "Đã giải quyết",
        "Đang giải quyết",
        "Trả kết quả",
        "Tỷ lệ (%)",
    ]
    assert [ws.cell(6, c).value for c in range(3, 20)] == [
        "Kỳ trước chuyển qua",
        "Mới tiếp nhận",
        "Trong đó trực tuyến",
        "Tổng số",
        "Tổng số",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Từ chối",
        "Rút, dừng xử lý",
        "Tổng số",
        "Trong hạn",
        "Quá hạn",
        "Chờ bổ sung",
        "Đã trả",
        "Trước hạn, đúng hạn",
        "Trực tuyến",
    ]
    values = [1, 10, 2, 11, 8, 3, 3, 2, 1, 1, 3, 2, 1, 1, 3, 75.0, 20.0]
    assert [ws.cell(7, c).value for c in range(1, 20)] == [
        "1.004873",
        "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        *values,
    ]
    assert [ws.cell(8, c).value for c in range(1, 20)] == ["Tổng cộng", None, *values]
    assert ws.max_row == 8


def _page_queries(client) -> list[str]:
    """The tables each query of one page reads first."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/stats/", {**OCT, "group_by": "agency"})
    assert r.status_code == 200
    found = [re.search(r'(?:FROM|UPDATE|INTO) "(\w+)"', q["sql"]) for q in ctx.captured_queries]
    return [m.group(1) if m else "?" for m in found]


def test_the_page_costs_the_same_with_more_dossiers(client, world: World) -> None:
    top = factories.agency(code="H98", unit_obj=world.a.unit.parent)
    Agency.objects.filter(pk__in=[world.a.pk, world.b.pk]).update(parent=top)
    agency_tree_changed()
    client.force_login(factories.staff(agency_obj=top, roles=("supervisor",)))
    _page_queries(client)  # the agency tree is read once, then cached
    build_october(world)
    expected = [
        "org_staff",  # the session's user with their agency and roles, in one query
        "org_agency",  # the agencies to choose from
        "dossiers_dossier",  # every figure, in one grouped query
        "org_agency",  # the names of the agencies without dossiers
    ]
    assert _page_queries(client) == expected
    for day in (5, 6, 7, 8, 9):
        receive(world, BIRTH, at=vn(2026, 10, day, 9, 0), channel="online")
        receive(world, at=vn(2026, 10, day, 9, 0), actor=world.reception_b)
    assert _page_queries(client) == expected
