"""Fixtures of the exchange tests: a clean handler registry around each test, and packages with
Vietnamese text."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from xaso.exchange import registry
from xaso.exchange.edxml import Attachment, DocumentPackage, Organization, Trace


@pytest.fixture(autouse=True)
def _exchange_settings(settings):
    # Tests drive delivery themselves; no background thread racing the test's connection.
    settings.XASO_EXCHANGE_SEND_AT_ONCE = False


@pytest.fixture(autouse=True)
def clean_registry():
    saved_docs = dict(registry._document_handlers)
    saved_status = list(registry._status_handlers)
    registry._document_handlers.clear()
    registry._status_handlers.clear()
    yield
    registry._document_handlers.clear()
    registry._document_handlers.update(saved_docs)
    registry._status_handlers[:] = saved_status


def make_package(
    sender: Organization, recipients: list[Organization], **overrides: object
) -> DocumentPackage:
    values: dict[str, object] = {
        "message_id": str(uuid.uuid4()),
        "sender": sender,
        "recipients": recipients,
        "code_number": "05",
        "code_notation": "QĐ-UBND",
        "place": "Thạch Khoán",
        "promulgation_date": date(2026, 11, 27),
        "document_type": "QĐ",
        "document_type_name": "Quyết định",
        "subject": "Về việc kiện toàn Ban chỉ đạo chuyển đổi số xã Thạch Khoán",
        "summary": "Kiện toàn Ban chỉ đạo; giao Văn phòng HĐND-UBND theo dõi, đôn đốc.",
        "signer_name": "Nguyễn Văn Hùng",
        "signer_position": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
        "urgency": "urgent",
        "due_date": date(2026, 12, 5),
        "attachments": [
            Attachment(
                name="05-QĐ-UBND.signed.pdf",
                content_type="application/pdf",
                data=b"%PDF-1.7\n" + bytes(range(256)) * 4,
                description="Bản ký số",
            )
        ],
        "traces": [Trace(organ_code=sender.code, at=datetime(2026, 11, 27, 2, 30, tzinfo=UTC))],
        "extra": {"ghi_chu": "Văn bản điện tử"},
    }
    values.update(overrides)
    return DocumentPackage(**values)  # type: ignore[arg-type]
