"""Whole-catalogue exchange: the shipped seed, JSON and Excel files in and out."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from xaso.org.models import Staff

from .excel import workbook_bytes, workbook_records
from .records import procedure_record
from .selectors import catalogue_all
from .services import CatalogueRejected, ImportResult, Rejection, catalogue_import

SEED_PATH = Path(__file__).parent / "data" / "procedures-commune.json"
XLSX_MAGIC = b"PK\x03\x04"


def catalogue_records() -> list[dict[str, Any]]:
    return [procedure_record(p) for p in catalogue_all()]


def catalogue_json() -> str:
    return json.dumps(catalogue_records(), ensure_ascii=False, indent=1) + "\n"


def catalogue_xlsx() -> bytes:
    return workbook_bytes(catalogue_records())


def catalogue_load_seed(actor: Staff | None = None) -> ImportResult:
    """Load the shipped commune catalogue (60 procedures); running it again changes nothing."""
    return catalogue_import(json.loads(SEED_PATH.read_text(encoding="utf-8")), actor)


def catalogue_import_file(content: bytes, actor: Staff | None = None) -> ImportResult:
    """Import a JSON or .xlsx catalogue file, told apart by its content."""
    if content.startswith(XLSX_MAGIC):
        records, locations, rejections = workbook_records(io.BytesIO(content))
        if rejections and not records:
            raise CatalogueRejected(rejections)
        return catalogue_import(records, actor, locations=locations, rejections=rejections)
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CatalogueRejected(
            [Rejection("Tệp", None, [f"Tệp không phải JSON hợp lệ ({exc.__class__.__name__})."])]
        ) from None
    return catalogue_import(data, actor)
