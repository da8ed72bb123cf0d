"""Reads of personal data: scoped to the agency, each one audited as person.read; a denied or
missed lookup discloses nothing and is not logged as a read. Selectors and the API."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone

from tests import factories
from xaso.accounts.models import ApiToken
from xaso.accounts.services import _hash
from xaso.core.errors import DomainError, NotFound
from xaso.core.models import AuditEntry
from xaso.org.models import Staff
from xaso.people.models import Person
from xaso.people.selectors import person_find_by_personal_id, person_get_for, person_list_for
from xaso.people.services import person_upsert

PID = "001099012345"
READERS = ["reception", "specialist", "leader", "clerk", "admin"]
NOT_FOUND = {"code": "not_found", "message": "Không tìm thấy công dân.", "fields": {}}


class World:
    def __init__(self) -> None:
        province_unit = factories.unit(level_code="province", code="25", name="Tỉnh Phú Thọ")
        self.province = factories.agency(code="H25", unit_obj=province_unit)
        self.commune = factories.agency(
            code="H25.54.01",
            parent=self.province,
            unit_obj=factories.unit(parent=province_unit, name="Xã Thạch Khoán"),
        )
        self.neighbour = factories.agency(code="H25.54.02", parent=self.province)
        self.staff = {
            role: factories.staff(agency_obj=self.commune, roles=(role,), username=role)
            for role in READERS
        }
        self.supervisor = factories.staff(
            agency_obj=self.province, roles=("supervisor", "leader", "admin"), username="tinh"
        )
        self.outsider = factories.staff(
            agency_obj=self.neighbour, roles=tuple(READERS), username="xakhac"
        )
        self.person = person_upsert(
            actor=None,
            agency=self.commune,
            personal_id=PID,
            family_name="Nguyễn",
            middle_name="Văn",
            given_name="An",
            date_of_birth=date(1999, 3, 4),
            sex="male",
            phone="0912345678",
            email="an@example.vn",
            address="Thôn Đông, xã Thạch Khoán",
            ethnicity="Kinh",
            nationality="Việt Nam",
            today=date(2026, 11, 28),
        )
        # The neighbour holds its own record of the same citizen.
        self.theirs = person_upsert(
            actor=None,
            agency=self.neighbour,
            personal_id=PID,
            full_name="Nguyễn Văn An",
            today=date(2026, 11, 28),
        )


@pytest.fixture
def world(db) -> World:
    return World()


def reads() -> list[tuple[str, str, str, dict]]:
    return [
        (e.actor_username, e.agency_code, e.object_id, e.changes)
        for e in AuditEntry.objects.filter(action="person.read").order_by("seq")
    ]


def bearer(staff: Staff) -> dict[str, str]:
    token = secrets.token_urlsafe(16)
    ttl = timedelta(hours=settings.XASO_API_TOKEN_TTL_HOURS)
    ApiToken.objects.create(key_hash=_hash(token), staff=staff, expires_at=timezone.now() + ttl)
    return {"Authorization": f"Bearer {token}"}


# --- selectors ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_staff_of_the_agency_read_and_each_read_is_audited(world: World, role: str):
    actor = world.staff[role]
    pid = str(world.person.public_id)
    assert person_find_by_personal_id(actor=actor, personal_id=PID).pk == world.person.pk
    assert person_get_for(actor=actor, public_id=pid).pk == world.person.pk
    assert reads() == [
        (role, "H25.54.01", pid, {"via": "personal_id"}),
        (role, "H25.54.01", pid, {"via": "public_id"}),
    ]
    entry = AuditEntry.objects.filter(action="person.read").first()
    assert (entry.object_type, entry.object_repr) == ("people.person", "Nguyễn Văn An")


def test_list_is_the_own_agency_only(world: World):
    assert list(person_list_for(actor=world.staff["reception"])) == [world.person]
    assert list(person_list_for(actor=world.outsider)) == [world.theirs]
    assert list(person_list_for(actor=world.supervisor)) == []


def test_another_agencys_person_is_not_found_and_not_logged(world: World):
    for call in (
        lambda: person_get_for(actor=world.outsider, public_id=str(world.person.public_id)),
        lambda: person_get_for(actor=world.supervisor, public_id=str(world.person.public_id)),
        lambda: person_find_by_personal_id(actor=world.supervisor, personal_id=PID),
        lambda: person_get_for(actor=world.staff["reception"], public_id="not-a-uuid"),
        lambda: person_find_by_personal_id(
            actor=world.staff["reception"], personal_id="079301000123"
        ),
    ):
        with pytest.raises(NotFound) as excinfo:
            call()
        assert (excinfo.value.code, excinfo.value.message) == (
            "not_found",
            "Không tìm thấy công dân.",
        )
    assert reads() == []


def test_outsider_finds_their_own_record_of_the_same_citizen(world: World):
    found = person_find_by_personal_id(actor=world.outsider, personal_id=PID)
    assert found.pk == world.theirs.pk
    assert reads() == [("xakhac", "H25.54.02", str(world.theirs.public_id), {"via": "personal_id"})]


def test_a_malformed_number_is_refused_before_looking(world: World):
    with pytest.raises(DomainError) as excinfo:
        person_find_by_personal_id(actor=world.staff["reception"], personal_id="0010990")
    assert excinfo.value.code == "pid_length"
    assert reads() == []


# --- API ------------------------------------------------------------------------------------


def expected_body(p: Person) -> dict[str, object]:
    return {
        "id": str(p.public_id),
        "personal_id": PID,
        "family_name": "Nguyễn",
        "middle_name": "Văn",
        "given_name": "An",
        "full_name": "Nguyễn Văn An",
        "date_of_birth": "1999-03-04",
        "sex": "male",
        "phone": "0912345678",
        "email": "an@example.vn",
        "address": "Thôn Đông, xã Thạch Khoán",
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        # Vietnam time, in milliseconds as Django's JSON encoder writes it.
        "updated_at": DjangoJSONEncoder().default(
            timezone.localtime(Person.objects.get(pk=p.pk).updated_at)
        ),
    }


@pytest.mark.parametrize("role", READERS)
def test_api_prefill_for_every_role_of_the_agency(world: World, client: Client, role: str):
    response = client.get(f"/api/v1/people/by-id/{PID}", headers=bearer(world.staff[role]))
    assert response.status_code == 200
    assert response.json() == expected_body(world.person)
    assert response.json()["updated_at"].endswith("+07:00")
    assert reads() == [(role, "H25.54.01", str(world.person.public_id), {"via": "personal_id"})]
    assert AuditEntry.objects.get(action="person.read").channel == "api"


@pytest.mark.parametrize("who", ["supervisor", "outsider_unknown"])
def test_api_404_outside(world: World, client: Client, who: str):
    actor = world.supervisor
    pid = PID
    if who == "outsider_unknown":
        actor, pid = world.outsider, "079301000123"
    response = client.get(f"/api/v1/people/by-id/{pid}", headers=bearer(actor))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert reads() == []


def test_api_needs_a_token(world: World, client: Client):
    response = client.get(f"/api/v1/people/by-id/{PID}")
    assert (response.status_code, response.json()) == (
        401,
        {
            "code": "unauthorized",
            "message": "Cần đăng nhập (gửi Authorization: Bearer <token>).",
            "fields": {},
        },
    )
    assert reads() == []


def test_api_malformed_number_is_400_with_the_rule(world: World, client: Client):
    response = client.get("/api/v1/people/by-id/003099012345", headers=bearer(world.staff["clerk"]))
    message = (
        "Ba chữ số đầu «003» không phải mã của tỉnh, thành phố nào trong 63 mã nơi đăng ký khai "
        "sinh. Số định danh mang mã quốc gia (đăng ký khai sinh ở nước ngoài) chưa được hỗ trợ."
    )
    assert (response.status_code, response.json()) == (
        400,
        {"code": "pid_province", "message": message, "fields": {"personal_id": [message]}},
    )
    assert reads() == []
