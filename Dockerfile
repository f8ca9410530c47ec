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
    && mkdir -p /data \
    && chown acuerdos:acuerdos /data

ENV DATABASE_URL=sqlite+aiosqlite:////data/acuerdos.db
VOLUME ["/data"]

USER acuerdos

# `run` also upgrades the schema, but migrate explicitly first.
CMD ["sh", "-c", "acuerdos-bot db upgrade && acuerdos-bot run"]
