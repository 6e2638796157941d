"""`make audit`: run wapiti (Debian) against a local live server with the demo data.

Writes test-artifacts/wapiti.json and prints one line per finding category; exits non-zero
when wapiti finds a vulnerability (its "vulnerabilities" section, not the informational
"anomalies" and "additionals"). Usage: `python -m tests.safety.scan [SECONDS]`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.e2e.support import ARTIFACTS, served

# What a scan of a plain-HTTP loopback server must report and production does not have:
# HSTS and Secure cookies exist only over HTTPS (proved by tests/safety/test_headers.py), and
# X-XSS-Protection is deprecated (removed from browsers and from the Observatory's scoring).
EXPECTED_OVER_HTTP = ("Strict-Transport-Security is not set", "Secure flag is not set",
                      "X-XSS-Protection is not set")
MODULES = "xss,permanentxss,sql,blindsql,exec,file,redirect,crlf,csrf,http_headers,cookieflags,csp,methods"


def main(seconds: int = 300) -> int:
    wapiti = shutil.which("wapiti")
    if not wapiti:
        print("wapiti is not installed (apt-get install wapiti)", file=sys.stderr)
        return 2
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / "wapiti.json"
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp) / "inst", "scan", workers=2,
                                                       PORTAL_RATELIMIT_ENABLED="false") as server:
        subprocess.run(  # noqa: S603
            [wapiti, "-u", server.url + "/", "--scope", "folder", "-m", MODULES,
             "--max-scan-time", str(seconds), "--max-attack-time", str(max(10, seconds // 12)),
             "-d", "3", "--max-links-per-page", "30", "--max-parameters", "12",
             "--flush-session", "-f", "json",
             "-o", str(report), "-v", "0", "--store-session", str(Path(tmp) / "session")],
            check=False, timeout=seconds + 600,
        )
    found = json.loads(report.read_text())
    real, expected = [], []
    for kind, items in found.get("vulnerabilities", {}).items():
        for item in items:
            line = f"{kind}: {item.get('method')} {item.get('path')} {item.get('info')}"
            (expected if any(e in str(item.get("info")) for e in EXPECTED_OVER_HTTP)
             else real).append(line)
    anomalies = {k: len(v) for k, v in found.get("anomalies", {}).items() if v}
    print(f"wapiti: {len(real)} finding(s), {len(expected)} expected over plain HTTP, "
          f"anomalies {anomalies or 'none'}")
    for line in real:
        print("  FINDING " + line)
    for line in expected:
        print("  expected " + line)
    return 1 if real or anomalies else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
