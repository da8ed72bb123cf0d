"""Ghi chú ly hôn from the marriage entry's page: the form is offered to those who register, on
a marriage not yet ended; refusals are shown on the form and write nothing."""

from __future__ import annotations

import pytest

from tests.civil.world import birth, marriage, state
from xaso.civil import services
from xaso.civil.current import record_current
from xaso.civil.models import CivilAmendment
from xaso.core.models import AuditEntry

FORM = {
    "kind": "divorce",
    "decided_on": "20/05/2026",
    "authority": "TAND khu vực 1 Phú Thọ",
    "decision": "Bản án số 12/2026/HNGĐ-ST",
}


def _written():
    """What a refused note must leave as it was (the page shown again is an audited read)."""
    return (*state()[:-1], AuditEntry.objects.exclude(action="civil.read").count())


def _marriage(w):
    return services.civil_register_marriage(actor=w.officer, **marriage())


def _url(record):
    return f"/civil/records/{record.public_id}/divorce/"


@pytest.mark.parametrize("who", ("officer", "generalist", "leader"))
def test_the_marriage_page_offers_the_note_and_writes_it(client, w, who):
    m = _marriage(w)
    client.force_login(getattr(w, who))
    page = client.get(f"/civil/records/{m.public_id}/")
    assert page.context["divorce_form"] is not None
    assert 'data-testid="divorce"' in page.content.decode()

    r = client.post(_url(m), FORM)
    assert r.status_code == 302 and r["Location"] == f"/civil/records/{m.public_id}/"
    a = CivilAmendment.objects.get(record=m)
    assert (a.kind, a.field, a.new_value, a.basis) == (
        "divorce",
        "ended_on",
        "2026-05-20",
        "Bản án số 12/2026/HNGĐ-ST — TAND khu vực 1 Phú Thọ",
    )
    assert record_current(m).content["ended_by"] == "divorce"
    after = client.get(f"/civil/records/{m.public_id}/")
    assert after.context["divorce_form"] is None  # ended: nothing more to note
    assert "Đã ghi chú việc ly hôn vào mục kết hôn." in after.content.decode()


def test_no_form_on_other_entries_nor_for_readers_who_do_not_register(client, w):
    b = services.civil_register_birth(actor=w.officer, **birth())
    m = _marriage(w)
    client.force_login(w.officer)
    assert client.get(f"/civil/records/{b.public_id}/").context["divorce_form"] is None
    before = _written()
    for who in ("land", "reception", "clerk", "admin", "supervisor"):
        client.force_login(getattr(w, who))
        assert client.post(_url(m), FORM).status_code == 403, who
    assert _written() == before


def test_refusals_show_on_the_form_and_write_nothing(client, w):
    m = _marriage(w)
    client.force_login(w.officer)
    before = _written()
    r = client.post(_url(m), {**FORM, "decided_on": "01/01/2026"})  # before the marriage
    assert r.status_code == 400
    assert r.context["divorce_form"].non_field_errors() == ["Ngày ly hôn trước ngày kết hôn."]
    r = client.post(_url(m), {**FORM, "decided_on": "", "authority": ""})
    assert r.status_code == 400
    assert r.context["divorce_form"].errors["decided_on"] == [
        "Cần ghi ngày bản án, quyết định có hiệu lực."
    ]
    r = client.post(_url(m), {**FORM, "authority": ""})
    assert r.status_code == 400
    assert r.context["divorce_form"].errors["authority"] == ["Cần ghi cơ quan quyết định."]
    assert _written() == before


def test_another_agencys_marriage_is_not_found(client, w):
    m = _marriage(w)
    client.force_login(w.officer_b)
    before = _written()
    assert client.post(_url(m), FORM).status_code == 404
    assert _written() == before
