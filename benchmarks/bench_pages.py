"""Measure Xã Số's pages against `xaso serve`, in one run, on this machine.

    .venv/bin/python benchmarks/bench_pages.py [--duration 10] [--connections 16] [--threads 2]

1. a fresh data folder (a temporary directory): `xaso init`, `xaso demo --password ... --json`;
2. `xaso serve --bind 127.0.0.1:<free port>` (gunicorn workers + the db_worker task worker),
   waiting for /healthz;
3. wrk on /healthz (the floor: no template, no query), the login page and the home page of the
   demo administrator whose home page is the largest (logged in with a real form POST); each
   page's requests/s as a share of the floor (goal >= 50%);
4. the bytes each page's first load transfers with `Accept-Encoding: gzip`: the HTML plus every
   stylesheet, script and font it references (goal <= 30 KB);
5. the resident memory of the whole `xaso serve` process tree (goal <= 512 MB);
6. stops the server and checks that no process is left.

Exit status 0 when every goal is met, 1 when one is missed, 2 when the run itself failed.
"""

from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

GOAL_RATIO = 0.50
GOAL_BYTES = 30 * 1024
GOAL_RSS = 512 * 1024 * 1024
DEMO_PASSWORD = "Do-chuan-2026!"  # noqa: S105 - a throwaway demo in a temporary folder


class BenchError(RuntimeError):
    pass


# --- Starting and stopping ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def xaso_command() -> str:
    """The `xaso` of the environment this script runs in (the project's venv)."""
    beside = Path(sys.executable).with_name("xaso")
    if beside.exists():
        return str(beside)
    found = shutil.which("xaso")
    if not found:
        raise BenchError("no `xaso` command: run this with the project's venv (.venv/bin/python)")
    return found


