from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from .init import ensure_secret_key


class Command(BaseCommand):
    help = (
        "Chạy máy chủ thật: gunicorn (nhiều tiến trình, không DEBUG, phục vụ tệp tĩnh) "
        "và tiến trình xử lý tác vụ nền."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="Địa chỉ:cổng (mặc định 127.0.0.1:8000)"
        )
        parser.add_argument("--workers", type=int, default=min(4, (os.cpu_count() or 1) + 1))
        parser.add_argument("--no-task-worker", action="store_true", help="Không chạy tác vụ nền")

    def handle(self, *args: Any, **opts: Any) -> None:
        if ensure_secret_key():
            self.stdout.write(f"Đã tạo khóa bí mật: {settings.DATA_DIR / 'secret_key'}")
        host = opts["bind"].rsplit(":", 1)[0]
        env = dict(os.environ)
        env.setdefault("XASO_ENV", "production")
        env.setdefault("XASO_DATA_DIR", str(settings.DATA_DIR))
        env.setdefault(
            "ALLOWED_HOSTS",
            ",".join(sorted({"localhost", "127.0.0.1", socket.gethostname(), host})),
        )
        if "XASO_HTTPS" not in env:
            env["XASO_HTTPS"] = "0"
            self.stdout.write(
                "Chú ý: đang phục vụ HTTP không mã hóa. Khi mở ra mạng, đặt sau một reverse proxy "
                "HTTPS và đặt XASO_HTTPS=1."
            )
        xaso = [sys.executable, "-m", "xaso.cli"]
        for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            if subprocess.run([*xaso, *step], env=env, check=False).returncode != 0:  # noqa: S603
                raise CommandError(f"Lỗi khi chạy: xaso {' '.join(step)}")
        children = []
        if not opts["no_task_worker"]:
            children.append(subprocess.Popen([*xaso, "db_worker"], env=env))  # noqa: S603
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "xaso.wsgi:application",
            "--bind",
            opts["bind"],
            "--workers",
            str(opts["workers"]),
            "--access-logfile",
            "-",
            "--timeout",
            "60",
            "--graceful-timeout",
            "20",
            # gunicorn 27's control socket defaults to one path per user: a second `xaso serve`
            # on the machine (another node, a benchmark) would take the first one's over.
            "--no-control-socket",
        ]
        children.append(subprocess.Popen(gunicorn, env=env))  # noqa: S603
        self.stdout.write(f"Xã Số đang chạy tại http://{opts['bind']}/ (Ctrl+C để dừng)")

        def stop(signum: int, frame: object) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            children[-1].wait()
        finally:
            stop(0, None)
            for child in children:
                child.wait(timeout=30)
