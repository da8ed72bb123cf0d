"""``xaso seed --dossiers N``: synthetic dossiers for load tests and demos (see
``xaso.dossiers.seeding``); ``xaso seed --civil N``: synthetic civil status register entries (see
``xaso.civil.seeding``). The data is made up and must never meet real records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xaso.core.errors import DomainError
from xaso.dossiers.seeding import DEFAULT_BATCH, dossiers_seed


class Command(BaseCommand):
    help = (
        "Tạo N hồ sơ mẫu (dữ liệu giả lập, chỉ dùng cho thử tải và trình diễn) trên dữ liệu minh "
        "họa: mã hồ sơ liên tục theo cơ quan và ngày, hạn giải quyết theo lịch làm việc."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, help="Số hồ sơ cần tạo")
        parser.add_argument(
            "--civil", type=int, help="Số mục sổ hộ tịch cần tạo (khai sinh, khai tử, kết hôn, ...)"
        )
        parser.add_argument(
            "--civil-years", type=int, default=30, help="Rải mục hộ tịch trong bao nhiêu năm (30)"
        )
        parser.add_argument("--agency", help="Chỉ tạo cho cơ quan tiếp nhận có mã này")
        parser.add_argument(
            "--days", type=int, default=365, help="Rải hồ sơ trong bao nhiêu ngày gần đây (365)"
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="Hạt giống ngẫu nhiên: cùng hạt giống, cùng dữ liệu"
        )
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="Số hồ sơ mỗi lô")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["dossiers"] is None and opts["civil"] is None:
            raise CommandError("Cần --dossiers N hoặc --civil N.")
        if opts["civil"] is not None:
            self._civil(opts)
        if opts["dossiers"] is not None:
            self._dossiers(opts)

    def _civil(self, opts: dict[str, Any]) -> None:
        from xaso.civil.seeding import civil_seed

        verbose = opts["verbosity"] > 0

        def progress(done: int, total: int, seconds: float) -> None:
            if verbose:
                rate = done / seconds if seconds else 0.0
                self.stdout.write(
                    f"  {done:>10,} / {total:,} mục  {seconds:7.1f} s  ({rate:,.0f} mục/s)"
                )
                self.stdout.flush()

        try:
            result = civil_seed(
                count=opts["civil"],
                agency_code=opts["agency"],
                years=opts["civil_years"],
                seed=opts["seed"],
                batch_size=opts["batch"],
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Đã tạo {result.count:,} mục hộ tịch ({result.parties:,} người được ghi), mở "
            f"{result.books:,} sổ, khóa {result.closed:,} sổ, cho {', '.join(result.agencies)} từ "
            f"{result.first_day:%d/%m/%Y} đến {result.last_day:%d/%m/%Y} trong "
            f"{result.seconds:.1f} s."
        )

    def _dossiers(self, opts: dict[str, Any]) -> None:
        verbose = opts["verbosity"] > 0

        def progress(done: int, total: int, seconds: float) -> None:
            if verbose:
                rate = done / seconds if seconds else 0.0
                self.stdout.write(
                    f"  {done:>10,} / {total:,} hồ sơ  {seconds:7.1f} s  ({rate:,.0f} hồ sơ/s)"
                )
                self.stdout.flush()

        if verbose:
            self.stdout.write(
                f"Tạo {opts['dossiers']:,} hồ sơ mẫu (dữ liệu giả lập) trong {opts['days']} ngày "
                f"gần đây, hạt giống {opts['seed']} ..."
            )
        try:
            result = dossiers_seed(
                count=opts["dossiers"],
                agency_code=opts["agency"],
                days=opts["days"],
                seed=opts["seed"],
                batch_size=opts["batch"],
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Đã tạo {result.count:,} hồ sơ, {result.people:,} công dân, {result.events:,} sự kiện "
            f"xử lý cho {', '.join(result.agencies)} từ {result.first_day:%d/%m/%Y} đến "
            f"{result.last_day:%d/%m/%Y} trong {result.seconds:.1f} s."
        )
