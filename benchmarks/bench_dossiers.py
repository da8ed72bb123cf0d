"""Measure the one-stop shop at volume against `xaso serve`, in one run, on this machine.

    .venv/bin/python benchmarks/bench_dossiers.py [--dossiers 1000000] [--duration 10]

1. a fresh data folder: `xaso init`, `xaso demo`, `xaso seed --dossiers N` (timed);
2. `xaso serve` on a free port, waiting for /healthz;
3. wrk on /healthz (the floor, first and last);
4. API intake: POST /api/v1/dossiers with the bearer token of a reception officer, each request
   a new applicant (a wrk Lua script), for --duration seconds: requests/s, p50, p95;
5. the queue API GET /api/v1/dossiers: the first page, a deep keyset page (after following
   `next` --hops times), and a name search, p50 and p95 (goal p95 <= 50 ms);
6. the work-queue page /dossiers/ and a dossier page /dossiers/<code>/ with a logged-in session,
   as a share of the floor (goal >= 50%), when those pages exist;
7. stops the server.

Exit status 0 when every goal is met, 1 when one is missed, 2 when the run itself failed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench_pages import (
    DEMO_PASSWORD,
    BenchError,
    clean_env,
    cpu_busy,
    free_port,
    log_in,
    memory,
    stop,
    tail,
    verdict,
    wait_healthy,
    xaso_command,
)

GOAL_RATIO = 0.50
GOAL_QUEUE_P95_MS = 50.0
RECEPTION = "ttpvhcc.tiepnhan1"  # reception of the service centre of Xã Thanh Sơn (H25.54.01)

#: Prints the percentiles wrk's --latency leaves out (p95), in microseconds, after the run.
DONE_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("XASO p50=%d p95=%d p99=%d n=%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.requests))
end
"""

#: One intake per request, each with a new applicant: a valid personal ID (Phú Thọ, male, 1990)
#: that agrees with the date of birth, so every request creates a person and a dossier.
INTAKE_LUA = """
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
local counter = 0
request = function()
  counter = counter + 1
  local pid = string.format("025090%06d", math.random(0, 999999))
  local body = string.format(
    '{"procedure": "%s", "channel": "counter", "applicant": {"full_name": "Nguyễn Văn Thử",'
    .. ' "id_number": "%s", "date_of_birth": "1990-05-17", "phone": "0912345678"}}',
    "PROCEDURE", pid)
  return wrk.format("POST", "/api/v1/dossiers", {
    ["Authorization"] = "Bearer TOKEN",
    ["Content-Type"] = "application/json",
  }, body)
end
"""


@dataclass
class Measure:
    name: str
    rps: float
    p50_ms: float  # inf when no request finished within wrk's timeout
    p95_ms: float
    requests: int
    errors: int
    single_ms: float = 0.0  # one request alone, before the load (timeout 120 s)


def probe(url: str, headers: dict[str, str]) -> tuple[int, float]:
    """One request alone: (status, milliseconds); status 0 when it took over 120 s."""
    start = time.monotonic()
    try:
        req = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(req, timeout=120) as r:  # noqa: S310
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    except TimeoutError:
        status = 0
    return status, (time.monotonic() - start) * 1000


def run_streaming(cmd: list[str], env: dict[str, str]) -> float:
    """Run a command, echoing its output as it comes; seconds it took."""
    start = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        print("   ", line.rstrip(), flush=True)
    if proc.wait() != 0:
        raise BenchError(f"{' '.join(cmd)} failed ({proc.returncode})")
    return time.monotonic() - start


