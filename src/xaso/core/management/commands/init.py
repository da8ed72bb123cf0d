from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def ensure_secret_key() -> bool:
    """Create ``$XASO_DATA_DIR/secret_key`` (mode 600) once; return True when created."""
    path = settings.DATA_DIR / "secret_key"
    if path.exists():
        return False
    path.write_text(secrets.token_urlsafe(50))
    path.chmod(0o600)
    return True


class Command(BaseCommand):
    help = "Chuẩn bị thư mục dữ liệu: tạo khóa bí mật (nếu chưa có) và cập nhật cơ sở dữ liệu."

    def handle(self, *args: Any, **opts: Any) -> None:
        if ensure_secret_key():
            self.stdout.write(f"Đã tạo khóa bí mật: {settings.DATA_DIR / 'secret_key'}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Dữ liệu tại {settings.DATA_DIR}; cơ sở dữ liệu đã cập nhật.")
