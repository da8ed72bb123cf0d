"""Two Xã Số nodes as separate processes, each with its own data folder and database, started with
`xaso serve` (gunicorn + the task worker) on a free port: used by tests/exchange/test_nodes.py and
benchmarks/bench_exchange.py.

Node A hosts the district (H25.37), node B the commune (H25.37.01); each knows the other's URL
and certificate (``xaso exchange export-node`` / ``add-node --json``) and the other's agency.
With PostgreSQL (``DATABASE_URL`` set for the test run), each node gets its own database on the
same server (``<name>_a`` / ``<name>_b``), created afresh.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DISTRICT = ("H25.37", "UBND huyện Thanh Sơn")
COMMUNE = ("H25.37.01", "UBND xã Thạch Khoán")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def xaso_command() -> list[str]:
    return [sys.executable, "-m", "xaso.cli"]


def _pg_database(url: str, name: str, template: str | None = None) -> str:
    """A fresh PostgreSQL database ``name`` on the server of ``url`` (a copy of ``template``);
    its URL."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def _pg_drop(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class NodeProcess:
    code: str
    data_dir: Path
    port: int
    database_url: str | None
    extra_env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "XASO_ENV", "XASO_DEBUG", "DJANGO_SETTINGS_MODULE"}
            and not k.startswith("PYTEST")
        }
        env["XASO_DATA_DIR"] = str(self.data_dir)
        env["DJANGO_SETTINGS_MODULE"] = "tests.exchange.node_settings"
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        return env

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(  # noqa: S603
            [*xaso_command(), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            timeout=120,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"xaso {' '.join(args)} on {self.code} failed ({proc.returncode}):\n"
                f"{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
            )
        return proc

    def json(self, *args: str) -> object:
        return json.loads(self.run(*args).stdout)

    def start(self, *, wait: bool = True, quick: bool = False) -> None:
        """`xaso serve`; ``quick``: what it starts (gunicorn and the task worker, production
        settings) without its migrate and collectstatic, which a restart does not need."""
        log = open(self.data_dir / "serve.log", "ab")  # noqa: SIM115 - kept open while it runs
        env = self.env()
        if quick:
            env.update({"XASO_ENV": "production", "XASO_HTTPS": "0", "ALLOWED_HOSTS": "127.0.0.1"})
            py = " ".join([sys.executable])
            command = [
                "/bin/sh",
                "-c",
                f"{py} -m xaso.cli db_worker & exec {py} -m gunicorn xaso.wsgi:application "
                f"--bind 127.0.0.1:{self.port} --workers 2 --timeout 60 --graceful-timeout 5 "
                # Two gunicorns on one machine would share gunicorn 27's default control socket.
                "--no-control-socket",
            ]
        else:
            command = [
                *xaso_command(),
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
            ]
        self.server = subprocess.Popen(  # noqa: S603
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 90) -> None:
        assert self.server is not None
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.server.poll() is not None:
                raise RuntimeError(f"node {self.code} exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"node {self.code} did not answer:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.server is None:
            return
        if self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        # Gunicorn and the task worker are in the server's session: make sure none is left.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.server.pid, signal.SIGKILL)
        self.server = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = (self.data_dir / "serve.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def sql(self, query: str) -> list[tuple[object, ...]]:
        """Read this node's database directly (the test looks, the node is not involved)."""
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as conn:
                return list(conn.execute(query).fetchall())
        conn = sqlite3.connect(self.data_dir / "xaso.sqlite3", timeout=10)
        try:
            return list(conn.execute(query).fetchall())
        finally:
            conn.close()

    def outbox(self, message_id: str) -> list[dict[str, object]]:
        message_id = str(uuid.UUID(message_id))
        cols = ("recipient_code", "state", "attempts", "answer", "remote_status", "last_error")
        rows = self.sql(
            f"SELECT {', '.join(cols)} FROM exchange_outboxmessage "  # noqa: S608
            f"WHERE message_id = '{message_id}' ORDER BY recipient_code"
        )
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def inbox(self, message_id: str) -> list[dict[str, object]]:
        message_id = str(uuid.UUID(message_id))
        cols = ("recipient_code", "state", "reason")
        rows = self.sql(
            f"SELECT {', '.join(cols)} FROM exchange_inboxmessage "  # noqa: S608
            f"WHERE message_id = '{message_id}' ORDER BY recipient_code"
        )
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def handled(self) -> list[str]:
        path = self.data_dir / "handled.log"
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _parallel(jobs: list[tuple[NodeProcess, tuple[str, ...]]]) -> list[str]:
    """Run one `xaso` command on each node at the same time; their outputs."""
    procs = [
        (
            node,
            args,
            subprocess.Popen(  # noqa: S603
                [*xaso_command(), *args],
                env=node.env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            ),
        )
        for node, args in jobs
    ]
    outputs = []
    for node, args, proc in procs:
        out, err = proc.communicate(timeout=180)
        if proc.returncode != 0:
            raise RuntimeError(f"xaso {' '.join(args)} on {node.code} failed:\n{out}\n{err}")
        outputs.append(out)
    return outputs


def make_pair(
    base: Path, database_url: str | None, *, extra_env: dict[str, str] | None = None
) -> tuple[NodeProcess, NodeProcess]:
    """Two initialised nodes (not started): A with the district, B with the commune. The
    database is migrated once and copied (SQLite file / PostgreSQL template database)."""
    made = []
    for code in ("a", "b"):
        data = base / f"node-{code}"
        data.mkdir(parents=True, exist_ok=True)
        made.append(
            NodeProcess(
                code=f"NODE-{code.upper()}",
                data_dir=data,
                port=free_port(),
                database_url=None,
                extra_env=dict(extra_env or {}),
            )
        )
    a, b = made
    if database_url:
        name = urllib.parse.urlsplit(database_url).path.lstrip("/") or "xaso"
        a.database_url = _pg_database(database_url, f"{name}_a")
    a.run("init")
    if database_url:
        b.database_url = _pg_database(database_url, f"{name}_b", template=f"{name}_a")
    else:
        shutil.copy(a.data_dir / "xaso.sqlite3", b.data_dir / "xaso.sqlite3")
    # What `xaso init` makes besides the database: B's own secret key.
    secret = b.data_dir / "secret_key"
    secret.write_text(secrets.token_urlsafe(50))
    secret.chmod(0o600)
    exports = _parallel(
        [
            (node, ("node_setup", "--agency", *agency, "--node-code", node.code, "--url", node.url))
            for node, agency in ((a, DISTRICT), (b, COMMUNE))
        ]
    )
    (a.data_dir / "peer.json").write_text(exports[1], encoding="utf-8")
    (b.data_dir / "peer.json").write_text(exports[0], encoding="utf-8")
    _parallel(
        [
            (
                node,
                (
                    "node_setup",
                    "--peer",
                    str(node.data_dir / "peer.json"),
                    "--peer-agency",
                    *agency,
                ),
            )
            for node, agency in ((a, COMMUNE), (b, DISTRICT))
        ]
    )
    return a, b


def start_pair(a: NodeProcess, b: NodeProcess, *, quick: bool = True) -> None:
    a.start(wait=False, quick=quick)
    b.start(wait=False, quick=quick)
    a.wait_ready()
    b.wait_ready()


def drop_databases(*nodes: NodeProcess) -> None:
    for node in nodes:
        if node.database_url:
            _pg_drop(node.database_url)


def wait_for(predicate, timeout: float = 20.0, step: float = 0.2):  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while True:
        value = predicate()
        if value or time.monotonic() - start > timeout:
            return value
        time.sleep(step)