def run(cmd: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout


def wrk(
    name: str,
    url: str,
    *,
    headers: dict[str, str],
    duration: int,
    connections: int,
    threads: int,
    script: str = "",
    workdir: Path,
) -> Measure:
    lua = workdir / f"wrk-{abs(hash(name))}.lua"
    lua.write_text(script + DONE_LUA)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    cmd += ["-s", str(lua)]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    pct = re.search(r"XASO p50=(\d+) p95=(\d+) p99=(\d+) n=(\d+)", out)
    if not (rps and pct):
        raise BenchError(f"could not read wrk's output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    p50, p95 = int(pct.group(1)) / 1000, int(pct.group(2)) / 1000
    if int(pct.group(4)) == 0 or p50 == 0:  # nothing finished within wrk's timeout
        p50 = p95 = float("inf")
    return Measure(name, float(rps.group(1)), p50, p95, int(pct.group(4)), errors)


def api(base: str, path: str, token: str | None = None, body: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        raise BenchError(f"{path} answered {e.code}: {e.read()[:500]!r}") from None


def deep_cursor(base: str, token: str, hops: int) -> tuple[str, int]:
    """Follow `next` ``hops`` times with pages of 200: the cursor there and the rows passed."""
    after, seen = None, 0
    for _ in range(hops):
        query = "limit=200" + (f"&after={urllib.parse.quote(after)}" if after else "")
        page = api(base, f"/api/v1/dossiers?{query}", token)
        seen += len(page["items"])
        if not page["next"]:
            break
        after = page["next"]
    if after is None:
        raise BenchError("the queue has a single page: seed more dossiers")
    return after, seen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dossiers", type=int, default=1_000_000, help="dossiers to seed (1000000)")
    ap.add_argument("--days", type=int, default=365, help="days to spread them over (365)")
    ap.add_argument("--duration", type=int, default=10, help="seconds of wrk per measure (10)")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each (2)")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--intake-connections", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--hops", type=int, default=50, help="pages of 200 to the deep cursor (50)")
    ap.add_argument("--procedure", default="1.004873", help="procedure of the intakes")
    ap.add_argument("--workers", type=int, help="gunicorn workers (default: what xaso serve picks)")
    ap.add_argument("--database-url", help="an empty PostgreSQL database instead of SQLite")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    ap.add_argument(
        "--reuse",
        type=Path,
        help="measure a data folder seeded earlier (with its --database-url): no init/demo/seed",
    )
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()

    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y --no-install-recommends wrk", file=sys.stderr)
        return 2
    xaso = xaso_command()
    data_dir = args.reuse or Path(tempfile.mkdtemp(prefix="xaso-bench-dossiers-"))
    env = clean_env(data_dir, args.database_url, None)
    log = data_dir / "serve.log"
    server: subprocess.Popen | None = None
    measures: list[tuple[Measure, str]] = []  # (figure, kind: floor/intake/queue/info/page)
    pages_missing: list[str] = []
    try:
        print(f"data folder {data_dir}; database: {args.database_url or 'SQLite (fresh)'}")
        seed_seconds = float("nan")
        if args.reuse is None:
            run([xaso, "init"], env)
            run([xaso, "demo", "--password", DEMO_PASSWORD, "--json"], env)
            print(f"xaso seed --dossiers {args.dossiers} --days {args.days}:")
            seed_seconds = run_streaming(
                [xaso, "seed", "--dossiers", str(args.dossiers), "--days", str(args.days)], env
            )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [xaso, "serve", "--bind", f"127.0.0.1:{port}"]
        if args.workers:
            serve += ["--workers", str(args.workers)]
        with log.open("wb") as out:
            server = subprocess.Popen(  # noqa: S603
                serve, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        print(f"xaso serve answered /healthz after {wait_healthy(base, server, log):.1f} s")

        token = api(
            base, "/api/v1/auth/token", body={"username": RECEPTION, "password": DEMO_PASSWORD}
        )["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        first = api(base, "/api/v1/dossiers?limit=1", token)
        if not first["items"]:
            raise BenchError(f"{RECEPTION} sees no dossier")
        code = first["items"][0]["code"]
        after, passed = deep_cursor(base, token, args.hops)
        print(f"deep cursor after {passed} rows of the queue of {RECEPTION}")
        cookie, _html = log_in(base, RECEPTION, DEMO_PASSWORD)
        session = {"Cookie": cookie}

        opts = {
            "duration": args.duration,
            "connections": args.connections,
            "threads": args.threads,
            "workdir": data_dir,
        }

        def measure(name: str, path: str, kind: str, headers: dict[str, str], **kw: object) -> None:
            time.sleep(5)  # let the workers drain what the previous wrk left queued
            single = probe(base + path, headers)[1] if not kw.get("script") else 0.0
            if args.warmup:
                wrk(name, base + path, headers=headers, **{**opts, **kw, "duration": args.warmup})  # type: ignore[arg-type]
            m = wrk(name, base + path, headers=headers, **{**opts, **kw})  # type: ignore[arg-type]
            m.single_ms = single
            measures.append((m, kind))
            print(
                f"  {name:<34} {m.rps:9.1f} req/s  p50 {m.p50_ms:7.2f} ms  p95 {m.p95_ms:7.2f} ms"
                f"  (alone: {single:.0f} ms)"
            )

        busy_before = cpu_busy(2.0)
        measure("/healthz (floor, first)", "/healthz", "floor", {})
        queue = "/api/v1/dossiers"
        measure("queue API, first page", queue, "queue", bearer)
        measure(f"queue API, deep page (>{passed})", f"{queue}?after={after}", "queue", bearer)
        measure("queue API, overdue filter", f"{queue}?overdue=true", "info", bearer)
        measure("queue API, name search", f"{queue}?q=nguyen%20van%20hung", "info", bearer)
        for name, path in (
            ("work-queue page", "/dossiers/"),
            ("dossier page", f"/dossiers/{code}/"),
        ):
            status, _ms = probe(base + path, session)
            if status != 200:
                pages_missing.append(f"{path} answered {status}")
                continue
            measure(name + f" {path}", path, "page", session)
        intake = INTAKE_LUA.replace("TOKEN", token).replace("PROCEDURE", args.procedure)
        measure(
            "API intake POST /api/v1/dossiers",
            "/api/v1/dossiers",
            "intake",
            {},
            script=intake,
            connections=args.intake_connections,
        )
        measure("/healthz (floor, last)", "/healthz", "floor", {})
        procs = memory(server.pid)
    except BenchError as e:
        print(f"ERROR: {e}\nxaso serve's log ends with:\n{tail(log)}", file=sys.stderr)
        return 2
    except (urllib.error.URLError, subprocess.CalledProcessError, OSError) as e:
        print(f"ERROR: {e}\nxaso serve's log ends with:\n{tail(log)}", file=sys.stderr)
        return 2
    finally:
        stopped = stop(server) if server is not None else (False, "never started")
        if not args.keep and args.reuse is None:
            shutil.rmtree(data_dir, ignore_errors=True)

    floors = [m for m, k in measures if k == "floor"]
    floor = sum(m.rps for m in floors) / len(floors)
    goals: list[bool] = []
    print()
    where = "PostgreSQL" if args.database_url else "SQLite"
    if args.reuse is None:
        rate = args.dossiers / seed_seconds
        print(
            f"{args.dossiers:,} dossiers seeded in {seed_seconds:.0f} s ({rate:,.0f}/s) on {where}"
        )
    else:
        print(f"measured on {args.reuse} ({where}), seeded earlier")
    print(
        f"wrk: {args.threads} threads, {args.connections} connections "
        f"({args.intake_connections} for the intake), {args.duration} s each"
    )
    row = "  {:<40} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6} {:>8}  {}"
    head = ("measure", "req/s", "p50 ms", "p95 ms", "alone ms", "requests", "errors", "of floor")
    print(row.format(*head, "goal"))
    for m, kind in measures:
        ratio = m.rps / floor
        if kind == "floor":
            mark = "(floor)"
        elif kind == "queue":
            ok = m.p95_ms <= GOAL_QUEUE_P95_MS and m.errors == 0
            goals.append(ok)
            mark = f"p95 <= {GOAL_QUEUE_P95_MS:.0f} ms: {verdict(ok)}"
        elif kind == "page":
            ok = ratio >= GOAL_RATIO and m.errors == 0
            goals.append(ok)
            mark = f">= 50% of floor: {verdict(ok)}"
        elif kind == "intake":
            ok = m.errors == 0
            goals.append(ok)
            mark = f"no errors: {verdict(ok)}"
        else:
            mark = f"(info; p95 {'within' if m.p95_ms <= GOAL_QUEUE_P95_MS else 'over'} 50 ms)"
        print(
            row.format(
                m.name[:40],
                f"{m.rps:.1f}",
                f"{m.p50_ms:.2f}",
                f"{m.p95_ms:.2f}",
                f"{m.single_ms:.0f}",
                m.requests,
                m.errors,
                f"{ratio:.0%}",
                mark,
            )
        )
    for missing in pages_missing:
        print(f"  page not measured: {missing} (not built yet?)")
    drift = abs(floors[0].rps - floors[-1].rps) / max(floors[0].rps, floors[-1].rps)
    if busy_before > 0.10 or drift > 0.15:
        print(
            f"  WARNING: the machine was not quiet (CPU {busy_before:.0%} busy before the run, "
            f"floor moved {drift:.0%} during it): the rates are not trustworthy; run again."
        )
    rss = sum(p.rss for p in procs)
    print(f"Resident memory of the xaso serve tree: {rss / 2**20:.0f} MB")
    print(f"Stopped: {'cleanly' if stopped[0] else 'NOT cleanly'} ({stopped[1]})")
    print(f"Overall: {verdict(all(goals))}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "dossiers": args.dossiers,
                    "database": "postgresql" if args.database_url else "sqlite",
                    "seed_seconds": seed_seconds,
                    "floor_rps": floor,
                    "measures": [
                        m.__dict__ | {"kind": k, "ratio": m.rps / floor} for m, k in measures
                    ],
                    "pages_missing": pages_missing,
                    "cpu_busy_before": busy_before,
                    "rss_total": rss,
                    "pass": all(goals),
                },
                indent=2,
            )
        )
    return 0 if all(goals) else 1


if __name__ == "__main__":
    sys.exit(main())
