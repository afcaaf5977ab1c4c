# Wengu for a server: gunicorn on port 8000, data (SQLite, secret key) in /data.
# With compose.yaml it runs against PostgreSQL and Redis instead (docs/hosting.md).
# Debian 12 (bookworm) ships PostgreSQL 15: its pg_dump matches compose.yaml's server. Change
# both together; pg_dump refuses a server newer than itself.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WENGU_INSTANCE_PATH=/data

# pg_dump and pg_restore, for `flask --app app backup` against PostgreSQL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .

RUN useradd --create-home --uid 10001 wengu && mkdir -p /data && chown wengu /data
USER wengu
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"

# docs/gunicorn.conf.py adds the access log; inside the container 0.0.0.0 is needed, and
# compose.yaml publishes the port on the host's loopback only.
CMD ["gunicorn", "--config", "docs/gunicorn.conf.py", "--bind", "0.0.0.0:8000", \
     "--workers", "2", "--threads", "4", "app:create_app()"]
