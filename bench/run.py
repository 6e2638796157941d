"""`make bench`: measure the hot pages under gunicorn with wrk, on SQLite and PostgreSQL.

For each database and data set (the demo county, and the national synthetic set
built by `flask demo scale`), the app runs under gunicorn with the production
configuration and the same flags as a minimal Flask plaintext app, the ceiling
of the run. Each page's throughput is reported as a ratio to that ceiling.

    .venv/bin/python bench/run.py [--databases sqlite,postgresql] [--datasets demo,national]
                                  [--duration 10] [--connections 16] [--rebuild] [--build-only]

`--build-only` builds (or with `--rebuild`, rebuilds) the data sets and prints how long
each took, without measuring anything.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
BIN = Path(sys.executable).parent
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
# BENCH_PG_PREFIX: the bench databases' names (<prefix>_demo, <prefix>_national).
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "zaigang_bench")
# BENCH_REDIS: another Redis server (a machine shared with other work keeps its own).
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379").rstrip("/")
DEMO_TOWNSHIP = "990101001"
NATIONAL = {"townships": 40_000, "cadres-per-township": 30, "reports": 1_000_000}
SECRET = "bench-secret-" + "k" * 40
INSPECTOR = ("inspector", "demo-inspector-2026", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
# A province inspector (省纪委) over the first synthetic province, which `demo scale` gives
# half the national reports (510,000 of 1,000,000): the widest queue there is, 10,200 pages.
PROVINCE = "110000"
PROVINCE_INSPECTOR = ("bench-province", "bench-province-2026", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
# The cursor of page N of the inspector's queue ("all" statuses, newest first): the (time, id)
# of the last report of page N - 1. Page N itself if the queue has it, else its last page.
DEEP_CURSOR = """
import sys
from sqlalchemy import func, select
from wsgi import app
from portal.extensions import db
from portal.models import Report, User
from portal.services.casework.queue import encode_cursor, visible_condition
page, size = int(sys.argv[1]), int(sys.argv[2])
with app.app_context():
    user = db.session.scalar(select(User).where(User.username == sys.argv[3]))
    visible = visible_condition(user)
    total = db.session.scalar(select(func.count()).select_from(Report).where(visible))
    page = min(page, max(2, -(-total // size)))
    row = db.session.execute(
        select(Report.submitted_at, Report.id).where(visible)
        .order_by(Report.submitted_at.desc(), Report.id.desc())
        .offset((page - 1) * size - 1).limit(1)).one()
    print(page, encode_cursor(row[0], row[1]))
"""


@dataclass
class Row:
    database: str
    dataset: str
    page: str
    rps: float
    p50_ms: float
    p99_ms: float
    ratio: float = 0.0
    errors: int = 0
    # CPU time per request of the app's workers and of the database server (PostgreSQL's
    # processes; SQLite runs inside the workers), from /proc: where a page's cost lies.
    app_cpu_ms: float = 0.0
    db_cpu_ms: float = 0.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed when missing."""
    path = shutil.which("wrk")
    if path:
        return path
    log("installing wrk (apt-get)")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk") or "wrk"


def database_url(database: str, dataset: str, instance: Path) -> str:
    if database == "sqlite":
        return f"sqlite:///{instance / 'bench.sqlite3'}"
    return f"{PG}/{PG_PREFIX}_{dataset}"


def app_env(database: str, dataset: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_ENV="production",
        SECRET_KEY=SECRET,
        AUDIT_KEY="bench-audit-key-" + "b" * 32,
        PUBLIC_URL="http://127.0.0.1",
        PORTAL_INSTANCE_PATH=str(instance),
        DATABASE_URL=database_url(database, dataset, instance),
        EVIDENCE_DIR=str(instance / "evidence"),
        PORTAL_RATELIMIT_ENABLED="false",
        SESSION_COOKIE_SECURE="false",
        RATELIMIT_STORAGE_URI=f"{REDIS}/11" if database == "postgresql" else "memory://",
        CACHE_URL=f"{REDIS}/12" if database == "postgresql" else "",
    )
    return env


def flask(env: dict[str, str], *args: str, timeout: int = 3600) -> str:
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare(database: str, dataset: str, rebuild: bool) -> dict[str, str]:
    """Build (or reuse) the data set; the national one takes minutes, so it is kept."""
    instance = WORK / f"{database}-{dataset}"
    marker = instance / "built.json"
    if rebuild or not marker.exists():
        started = time.monotonic()
        scale_seconds = None
        shutil.rmtree(instance, ignore_errors=True)
        instance.mkdir(parents=True)
        if database == "postgresql":
            name = f"{PG_PREFIX}_{dataset}"
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
                            f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
                           check=True, capture_output=True)
        env = app_env(database, dataset, instance)
        flask(env, "db", "upgrade")
        flask(env, "demo", "seed")
        if dataset == "national":
            args = [f"--{k}={v}" for k, v in NATIONAL.items()]
            log(f"building the national data set on {database} (several minutes)")
            scale_started = time.monotonic()
            out = flask(env, "demo", "scale", *args)
            scale_seconds = time.monotonic() - scale_started
            log(out.strip().splitlines()[-1] + f" (wall {scale_seconds:.0f} s)")
            username, password, secret = PROVINCE_INSPECTOR
            flask(env, "users", "create", "--role", "inspector", "--scope", PROVINCE,
                  "--username", username, "--password", password, "--totp-secret", secret)
        if database == "postgresql":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-d",
                            f"{PG_PREFIX}_{dataset}", "-c", "VACUUM ANALYZE"], check=True)
        marker.write_text(json.dumps({
            "dataset": dataset, "built": time.time(), "seconds": round(time.monotonic() - started, 1),
            "scale_seconds": round(scale_seconds, 1) if scale_seconds is not None else None,
        }))
    else:
        # A kept data set follows the schema: revisions added since it was built apply.
        flask(app_env(database, dataset, instance), "db", "upgrade")
    return app_env(database, dataset, instance)


