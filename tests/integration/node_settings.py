"""Settings of the two nodes that tests/integration/ starts as separate processes: the exchange
tests' node settings (whose app creates agencies and replays packages) plus a small app that
gives packages of kind "document"/"directive" back to ``xaso.documents`` (the exchange tests' app
records them instead) and creates the staff and certificates the test drives over HTTP."""

from tests.exchange.node_settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.integration.docnode"]  # noqa: F405
