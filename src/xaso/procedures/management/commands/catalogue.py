from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xaso.procedures.exchange import (
    catalogue_import_file,
    catalogue_json,
    catalogue_load_seed,
    catalogue_xlsx,
)
from xaso.procedures.services import CatalogueRejected, ImportResult


class Command(BaseCommand):
    help = (
        "Danh mục thủ tục hành chính: load (nạp danh mục cấp xã kèm theo), "
        "export (xuất JSON hoặc Excel), import (nhập tệp JSON hoặc Excel của tỉnh)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="Nạp danh mục kèm theo (chạy lại không đổi gì)")
        export = sub.add_parser("export", help="Xuất danh mục")
        export.add_argument("--format", choices=["json", "xlsx"], default="json")
        export.add_argument("--output", "-o", help="Tệp ghi ra (mặc định: màn hình, chỉ với JSON)")
        imp = sub.add_parser("import", help="Nhập tệp JSON hoặc Excel (.xlsx)")
        imp.add_argument("path")

    def _report(self, result: ImportResult) -> None:
        self.stdout.write(
            f"Thêm mới {len(result.created)}, cập nhật {len(result.updated)}, "
            f"không đổi {len(result.unchanged)}."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        try:
            if action == "load":
                self._report(catalogue_load_seed())
            elif action == "import":
                self._report(catalogue_import_file(Path(opts["path"]).read_bytes()))
            elif opts["format"] == "xlsx":
                if not opts["output"]:
                    raise CommandError("Xuất Excel cần --output <tệp.xlsx>.")
                Path(opts["output"]).write_bytes(catalogue_xlsx())
            elif opts["output"]:
                Path(opts["output"]).write_text(catalogue_json(), encoding="utf-8")
            else:
                sys.stdout.write(catalogue_json())
        except CatalogueRejected as exc:
            for r in exc.rejections:
                self.stderr.write(str(r))
            raise CommandError(exc.message) from None
        except OSError as exc:
            raise CommandError(f"Không đọc/ghi được tệp: {exc}") from None
