from __future__ import annotations

import json
import time
import uuid
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xaso.exchange import services, transport
from xaso.exchange.edxml import Attachment, DocumentPackage, Organization
from xaso.exchange.models import OutboxMessage
from xaso.org.models import Agency


class Command(BaseCommand):
    help = "Test node: send N packages from a local agency, or POST one stored package again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sender", required=True)
        parser.add_argument("--to", required=True, help="recipient codes, comma separated")
        parser.add_argument("--count", type=int, default=1)
        parser.add_argument("--interval", type=float, default=0.0, help="seconds between sends")
        parser.add_argument("--repost", default="", help="message id to POST again as stored")
        parser.add_argument("--times", type=int, default=1, help="with --repost: how often")
        parser.add_argument("--latencies", action="store_true", help="print delivery latencies")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["latencies"]:
            rows = OutboxMessage.objects.filter(kind="document", node__isnull=False).order_by("pk")
            self.stdout.write(
                json.dumps(
                    {
                        "delivered": [
                            (r.delivered_at - r.created_at).total_seconds()
                            for r in rows
                            if r.delivered_at is not None
                        ],
                        "undelivered": sum(1 for r in rows if r.delivered_at is None),
                    }
                )
            )
            return
        if opts["repost"]:
            answers = []
            for row in OutboxMessage.objects.select_related("node", "package").filter(
                message_id=opts["repost"], node__isnull=False
            ):
                assert row.node is not None
                for _ in range(opts["times"]):
                    state, reason = transport.post_message(
                        node=row.node,
                        recipient_code=row.recipient_code,
                        body=bytes(row.package.data),
                    )
                    answers.append({"state": state, "reason": reason})
            self.stdout.write(json.dumps(answers))
            return
        sender = Agency.objects.get(code=opts["sender"])
        recipients = []
        for code in opts["to"].split(","):
            local = Agency.objects.filter(code=code).first()
            recipients.append(Organization(code=code, name=local.name if local else code))
        ids = []
        for i in range(opts["count"]):
            package = DocumentPackage(
                message_id=str(uuid.uuid4()),
                sender=Organization(code=sender.code, name=sender.name),
                recipients=recipients,
                code_number=f"{i + 1:02d}",
                code_notation="CV-UBND",
                place="Thanh Sơn",
                promulgation_date=date(2026, 11, 28),
                document_type="CV",
                document_type_name="Công văn",
                subject=f"Về việc triển khai chuyển đổi số cấp xã, lần {i + 1}",
                signer_name="Nguyễn Văn Hùng",
                signer_position="CHỦ TỊCH",
                urgency="urgent",
                attachments=[
                    Attachment(
                        name="công-văn.pdf", content_type="application/pdf", data=b"%PDF-1.7 " * 200
                    )
                ],
            )
            services.exchange_send(package=package)
            ids.append(package.message_id)
            if opts["interval"]:
                time.sleep(opts["interval"])
        self.stdout.write(json.dumps(ids))
