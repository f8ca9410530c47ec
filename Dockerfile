# Acuerdos Telegram bot.
#   docker build -t acuerdos-bot .
#   docker run -e TELEGRAM_BOT_TOKEN=... -v acuerdos-data:/data acuerdos-bot
# Defaults to SQLite in the /data volume; set DATABASE_URL for PostgreSQL
# (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
RUN pip install --no-cache-dir '.[postgres]'

RUN useradd --create-home --shell /usr/sbin/nologin acuerdos \
    && mkdir -p /data/public \
    && chown -R acuerdos:acuerdos /data

ENV DATABASE_URL=sqlite+aiosqlite:////data/acuerdos.db
VOLUME ["/data"]

# The admin server (/healthz, /readyz, /metrics) inside the container only; publish it with ACUERDOS_ADMIN_HOST=0.0.0.0
# and -p 127.0.0.1:8081:8081 for a Prometheus on the host.
ENV ACUERDOS_ADMIN_PORT=8081
# Ready: the database answers, the outbox's round ran in the last 90 s, Telegram answered getMe (no curl in slim).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['ACUERDOS_ADMIN_PORT'] + '/readyz', timeout=4)"]

USER acuerdos

# The bot is the container's main process (exec form, no shell in between), so `docker stop`'s SIGTERM reaches it
# and it stops cleanly within docker's 10 s; `run` upgrades the schema before it starts.
CMD ["acuerdos-bot", "run"]
