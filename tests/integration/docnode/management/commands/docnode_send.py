from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xaso.exchange import services
from xaso.exchange.edxml import Attachment, DocumentPackage, Organization
from xaso.org.models import Agency


class Command(BaseCommand):
    help = (
        "Test node: send one document package from a local agency, signed by this node, with the "
        "given document type and PDF file (what a faulty or foreign sender might send)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sender", required=True)
        parser.add_argument("--to", required=True)
        parser.add_argument("--doc-type", required=True)
        parser.add_argument("--pdf", type=Path, required=True)
        parser.add_argument("--subject", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        sender = Agency.objects.get(code=opts["sender"])
        package = DocumentPackage(
            message_id=str(uuid.uuid4()),
            sender=Organization(code=sender.code, name=sender.name),
            recipients=[Organization(code=opts["to"], name=opts["to"])],
            code_number="09",
            code_notation="XX-UBND",
            place="Thanh Sơn",
            promulgation_date=date(2026, 11, 28),
            document_type=opts["doc_type"],
            document_type_name=opts["doc_type"],
            subject=opts["subject"],
            signer_name="Đinh Công Sơn",
            signer_position="CHỦ TỊCH",
            attachments=[
                Attachment(
                    name="van-ban.pdf",
                    content_type="application/pdf",
                    data=opts["pdf"].read_bytes(),
                )
            ],
        )
        services.exchange_send(package=package)
        self.stdout.write(json.dumps(package.message_id))
