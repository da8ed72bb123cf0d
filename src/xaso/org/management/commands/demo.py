from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xaso.org.demo import demo_load


class Command(BaseCommand):
    help = "Nạp dữ liệu minh họa (Phú Thọ, Thanh Sơn, Thạch Khoán, Lâm Thao) và tài khoản cán bộ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password", required=True, help="Mật khẩu chung của mọi tài khoản minh họa"
        )
        parser.add_argument(
            "--json", action="store_true", help="Chỉ in danh sách tài khoản dạng JSON"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        accounts = demo_load(password=opts["password"])
        if opts["json"]:
            rows = [
                {"username": a.username, "agency_code": a.agency_code, "roles": a.roles}
                for a in accounts
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        w_user = max(len(a.username) for a in accounts)
        w_code = max(len(a.agency_code) for a in accounts)
        self.stdout.write("Tài khoản minh họa (mật khẩu chung như đã nhập):")
        self.stdout.write(
            f"{'Tên đăng nhập':<{w_user}}  {'Mã cơ quan':<{w_code}}  Vai trò / Cơ quan / Họ tên"
        )
        for a in accounts:
            self.stdout.write(
                f"{a.username:<{w_user}}  {a.agency_code:<{w_code}}  {', '.join(a.roles)} / "
                f"{a.agency_name} / {a.full_name}"
            )
