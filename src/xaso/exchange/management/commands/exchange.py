"""``xaso exchange``: this node and its peers, and delivery of the outbox.

- ``init-node --code C --name N --url URL``: make this node's key (``XASO_DATA_DIR/keys/exchange``,
  0600, never logged nor in the database) and self-signed certificate;
- ``export-node``: this node's JSON (code, name, url, certificate) for a peer to import;
- ``add-node --code C --url URL --certificate FILE [--name N]`` or ``add-node --json FILE``:
  register (or update) a peer node;
- ``add-agency --code MCQ --name N --node C [--parent MCQ] [--level L]``: an agency on a peer;
- ``deliver [--all]``: send every outbox message that is due (``--all``: also those waiting out
  their backoff, e.g. after a peer came back); the worker or cron runs it;
- ``show MESSAGE_ID``: what this node has for a message (outbox and inbox rows), as JSON;
- ``query MESSAGE_ID --node C``: ask peer C what it recorded for a message sent from here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xaso.core.errors import DomainError

from ... import directory, services, transport
from ...errors import DeliveryFailed
from ...models import InboxMessage, Node, OutboxMessage


class Command(BaseCommand):
    help = "Liên thông văn bản: nút, danh bạ cơ quan ở nút khác, gửi hộp thư đi."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("init-node", help="Tạo khóa và chứng thư của nút này")
        p.add_argument("--code", required=True)
        p.add_argument("--name", required=True)
        p.add_argument("--url", required=True)
        sub.add_parser("export-node", help="In JSON mô tả nút này cho nút khác nhập")
        p = sub.add_parser("add-node", help="Thêm/cập nhật nút ngang hàng")
        p.add_argument("--code")
        p.add_argument("--name", default="")
        p.add_argument("--url")
        p.add_argument("--certificate", type=Path)
        p.add_argument("--json", type=Path, help="Tệp JSON từ `export-node` của nút kia")
        p = sub.add_parser("add-agency", help="Thêm cơ quan ở nút khác vào danh bạ")
        p.add_argument("--code", required=True)
        p.add_argument("--name", required=True)
        p.add_argument("--node", required=True)
        p.add_argument("--parent", default="")
        p.add_argument("--level", type=int, default=0)
        p = sub.add_parser("deliver", help="Gửi các gói tin đến hạn")
        p.add_argument("--all", action="store_true", help="Gửi cả gói tin đang chờ thử lại")
        p = sub.add_parser("show", help="Trạng thái một gói tin ở nút này (JSON)")
        p.add_argument("message_id")
        p = sub.add_parser("query", help="Hỏi nút nhận đã ghi nhận gói tin thế nào (JSON)")
        p.add_argument("message_id")
        p.add_argument("--node", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "_" + opts["action"].replace("-", "_"))(opts)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except DeliveryFailed as exc:
            raise CommandError(str(exc)) from exc

    def _init_node(self, opts: dict[str, Any]) -> None:
        node = directory.node_init(code=opts["code"], name=opts["name"], base_url=opts["url"])
        self.stdout.write(f"Đã khởi tạo nút {node.code} ({node.base_url}).")

    def _export_node(self, opts: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(directory.node_export(), ensure_ascii=False))

    def _add_node(self, opts: dict[str, Any]) -> None:
        if opts["json"]:
            node = directory.node_add_from_json(data=_read(opts["json"]))
        else:
            if not (opts["code"] and opts["url"] and opts["certificate"]):
                raise CommandError("Cần --code, --url và --certificate (hoặc --json TỆP).")
            node = directory.node_add(
                code=opts["code"],
                name=opts["name"],
                base_url=opts["url"],
                certificate=_read(opts["certificate"]),
            )
        self.stdout.write(f"Đã ghi nút {node.code} ({node.base_url}).")

    def _add_agency(self, opts: dict[str, Any]) -> None:
        agency = directory.remote_agency_add(
            code=opts["code"],
            name=opts["name"],
            node_code=opts["node"],
            parent_code=opts["parent"],
            level=opts["level"],
        )
        self.stdout.write(f"Đã ghi cơ quan {agency.code} ở nút {agency.node.code}.")

    def _deliver(self, opts: dict[str, Any]) -> None:
        counts = services.deliver_due(everything=opts["all"])
        self.stdout.write(
            f"Đã gửi {counts['delivered']}, lỗi {counts['failed']}, bỏ qua {counts['skipped']}."
        )

    def _show(self, opts: dict[str, Any]) -> None:
        mid = opts["message_id"]
        out = OutboxMessage.objects.filter(message_id=mid).order_by("recipient_code")
        inbox = InboxMessage.objects.filter(message_id=mid).order_by("recipient_code")
        self.stdout.write(
            json.dumps(
                {
                    "message_id": mid,
                    "outbox": [
                        {
                            "recipient_code": o.recipient_code,
                            "state": o.state,
                            "attempts": o.attempts,
                            "answer": o.answer,
                            "remote_status": o.remote_status,
                            "last_error": o.last_error,
                        }
                        for o in out
                    ],
                    "inbox": [
                        {"recipient_code": i.recipient_code, "state": i.state, "reason": i.reason}
                        for i in inbox
                    ],
                },
                ensure_ascii=False,
            )
        )

    def _query(self, opts: dict[str, Any]) -> None:
        node = Node.objects.filter(code=opts["node"], is_self=False).first()
        if node is None:
            raise CommandError(f"Không có nút {opts['node']}.")
        rows = transport.get_message(node=node, message_id=opts["message_id"])
        self.stdout.write(json.dumps(rows, ensure_ascii=False, default=str))


def _read(path: Path | str) -> str:
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"Không có tệp {path}.")
    return path.read_text(encoding="utf-8")
