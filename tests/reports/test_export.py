"""The superior's Excel table (biểu tổng hợp): it opens for a draft, for a request nobody
answered and for a file-only request, keeps decimals exact and names the file after the title."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xaso.reports import services
from xaso.reports.models import ReportRequest

from .conftest import request_kwargs

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[object]]:
    assert response.status_code == 200, response.content
    ws = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_export_of_a_draft_and_of_an_unanswered_request(
    client, world, django_capture_on_commit_callbacks
):
    req = services.report_request_create(actor=world.leader, **request_kwargs())
    client.force_login(world.leader)
    url = reverse("reports:export", args=[req.public_id])
    response = client.get(url)
    assert response["Content-Disposition"] == (
        'attachment; filename="tong-hop-bao-cao-ket-qua-chuyen-doi-so-quy-iv-nam-2026-'
        f'{str(req.public_id)[:8]}.xlsx"'
    )
    rows = rows_of(response)
    assert rows[3][0] == "Dự thảo: yêu cầu chưa gửi cho cơ quan nào."
    assert rows[5][6:] == [
        "Hồ sơ trực tuyến (hồ sơ)",
        "Tỷ lệ hồ sơ trực tuyến (%)",
        "Tệp báo cáo",
        "Người ký số",
        "Tệp (SHA-256)",
    ]
    assert rows[6][2:3] + rows[6][6:8] == ["Tổng cộng (0 báo cáo)", 0, 0]
    assert len(rows) == 7

    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_send(actor=world.leader, request=req)
    rows = rows_of(client.get(url))
    assert rows[3][0] == "Đã nộp 0/2 · chưa nộp 2 · trễ hạn 0"
    assert [r[1] for r in rows[6:8]] == ["H25.37.01", "H25.37.02"]
    assert rows[6][6:] == [None] * 5


def test_export_of_a_file_only_request_has_no_totals(client, world):
    req = services.report_request_create(
        actor=world.leader, **request_kwargs(kind="file", indicators=[], title="Đề án số 1")
    )
    client.force_login(world.admin)
    response = client.get(reverse("reports:export", args=[req.public_id]))
    assert (
        f'filename="tong-hop-de-an-so-1-{str(req.public_id)[:8]}.xlsx"'
        in (response["Content-Disposition"])
    )
    rows = rows_of(response)
    assert rows[5] == [
        "STT",
        "Mã cơ quan",
        "Cơ quan",
        "Tình trạng",
        "Thời điểm nộp",
        "Người nộp",
        "Tệp báo cáo",
        "Người ký số",
        "Tệp (SHA-256)",
    ]
    assert len(rows) == 6


def test_export_keeps_decimal_figures_exact(client, world, django_capture_on_commit_callbacks):
    indicators = [{"code": "kinh_phi", "label": "Kinh phí", "unit": "đồng", "type": "decimal"}]
    req = services.report_request_create(
        actor=world.leader, **request_kwargs(indicators=indicators)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_send(actor=world.leader, request=req)
    for agency, actor, value in (
        (world.xa1, world.clerk1, "123456789012.3456"),
        (world.xa2, world.leader2, "0.0001"),
    ):
        copy = ReportRequest.objects.get(origin_id=req.origin_id, agency=agency)
        with django_capture_on_commit_callbacks(execute=True):
            services.report_submit(actor=actor, request=copy, values={"kinh_phi": value})
    client.force_login(world.leader)
    rows = rows_of(client.get(reverse("reports:export", args=[req.public_id])))
    # Through binary floating point the sum would come out as 123456789012.34570...
    assert [Decimal(str(r[6])) for r in rows[6:9]] == [
        Decimal("123456789012.3456"),
        Decimal("0.0001"),
        Decimal("123456789012.3457"),
    ]
    page = client.get(reverse("reports:detail", args=[req.public_id])).content.decode()
    assert 'data-testid="total-kinh_phi">123.456.789.012,3457<' in page
