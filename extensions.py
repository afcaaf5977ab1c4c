"""Flask extensions, created here and bound to the app in ``create_app``."""

from __future__ import annotations

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

__all__ = ["compress", "csrf", "limiter", "login_manager", "migrate"]

csrf = CSRFProtect()
# Brotli or gzip for pages, JSON, CSS, JavaScript and SVG: a card's JSON shrinks to a third.
compress = Compress()
migrate = Migrate(compare_type=True, render_as_batch=True)
# Storage comes from RATELIMIT_STORAGE_URI: Redis when WENGU_REDIS_URL is set, so that
# every process and host counts together; memory otherwise (one process).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
