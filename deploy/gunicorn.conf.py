"""gunicorn settings for Zaigang behind nginx: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every value can be changed by the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...) or on
the command line, which wins over this file.
"""

from __future__ import annotations

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

# Loopback only: the app trusts the X-Forwarded-For header nginx sets (ProxyFix, one hop),
# so gunicorn must not be reachable except through nginx. On a separate app machine, bind
# to its private address and firewall the port to the nginx host.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, cores + 1 of them, chosen with `make bench` (BENCHMARKS.md, "Choosing
# gunicorn's workers"): on 2 cores, 3 sync workers beat 5 (gunicorn's 2 x cores + 1 rule)
# on every page - boards 0.70-0.90x the plaintext ceiling with p99 4-11 ms against
# 0.53-0.89x and p99 up to 78 ms; report submissions 270/s against 185-261/s, since fewer
# writers queue on the audit chain - and beat gthread (3 x 4 threads), which halved report
# submissions on SQLite and the review queue on PostgreSQL. Requests are short and
# CPU- or database-bound; nginx buffers slow clients (request bodies and responses), so a
# worker is never held by a slow phone. Measure again on your own machine before changing.
worker_class = "sync"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))

# A request that runs longer than this is killed and its worker replaced; nginx waits 60 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 2
# Recycle workers now and then, staggered, so that slow memory growth never accumulates.
# Rarely: a new worker loads the app (about a second of CPU), and with 2,000 the benchmark
# spent more time starting workers than answering (2,100 board pages/s with 2-3 s stalls,
# against 5,800/s without restarts). A worker's memory is bounded (PAGE_CACHE_BYTES) and
# stays about 100 MB at national scale (BENCHMARKS.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10

# Only nginx on this machine may set X-Forwarded-Proto (gunicorn's own use of it);
# the app's ProxyFix is configured with the same single hop (PROXY_FIX_X_FOR=1).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No runtime control socket (gunicorn >= 25.1): systemd manages the process, and two
# instances on one machine would otherwise fight over the same socket path.
control_socket_disable = True

# Logs go to stdout/stderr, i.e. the journal under systemd.
accesslog = "-"
errorlog = "-"
loglevel = "info"
# Method, path (without query string), status, size, duration: no client address, no user
# agent, no referrer. See PrivacyLogger for the anonymous routes.
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'

PRIVATE_PATH = re.compile(r"^/([ve])/[^/]*")


class PrivacyLogger(Logger):
    """gunicorn's logger with every client identifier removed from the access log atoms.

    Even a changed access_log_format (%(h)s, %(a)s, %(q)s, %({x-forwarded-for}i)s,
    %({remote_addr}e)s) then prints "-" instead of an address, user agent or query string,
    and the secret token in a /v/ (visit confirmation) or /e/ (evaluation ballot) path is
    replaced by "-".
    """

    def atoms(self, resp, req, environ, request_time):
        atoms = {
            key: value for key, value in super().atoms(resp, req, environ, request_time).items()
            # request headers, environ and cookies set: none belongs in a log line
            if not (key.startswith("{") and (key[-1] in "ie" or key == "{set-cookie}o"))
        }
        path = PRIVATE_PATH.sub(r"/\1/-", environ.get("PATH_INFO", ""))
        atoms.update(h="-", a="-", f="-", q="-", U=path)
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '')}"
        return atoms


logger_class = PrivacyLogger


def on_starting(server):
    """Refuse to start several workers on per-process rate-limit counters (before any fork)."""
    from portal.config import config_for_environment
    from portal.security import check_rate_limit_storage

    config = config_for_environment()
    switch = os.environ.get("PORTAL_RATELIMIT_ENABLED", "true").strip().lower()
    enabled = switch not in {"0", "false", "no", "off"}
    settings = {"ENV_NAME": config.ENV_NAME, "RATELIMIT_STORAGE_URI": config.RATELIMIT_STORAGE_URI,
                "RATELIMIT_ENABLED": enabled}
    check_rate_limit_storage(settings, server.cfg.workers)
