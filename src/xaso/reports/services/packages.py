"""Packages of reports through the exchange: one ``report_request`` or ``report`` edXML
package put in the outbox with the caller's rows (QCVN 102:2016/BTTTT)."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.org.models import Agency

from .. import files
from ..models import (
    ReportRequest,
)

log = logging.getLogger("xaso.reports")

ACTION_REQUEST, ACTION_REMIND, ACTION_CLOSE = "request", "remind", "close"
#: The requester moved the deadline later (gia hạn); ``extra["deadline"]`` is the new one.
ACTION_EXTEND = "extend"
#: The requester returned one agency's submission for correction (trả lại để hoàn thiện);
#: ``extra["version"]`` names it, ``extra["reason"]`` says why. Sent to that agency only.
ACTION_RETURN = "return"


def _org(code: str, name: str) -> Any:
    from xaso.exchange.edxml import Organization

    return Organization(code=code, name=name)


def _send(
    *,
    kind: str,
    sender: Agency,
    recipients: list[Any],
    subject: str,
    extra: dict[str, str],
    signer_name: str = "",
    due: date | None = None,
    reply_to: str | None = None,
    attachment: files.CheckedFile | None = None,
) -> str:
    """Put one package in the exchange's outbox (committed with the caller's rows); its id."""
    from xaso.exchange import edxml, services

    is_report = kind == "report"
    message_id = str(uuid.uuid4())
    services.exchange_send(
        package=edxml.DocumentPackage(
            message_id=message_id,
            sender=_org(sender.code, sender.name),
            recipients=recipients,
            code_number="",
            code_notation="",
            place=sender.unit.name if sender.unit_id else "",
            promulgation_date=timezone.localdate(),
            document_type="BC" if is_report else "CV",
            document_type_name=_("Báo cáo") if is_report else _("Công văn"),
            subject=subject[:500],
            signer_name=signer_name,
            due_date=due,
            reply_to=reply_to,
            kind=kind,
            attachments=(
                [
                    edxml.Attachment(
                        name=attachment.name,
                        content_type=attachment.content_type,
                        data=attachment.data,
                    )
                ]
                if attachment is not None
                else []
            ),
            extra=extra,
        )
    )
    return message_id


def _request_extra(request: ReportRequest, action: str) -> dict[str, str]:
    extra = {"action": action, "request_id": str(request.origin_id)}
    if action == ACTION_EXTEND:
        extra["deadline"] = request.deadline.isoformat()
    if action == ACTION_REQUEST:
        extra.update(
            {
                "title": request.title,
                "instructions": request.instructions,
                "period_from": request.period_from.isoformat(),
                "period_to": request.period_to.isoformat(),
                "deadline": request.deadline.isoformat(),
                "kind": request.kind,
                "indicators": json.dumps(request.indicators, ensure_ascii=False),
                "signature_required": "1" if request.signature_required else "0",
            }
        )
    return extra
