"""``xaso signing issue-demo --agency CODE``, ``xaso signing list`` and
``xaso signing import --agency CODE --file X.p12`` (the password is asked for, or read from
``--password-file``: it never appears in the shell history or the process list)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xaso.core.errors import DomainError
from xaso.org.models import Agency

from ... import selectors, services


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise CommandError(f"Không có cơ quan mã {code}.")
    return agency


class Command(BaseCommand):
    help = "Chứng thư số của cơ quan: cấp chứng thư minh họa, nhập tệp PKCS#12, liệt kê."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        demo = sub.add_parser(
            "issue-demo", help="Cấp chứng thư minh họa (Xã Số Demo CA) cho một cơ quan."
        )
        demo.add_argument("--agency", required=True, metavar="MÃ", help="Mã cơ quan")
        demo.add_argument(
            "--renew", action="store_true", help="Cấp mới kể cả khi chứng thư hiện tại còn hạn"
        )
        imp = sub.add_parser("import", help="Nhập chứng thư số thật từ tệp PKCS#12 (.p12, .pfx).")
        imp.add_argument("--agency", required=True, metavar="MÃ")
        imp.add_argument("--file", required=True, type=Path, metavar="TỆP")
        imp.add_argument(
            "--password-file",
            type=Path,
            metavar="TỆP",
            help="Tệp chứa mật khẩu (mặc định: hỏi khi chạy)",
        )
        sub.add_parser("list", help="Liệt kê chứng thư số.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "issue-demo":
                cert = services.certificate_issue_demo(
                    agency=_agency(options["agency"]), renew=options["renew"]
                )
                self._show(cert)
            elif options["subcommand"] == "import":
                path: Path = options["file"]
                if not path.is_file():
                    raise CommandError(f"Không có tệp {path}.")
                if options["password_file"]:
                    password = options["password_file"].read_text().rstrip("\r\n")
                else:
                    password = getpass.getpass("Mật khẩu tệp PKCS#12: ")
                cert = services.certificate_import(
                    actor=None,
                    agency=_agency(options["agency"]),
                    data=path.read_bytes(),
                    password=password,
                )
                self._show(cert)
            else:
                self.list()
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _show(self, cert: Any) -> None:
        self.stdout.write(
            f"{cert.agency.code}  {cert.common_name}  số hiệu {cert.serial}  "
            f"hiệu lực {timezone.localtime(cert.valid_from):%d/%m/%Y}"
            f"–{timezone.localtime(cert.valid_to):%d/%m/%Y}  SHA-256 {cert.fingerprint}"
        )

    def list(self) -> None:
        rows = list(selectors.certificate_list())
        if not rows:
            self.stdout.write(
                "Chưa có chứng thư số nào (chạy `xaso demo` hoặc `xaso signing issue-demo`)."
            )
            return
        self.stdout.write(
            "Mã cơ quan  Trạng thái   Nguồn     Hiệu lực                Tên / số hiệu"
        )
        for c in rows:
            state = "đang dùng" if c.is_active else "đã thay"
            self.stdout.write(
                f"{c.agency.code:<11} {state:<12} {c.source:<9} "
                f"{timezone.localtime(c.valid_from):%d/%m/%Y}–"
                f"{timezone.localtime(c.valid_to):%d/%m/%Y}   {c.common_name} / {c.serial}"
            )
