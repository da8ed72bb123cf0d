"""Opening a subordinate agency and recording a merger from the UI."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import PASSWORD, agency, staff, unit
from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry
from xaso.org.models import AdministrativeUnit, Agency, Staff
from xaso.org.services import AgencyCodeTaken, AgencyInvalid, agency_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    province = unit(name="Tỉnh Thử", code="99", level_code="province")
    d = unit(name="Huyện Thử", code="999", level_code="district", parent=province)
    return {
        "province": province,
        "district": d,
        "commune": unit(name="Xã Mới", code="99001", parent=d),
        "other": unit(name="Xã Ngoài", code="99002", parent=province),
        "agency": agency(code="H99.9", name="UBND huyện Thử", unit_obj=d),
    }


def _create(actor, u, **kw):
    args = dict(
        actor=actor,
        code="H99.9.01",
        name="UBND xã Mới",
        kind="peoples_committee",
        unit=u,
        admin_username="xamoi.quantri",
        admin_full_name="Lò Thị Én",
        admin_password=PASSWORD,
    )
    args.update(kw)
    return agency_create(**args)


def test_admin_opens_a_subordinate_agency_with_its_first_admin(district):
    admin = staff(agency_obj=district["agency"], roles=("admin",))
    before = AuditEntry.objects.count()
    created = _create(admin, district["commune"])
    assert (created.code, created.name, created.parent_id, created.unit_id) == (
        "H99.9.01",
        "UBND xã Mới",
        district["agency"].pk,
        district["commune"].pk,
    )
    first = Staff.objects.get(username="xamoi.quantri")
    assert first.agency_id == created.pk
    assert first.role_codes == ["admin"]
    entries = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert [(e.action, e.actor_username) for e in entries] == [
        ("agency.create", admin.username),
        ("staff.create", admin.username),
    ]


@pytest.mark.parametrize("role", ["reception", "specialist", "leader", "clerk", "supervisor"])
def test_other_roles_are_refused_and_nothing_is_written(district, role):
    actor = staff(agency_obj=district["agency"], roles=(role,))
    counts = (Agency.objects.count(), Staff.objects.count(), AuditEntry.objects.count())
    with pytest.raises(PermissionDenied):
        _create(actor, district["commune"])
    assert (Agency.objects.count(), Staff.objects.count(), AuditEntry.objects.count()) == counts


def test_unit_outside_the_territory_or_dissolved_is_refused(district):
    admin = staff(agency_obj=district["agency"], roles=("admin",))
    with pytest.raises(AgencyInvalid) as e:
        _create(admin, district["other"])
    assert e.value.fields == {"unit": ["Đơn vị hành chính không thuộc địa bàn của cơ quan bạn."]}
    gone = unit(
        name="Xã Cũ", code="99003", parent=district["district"], dissolved_on=date(2025, 7, 1)
    )
    with pytest.raises(AgencyInvalid) as e:
        _create(admin, gone)
    assert e.value.message == "Xã Cũ (99003) đã chấm dứt hoạt động từ 01/07/2025."


def test_bad_or_taken_code_and_weak_password_leave_nothing_half_written(district):
    admin = staff(agency_obj=district["agency"], roles=("admin",))
    with pytest.raises(AgencyInvalid) as e:
        _create(admin, district["commune"], code="h99 9")
    assert e.value.code == "agency_invalid" and "Quyết định 20/2020" in e.value.message
    with pytest.raises(AgencyCodeTaken):
        _create(admin, district["commune"], code="H99.9")
    counts = (Agency.objects.count(), Staff.objects.count(), AuditEntry.objects.count())
    from xaso.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        _create(admin, district["commune"], admin_password="123")
    assert (Agency.objects.count(), Staff.objects.count(), AuditEntry.objects.count()) == counts


def test_agency_page_for_admin_and_404_for_others(client, district):
    admin = staff(agency_obj=district["agency"], roles=("admin",))
    client.force_login(admin)
    r = client.post(
        "/agencies/",
        {
            "code": "H99.9.01",
            "name": "UBND xã Mới",
            "kind": "peoples_committee",
            "unit_code": "99001",
            "admin_username": "xamoi.quantri",
            "admin_full_name": "Lò Thị Én",
            "admin_password": PASSWORD,
        },
    )
    assert r.status_code == 302
    page = client.get("/agencies/").content.decode()
    assert "UBND xã Mới" in page and "H99.9.01" in page
    r = client.post(
        "/agencies/",
        {
            "code": "H99.9.02",
            "name": "X",
            "kind": "peoples_committee",
            "unit_code": "88888",
            "admin_username": "a.b",
            "admin_full_name": "A B",
            "admin_password": PASSWORD,
        },
    )
    assert r.status_code == 400
    assert "Không có đơn vị hành chính đang hiệu lực mang mã 88888." in r.content.decode()
    client.force_login(staff(agency_obj=district["agency"], roles=("supervisor",)))
    assert client.get("/agencies/").status_code == 404


def test_merge_form_records_the_merger(client, district):
    admin = staff(agency_obj=district["agency"], roles=("admin",))
    keep = unit(name="Xã Giữ", code="99010", parent=district["district"])
    client.force_login(admin)
    r = client.post(
        "/units/merge/",
        {
            "level": "commune",
            "old_codes": "99001",
            "successor_code": "99010",
            "effective_on": "01/07/2025",
            "legal_basis": "Nghị quyết thử",
        },
    )
    assert r.status_code == 302
    old = AdministrativeUnit.objects.get(pk=district["commune"].pk)
    assert old.dissolved_on == date(2025, 7, 1)
    assert list(old.successors.values_list("code", flat=True)) == ["99010"]
    assert r["Location"] == f"/units/{keep.public_id}/"
    r = client.post(
        "/units/merge/",
        {
            "level": "commune",
            "old_codes": "99002",
            "successor_code": "99010",
            "effective_on": "01/07/2025",
            "legal_basis": "Nghị quyết thử",
        },
    )
    assert r.status_code == 400
    assert AdministrativeUnit.objects.get(pk=district["other"].pk).dissolved_on is None
    client.force_login(staff(agency_obj=district["agency"], roles=("leader",)))
    assert client.get("/units/merge/").status_code == 404


def test_agency_code_format_is_configurable(settings):
    from django.core.exceptions import ValidationError

    from xaso.org.models import validate_agency_code

    validate_agency_code("H25.54.01")
    with pytest.raises(ValidationError):
        validate_agency_code("000.00.00.H25")  # the older QCVN 102 form
    settings.XASO_AGENCY_CODE_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$"
    validate_agency_code("000.00.00.H25")
    with pytest.raises(ValidationError):
        validate_agency_code("H25.54.01")
