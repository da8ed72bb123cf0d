"""Shared by the certificate tests (no tests here; a test module imports the fixtures it uses,
``forms_fixture`` and ``signing_fixture``, which pytest then finds by their names ``forms`` and
``signing``): the signing key folder, registered entries of every kind, a document rendered
without being issued, and readers of the PDFs (pdftotext, zbarimg, pdfsig)."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.civil.world import CivilWorld, birth, death, leader_titled, marriage
from tests.dossiers.documents.pdftools import decode_qr
from xaso.civil import services
from xaso.civil.models import CivilRecord

# --- Fixtures -----------------------------------------------------------------------------------


_DATA_DIR: dict[str, Path] = {}


def data_dir(factory: pytest.TempPathFactory) -> Path:
    """One key folder for the session: the demo CA and the cut stamp font are made once."""
    if "path" not in _DATA_DIR:
        _DATA_DIR["path"] = factory.mktemp("certificates-data")
    return _DATA_DIR["path"]


@pytest.fixture(name="signing")
def signing_fixture(
    settings: Any, tmp_path_factory: pytest.TempPathFactory, w: CivilWorld
) -> CivilWorld:
    """Keys under a session data folder (the demo CA made once), the demo certificates of both
    communes, no TSA, the demo CA trusted; the leader of A titled Chủ tịch."""
    from xaso.signing.services import certificate_issue_demo

    settings.DATA_DIR = data_dir(tmp_path_factory)
    settings.XASO_SIGNING_TRUST_ROOTS = ""
    settings.XASO_SIGNING_TRUST_DEMO_CA = True
    settings.XASO_SIGNING_TSA_URL = ""
    settings.XASO_SIGNING_KEYSTORE_PASSPHRASE = None
    settings.XASO_PUBLIC_BASE_URL = "https://xaso.example.vn"
    leader_titled(w)
    name_units(w)
    certificate_issue_demo(agency=w.a)
    certificate_issue_demo(agency=w.b)
    return w


def name_units(w: CivilWorld) -> None:
    for agency, name in ((w.a, "Xã Đông"), (w.b, "Xã Tây")):
        agency.unit.name = name
        agency.unit.save(update_fields=["name", "name_folded"])


@pytest.fixture(name="forms")
def forms_fixture(w: CivilWorld, settings) -> CivilWorld:
    """The world with its communes' units named (the place of the date line), for rendering
    forms without issuing them (no keys needed)."""
    settings.XASO_PUBLIC_BASE_URL = "https://xaso.example.vn"
    leader_titled(w)
    name_units(w)
    return w


CODE = "7K3MQ9TP2XWAHR4D"


def render_record(
    record: CivilRecord,
    *,
    kind: str = "original",
    issued_on: date = date(2026, 6, 1),
    signer: tuple[str, str] = ("Đinh Công Sơn", "Chủ tịch UBND xã"),
    code: str = CODE,
) -> tuple[Any, bytes]:
    """The sheet and the unsigned PDF of a document of ``record``, as the service would make
    them (without recording an issue)."""
    from xaso.civil.certificates.content import Issue, related_ids, sheet_for, signer_block
    from xaso.civil.certificates.render import render_sheet
    from xaso.civil.current import record_current
    from xaso.civil.selectors import RECORD_PREFETCH
    from xaso.dossiers.slips import issuer_for

    fresh = (
        CivilRecord.objects.select_related("book", "agency__unit")
        .prefetch_related(*RECORD_PREFETCH)
        .get(pk=record.pk)
    )
    issuer = issuer_for(fresh.agency)
    issue = Issue(
        kind=kind,
        issued_on=issued_on,
        signer=signer_block(*signer),
        code=code,
        verify_url=f"https://xaso.example.vn/civil/certificates/verify/{code}/",
        agency_lines=tuple(x.upper() for x in (issuer.parent_name, issuer.name) if x),
        place=issuer.place,
        agency_name=issuer.name,
    )
    related = {}
    for public_id in related_ids(fresh):
        other = (
            CivilRecord.objects.select_related("book")
            .prefetch_related(*RECORD_PREFETCH)
            .get(public_id=public_id)
        )
        related[public_id] = record_current(other)
    sheet = sheet_for(record_current(fresh), issue, related)
    return sheet, render_sheet(sheet).pdf


def register_birth(w: CivilWorld, **over: Any) -> CivilRecord:
    return services.civil_register_birth(actor=w.officer, **birth(**over))


def register_marriage(w: CivilWorld, **over: Any) -> CivilRecord:
    return services.civil_register_marriage(actor=w.officer, **marriage(**over))


def register_death(w: CivilWorld, **over: Any) -> CivilRecord:
    return services.civil_register_death(actor=w.officer, **death(**over))


def correct_child_name(w: CivilWorld, record: CivilRecord, on: date) -> CivilRecord:
    """Cải chính the child's given name Hằng → Hằng Nga."""
    return services.civil_register_change(
        actor=w.officer,
        target=record,
        kind="correction",
        changes=[{"role": "child", "field": "given_name", "value": "Hằng Nga"}],
        reason="Ghi sai tên khi đăng ký",
        requester={"full_name": "Trần Thị Mỹ", "relationship": "mother"},
        registered_on=on,
    )


# --- Readers ------------------------------------------------------------------------------------


def text(pdf: bytes, *, layout: bool = False) -> str:
    """pdftotext in NFC (the text layer as a reader copies it)."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    out = subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()
    return unicodedata.normalize("NFC", out)


def lines(pdf: bytes) -> list[str]:
    """The body's lines, spaces squeezed (pdftotext's reading order)."""
    return [re.sub(r"\s+", " ", ln).strip() for ln in text(pdf).splitlines() if ln.strip()]


def qr_codes(pdf: bytes) -> list[str]:
    return decode_qr(pdf)


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    target = tmp_path / "issued.pdf"
    target.write_bytes(pdf)
    done = subprocess.run(["pdfsig", str(target)], capture_output=True, text=True)
    return done.stdout + done.stderr
