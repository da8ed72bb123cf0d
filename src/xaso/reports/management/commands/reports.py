"""``xaso reports remind``: remind, once, every agency that has not submitted a report whose
deadline falls within ``XASO_REPORT_REMIND_HOURS`` (run it from cron or the worker, e.g. every
hour; running it again reminds nobody twice)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Báo cáo: nhắc hạn nộp báo cáo."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("remind", help="Nhắc các cơ quan chưa nộp báo cáo sắp đến hạn")

    def handle(self, *args: Any, **opts: Any) -> None:
        from ...services import reminders_send

        count = reminders_send()
        self.stdout.write(f"Đã nhắc {count} cơ quan.")
