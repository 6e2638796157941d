"""The memory and time a report's photos cost a worker (`make bench`; BENCHMARKS.md, "Photos").

Each case runs in a fresh process, as a worker would serve it: the app on a scratch SQLite
database, one POST /report through the WSGI stack with the photos as multipart uploads. The
process's peak resident memory (VmHWM, reset just before the request) is compared with its
resident memory just before: the rise is what the report cost. Not a test: nothing here fails
on a slow machine; the budget it checks against is stated in the output.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The stated budget: a report's photos raise a worker's peak by at most this. Photos are
# decoded one at a time; the costliest one accepted (PHOTO_DECODE_PIXELS, 52 MP, a PNG or
# HEIC that cannot be decoded reduced) takes 4 bytes a pixel (Pillow keeps RGB as RGBX), and
# scaling it down adds a quarter of that again: 52 MP x 4 B x 1.6 is about 330 MB.
BUDGET_MB = 350
CASES = {
    "attack: 5 x 7999x7999 PNG": ("png", 7999, 7999, 5),
    "phone: 1 x 12 MP JPEG": ("jpeg", 4000, 3000, 1),
    "phone: 5 x 12 MP JPEG": ("jpeg", 4000, 3000, 5),
    "phone: 1 x 50 MP JPEG": ("jpeg", 8160, 6120, 1),
    "phone: 1 x 48 MP PNG (as costly as a 48 MP HEIC)": ("png", 8064, 6048, 1),
}


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def _photo(kind: str, width: int, height: int) -> bytes:
    from tests.report.photos import flat_jpeg, flat_png

    return flat_png(width, height) if kind == "png" else flat_jpeg(width, height)


def _two_hours_ago() -> str:
    from datetime import timedelta

    from portal import clock

    return (clock.local_now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")


def child(name: str, photo_path: str) -> None:
    from portal import create_app
    from portal.config import TestConfig
    from portal.extensions import db
    from tests import factories

    kind, _w, _h, count = CASES[name]
    folder = Path(tempfile.mkdtemp(prefix="zg-photos-"))
    config = TestConfig()
    config.INSTANCE_PATH = str(folder)
    config.EVIDENCE_DIR = str(folder / "evidence")
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'bench.sqlite3'}"
    config.WTF_CSRF_ENABLED = False
    config.RATELIMIT_ENABLED = False
    app = create_app(config)
    with app.app_context():
        db.create_all()
        code = factories.township(name="测量镇").code
        db.session.commit()
    data = Path(photo_path).read_bytes()
    client = app.test_client()
    client.get(f"/report?township={code}")  # warm: templates, Pillow plugins
    form = {"township": code, "category": "absent_workday", "observed_at": _two_hours_ago(),
            "description": "上午十点到党政办办事，办公室锁着门，打电话也没人接。",
            "photos": [(io.BytesIO(data), f"{n}.{kind}") for n in range(count)]}
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM)
    before = _status("VmRSS")
    started = time.perf_counter()
    response = client.post("/report", data=form, content_type="multipart/form-data")
    seconds = time.perf_counter() - started
    peak = _status("VmHWM")
    outcome = "filed" if response.status_code == 200 else f"refused ({response.status_code})"
    print(json.dumps({"case": name, "outcome": outcome, "upload_kb": len(data) * count // 1024,
                      "seconds": round(seconds, 2), "rss_mb": before, "rise_mb": peak - before}))


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (kind, width, height, _count) in CASES.items():
            path = Path(tmp) / f"{kind}-{width}x{height}"
            if not path.exists():
                path.write_bytes(_photo(kind, width, height))
            done = subprocess.run([sys.executable, __file__, "--child", name, str(path)], cwd=ROOT,
                                  capture_output=True, text=True, check=True)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"| case | outcome | uploads | time | worker before | peak rise (budget {BUDGET_MB} MB) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        flag = "" if row["rise_mb"] <= BUDGET_MB else " **over budget**"
        print(f"| {row['case']} | {row['outcome']} | {row['upload_kb']:,} KB | {row['seconds']} s "
              f"| {row['rss_mb']} MB | {row['rise_mb']} MB{flag} |")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(main())
