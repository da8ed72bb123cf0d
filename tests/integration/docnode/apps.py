from __future__ import annotations

from django.apps import AppConfig


class DocNodeConfig(AppConfig):
    name = "tests.integration.docnode"
    label = "integration_docnode"

    def ready(self) -> None:
        # Installed after tests.exchange.nodeapp, whose ready() hands "document" packages to a
        # recorder: give them back to the documents app, as on a real node (one handler per kind,
        # registering again replaces it).
        from xaso.documents.exchange_glue import register_handlers

        register_handlers()
