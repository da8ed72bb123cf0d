"""Settings of the nodes that tests/exchange/test_nodes.py and benchmarks/bench_exchange.py start
as separate processes: the project's settings plus a small app whose handler records each
package it is handed (one line per call in XASO_DATA_DIR/handled.log) and whose commands create
agencies and send packages."""

from xaso.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.exchange.nodeapp"]  # noqa: F405
