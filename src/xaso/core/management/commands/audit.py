"""``xaso audit verify`` and ``xaso audit tail``.

``verify`` walks the whole chain and prints the head hash; write it down (or send it to another
body) from time to time: a later ``verify --anchor SEQ:HASH`` proves that nothing up to that entry
changed since, even against someone able to rewrite the whole table.
"""

from __future__ import annotations

import re
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from xaso.core.audit import audit_verify
from xaso.core.models import AuditEntry

ANCHOR_RE = re.compile(r"^#?(\d+):([0-9a-f]{64})$")


def _anchor(value: str) -> tuple[int, str]:
    match = ANCHOR_RE.match(value.strip().lower())
    if not match:
        raise ArgumentTypeError("mốc phải có dạng SỐ:MÃ_BĂM (64 ký tự hex), ví dụ 1234:9f86…")
    return int(match.group(1)), match.group(2)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ArgumentTypeError("phải là số nguyên dương")
    return number


class Command(BaseCommand):
    help = "Nhật ký hệ thống: kiểm tra tính toàn vẹn của chuỗi băm (verify) hoặc xem các mục mới."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="Kiểm tra toàn bộ chuỗi; mã thoát 1 nếu có mục bị sửa/xóa/chèn/đảo."
        )
        verify.add_argument(
            "--anchor",
            action="append",
            type=_anchor,
            default=[],
            metavar="SỐ:MÃ_BĂM",
            help="Mã băm đã ghi lại trước đây của một mục (lặp lại được).",
        )
        verify.add_argument("--chunk-size", type=_positive, default=2000)
        tail = sub.add_parser("tail", help="In các mục mới nhất.")
        tail.add_argument("-n", "--lines", type=_positive, default=20, dest="lines")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(anchors=dict(options["anchor"]), chunk_size=options["chunk_size"])
        else:
            self.tail(options["lines"])

    def verify(self, *, anchors: dict[int, str], chunk_size: int) -> None:
        result = audit_verify(chunk_size=chunk_size, anchors=anchors)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"OK: {result.checked} mục, chuỗi toàn vẹn"))
            self.stdout.write(f"Đầu chuỗi: #{result.head_seq} {result.head_hash}")
            return
        self.stderr.write(
            f"LỖI: chuỗi bị phá vỡ tại mục #{result.first_broken_seq} "
            f"({result.kind_label}): {result.reason}"
        )
        self.stderr.write(
            f"{result.checked} mục đầu còn toàn vẹn; "
            f"mục cuối còn tin được: #{result.head_seq} {result.head_hash}"
        )
        raise SystemExit(1)

    def tail(self, lines: int) -> None:
        entries = list(AuditEntry.objects.order_by("-seq")[:lines])
        zone = timezone.get_default_timezone()
        for e in reversed(entries):
            target = ":".join(p for p in (e.object_type, e.object_id) if p)
            fields = [
                f"#{e.seq}",
                timezone.localtime(e.at, zone).strftime("%d/%m/%Y %H:%M:%S"),
                e.actor_username,
                e.agency_code,
                e.action,
                target,
                e.object_repr,
                e.client_address,
                e.channel,
            ]
            self.stdout.write("  ".join(f or "-" for f in fields))
