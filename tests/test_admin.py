"""The admin HTTP server an operator's tools watch: alive, ready (database, outbox rounds, Telegram), and metrics."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import cli
from bot.admin import server
from bot.admin.server import ADMIN
from bot.app import build_application
from bot.config import ConfigError, Settings
from bot.outbox.jobs import RUNTIME
from bot.outbox.pacing import Limits, Pacer
from tests.support.bots import receiving
from tests.support.clock import lima
from tests.support.database import POSTGRES_URL, reset
from tests.support.dialogue import Telegram
from tests.support.fakebot import TOKEN
from tests.support.reminders import REMINDER_SCALE
from tests.support.scenarios import followed_agreement


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def admin(api, sessions, clock):
    """The real Application with ACUERDOS_ADMIN_PORT set, polling the fake Bot API, and a client of its admin
    server; the Telegram world is `admin.telegram`."""
    port = free_port()
    settings = Settings(token=TOKEN, api_base_url=api.base_url, database_url="unused-here", admin_port=port)
    application = build_application(settings, sessions, clock, inbox=True)
    async with application:
        await application.post_init(application)
        application.bot_data[RUNTIME].pacer = Pacer(Limits().scaled(REMINDER_SCALE))
        await application.start()
        application.job_queue.scheduler.pause()
        async with receiving(application):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                client.telegram = Telegram(api, application)
                yield client
            await api.release_polls()
        await application.stop()
        await application.post_stop(application)
        await application.post_stop(application)


async def scrape(admin) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics: {(name, ((label, value), ...)): value}."""
    response = await admin.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


async def run_round(admin):
    from bot.outbox.jobs import run_round

    return await run_round(admin.telegram.application)


async def test_alive_ready_after_a_round_and_counting_a_reminder_a_429_and_commands(admin, sessions, clock,
                                                                                     committee):
    telegram = admin.telegram
    assert (await admin.get("/healthz")).status_code == 200
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await rosa.send("/ayuda")
    await rosa.send("/ayuda@AcuerdosTestBot")
    await rosa.send("/pendientes_de_todos mis datos")
    await rosa.send("hola")

    # Monday 30 March at 08:00: the reminders of 3.1 go out (and the weekly summary); Telegram answers Carlos's
    # reminder with a 429 first.
    telegram.api.fail("sendMessage", 429, chat_id=carlos.id, retry_after=1)
    clock.set(lima("2026-03-30 08:00"))
    result = await run_round(admin)
    assert result.rate_limited == 1

    ready = await admin.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    samples = await scrape(admin)
    assert samples["acuerdos_outbox_messages_total", (("kind", "before_deadline"), ("result", "sent"))] == 2
    assert samples["acuerdos_outbox_messages_total", (("kind", "before_deadline"), ("result", "rate_limited"))] == 1
    assert samples["acuerdos_outbox_messages_total", (("kind", "summary"), ("result", "sent"))] == 1
    assert samples["acuerdos_telegram_rate_limited_total", ()] == 1
    assert samples["acuerdos_updates_total", (("command", "ayuda"),)] == 2
    assert samples["acuerdos_updates_total", (("command", "nuevo"),)] == 1
    assert samples["acuerdos_updates_total", (("command", "verificar"),)] == 0
    # Anything that is no command of the table is «other»: what people typed never becomes a label.
    commands = {dict(labels)["command"] for name, labels in samples if name == "acuerdos_updates_total"}
    assert "pendientes_de_todos" not in commands and "other" in commands
    assert samples["acuerdos_update_handling_seconds_count", ()] >= 9
    assert samples["acuerdos_outbox_oldest_due_seconds", ()] == 0
    assert samples["acuerdos_outbox_rows", (("state", "in_doubt"),)] == 0
    assert samples["acuerdos_database_up", ()] == 1


async def test_not_ready_when_no_round_finished_for_three_rounds(admin, clock):
    await run_round(admin)
    assert (await admin.get("/readyz")).status_code == 200
    clock.advance(seconds=89)
    assert (await admin.get("/readyz")).status_code == 200
    clock.advance(seconds=2)
    ready = await admin.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not ready", "failed": {"outbox": "no round finished for 91 s"}}
    await run_round(admin)
    assert (await admin.get("/readyz")).status_code == 200


