"""``xaso signing``: the signing keys of agencies and people.

- ``issue-demo --agency CODE`` / ``issue-demo --staff USERNAME`` [``--renew``]: a demo certificate
  (Xã Số Demo CA) for an agency, or a personal one for a person (e.g. the leader who signs);
- ``import --agency CODE --file X.p12`` [``--staff USERNAME``]: a PKCS#12 from a licensed CA (the
  password is asked for, or read from ``--password-file``: never in the shell history or the
  process list);
- ``import-pkcs11 --agency CODE --module PATH --token LABEL --key-label L`` [``--key-id HEX``]
  [``--staff USERNAME``] [``--pin-env VAR`` | ``--pin-file FILE``]: a key on a PKCS#11 token; with
  ``--pin-env`` the PIN stays in that environment variable (only its name is kept), else it is
  asked for (or read from the file) and kept encrypted under the key-store passphrase;
- ``image --agency CODE [--staff USERNAME] --file X.png``: the seal or a signature image;
- ``list``.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xaso.core.errors import DomainError
from xaso.org.models import Agency, Staff

from ... import selectors, services


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise CommandError(f"Không có cơ quan mã {code}.")
    return agency


def _staff(username: str) -> Staff:
    staff = Staff.objects.select_related("agency").filter(username=username).first()
    if staff is None:
        raise CommandError(f"Không có tài khoản {username}.")
    return staff


def _owner(options: dict[str, Any]) -> tuple[Agency, Staff | None]:
    staff = _staff(options["staff"]) if options.get("staff") else None
    if options.get("agency"):
        agency = _agency(options["agency"])
        if staff is not None and staff.agency_id != agency.pk:
            raise CommandError(f"{staff.username} không thuộc cơ quan {agency.code}.")
        return agency, staff
    if staff is None:
        raise CommandError("Cần --agency MÃ (hoặc --staff TÊN_ĐĂNG_NHẬP).")
    return staff.agency, staff


def _secret_from(path: Path | None, prompt: str) -> str:
    if path is not None:
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        return path.read_text().rstrip("\r\n")
    return getpass.getpass(prompt)


class Command(BaseCommand):
    help = (
        "Chứng thư số của cơ quan và người ký: cấp chứng thư minh họa, nhập tệp PKCS#12 hoặc "
        "khóa trên token PKCS#11, tải ảnh chữ ký/con dấu, liệt kê."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        demo = sub.add_parser(
            "issue-demo",
            help="Cấp chứng thư minh họa (Xã Số Demo CA) cho một cơ quan hoặc một người ký.",
        )
        demo.add_argument("--agency", metavar="MÃ", help="Mã cơ quan")
        demo.add_argument("--staff", metavar="TÊN_ĐĂNG_NHẬP", help="Người ký (chứng thư cá nhân)")
        demo.add_argument(
            "--renew", action="store_true", help="Cấp mới kể cả khi chứng thư hiện tại còn hạn"
        )
        imp = sub.add_parser("import", help="Nhập chứng thư số thật từ tệp PKCS#12 (.p12, .pfx).")
        imp.add_argument("--agency", metavar="MÃ")
        imp.add_argument("--staff", metavar="TÊN_ĐĂNG_NHẬP", help="Người ký (chứng thư cá nhân)")
        imp.add_argument("--file", required=True, type=Path, metavar="TỆP")
        imp.add_argument(
            "--password-file",
            type=Path,
            metavar="TỆP",
            help="Tệp chứa mật khẩu (mặc định: hỏi khi chạy)",
        )
        p11 = sub.add_parser(
            "import-pkcs11", help="Dùng khóa trên thiết bị ký số (token PKCS#11, USB token)."
        )
        p11.add_argument("--agency", metavar="MÃ")
        p11.add_argument("--staff", metavar="TÊN_ĐĂNG_NHẬP", help="Người ký (chứng thư cá nhân)")
        p11.add_argument("--module", required=True, metavar="THƯ_VIỆN", help="Thư viện PKCS#11")
        p11.add_argument("--token", required=True, metavar="NHÃN", help="Nhãn token")
        p11.add_argument("--key-label", default="", metavar="NHÃN", help="Nhãn khóa")
        p11.add_argument("--key-id", default="", metavar="HEX", help="ID khóa (hệ 16)")
        pin = p11.add_mutually_exclusive_group()
        pin.add_argument(
            "--pin-env",
            default="",
            metavar="BIẾN",
            help="Biến môi trường chứa mã PIN (chỉ lưu tên biến)",
        )
        pin.add_argument(
            "--pin-file",
            type=Path,
            metavar="TỆP",
            help="Tệp chứa mã PIN (mặc định: hỏi khi chạy); mã PIN được lưu mã hóa",
        )
        image = sub.add_parser("image", help="Tải ảnh con dấu (cơ quan) hoặc chữ ký (người ký).")
        image.add_argument("--agency", metavar="MÃ")
        image.add_argument("--staff", metavar="TÊN_ĐĂNG_NHẬP")
        image.add_argument("--file", required=True, type=Path, metavar="TỆP_PNG")
        sub.add_parser("list", help="Liệt kê chứng thư số.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            command = options["subcommand"]
            if command == "issue-demo":
                agency, staff = _owner(options)
                if staff is not None:
                    cert = services.certificate_issue_demo_personal(
                        staff=staff, renew=options["renew"]
                    )
                else:
                    cert = services.certificate_issue_demo(agency=agency, renew=options["renew"])
                self._show(cert)
            elif command == "import":
                path: Path = options["file"]
                if not path.is_file():
                    raise CommandError(f"Không có tệp {path}.")
                agency, staff = _owner(options)
                password = _secret_from(options["password_file"], "Mật khẩu tệp PKCS#12: ")
                cert = services.certificate_import(
                    actor=None,
                    agency=agency,
                    staff=staff,
                    data=path.read_bytes(),
                    password=password,
                )
                self._show(cert)
            elif command == "import-pkcs11":
                agency, staff = _owner(options)
                secret = None
                if not options["pin_env"]:
                    secret = _secret_from(options["pin_file"], "Mã PIN của token: ")
                cert = services.certificate_import_pkcs11(
                    actor=None,
                    agency=agency,
                    staff=staff,
                    module=options["module"],
                    token=options["token"],
                    key_label=options["key_label"],
                    key_id=options["key_id"],
                    pin=secret,
                    pin_env=options["pin_env"],
                )
                self._show(cert)
            elif command == "image":
                agency, staff = _owner(options)
                path = options["file"]
                if not path.is_file():
                    raise CommandError(f"Không có tệp {path}.")
                row = services.stamp_image_upload(
                    actor=None, agency=agency, staff=staff, data=path.read_bytes()
                )
                self.stdout.write(
                    f"{agency.code}  {row.get_kind_display()}  {row.width}×{row.height}  "
                    f"SHA-256 {row.sha256}"
                )
            else:
                self.list()
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _show(self, cert: Any) -> None:
        owner = f"  {cert.staff.username}" if cert.staff_id else ""
        where = f"  token {cert.pkcs11_token}" if cert.on_token else ""
        self.stdout.write(
            f"{cert.agency.code}{owner}  {cert.common_name}  số hiệu {cert.serial}  "
            f"hiệu lực {timezone.localtime(cert.valid_from):%d/%m/%Y}"
            f"–{timezone.localtime(cert.valid_to):%d/%m/%Y}{where}  SHA-256 {cert.fingerprint}"
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
            owner = f" ({c.staff.username})" if c.staff is not None else ""
            token = f" [token {c.pkcs11_token}]" if c.on_token else ""
            self.stdout.write(
                f"{c.agency.code:<11} {state:<12} {c.source:<9} "
                f"{timezone.localtime(c.valid_from):%d/%m/%Y}–"
                f"{timezone.localtime(c.valid_to):%d/%m/%Y}   {c.common_name}{owner} / "
                f"{c.serial}{token}"
            )
