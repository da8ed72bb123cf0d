from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from xaso.exchange import directory


class Command(BaseCommand):
    help = (
        "Test node, in one process: with --agency/--node-code, create the local agency and "
        "initialise the node (prints its export JSON); with --peer FILE, import the peer node "
        "and its agency."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", nargs=2, metavar=("CODE", "NAME"))
        parser.add_argument("--node-code")
        parser.add_argument("--url")
        parser.add_argument("--peer", type=Path)
        parser.add_argument("--peer-agency", nargs=2, metavar=("CODE", "NAME"))

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["agency"]:
            code, name = opts["agency"]
            quiet = io.StringIO()
            call_command("node_agency", code=code, name=name, stdout=quiet)
            call_command(
                "exchange",
                "init-node",
                code=opts["node_code"],
                name=name,
                url=opts["url"],
                stdout=quiet,
            )
            self.stdout.write(json.dumps(directory.node_export(), ensure_ascii=False))
        if opts["peer"]:
            peer = directory.node_add_from_json(data=opts["peer"].read_text(encoding="utf-8"))
            code, name = opts["peer_agency"]
            directory.remote_agency_add(code=code, name=name, node_code=peer.code)
