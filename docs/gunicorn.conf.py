"""gunicorn's settings for Wengu on a server: ``gunicorn --config docs/gunicorn.conf.py
"app:create_app()"`` from the checkout, as docs/wengu.service and the Dockerfile run it.

Options on the command line win over these (``--bind``, ``--workers``). It is not in the
checkout's root, where gunicorn would read it uninvited (the tests' and the benchmark's own
servers set their options themselves). See docs/hosting.md.
"""

from __future__ import annotations

from typing import Any

# Loopback only: the reverse proxy in front is the one way in (docs/hosting.md).
bind = ["127.0.0.1:8000"]
workers = 3
threads = 4
timeout = 60
graceful_timeout = 30
# One line per request on standard output (the journal under systemd, `docker compose logs`),
# with the client's address as the proxy passed it.
accesslog = "-"
access_log_format = (
    '%(h)s fwd=%({x-forwarded-for}i)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
)


def when_ready(server: Any) -> None:
    """Warn at start when forwarded headers are trusted on an address others can reach."""
    from config import proxy_fix_exposure, settings_from_env  # the checkout is on sys.path now

    exposed = proxy_fix_exposure(
        list(server.cfg.bind), proxy_fix=settings_from_env()["WENGU_PROXY_FIX"]
    )
    if exposed:
        server.log.warning(exposed)
