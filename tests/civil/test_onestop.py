"""The civil status registers and the one-stop shop: which form opens for which procedure, the
form prefilled from a dossier in processing and the entry linked to it, the dossier's approval
refused until its entry is written (for agencies that keep their registers here), and the
civil status box of the dossier page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from tests.civil.world import birth as birth_kwargs
from tests.civil.world import state
from tests.dossiers.world import APPLICANT
from xaso.civil import onestop, services
from xaso.civil.models import CivilRecord
from xaso.civil.rules import PROCEDURES
from xaso.civil.views.registrations import SPECS
from xaso.core.models import AuditEntry
from xaso.dossiers import services as dossier_services
from xaso.dossiers.errors import TransitionNotAllowed
from xaso.dossiers.models import Dossier, Status

BIRTH = "1.001193"
MARITAL = "1.004873"


def _receive(w: Any, code: str = BIRTH, reception: Any = None) -> Dossier:
    return dossier_services.dossier_receive(
        actor=reception or w.reception,
        procedure_code=code,
        channel="counter",
        applicant=APPLICANT,
        received_at=timezone.now() - timedelta(hours=1),
    )


def _in_processing(w: Any, code: str = BIRTH) -> Dossier:
    d = _receive(w, code)
    return dossier_services.dossier_assign(actor=w.reception, dossier=d, assignee=w.officer)


def _child(days_old: int = 20) -> dict[str, str]:
    born = timezone.localdate() - timedelta(days=days_old)
    return {
        "child-family_name": "Trần",
        "child-middle_name": "Văn",
        "child-given_name": "An",
        "child-sex": "male",
        "child-date_of_birth": born.strftime("%d/%m/%Y"),
        "child-ethnicity": "Kinh",
        "child-nationality": "Việt Nam",
        "place_of_birth": "Trạm Y tế xã Đông",
        "home_town": "xã Đông",
        "mother-full_name": "Trần Thị Mỹ",
        "mother-birth_year": "1996",
        "mother-ethnicity": "Kinh",
        "mother-nationality": "Việt Nam",
        "mother-residence": "Thôn Đông",
    }


def _birth_from_dossier(client: Any, w: Any, d: Dossier) -> CivilRecord:
    page = client.get("/civil/register/birth/", {"dossier": d.code})
    data = {
        **_child(),
        "dossier": d.code,
        "declarant-full_name": page.context["b"].people["declarant"].initial["full_name"],
        "declarant-id_number": APPLICANT["personal_id"],
        "declarant-relationship": "relative",
        "registered_on": timezone.localdate().strftime("%d/%m/%Y"),
    }
    r = client.post("/civil/register/birth/", data)
    assert r.status_code == 302, r.context["b"].main.errors if r.context else r
    return CivilRecord.objects.get(dossier=d)


# --- The table -----------------------------------------------------------------------------------


def test_every_mapped_procedure_is_one_the_services_accept():
    events_of: dict[str, set[str]] = {}
    for (event, _variant, _case), code in PROCEDURES.items():
        if code:
            events_of.setdefault(code, set()).add(event)
    assert set(onestop.PROCEDURE_FORMS) == set(events_of)
    for code, (slug, initial) in onestop.PROCEDURE_FORMS.items():
        assert SPECS[slug].event in events_of[code], code
        assert set(initial) <= set(SPECS[slug].form.base_fields), code


def test_procedures_not_covered_open_no_form(w):
    assert onestop.form_for("2.000528") is None  # birth with a foreign element
    assert onestop.form_for("1.003583") is None  # mobile birth registration
    assert onestop.form_for(BIRTH) == ("birth", {})
    assert onestop.form_for("1.000689") == ("birth", {"father_basis": "recognition"})


# --- The form from a dossier ---------------------------------------------------------------------


def test_form_prefilled_from_the_dossier_and_entry_linked(client, w, monkeypatch):
    d = _in_processing(w)
    client.force_login(w.officer)
    reads = AuditEntry.objects.filter(action="person.read").count()
    page = client.get("/civil/register/birth/", {"dossier": d.code})
    assert page.status_code == 200
    declarant = page.context["b"].people["declarant"]
    assert declarant.initial["full_name"] == "Nguyễn Văn Bình"
    assert declarant.initial["id_number"] == APPLICANT["personal_id"]
    assert declarant.initial["residence"] == APPLICANT["address"]
    assert page.context["main"].initial["dossier"] == d.code
    assert AuditEntry.objects.filter(action="person.read").count() == reads + 1
    body = page.content.decode()
    assert f'value="{d.code}"' in body and f"/dossiers/{d.code}/" in body

    from xaso.core import pagecache

    renewed: list[tuple[str, ...]] = []
    monkeypatch.setattr(pagecache, "pages_changed", lambda *scopes: renewed.append(scopes))
    record = _birth_from_dossier(client, w, d)
    assert record.dossier_id == d.pk
    # The dossier's kept page and both agencies' queues are rendered afresh.
    assert (f"dossier:{d.code}", f"dossiers:{w.a.pk}", f"dossiers:{w.a.pk}") in renewed
    declared = record.parties.get(role="declarant")
    assert (declared.full_name, declared.id_number) == ("Nguyễn Văn Bình", APPLICANT["personal_id"])
    audit = AuditEntry.objects.filter(action="civil.register.birth").get()
    assert audit.changes["dossier"] == d.code


def test_wrong_form_for_the_dossier_goes_to_the_right_one(client, w):
    d = _in_processing(w, MARITAL)
    client.force_login(w.officer)
    r = client.get("/civil/register/birth/", {"dossier": d.code})
    assert r.status_code == 302
    assert r["Location"] == f"/civil/register/marital-status/?dossier={d.code}"
    page = client.get(r["Location"])
    person = page.context["b"].people["person"]
    assert (person.initial["family_name"], person.initial["given_name"]) == ("Nguyễn", "Bình")
    assert person.initial["date_of_birth"].isoformat() == APPLICANT["date_of_birth"]


def test_dossier_not_in_processing_opens_no_form(client, w):
    d = _receive(w)  # received, not yet assigned
    client.force_login(w.officer)
    before = state()
    r = client.get("/civil/register/birth/", {"dossier": d.code})
    assert r.status_code == 409
    assert r.context["error"] == (
        f"Chỉ mở tờ khai khi hồ sơ đang xử lý; hồ sơ {d.code} đang ở trạng thái “Đã tiếp nhận”."
    )
    assert 'id="register"' not in r.content.decode()
    r = client.post("/civil/register/birth/", {**_child(), "dossier": d.code})
    assert r.status_code == 409
    assert state() == before


def test_dossier_already_registered_opens_no_second_entry(client, w):
    d = _in_processing(w)
    client.force_login(w.officer)
    record = _birth_from_dossier(client, w, d)
    r = client.get("/civil/register/birth/", {"dossier": d.code})
    assert r.status_code == 409
    assert r.context["error"] == (
        f"Hồ sơ {d.code} đã được ghi vào sổ: {record.book}, số {record.entry_number}."
    )


def test_dossier_of_a_procedure_not_covered(client, w):
    d = _in_processing(w, "2.000528")
    client.force_login(w.officer)
    r = client.get("/civil/register/birth/", {"dossier": d.code})
    assert r.status_code == 409
    assert r.context["error"] == (
        "Thủ tục 2.000528 của hồ sơ không ghi vào Sổ hộ tịch trên hệ thống này."
    )


def test_dossier_of_another_agency_is_not_found(client, w):
    d = _in_processing(w)
    client.force_login(w.officer_b)
    before = state()
    assert client.get("/civil/register/birth/", {"dossier": d.code}).status_code == 404
    assert client.post("/civil/register/birth/", {**_child(), "dossier": d.code}).status_code == 404
    assert state() == before


# --- The approval --------------------------------------------------------------------------------


def test_approval_refused_until_the_entry_is_written(client, w):
    services.civil_register_birth(actor=w.officer, **birth_kwargs())  # A keeps its registers here
    d = _in_processing(w)
    before = Dossier.objects.get(pk=d.pk).status
    with pytest.raises(onestop.CivilEntryMissing) as refused:
        dossier_services.dossier_approve(actor=w.leader, dossier=d)
    assert refused.value.code == "civil_entry_missing"
    assert refused.value.message.startswith(f"Hồ sơ {d.code} chưa được ghi vào Sổ hộ tịch")
    assert Dossier.objects.get(pk=d.pk).status == before == Status.IN_PROCESSING
    # From the dossier page: the refusal in Vietnamese, nothing changed.
    client.force_login(w.leader)
    events = d.events.count()
    r = client.post(f"/dossiers/{d.code}/actions/approve/", {"approve-note": ""})
    assert r.status_code == 409
    assert r.context["error"] == refused.value.message
    assert (Dossier.objects.get(pk=d.pk).status, d.events.count()) == (Status.IN_PROCESSING, events)

    client.force_login(w.officer)
    _birth_from_dossier(client, w, d)
    done = dossier_services.dossier_approve(actor=w.leader, dossier=d)
    assert done.status == Status.APPROVED


def test_approval_untouched_for_other_procedures_and_agencies(w):
    services.civil_register_birth(actor=w.officer, **birth_kwargs())
    land = _in_processing(w, "1.004873")  # civil, but checked only once the entry is missing
    with pytest.raises(onestop.CivilEntryMissing):
        dossier_services.dossier_approve(actor=w.leader, dossier=land)
    # An agency without registers here approves as before.
    from tests import factories
    from xaso.org.models import Staff, StaffRole

    reception_b = factories.staff(agency_obj=w.b, roles=("reception",), username="tiepnhan_b")
    reception_b = Staff.objects.prefetch_related("roles").get(pk=reception_b.pk)
    d = dossier_services.dossier_receive(
        actor=reception_b,
        procedure_code=BIRTH,
        channel="counter",
        applicant=APPLICANT,
        received_at=timezone.now() - timedelta(hours=1),
    )
    d = dossier_services.dossier_assign(actor=reception_b, dossier=d, assignee=w.officer_b)
    assert StaffRole.objects.filter(staff=w.leader_b, role="leader").exists()
    assert dossier_services.dossier_approve(actor=w.leader_b, dossier=d).status == Status.APPROVED


def test_approval_hook_does_not_skip_the_transition_table(w):
    d = _receive(w)
    with pytest.raises(TransitionNotAllowed):
        dossier_services.dossier_approve(actor=w.leader, dossier=d)


# --- The dossier page's box and the civil home's list --------------------------------------------


def _panel(user: Any, d: Dossier) -> str:
    request = RequestFactory().get("/")
    request.user = user
    tpl = Template("{% load civil_onestop %}{% civil_dossier_panel d %}")
    return tpl.render(Context({"d": d, "user": user, "request": request}))


def test_dossier_panel(client, w):
    services.civil_register_birth(actor=w.officer, **birth_kwargs())
    d = _in_processing(w)
    html = _panel(w.officer, d)
    assert f'href="/civil/register/birth/?dossier={d.code}"' in html
    assert "Mở tờ khai đăng ký" in html
    assert "Mở tờ khai đăng ký" in _panel(w.leader, d)  # a leader may register too
    counter = _panel(w.reception, d)
    assert "Mở tờ khai đăng ký" not in counter
    assert "Lãnh đạo phê duyệt hồ sơ sau khi công chức tư pháp - hộ tịch đã ghi sổ." in counter
    client.force_login(w.officer)
    record = _birth_from_dossier(client, w, d)
    for who in (w.officer, w.leader):
        html = _panel(who, d)
        assert f'href="/civil/records/{record.public_id}/"' in html
        assert "Mở tờ khai đăng ký" not in html
    assert "Hồ sơ đã được ghi vào Sổ hộ tịch." in _panel(w.reception, d)
    other = _in_processing(w, "2.000528")
    assert _panel(w.officer, other).strip() == ""


def test_civil_home_lists_dossiers_waiting_for_their_entry(client, w):
    d = _in_processing(w)
    _receive(w)  # received only: not yet the officer's
    client.force_login(w.officer)
    r = client.get("/civil/")
    assert [(a["d"].code, a["url"]) for a in r.context["awaiting"]] == [
        (d.code, f"/civil/register/birth/?dossier={d.code}")
    ]
    _birth_from_dossier(client, w, d)
    assert client.get("/civil/").context["awaiting"] == []
    client.force_login(w.officer_b)
    assert client.get("/civil/").context["awaiting"] == []
