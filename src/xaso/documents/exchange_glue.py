"""The one module that talks to the exchange (``xaso.exchange``, liên thông văn bản, QCVN
102:2016/BTTTT). The exchange never imports documents; documents build its packages here, hand
them over inside their own transaction (store-and-forward outbox) and register the receiving
handlers from ``DocumentsConfig.ready()``."""

from __future__ import annotations

import importlib.util
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from xaso.org.models import Agency

from .errors import ExchangeUnavailable

if TYPE_CHECKING:
    from xaso.exchange.edxml import DocumentPackage  # type: ignore[import-not-found,unused-ignore]

#: The package kinds whose documents become incoming documents here.
DOCUMENT_KINDS = ("document", "directive")


def available() -> bool:
    """True when the exchange's package, registry and services modules are installed."""
    return all(
        importlib.util.find_spec(f"xaso.exchange.{name}") is not None
        for name in ("edxml", "registry", "services")
    )


def _require() -> None:
    if not available():
        raise ExchangeUnavailable(_("Chưa cài đặt chức năng liên thông văn bản trên hệ thống này."))


def organization(agency: Agency) -> Any:
    from xaso.exchange.edxml import Organization  # type: ignore[import-not-found,unused-ignore]

    return Organization(code=agency.code, name=agency.name)


def directory_names(codes: list[str]) -> dict[str, str]:
    """Code → name of the agencies in the exchange directory among ``codes``: this node's
    (``org.Agency``) and, when the exchange is installed, those of other nodes."""
    names = {
        a.code: a.name
        for a in Agency.objects.filter(code__in=codes, is_active=True).only("code", "name")
    }
    missing = [c for c in codes if c not in names]
    if missing and available():
        from xaso.exchange.models import RemoteAgency  # type: ignore[import-not-found,unused-ignore]

        names.update(RemoteAgency.objects.filter(code__in=missing).values_list("code", "name"))
    return names


def codes_below(agency: Agency) -> list[str]:
    """The codes of every agency below ``agency``, on this node and on the others the exchange
    directory knows: the addressees of a directive sent to "all agencies below"."""
    _require()
    from xaso.exchange.directory import agencies_below

    return [code for code, _name, _local in agencies_below(agency=agency)]


def new_message_id() -> str:
    return str(uuid.uuid4())


def send_document(
    *,
    message_id: str,
    sender: Agency,
    recipients: list[tuple[str, str]],
    code_number: str,
    code_notation: str,
    place: str,
    promulgation_date: date,
    document_type: str,
    document_type_name: str,
    subject: str,
    signer_name: str,
    signer_position: str,
    urgency: str,
    attachment_name: str,
    attachment: bytes,
    kind: str = "document",
    reply_to: str | None = None,
) -> DocumentPackage:
    """Build the edXML package of an issued document and put it in the exchange's outbox (the
    caller's transaction commits it with the caller's own rows)."""
    _require()
    from xaso.exchange import edxml, services  # type: ignore[import-not-found,unused-ignore]

    package = edxml.DocumentPackage(
        message_id=message_id,
        sender=organization(sender),
        recipients=[edxml.Organization(code=code, name=name) for code, name in recipients],
        code_number=code_number,
        code_notation=code_notation,
        place=place,
        promulgation_date=promulgation_date,
        document_type=document_type,
        document_type_name=document_type_name,
        subject=subject,
        signer_name=signer_name,
        signer_position=signer_position,
        urgency=urgency,
        reply_to=reply_to,
        kind=kind,
        attachments=[
            edxml.Attachment(name=attachment_name, content_type="application/pdf", data=attachment)
        ],
    )
    services.exchange_send(package=package)
    return package


def send_status(
    *,
    document_message_id: str,
    sender: Agency,
    recipient_code: str,
    recipient_name: str,
    status: str,
    at: datetime,
    staff_name: str = "",
    comment: str = "",
) -> None:
    """Tell the original sender what happened to its document here (registered, assigned,
    processing, completed), through the outbox."""
    _require()
    from xaso.exchange import edxml, services  # type: ignore[import-not-found,unused-ignore]

    services.exchange_send_status(
        status=edxml.StatusPackage(
            message_id=new_message_id(),
            document_message_id=document_message_id,
            sender=organization(sender),
            recipient=edxml.Organization(code=recipient_code, name=recipient_name),
            status=status,
            at=at,
            staff_name=staff_name,
            comment=comment,
        )
    )


def register_handlers() -> bool:
    """Register the receiving handlers with the exchange; False when it is not installed."""
    if not available():
        return False
    from xaso.exchange import registry  # type: ignore[import-not-found,unused-ignore]

    from .services.receiving import (
        document_received,
        documents_received,
        status_received,
        statuses_received,
    )

    # The batch variants take the many recipients of this node delivered together (a directive
    # to 150 communes) in a few queries instead of a few per commune.
    for kind in DOCUMENT_KINDS:
        registry.register_document_handler(kind, document_received, batch=documents_received)
    registry.register_status_handler(status_received, batch=statuses_received)
    return True
