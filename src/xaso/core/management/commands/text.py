"""``xaso text convert``: legacy Vietnamese text (TCVN3/ABC, VNI-Windows) → Unicode NFC.

Reads UTF-8 text (a paste from an old ``.VnTime`` or ``VNI-Times`` document, as Windows-1252
characters) from FILE or standard input and writes Unicode NFC to standard output::

    xaso text convert --from auto old.txt > new.txt
    xclip -o | xaso text convert --from tcvn3

Errors (unknown --from, unreadable file, input not UTF-8) exit with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xaso.core.text import convert_legacy

SOURCES = ("auto", "tcvn3", "vni")
USAGE_ERROR = 2
_REASONS: dict[type[OSError], str] = {
    FileNotFoundError: "không có tệp này",
    IsADirectoryError: "đây là thư mục, không phải tệp",
    PermissionError: "không có quyền đọc",
}


class Command(BaseCommand):
    help = "Xử lý văn bản tiếng Việt: chuyển văn bản mã cũ (TCVN3, VNI) sang Unicode (convert)."
    requires_system_checks: list[str] = []  # pure text work: no database, no settings checks
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand")
        convert = sub.add_parser(
            "convert", help="Chuyển văn bản TCVN3 (ABC) hoặc VNI-Windows sang Unicode dựng sẵn."
        )
        convert.add_argument(
            "--from",
            dest="source",
            default="auto",
            metavar="auto|tcvn3|vni",
            help="Bảng mã của văn bản nguồn (mặc định: auto, tự nhận biết).",
        )
        convert.add_argument(
            "file", nargs="?", help="Tệp văn bản UTF-8; bỏ trống để đọc từ đầu vào chuẩn."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("subcommand") != "convert":
            raise CommandError(
                "Thiếu lệnh con: dùng «xaso text convert --from auto|tcvn3|vni [TỆP]».",
                returncode=USAGE_ERROR,
            )
        source = options["source"]
        if source not in SOURCES:
            raise CommandError(
                f"Bảng mã nguồn «{source}» không hợp lệ: chọn một trong auto, tcvn3, vni.",
                returncode=USAGE_ERROR,
            )
        raw = self._read(options.get("file"), options.get("stdin") or sys.stdin)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"Dữ liệu vào không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}).",
                returncode=USAGE_ERROR,
            ) from exc
        self._write(convert_legacy(text, source), to_console=options.get("stdout") is None)

    def _read(self, path: str | None, stdin: IO[Any]) -> bytes:
        if path is None:
            data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
            return data if isinstance(data, bytes) else data.encode("utf-8")
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            reason = _REASONS.get(type(exc), exc.strerror or str(exc))
            raise CommandError(
                f"Không đọc được tệp «{path}»: {reason}.", returncode=USAGE_ERROR
            ) from exc

    def _write(self, text: str, *, to_console: bool) -> None:
        # UTF-8 bytes to the console whatever the locale says; text to a stream a caller passed.
        buffer = getattr(sys.stdout, "buffer", None)
        if to_console and buffer is not None:
            sys.stdout.flush()
            buffer.write(text.encode("utf-8"))
            buffer.flush()
        else:
            self.stdout.write(text, ending="")
