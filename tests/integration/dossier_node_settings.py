"""Settings of the two nodes that tests/integration/test_dossier_interlink_two_nodes.py starts as
separate processes: the exchange tests' node settings (whose app creates agencies and replays
packages) plus a small app that gives packages of kind "dossier" back to the dossiers app's
liên thông (the exchange tests' app records them instead) and creates the staff the test drives
over HTTP."""

from tests.exchange.node_settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.integration.dossiernode"]  # noqa: F405
