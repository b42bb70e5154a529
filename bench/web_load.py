"""Load test of the web app: N simulated runners sign in, open their overview and save diary entries.

Starts the real server (`hipcheck serve --no-worker`, uvicorn, SQLite in a temporary HIPCHECK_HOME) on a
free loopback port, creates the accounts through the accounts service, then drives it with asyncio +
httpx for a bounded time. Prints requests/s, p50/p95/p99 latency and the error count, per step and in
total, then the same users fetching a static file from the same server for up to 10 s (the named
baseline: no session, database or template) and the ratio of the two p95 latencies. Only loopback
traffic; every loop stops at the deadline.

    .venv/bin/python bench/web_load.py                      # 50 users, 30 s, 1 s think, 5 s ramp-up
    .venv/bin/python bench/web_load.py --users 100 --seconds 60 --think 0.5
    .venv/bin/python bench/web_load.py --database-url postgresql://postgres@127.0.0.1:5432/bench

Exit code 0 when p95 < --target-ms and there were no errors, 1 otherwise.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

PASSWORD = "bench-password-123"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_users(n: int) -> list[tuple[str, int]]:
    from hipcheck.services import accounts

    out = []
    for i in range(n):
        user = accounts.sign_up(f"runner{i}@bench.local", PASSWORD, f"Bench Runner {i}", consent=True)
        out.append((user.email, user.athlete_id))
    return out


class Stats:
    def __init__(self):
        self.latency_ms: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def record(self, step: str, started: float, ok: bool, why: str = "") -> None:
        self.latency_ms[step].append((time.perf_counter() - started) * 1000)
        if not ok:
            self.errors[f"{step}: {why}"] += 1


async def simulated_user(client, base: str, email: str, athlete_id: int, deadline: float, think_s: float,
                         ramp_s: float, stats: Stats, rng: random.Random) -> None:
    await asyncio.sleep(rng.random() * ramp_s)  # users arrive over the ramp-up, not in one millisecond
    t = time.perf_counter()
    try:
        page = await client.get(f"{base}/login")
        token = CSRF.search(page.text).group(1)
        r = await client.post(f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        ok = r.status_code == 303 and "hc_session" in client.cookies
        stats.record("login", t, ok, f"HTTP {r.status_code}")
    except Exception as exc:  # noqa: BLE001 - a failed request is counted, not fatal
        stats.record("login", t, False, type(exc).__name__)
        return
    if not ok:
        return
    day = dt.date.today()
    while time.monotonic() < deadline:
        t = time.perf_counter()
        token = None
        try:
            r = await client.get(f"{base}/athletes/{athlete_id}")
            match = CSRF.search(r.text)
            token = match.group(1) if match else None
            stats.record("dashboard", t, r.status_code == 200 and token is not None, f"HTTP {r.status_code}")
        except Exception as exc:
            stats.record("dashboard", t, False, type(exc).__name__)
        await asyncio.sleep(think_s)
        if time.monotonic() >= deadline or token is None:
            continue
        t = time.perf_counter()
        day -= dt.timedelta(days=1)
        try:
            r = await client.post(f"{base}/athletes/{athlete_id}/diary", data={
                "csrf_token": token, "date": day.isoformat(), "pain_during": str(rng.randint(0, 4)),
                "pain_after": str(rng.randint(0, 6)), "next": "overview"})
            stats.record("diary entry", t, r.status_code == 303, f"HTTP {r.status_code}")
        except Exception as exc:
            stats.record("diary entry", t, False, type(exc).__name__)
        await asyncio.sleep(think_s)


async def baseline_user(client, base: str, deadline: float, think_s: float, ramp_s: float, stats: Stats,
                        rng: random.Random) -> None:
    """The named baseline: the same server serving a static file (no session, no database, no template)."""
    await asyncio.sleep(rng.random() * ramp_s)
    while time.monotonic() < deadline:
        t = time.perf_counter()
        try:
            r = await client.get(f"{base}/static/app.css")
            stats.record("static file", t, r.status_code == 200, f"HTTP {r.status_code}")
        except Exception as exc:  # noqa: BLE001 - counted, not fatal
            stats.record("static file", t, False, type(exc).__name__)
        await asyncio.sleep(think_s)


async def drive_baseline(base: str, users: int, seconds: float, think_s: float, ramp_s: float,
                         seed: int) -> Stats:
    import httpx

    stats = Stats()
    deadline = time.monotonic() + seconds
    clients = [httpx.AsyncClient(timeout=30) for _ in range(users)]
    try:
        await asyncio.gather(*(baseline_user(c, base, deadline, think_s, ramp_s, stats, random.Random(seed + i))
                               for i, c in enumerate(clients)))
    finally:
        for c in clients:
            await c.aclose()
    return stats


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def drive(base: str, users: list[tuple[str, int]], seconds: float, think_s: float, ramp_s: float,
                seed: int) -> tuple[Stats, float]:
    import httpx

    stats = Stats()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=len(users) * 2, max_keepalive_connections=len(users) * 2)
    clients = [httpx.AsyncClient(timeout=30, limits=limits, headers={"Origin": base}) for _ in users]
    started = time.monotonic()
    try:
        await asyncio.gather(*(simulated_user(c, base, email, aid, deadline, think_s, ramp_s, stats,
                                              random.Random(seed + i))
                               for i, (c, (email, aid)) in enumerate(zip(clients, users))))
    finally:
        for c in clients:
            await c.aclose()
    return stats, time.monotonic() - started


def report(stats: Stats, elapsed: float, users: int, target_ms: float, baseline: Stats | None = None) -> bool:
    everything = [v for vals in stats.latency_ms.values() for v in vals]
    rows = []
    for step, vals in list(stats.latency_ms.items()) + [("all", everything)]:
        rows.append({"step": step, "requests": len(vals), "p50_ms": round(_pct(vals, 50), 1),
                     "p95_ms": round(_pct(vals, 95), 1), "p99_ms": round(_pct(vals, 99), 1),
                     "max_ms": round(max(vals), 1) if vals else None,
                     "mean_ms": round(statistics.fmean(vals), 1) if vals else None})
    print(f"{'step':<12} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for r in rows:
        print(f"{r['step']:<12} {r['requests']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} {r['max_ms']!s:>8}")
    errors = sum(stats.errors.values())
    for why, n in sorted(stats.errors.items()):
        print(f"error: {why} x{n}")
    p95 = rows[-1]["p95_ms"]
    ok = errors == 0 and p95 < target_ms
    base_vals = baseline.latency_ms.get("static file", []) if baseline else []
    base_p95 = round(_pct(base_vals, 95), 1) if base_vals else None
    if base_p95:
        print(f"baseline (same users and think time, static file from the same server): {len(base_vals)} "
              f"requests, p50 {_pct(base_vals, 50):.1f} ms, p95 {base_p95} ms; "
              f"app p95 / baseline p95 = {p95 / base_p95:.1f}x")
    summary = {"users": users, "seconds": round(elapsed, 1), "requests": len(everything),
               "baseline_static_p95_ms": base_p95,
               "ratio_p95_vs_baseline": round(p95 / base_p95, 2) if base_p95 else None,
               "requests_per_s": round(len(everything) / elapsed, 1), "p50_ms": rows[-1]["p50_ms"], "p95_ms": p95,
               "p99_ms": rows[-1]["p99_ms"], "errors": errors, "target_p95_ms": target_ms, "pass": ok}
    print(json.dumps(summary))
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0, help="how long the users keep working")
    ap.add_argument("--think", type=float, default=1.0, help="seconds a user waits between actions (0: none)")
    ap.add_argument("--ramp", type=float, default=5.0, help="seconds over which the users arrive")
    ap.add_argument("--target-ms", type=float, default=300.0, help="p95 latency target")
    ap.add_argument("--database-url", default=None, help="default: SQLite in a temporary folder")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if not 1 <= args.users <= 1000 or not 1 <= args.seconds <= 600:
        ap.error("--users must be 1-1000 and --seconds 1-600")
    with tempfile.TemporaryDirectory(prefix="hipcheck-bench-") as home:
        env = {**os.environ, "HIPCHECK_HOME": home}
        env.pop("HIPCHECK_DATABASE_URL", None)
        if args.database_url:
            env["HIPCHECK_DATABASE_URL"] = args.database_url
        os.environ.update(env)
        if not args.database_url:
            os.environ.pop("HIPCHECK_DATABASE_URL", None)
        t = time.monotonic()
        users = create_users(args.users)
        print(f"created {len(users)} accounts in {time.monotonic() - t:.1f} s", file=sys.stderr)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(home) / "server.log", "wb")  # noqa: SIM115 - closed below
        server = subprocess.Popen([sys.executable, "-m", "hipcheck.cli", "serve", "--no-worker", "--port", str(port)],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(base + "/login", timeout=2).read()
                    break
                except OSError:
                    if server.poll() is not None:
                        raise SystemExit("the server did not start:\n" + (Path(home) / "server.log").read_text())
                    time.sleep(0.2)
            print(f"{args.users} users for {args.seconds:g} s against {base} (think time {args.think:g} s)",
                  file=sys.stderr)
            cpu0 = _cpu_seconds(server.pid)
            stats, elapsed = asyncio.run(drive(base, users, args.seconds, args.think, args.ramp, args.seed))
            server_cpu = _cpu_seconds(server.pid) - cpu0
            baseline = asyncio.run(drive_baseline(base, args.users, min(args.seconds, 10.0), args.think,
                                                  args.ramp, args.seed))
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()
    n = sum(len(v) for v in stats.latency_ms.values())
    print(f"server CPU: {server_cpu:.1f} s for {n} requests ({1000 * server_cpu / max(n, 1):.1f} ms each); "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", file=sys.stderr)
    return 0 if report(stats, elapsed, args.users, args.target_ms, baseline) else 1


if __name__ == "__main__":
    sys.exit(main())
