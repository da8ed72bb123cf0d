from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xaso.org.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel


class Command(BaseCommand):
    help = "Test node: create a local agency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True)
        parser.add_argument("--name", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        level, _ = UnitLevel.objects.get_or_create(
            code="commune", defaults={"name": "Xã", "rank": 3}
        )
        unit = AdministrativeUnit.objects.create(
            code=f"9{Agency.objects.count():04d}",
            name=opts["name"],
            division_type="xã",
            level=level,
        )
        Agency.objects.create(
            code=opts["code"], name=opts["name"], kind=AgencyKind.PEOPLES_COMMITTEE, unit=unit
        )
