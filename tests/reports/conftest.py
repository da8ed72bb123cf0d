"""A district with two communes on this node and one on another node, their staff by role, and
a PDF signed with a commune's demo certificate (the platform's own signing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests import factories
from xaso.org.models import Agency, Staff

HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body>
<p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></p>
<h1>BÁO CÁO Kết quả chuyển đổi số quý IV năm 2026</h1>
<p>UBND xã Thạch Khoán báo cáo: 1.234 hồ sơ trực tuyến, tỷ lệ 87,5%.</p>
</body></html>"""


@pytest.fixture(scope="session")
def report_pdf() -> bytes:
    import weasyprint

    return bytes(weasyprint.HTML(string=HTML).write_pdf())


@pytest.fixture(scope="session")
def reports_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports-data")


@pytest.fixture(autouse=True)
def _reports_settings(settings, reports_data_dir):
    # Tests drive delivery themselves (on-commit callbacks); no thread races their connection.
    settings.XASO_EXCHANGE_SEND_AT_ONCE = False
    settings.DATA_DIR = reports_data_dir
    settings.XASO_SIGNING_TRUST_ROOTS = ""
    settings.XASO_SIGNING_TRUST_DEMO_CA = True
    settings.XASO_SIGNING_TSA_URL = ""
    settings.XASO_SIGNING_KEYSTORE_PASSPHRASE = None
    settings.XASO_REPORT_REMIND_HOURS = 24


@dataclass
class World:
    huyen: Agency
    xa1: Agency
    xa2: Agency
    other: Agency  # a district elsewhere: not below huyen
    leader: Staff  # huyen
    admin: Staff
    supervisor: Staff
    specialist_huyen: Staff
    clerk1: Staff  # xa1
    specialist1: Staff
    reception1: Staff
    leader2: Staff  # xa2


@pytest.fixture
def world(db) -> World:
    huyen = factories.agency(code="H25.37", name="UBND huyện Thanh Sơn")
    xa1 = factories.agency(code="H25.37.01", name="UBND xã Thạch Khoán", parent=huyen)
    xa2 = factories.agency(code="H25.37.02", name="UBND xã Địch Quả", parent=huyen)
    other = factories.agency(code="H25.38", name="UBND huyện Tân Sơn")
    s = factories.staff
    return World(
        huyen=huyen,
        xa1=xa1,
        xa2=xa2,
        other=other,
        leader=s(agency_obj=huyen, roles=("leader",), full_name="Hà Văn Tuấn"),
        admin=s(agency_obj=huyen, roles=("admin",), full_name="Đinh Thị Lan"),
        supervisor=s(agency_obj=huyen, roles=("supervisor",), full_name="Lê Văn Giám"),
        specialist_huyen=s(agency_obj=huyen, roles=("specialist",), full_name="Phùng Văn Hải"),
        clerk1=s(agency_obj=xa1, roles=("clerk",), full_name="Nguyễn Thị Hằng"),
        specialist1=s(agency_obj=xa1, roles=("specialist",), full_name="Đinh Công Sơn"),
        reception1=s(agency_obj=xa1, roles=("reception",), full_name="Hà Thị Mai"),
        leader2=s(agency_obj=xa2, roles=("leader",), full_name="Xa Văn Minh"),
    )


INDICATORS = [
    {"code": "ho_so_truc_tuyen", "label": "Hồ sơ trực tuyến", "unit": "hồ sơ", "type": "integer"},
    {"code": "ty_le", "label": "Tỷ lệ hồ sơ trực tuyến", "unit": "%", "type": "decimal"},
]


def request_kwargs(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Báo cáo kết quả chuyển đổi số quý IV năm 2026",
        "period_from": date(2026, 10, 1),
        "period_to": date(2026, 12, 31),
        "deadline": timezone.now() + timedelta(days=3),
        "kind": "figures",
        "indicators": INDICATORS,
    }
    values.update(overrides)
    return values


@pytest.fixture
def signed_report_pdf(world, report_pdf) -> bytes:
    from xaso.signing import services as signing_services
    from xaso.signing.sign import sign_pdf

    cert = signing_services.certificate_issue_demo(agency=world.xa1)
    return sign_pdf(
        report_pdf,
        agency=cert.agency,
        signer_name="Đinh Công Sơn",
        signer_title="Chủ tịch UBND xã",
        reason="Báo cáo chuyển đổi số",
        location="Thạch Khoán, Phú Thọ",
    )
