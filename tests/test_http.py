"""The bot's requests to Telegram (bot/http.py) against the fake Bot API: text and files arrive as Telegram reads
them, and a slow or absent server gives PTB's own errors, which the outbox and the handlers already know."""

from __future__ import annotations

import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.http import AiohttpRequest
from tests.support.fakebot import TOKEN


def bot_at(base_url: str, **timeouts: float) -> Bot:
    return Bot(TOKEN, base_url=f"{base_url}/bot", base_file_url=f"{base_url}/file/bot",
               request=AiohttpRequest(8, **timeouts))


async def test_text_and_files_reach_telegram_as_sent(api):
    async with bot_at(api.base_url) as bot:
        message = await bot.send_message(42, "Acuerdo <b>3.1</b>: «avance» 60 %", parse_mode="HTML")
        await bot.send_document(42, b"Informe\n", filename="informe-ñ.csv", caption="Informe")
    assert message.message_id and api.sent(42, "sendMessage")[0].text == "Acuerdo <b>3.1</b>: «avance» 60 %"
    assert api.documents(42) == [("informe-ñ.csv", b"Informe\n")]


async def test_a_server_that_does_not_answer_in_time_is_a_timeout(api):
    api.hang("sendMessage", 2)
    async with bot_at(api.base_url, read_timeout=0.3) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(42, "hola")


async def test_no_server_is_a_network_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free, and nobody listens once closed
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as failed:
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
        assert not isinstance(failed.value, TimedOut)
    finally:
        await request.shutdown()


def test_a_proxy_in_the_environment_is_used_except_where_no_proxy_says(monkeypatch):
    for name in ("https_proxy", "no_proxy", "all_proxy", "ALL_PROXY", "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.gob.pe:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    request = AiohttpRequest(1)
    assert request._proxy(f"https://api.telegram.org/bot{TOKEN}/getMe") == "http://proxy.example.gob.pe:3128"
    assert request._proxy(f"http://127.0.0.1:8081/bot{TOKEN}/getMe") is None
    monkeypatch.delenv("HTTPS_PROXY")
    assert request._proxy(f"https://api.telegram.org/bot{TOKEN}/getMe")  # read once per host, as the bot starts
    assert AiohttpRequest(1)._proxy(f"https://api.telegram.org/bot{TOKEN}/getMe") is None
