"""Flask extensions, created here and bound to the app in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel, gettext
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

__all__ = ["babel", "compress", "csrf", "limiter", "login_manager", "migrate"]

babel = Babel()
csrf = CSRFProtect()
# Brotli or gzip for pages, JSON, CSS, JavaScript and SVG: a card's JSON shrinks to a third.
compress = Compress()
migrate = Migrate(compare_type=True, render_as_batch=True)
# Storage comes from RATELIMIT_STORAGE_URI, ``wengu://`` (services/counters.py): Redis when
# WENGU_REDIS_URL is set, the database otherwise, so that every process and host counts together.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
# Translated when flashed, in the language of the request that needed a sign-in
# (views/auth.py marks the message for the catalogues).
login_manager.localize_callback = gettext
