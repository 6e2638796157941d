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
             "--max-scan-time", str(seconds), "--flush-session", "-f", "json",
             "-o", str(report), "-v", "0", "--store-session", str(Path(tmp) / "session")],
            check=False, timeout=seconds + 600,
        )
    found = json.loads(report.read_text())
    vulnerabilities = {k: len(v) for k, v in found.get("vulnerabilities", {}).items() if v}
    anomalies = {k: len(v) for k, v in found.get("anomalies", {}).items() if v}
    print(f"wapiti: vulnerabilities {vulnerabilities or 'none'}; anomalies {anomalies or 'none'}")
    for kind, items in found.get("vulnerabilities", {}).items():
        for item in items:
            print(f"  {kind}: {item.get('method')} {item.get('path')} {item.get('info')}")
    return 1 if vulnerabilities else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
