"""Ship the civil servants' schedule 2024-2026 (vn-rules.md §6) where it differs from the
``holidays`` package (0.109). Compared date by date with the package: 2024 and 2025 match the
table entirely (Tết, 30/4 swaps with make-up Saturdays 04/05/2024 and 26/04/2025, National Day);
in 2026 only the New Year swap is missing (Fri 02/01 off, Sat 10/01 worked). The comparison is
kept as a test (tests/workdays/test_shipped_calendar.py) so a package upgrade that changes it
is noticed.

24/11/2026 (Ngày Văn hóa Việt Nam) is left as the package lists it; its legal force is
[UNCONFIRMED] and an administrator removes it with a "working_day" row if needed.
"""

from datetime import date

from django.db import migrations

SOURCE_2026_NEW_YEAR = (
    "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ đồng ý đề xuất của "
    "Bộ Nội vụ: nghỉ thứ Sáu 02/01/2026, làm bù thứ Bảy 10/01/2026."
)

ROWS = [
    (date(2026, 1, 2), "day_off", "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)"),
    (date(2026, 1, 10), "working_day", "Làm bù cho ngày 02/01/2026"),
]


def add_rows(apps, schema_editor):
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    for d, kind, name in ROWS:
        CalendarDay.objects.get_or_create(
            date=d, defaults={"kind": kind, "name": name, "note": SOURCE_2026_NEW_YEAR}
        )


def remove_rows(apps, schema_editor):
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarDay.objects.filter(date__in=[d for d, _, _ in ROWS], created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(add_rows, remove_rows)]