def build_report(database: str, dataset: str) -> str:
    """One line: how long the data set took to build (from its marker)."""
    built = json.loads((WORK / f"{database}-{dataset}" / "built.json").read_text())
    scale = f", of which `demo scale` {built['scale_seconds']:.0f} s" if built.get("scale_seconds") else ""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(built["built"]))
    seconds = f"{built['seconds']:.0f} s" if "seconds" in built else "time not recorded"
    return f"{database:<10} {dataset:<8} built {when} in {seconds}{scale}"


def gunicorn_flags(workers: int, worker_class: str = "sync", threads: int = 1) -> list[str]:
    conf = ROOT / "deploy" / "gunicorn.conf.py"
    flags = ["--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads),
             "--backlog", "2048",
             "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning"]
    if conf.exists():
        flags = ["-c", str(conf), *flags]
    return flags


def start(app: str, port: int, env: dict[str, str], args: argparse.Namespace) -> subprocess.Popen:
    flags = gunicorn_flags(args.workers, args.worker_class, args.threads)
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", *flags, app],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=open(WORK / f"gunicorn-{port}.log", "wb"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    probe = "/plaintext" if "plaintext" in app else "/healthz"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2):  # noqa: S310
                return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"{app} did not start; see {WORK / f'gunicorn-{port}.log'}")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[str]) -> float:
    total = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
    return total


def cpu_snapshot(server: subprocess.Popen) -> tuple[float, float]:
    """CPU seconds used so far by the server's workers and by PostgreSQL's processes."""
    workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    postgres = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    return _cpu_seconds(workers.stdout.split()), _cpu_seconds(postgres.stdout.split())


def worker_rss_mb(process: subprocess.Popen) -> float:
    """The largest resident set of the gunicorn workers (children of the master)."""
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True)
    sizes = []
    for pid in children.stdout.split():
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            if match:
                sizes.append(int(match.group(1)) / 1024)
    return max(sizes, default=0.0)


_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url: str, duration: int, connections: int, script: str | None = None,
        env: dict[str, str] | None = None) -> tuple[float, float, float, int]:
    rps, p50, p99, errors, _answered = wrk_run(url, duration, connections, script, env)
    return rps, p50, p99, errors


