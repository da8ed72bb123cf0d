from __future__ import annotations

from django.apps import AppConfig


class DossierNodeConfig(AppConfig):
    name = "tests.integration.dossiernode"
    label = "integration_dossiernode"

    def ready(self) -> None:
        # Installed after tests.exchange.nodeapp, whose ready() hands "dossier" packages to a
        # recorder: give them back to the dossiers app's liên thông, as on a real node (one
        # handler per kind, registering again replaces it).
        from xaso.dossiers.interlink import register_handlers

        register_handlers()