@pytest.mark.skipif(bool(POSTGRES_URL), reason="removes the SQLite file")
async def test_not_ready_when_the_database_is_gone(admin, engine, database_url):
    await run_round(admin)
    assert (await admin.get("/readyz")).status_code == 200
    await engine.dispose()
    path = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)

    ready = await admin.get("/readyz")
    assert ready.status_code == 503 and list(ready.json()["failed"]) == ["database"]
    assert (await admin.get("/healthz")).status_code == 200
    samples = await scrape(admin)
    assert samples["acuerdos_database_up", ()] == 0


async def test_telegram_is_asked_at_most_once_a_minute_and_a_failure_is_seen(admin, monkeypatch):
    api = admin.telegram.api
    asked = len(api.sent(method="getMe"))
    await asyncio.gather(*(admin.get("/readyz") for _ in range(20)))
    assert len(api.sent(method="getMe")) == asked  # getMe answered at start, a minute ago at most

    monkeypatch.setattr(server, "TELEGRAM_TRUSTED", 0)
    api.fail("getMe", 502)
    answers = await asyncio.gather(*(admin.get("/readyz") for _ in range(20)))
    assert len(api.sent(method="getMe")) == asked + 1
    assert {answer.json()["failed"]["telegram"] for answer in answers} == {"getMe: NetworkError"}
    monkeypatch.setattr(server, "TELEGRAM_RETRIED", 0)
    assert "telegram" not in (await admin.get("/readyz")).json().get("failed", {})


async def test_a_scrape_storm_reads_the_database_once(admin, monkeypatch):
    reads = []
    watch = server.store.watch

    async def counted(db, now):
        reads.append(now)
        return await watch(db, now)

    monkeypatch.setattr(server.store, "watch", counted)
    await asyncio.gather(*(scrape(admin) for _ in range(20)))
    assert len(reads) == 1


async def test_no_admin_server_without_a_port(telegram):
    assert telegram.application.bot_data["services"].settings.admin_port is None
    assert ADMIN not in telegram.application.bot_data


def test_the_admin_server_is_never_the_public_webhook(operator_env, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN.replace("TEST-", "TEST0"))
    monkeypatch.setenv("ACUERDOS_ADMIN_PORT", "8443")
    assert cli.main(["run", "--webhook-url", "https://bot.example.org", "--port", "8443"]) == 2
    assert "ACUERDOS_ADMIN_PORT 8443 is the webhook's port (--port)" in capsys.readouterr().err
    assert not Path("acuerdos.db").exists()  # refused before anything was touched


def test_admin_settings():
    settings = Settings.from_env({"ACUERDOS_ADMIN_PORT": "8081"}, require_token=False, env_file="/nonexistent")
    assert (settings.admin_port, settings.admin_host) == (8081, "127.0.0.1")
    assert Settings.from_env({}, require_token=False, env_file="/nonexistent").admin_port is None
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"ACUERDOS_ADMIN_PORT": "http"}, require_token=False, env_file="/nonexistent")
    assert refused.value.problems == ["ACUERDOS_ADMIN_PORT must be a port number from 1 to 65535 (example: 8081)."]


async def test_acuerdos_bot_run_serves_the_admin_endpoints_and_stops_with_them(api, database_url, tmp_path):
    await reset(database_url)
    port = free_port()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
           "DATABASE_URL": database_url, "ACUERDOS_ADMIN_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            for _ in range(600):
                try:
                    alive = await client.get("/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            assert alive.status_code == 200
            assert (await client.get("/readyz")).json() == {"status": "ready"}
            assert "acuerdos_updates_total" in (await client.get("/metrics")).text
    finally:
        await api.release_polls()
        process.send_signal(signal.SIGINT)
        output = (await asyncio.wait_for(process.communicate(), 30))[0].decode()
    assert process.returncode == 0, output
    assert f"admin server listening on 127.0.0.1:{port}" in output
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))  # the port was given back
