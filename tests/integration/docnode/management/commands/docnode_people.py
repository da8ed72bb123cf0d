from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xaso.org.models import Agency, Staff, StaffRole


class Command(BaseCommand):
    help = (
        "Test node: create staff of a local agency (--staff USERNAME:ROLE:FULL NAME[:TITLE], "
        "repeatable) with one password, and optionally the agency's demo signing certificate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--staff", action="append", default=[])
        parser.add_argument("--certificate", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        from xaso.signing.services import certificate_issue_demo

        agency = Agency.objects.get(code=opts["agency"])
        made = []
        for spec in opts["staff"]:
            username, role, full_name, *rest = spec.split(":")
            staff = Staff(username=username, full_name=full_name, agency=agency)
            if rest:
                staff.title = rest[0]
            staff.set_password(opts["password"])
            staff.save()
            StaffRole.objects.create(staff=staff, role=role)
            made.append(username)
        certificate = None
        if opts["certificate"]:
            certificate = certificate_issue_demo(agency=agency).fingerprint
        self.stdout.write(json.dumps({"staff": made, "certificate": certificate}))
