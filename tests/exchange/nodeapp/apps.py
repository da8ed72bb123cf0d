from __future__ import annotations

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def record(package, agency):  # type: ignore[no-untyped-def]
    """Each call appends one line: the test counts how often the handler ran."""
    with open(Path(settings.DATA_DIR) / "handled.log", "a", encoding="utf-8") as fh:
        fh.write(f"{package.message_id} {agency.code} {package.subject}\n")


class NodeAppConfig(AppConfig):
    name = "tests.exchange.nodeapp"
    label = "exchange_nodeapp"

    def ready(self) -> None:
        from xaso.exchange import registry

        for kind in ("document", "directive", "dossier"):
            registry.register_document_handler(kind, record)
