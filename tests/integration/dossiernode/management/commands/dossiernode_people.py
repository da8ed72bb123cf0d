from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xaso.org.models import Agency, Staff, StaffRole
from xaso.procedures.exchange import catalogue_load_seed


class Command(BaseCommand):
    help = (
        "Test node, in one process: load the shipped procedure catalogue and create staff of a "
        "local agency (--staff USERNAME:ROLE:FULL NAME, repeatable) with one password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--staff", action="append", default=[])

    def handle(self, *args: Any, **opts: Any) -> None:
        catalogue_load_seed()
        agency = Agency.objects.get(code=opts["agency"])
        made = []
        for spec in opts["staff"]:
            username, role, full_name = spec.split(":")
            staff = Staff(username=username, full_name=full_name, agency=agency)
            staff.set_password(opts["password"])
            staff.save()
            StaffRole.objects.create(staff=staff, role=role)
            made.append(username)
        self.stdout.write(json.dumps({"staff": made}))