def clean_env(data_dir: Path, database_url: str | None, settings: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "XASO_ENV", "XASO_DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env["XASO_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    return env


def run(cmd: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout


def wait_healthy(base: str, server: subprocess.Popen, log: Path, timeout: float = 90) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if server.poll() is not None:
            raise BenchError(f"xaso serve exited ({server.returncode}):\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return time.monotonic() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise BenchError(f"/healthz did not answer within {timeout:.0f} s:\n{tail(log)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def descendants(pid: int) -> list[int]:
    """pid and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def stop(server: subprocess.Popen, timeout: float = 45) -> tuple[bool, str]:
    """SIGTERM to `xaso serve` (it stops gunicorn and the task worker); True when every process of
    the tree is gone in time without a SIGKILL."""
    tree = descendants(server.pid)
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        return False, f"did not stop within {timeout:.0f} s: killed"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = [p for p in tree if Path(f"/proc/{p}").exists() and not is_zombie(p)]
        if not left:
            return True, f"exit status {server.returncode}, {len(tree)} processes gone"
        time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    return False, f"processes left after the server stopped: {left}: killed"


def is_zombie(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) == "Z"
    except OSError:
        return True


# --- Memory ---------------------------------------------------------------------------------------


@dataclass
class Proc:
    pid: int
    role: str
    rss: int
    pss: int | None


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0


def pss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def role_of(pid: int, root: int) -> str:
    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    if pid == root:
        return "xaso serve"
    if "db_worker" in cmd:
        return "task worker (db_worker)"
    if "gunicorn" in cmd:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        return "gunicorn master" if parent == root else "gunicorn worker"
    return cmd.strip()[:40]


def memory(root: int) -> list[Proc]:
    out = []
    for pid in descendants(root):
        try:
            out.append(Proc(pid, role_of(pid, root), status_kb(pid, "VmRSS"), pss_bytes(pid)))
        except OSError:
            continue
    return sorted(out, key=lambda p: p.pid)


# --- HTTP -----------------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def log_in(base: str, username: str, password: str) -> tuple[str, str]:
    """A real form login: GET the form for its CSRF token, POST it. Returns (Cookie header, HTML
    of the home page)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/login/", timeout=10) as r:
        form = r.read().decode()
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    if not m:
        raise BenchError("the login page has no CSRF token")
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": m.group(1), "username": username, "password": password, "next": ""}
    ).encode()
    req = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
    with opener.open(req, timeout=10) as r:
        final, html = r.url, r.read().decode()
    if urllib.parse.urlsplit(final).path != "/" or 'data-testid="who"' not in html:
        raise BenchError(f"logging in as {username} did not reach the home page (at {final})")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, html


def fetch(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request as a browser's first load sends it: gzip accepted, no redirect followed."""
    headers = {"Accept-Encoding": "gzip", "User-Agent": "xaso-bench"}
    if cookie:
        headers["Cookie"] = cookie
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


class AssetParser(HTMLParser):
    RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and a.get("href") and self.RELS & set((a.get("rel") or "").split()):
            self.urls.append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"] or "")


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


@dataclass
class Load:
    page: str
    parts: list[tuple[str, int, int, str]] = field(default_factory=list)  # url, status, bytes, enc

    @property
    def total(self) -> int:
        return sum(p[2] for p in self.parts)


def first_load(base: str, path: str, cookie: str | None) -> Load:
    load = Load(path)
    status, headers, body = fetch(base + path, cookie)
    if status != 200:
        raise BenchError(f"{path} answered {status} while measuring its size")
    load.parts.append((path, status, len(body), headers.get("content-encoding", "-")))
    html = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
    parser = AssetParser()
    parser.feed(html.decode("utf-8", errors="replace"))
    todo = [urllib.parse.urljoin(base + path, u) for u in parser.urls]
    seen: set[str] = set()
    while todo:
        url = todo.pop(0)
        if url in seen or not url.startswith(base) or url.startswith("data:"):
            continue
        seen.add(url)
        status, headers, body = fetch(url, cookie)
        short = url[len(base) :]
        load.parts.append((short, status, len(body), headers.get("content-encoding", "-")))
        if status == 200 and headers.get("content-type", "").startswith("text/css"):
            css = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
            for m in CSS_URL.finditer(css.decode("utf-8", errors="replace")):
                ref = m.group(1) or m.group(2)
                if not ref.startswith("data:"):
                    todo.append(urllib.parse.urljoin(url, ref))
    return load


def cpu_busy(seconds: float = 1.0) -> float:
    """The share of the machine's CPU time that was busy over `seconds` (from /proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields[:8]), idle

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


# --- Load testing ---------------------------------------------------------------------------------


@dataclass
class Rate:
    page: str
    rps: float
    p50_ms: float
    requests: int
    errors: int


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, cookie: str | None, duration: int, connections: int, threads: int) -> Rate:
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    total = re.search(r"(\d+) requests in", out)
    if not (rps and p50 and total):
        raise BenchError(f"could not read wrk's output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    path = urllib.parse.urlsplit(url).path
    return Rate(
        path,
        float(rps.group(1)),
        float(p50.group(1)) * UNITS[p50.group(2)],
        int(total.group(1)),
        errors,
    )


# --- The run --------------------------------------------------------------------------------------


def richest_admin(base: str, accounts: list[dict]) -> tuple[str, str, int]:
    """Among the demo's administrators, the one whose home page is the largest."""
    best: tuple[str, str, int] | None = None
    for account in accounts:
        if "admin" not in account["roles"]:
            continue
        cookie, html = log_in(base, account["username"], DEMO_PASSWORD)
        if best is None or len(html.encode()) > best[2]:
            best = (account["username"], cookie, len(html.encode()))
    if best is None:
        raise BenchError("the demo has no administrator account")
    return best


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=int, default=10, help="seconds of wrk per page (10)")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each page (2)")
    ap.add_argument("--workers", type=int, help="gunicorn workers (default: what xaso serve picks)")
    ap.add_argument("--database-url", help="benchmark on this database instead of a fresh SQLite")
    ap.add_argument(
        "--settings", help="a Django settings module to serve with (to try a settings change)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()

    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y --no-install-recommends wrk", file=sys.stderr)
        return 2
    xaso = xaso_command()
    data_dir = Path(tempfile.mkdtemp(prefix="xaso-bench-"))
    env = clean_env(data_dir, args.database_url, args.settings)
    log = data_dir / "serve.log"
    server: subprocess.Popen | None = None
    try:
        print(f"data folder {data_dir}; database: {args.database_url or 'SQLite (fresh)'}")
        run([xaso, "init"], env)
        accounts = json.loads(run([xaso, "demo", "--password", DEMO_PASSWORD, "--json"], env))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [xaso, "serve", "--bind", f"127.0.0.1:{port}"]
        if args.workers:
            serve += ["--workers", str(args.workers)]
        with log.open("wb") as out:
            server = subprocess.Popen(
                serve, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )  # noqa: S603
        started = wait_healthy(base, server, log)
        print(f"xaso serve answered /healthz after {started:.1f} s at {base}")

        admin, cookie, _ = richest_admin(base, accounts)
        print(f"home page measured as {admin} (the largest administrator home page)")

        busy_before = cpu_busy(2.0)
        # The floor is measured first and last: a difference shows that something else on the
        # machine changed the figures while they were taken.
        pages = [("/healthz", None), ("/login/", None), ("/", cookie), ("/healthz", None)]
        opts = {"connections": args.connections, "threads": args.threads}
        rates: list[Rate] = []
        for path, c in pages:
            if args.warmup:
                wrk(base + path, cookie=c, duration=args.warmup, **opts)
            rates.append(wrk(base + path, cookie=c, duration=args.duration, **opts))
        status, _, body = fetch(base + "/", cookie)
        if status != 200 or b'data-testid="who"' not in gzip_or_plain(body):
            raise BenchError(f"the session did not last through the run (home answered {status})")

        loads = [first_load(base, "/login/", None), first_load(base, "/", cookie)]
        fav_status, fav_headers, fav_body = fetch(base + "/favicon.ico")
        procs = memory(server.pid)
    except BenchError as e:
        print(f"ERROR: {e}", file=sys.stderr)
        return 2
    except (urllib.error.URLError, subprocess.CalledProcessError, OSError) as e:
        print(f"ERROR: {e}\nxaso serve's log ends with:\n{tail(log)}", file=sys.stderr)
        return 2
    finally:
        stopped = stop(server) if server is not None else (False, "never started")
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    first, last = rates[0], rates[-1]
    floor = Rate(
        "/healthz",
        (first.rps + last.rps) / 2,
        (first.p50_ms + last.p50_ms) / 2,
        first.requests + last.requests,
        first.errors + last.errors,
    )
    rates = [floor, *rates[1:-1]]
    rss_total = sum(p.rss for p in procs)
    pss_total = sum(p.pss or 0 for p in procs)
    goals: list[bool] = []

    print()
    print(f"Requests/s (wrk: {args.threads} threads, {args.connections} connections, ", end="")
    print(f"{args.duration} s a page)")
    row = "  {:<10} {:>9} {:>8} {:>9} {:>7} {:>9}  {}"
    print(row.format("page", "req/s", "p50 ms", "requests", "errors", "of floor", "goal >= 50%"))
    print(f"  (floor = mean of {first.rps:.1f} req/s before and {last.rps:.1f} after the pages)")
    for r in rates:
        ratio = r.rps / floor.rps
        if r is floor:
            mark = "(floor)"
        else:
            ok = ratio >= GOAL_RATIO and r.errors == 0
            goals.append(ok)
            mark = verdict(ok)
        print(
            row.format(
                r.page,
                f"{r.rps:.1f}",
                f"{r.p50_ms:.2f}",
                r.requests,
                r.errors,
                f"{ratio:.0%}",
                mark,
            )
        )

    drift = abs(first.rps - last.rps) / max(first.rps, last.rps)
    if busy_before > 0.10 or drift > 0.15:
        print(
            f"  WARNING: the machine was not quiet (CPU {busy_before:.0%} busy before the run, "
            f"floor moved {drift:.0%} during it): the rates are not trustworthy; run again."
        )
    print()
    print("First load, bytes transferred with Accept-Encoding: gzip (goal <= 30 KB)")
    for load in loads:
        ok = load.total <= GOAL_BYTES
        goals.append(ok)
        print(f"  {load.page:<10} {load.total:>7} B = {load.total / 1024:5.1f} KB  {verdict(ok)}")
        for url, status, size, enc in load.parts:
            print(f"      {size:>7} B  {enc:<5} {status}  {url}")
    print(
        f"  (the browser also asks for /favicon.ico: {fav_status}, {len(fav_body)} B, not counted)"
    )

    print()
    print("Resident memory of the xaso serve process tree after the run (goal <= 512 MB)")
    for p in procs:
        pss = f"{p.pss / 2**20:7.1f}" if p.pss is not None else "      ?"
        print(f"  {p.pid:>7}  {p.role:<24} RSS {p.rss / 2**20:7.1f} MB  PSS {pss} MB")
    ok = rss_total <= GOAL_RSS
    goals.append(ok)
    rss_mb, pss_mb = rss_total / 2**20, pss_total / 2**20
    print(f"  {'total':<33} RSS {rss_mb:7.1f} MB  PSS {pss_mb:7.1f} MB  {verdict(ok)}")

    print()
    print(f"Stopped: {'cleanly' if stopped[0] else 'NOT cleanly'} ({stopped[1]})")
    goals.append(stopped[0])
    print(f"Overall: {verdict(all(goals))}")

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rates": [r.__dict__ | {"ratio": r.rps / floor.rps} for r in rates],
                    "first_load": [
                        {"page": ld.page, "bytes": ld.total, "parts": ld.parts} for ld in loads
                    ],
                    "memory": [p.__dict__ for p in procs],
                    "cpu_busy_before": busy_before,
                    "floor_first_last": [first.rps, last.rps],
                    "rss_total": rss_total,
                    "pss_total": pss_total,
                    "stopped_cleanly": stopped[0],
                    "pass": all(goals),
                },
                indent=2,
            )
        )
    return 0 if all(goals) else 1


def gzip_or_plain(body: bytes) -> bytes:
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


if __name__ == "__main__":
    sys.exit(main())
