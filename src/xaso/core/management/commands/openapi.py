from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def openapi_document() -> str:
    """The API description exactly as served at /api/v1/openapi.json, in a stable text form."""
    from xaso.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Ghi (hoặc kiểm tra) tài liệu OpenAPI docs/openapi.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default="docs/openapi.json")
        parser.add_argument(
            "--check", action="store_true", help="Báo lỗi nếu tệp đã lưu khác bản sinh ra"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["output"])
        document = openapi_document()
        if opts["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != document:
                raise CommandError(f"{path} đã cũ: chạy `xaso openapi` rồi commit tệp này.")
            self.stdout.write(f"{path}: khớp.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document, encoding="utf-8")
        self.stdout.write(f"Đã ghi {path}.")
