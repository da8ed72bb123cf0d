"""Warm render time of the one-stop slips (Form 01 receipt above all), in ms per document.

Run: .venv/bin/python benchmarks/bench_slips.py [--count 50]
Prints the cold first render (WeasyPrint import and font discovery included), then the median,
p95 and mean of warm renders of each document. No database is needed: the documents are rendered
from frozen values, as the dossier workflow does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def _examples() -> dict[str, tuple[Callable[[Any], bytes], Any]]:
    from xaso.dossiers import documents as d
    from xaso.dossiers.documents.wording import VIETNAM

    def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(2026, 11, day, hour, minute, tzinfo=VIETNAM)

    issuer = d.Issuer(
        name="Trung tâm Phục vụ hành chính công xã Thanh Sơn",
        parent_name="UBND xã Thanh Sơn",
        place="Thanh Sơn",
    )
    code = "H38.12.34-261127-0007"
    receipt = d.ReceiptSlip(
        issuer=issuer,
        dossier_code=code,
        procedure_name="Thủ tục đăng ký khai sinh",
        applicant_name="Nguyễn Thị Hằng",
        applicant_address="Xóm Đồng Chằm, xã Thanh Sơn, tỉnh Phú Thọ",
        applicant_phone="0912 345 678",
        documents=[("Tờ khai đăng ký khai sinh", 1, 0), ("Giấy chứng sinh", 1, 0)],
        received_at=at(27, 9, 15),
        due_at=at(28, 15, 30),
        channel=d.Channel.COUNTER,
        officer_name="Đặng Văn Đức",
        lookup_url=f"https://xaso.thanhson.gov.vn/tra-cuu/{code}",
        processing_time="01 ngày làm việc",
    )
    hand_overs = [
        d.HandOver(
            step=f"Bước {n}",
            from_name="Đặng Văn Đức",
            to_name="Lê Quang Vũ",
            received_at=at(27, 8 + n),
            deadline=at(27, 9 + n),
            done_at=at(27, 9 + n),
        )
        for n in range(1, 6)
    ]
    sheet = d.ControlSheet(
        issuer=issuer,
        dossier_code=code,
        procedure_name=receipt.procedure_name,
        applicant_name=receipt.applicant_name,
        received_at=receipt.received_at,
        due_at=receipt.due_at,
        handling_agency="UBND xã Thanh Sơn",
        hand_overs=hand_overs,
    )
    rows = [
        d.TrackingBookRow(
            dossier_code=f"H38.12.34-261127-{n:04d}",
            procedure_name=receipt.procedure_name,
            applicant_name=receipt.applicant_name,
            applicant_address=receipt.applicant_address,
            applicant_phone=receipt.applicant_phone,
            handling_agency="UBND xã Thanh Sơn",
            received_at=receipt.received_at,
            due_at=receipt.due_at,
        )
        for n in range(1, 101)
    ]
    book = d.TrackingBook(
        issuer=issuer,
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        rows=rows,
    )
    return {
        "receipt (Form 01, A5, QR)": (d.render_receipt, receipt),
        "control sheet (Form 05, 5 steps)": (d.render_control_sheet, sheet),
        "tracking book PDF (100 rows)": (d.render_tracking_book_pdf, book),
        "tracking book Excel (100 rows)": (d.render_tracking_book_xlsx, book),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50, help="warm renders of the receipt")
    args = parser.parse_args()

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xaso.settings")
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)

    examples = _examples()
    render, receipt = examples["receipt (Form 01, A5, QR)"]
    started = time.perf_counter()
    size = len(render(receipt))
    print(f"cold first receipt: {(time.perf_counter() - started) * 1000:.0f} ms ({size} bytes)")

    for name, (render, value) in examples.items():
        count = args.count if name.startswith("receipt") else max(5, args.count // 5)
        render(value)  # warm
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            render(value)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        print(
            f"{name:34} median {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  "
            f"mean {statistics.fmean(timings):6.1f} ms  (n={count})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