def wrk_run(url: str, duration: int, connections: int, script: str | None = None,
            env: dict[str, str] | None = None) -> tuple[float, float, float, int, int]:
    """wrk's figures: req/s, p50 and p99 ms, errors, and the responses that were 2xx or 3xx."""
    args = [ensure_wrk(), "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", str(ROOT / "bench" / script)]
    result = subprocess.run([*args, url], capture_output=True, text=True, env={**os.environ, **(env or {})},
                            timeout=duration + 60, check=True)
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latencies = {q: float(v) * scale[u] for q, v, u in _LATENCY.findall(out)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    n_errors = int(errors.group(1)) if errors else 0
    answered = int(re.search(r"(\d+) requests in", out).group(1)) - n_errors
    if socket_errors:
        n_errors += sum(int(x) for x in socket_errors.groups())
    return rps, latencies.get("50", 0.0), latencies.get("99", 0.0), n_errors, answered


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def _cookie_header(opener: urllib.request.OpenerDirector) -> str:
    jar = next(h.cookiejar for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def report_form(base: str) -> dict[str, str]:
    """A session cookie and a valid form body for POST /report."""
    opener = _opener()
    html = opener.open(f"{base}/report?township={DEMO_TOWNSHIP}").read().decode()  # noqa: S310
    body = urllib.parse.urlencode({
        "csrf_token": _csrf(html), "township": DEMO_TOWNSHIP, "category": "absent_workday",
        "observed_at": time.strftime("%Y-%m-%dT09:30", time.localtime(time.time() - 86400)),
        "place": "乡镇政府办公楼", "description": "工作日上午九点半，办公室无人值守，电话无人接听。",
        "cadre": "",
    })
    return {"BENCH_COOKIE": _cookie_header(opener), "BENCH_BODY": body}


def staff_session(base: str, who: tuple[str, str, str] = INSPECTOR) -> dict[str, str]:
    """Log an inspector in (password + TOTP) and return the session cookie."""
    import pyotp

    opener = _opener()
    username, password, secret = who
    html = opener.open(f"{base}/login").read().decode()  # noqa: S310
    # Wait for a fresh TOTP step: a code is accepted once only.
    time.sleep(30 - time.time() % 30 + 0.5)
    data = urllib.parse.urlencode({"csrf_token": _csrf(html), "username": username,
                                   "password": password, "totp": pyotp.TOTP(secret).now()}).encode()
    opener.open(f"{base}/login", data=data).read()  # noqa: S310
    cookie = _cookie_header(opener)
    check = urllib.request.Request(f"{base}/review", headers={"Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(check) as response:  # noqa: S310
        if "/login" in response.url:
            raise RuntimeError("the inspector could not log in")
    return {"BENCH_COOKIE": cookie}


def deep_queue_url(base: str, env: dict[str, str], page: int, size: int = 50) -> tuple[int, str]:
    """The province inspector's queue at page `page` (or its last page), by its keyset cursor."""
    args = [sys.executable, "-c", DEEP_CURSOR, str(page), str(size), PROVINCE_INSPECTOR[0]]
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True,
                         timeout=600)
    reached, cursor = out.stdout.split()[-2:]
    return int(reached), f"{base}/review?status=all&after={cursor}"


def measure(database: str, dataset: str, args: argparse.Namespace) -> list[Row]:
    env = prepare(database, dataset, args.rebuild)
    rows: list[Row] = []

    def wanted(name: str) -> bool:
        return not args.pages or any(name.startswith(p) for p in args.pages.split(","))

    ceiling = start("bench.plaintext:app", 8801, env, args)
    try:
        rps, p50, p99, errors = wrk("http://127.0.0.1:8801/plaintext", args.duration, args.connections)
        rows.append(Row(database, dataset, "plaintext (ceiling)", rps, p50, p99, 1.0, errors))
    finally:
        stop(ceiling)
    server = start("wsgi:app", 8802, env, args)
    base = "http://127.0.0.1:8802"
    try:
        pages = [
            ("board", f"{base}/t/{DEMO_TOWNSHIP}", None, None),
            ("roster", f"{base}/t/{DEMO_TOWNSHIP}/roster", None, None),
            ("api board", f"{base}/api/v1/townships/{DEMO_TOWNSHIP}/board", None, None),
            ("report submission", f"{base}/report", "post_report.lua", report_form(base)),
        ]
        if wanted("queue"):
            session = staff_session(base)
            pages.append(("queue page 1 (county)", f"{base}/review", "cookie.lua", session))
        if dataset == "national" and wanted("queue"):
            province = staff_session(base, PROVINCE_INSPECTOR)
            pages.append(("queue page 1 (province)", f"{base}/review?status=all", "cookie.lua",
                          province))
            reached, deep = deep_queue_url(base, env, args.deep_page)
            pages.append((f"queue page {reached:,} (province)", deep, "cookie.lua", province))
        for name, url, script, extra in pages:
            if not wanted(name):
                continue
            app_before, db_before = cpu_snapshot(server)
            rps, p50, p99, errors = wrk(url, args.duration, args.connections, script, extra)
            app_after, db_after = cpu_snapshot(server)
            served = max(rps * args.duration, 1.0)
            rows.append(Row(database, dataset, name, rps, p50, p99, rps / rows[0].rps, errors,
                            1000 * (app_after - app_before) / served,
                            1000 * (db_after - db_before) / served))
            log(f"  {database:<10} {dataset:<8} {name:<22} {rps:9.0f} req/s  "
                f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
        if wanted("surge") and database in args.surge_databases.split(",") \
                and dataset == "demo":
            rows.extend(surge(database, dataset, base, env, args, server, rows[0].rps))
        rss = worker_rss_mb(server)
        rows.append(Row(database, dataset, "worker RSS (MB)", rss, 0, 0))
    finally:
        stop(server)
    return rows


def stored_reports(env: dict[str, str]) -> int:
    """How many reports the database holds (what a lost report would be missing from)."""
    out = subprocess.run([sys.executable, "-c", COUNT_REPORTS], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True, timeout=120)
    return int(out.stdout.split()[-1])


COUNT_REPORTS = """
from sqlalchemy import func, select
from wsgi import app
from portal.extensions import db
from portal.models import Report
with app.app_context():
    print(db.session.scalar(select(func.count()).select_from(Report)))
"""


def surge(database: str, dataset: str, base: str, env: dict[str, str], args: argparse.Namespace,
          server: subprocess.Popen, ceiling: float) -> list[Row]:
    """A surge: `--surge-reporters` submitting and `--surge-readers` on the board at once.

    Every acknowledged submission (a 2xx or 3xx answer) must be in the database afterwards:
    the count of reports before and after is compared with the acknowledgements.
    """
    import concurrent.futures

    form = report_form(base)
    before = stored_reports(env)
    app_before, db_before = cpu_snapshot(server)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        reporters = pool.submit(wrk_run, f"{base}/report", args.duration, args.surge_reporters,
                                "post_report.lua", form)
        readers = pool.submit(wrk_run, f"{base}/t/{DEMO_TOWNSHIP}", args.duration,
                              args.surge_readers)
        report, board = reporters.result(), readers.result()
    app_after, db_after = cpu_snapshot(server)
    stored = stored_reports(env) - before
    lost = max(0, report[4] - stored)
    served = max((report[0] + board[0]) * args.duration, 1.0)
    app_cpu = 1000 * (app_after - app_before) / served
    db_cpu = 1000 * (db_after - db_before) / served
    rows = [
        Row(database, dataset, f"surge: report submission ({args.surge_reporters} at once)",
            report[0], report[1], report[2], report[0] / ceiling, report[3], app_cpu, db_cpu),
        Row(database, dataset, f"surge: board ({args.surge_readers} at once)",
            board[0], board[1], board[2], board[0] / ceiling, board[3], app_cpu, db_cpu),
        Row(database, dataset, f"surge: reports acknowledged {report[4]:,}, stored {stored:,}, "
            "lost", lost, 0, 0),
    ]
    for row in rows[:2]:
        log(f"  {database:<10} {dataset:<8} {row.page:<40} {row.rps:9.0f} req/s  "
            f"p50 {row.p50_ms:6.1f} ms  p99 {row.p99_ms:6.1f} ms  errors {row.errors}")
    log(f"  {database:<10} {dataset:<8} surge: acknowledged {report[4]}, stored {stored}, lost {lost}")
    return rows


def table(rows: list[Row]) -> str:
    lines = ["| database | data set | page | req/s | × ceiling | p50 ms | p99 ms | errors "
             "| app CPU ms/req | db CPU ms/req |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r.page.startswith("worker RSS") or r.page.startswith("surge: reports"):
            lines.append(f"| {r.database} | {r.dataset} | {r.page} | {r.rps:.0f} | | | | | | |")
            continue
        app = f"{r.app_cpu_ms:.2f}" if r.app_cpu_ms else ""
        database = f"{r.db_cpu_ms:.2f}" if r.db_cpu_ms else ""
        lines.append(f"| {r.database} | {r.dataset} | {r.page} | {r.rps:.0f} | {r.ratio:.2f} | "
                     f"{r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | {app} | {database} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--datasets", default="demo,national")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    # As deploy/gunicorn.conf.py: cores + 1 sync workers.
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    parser.add_argument("--worker-class", default="sync", help="gunicorn's, e.g. sync or gthread")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--pages", default="",
                        help="only the pages whose names start with one of these (comma-separated)")
    parser.add_argument("--surge-reporters", type=int, default=32)
    parser.add_argument("--surge-readers", type=int, default=256)
    parser.add_argument("--surge-databases", default="postgresql",
                        help="where the surge runs (on the demo data set, after the pages)")
    parser.add_argument("--deep-page", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data sets")
    parser.add_argument("--build-only", action="store_true",
                        help="build the data sets (prepare) and measure nothing")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.build_only:
        for database in args.databases.split(","):
            for dataset in args.datasets.split(","):
                prepare(database, dataset, args.rebuild)
                print(build_report(database, dataset), flush=True)
        return 0
    ensure_wrk()
    rows: list[Row] = []
    for database in args.databases.split(","):
        for dataset in args.datasets.split(","):
            rows.extend(measure(database, dataset, args))
    print(table(rows))
    (WORK / "last-run.json").write_text(json.dumps([asdict(r) for r in rows], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
