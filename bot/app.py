"""The application factory: the one place that knows every handler module, and only wires them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.admin.metrics import METRICS, Metrics
from bot.admin.server import start_admin, stop_admin
from bot.clock import Clock, SystemClock
from bot.commands import commands_for
from bot.concurrency import ChatOrderProcessor
from bot.config import Settings
from bot.context import AppContext, OutsideTransactions, Services
from bot.evidence import start_fetching
from bot.http import AiohttpRequest
from bot.outbox.jobs import start_outbox
from bot.public.site import start_publishing
from handlers import (
    agreements,
    answers,
    attention,
    committee_choice,
    committee_settings,
    deadlines,
    digests,
    errors,
    help,
    imports,
    institutions,
    members,
    new_agreement,
    public,
    reminders,
    reports,
    sessions,
    start,
    summary,
    telegram_events,
    verification,
)


def build_application(settings: Settings, sessions_factory: async_sessionmaker[AsyncSession],
                      clock: Clock | None = None, *, inbox: bool = False) -> Application:
    """`inbox`: updates come through the inbox (bot/inbox/runner.py serves it), not PTB's Updater, which confirms
    them to Telegram before they are handled; the dialogue tests keep the Updater to hand updates in directly."""
    metrics = Metrics()
    builder = application_builder(settings, metrics)
    if inbox:
        builder = builder.updater(None)
    application = (builder.context_types(ContextTypes(context=AppContext))
                   .post_init(post_init).post_stop(post_stop).build())
    application.bot_data["services"] = Services(settings, sessions_factory, clock or SystemClock())
    application.bot_data[METRICS] = metrics

    # Order matters for the catch-alls: handlers/errors must come last (its unknown-command fallback).
    telegram_events.register(application)
    start.register(application)
    help.register(application)
    # /cancelar, and the answers to the bot's questions (group -1: after no command, before the reports' messages).
    answers.register(application)
    institutions.register(application)
    sessions.register(application)
    new_agreement.register(application)
    agreements.register(application)
    deadlines.register(application)
    imports.register(application)
    verification.register(application)
    reports.register(application)
    reminders.register(application)
    summary.register(application)
    committee_settings.register(application)
    committee_choice.register(application)
    members.register(application)
    digests.register(application)
    attention.register(application)
    public.register(application)
    errors.register(application)
    return application


def application_builder(settings: Settings, metrics: Metrics | None = None) -> ApplicationBuilder:
    """How the bot talks to Telegram and takes its updates, before any handler (the benchmarks' baseline shares it)."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=ZoneInfo(settings.timezone),
                           link_preview_options=LinkPreviewOptions(is_disabled=True),
                           # A question replies to the person's message: sent all the same if they deleted it.
                           allow_sending_without_reply=True))
        # Chats are served side by side, each chat's updates in order (bot/concurrency.py says why).
        .concurrent_updates(ChatOrderProcessor(settings.concurrent_chats,
                                               observe=metrics.update_handled if metrics else None))
        .request(OutsideTransactions(connection_pool_size=256))  # PTB's own size for the bot's requests
        .get_updates_request(AiohttpRequest(connection_pool_size=1))  # one getUpdates at a time, as PTB's
    )
    if settings.api_base_url:
        base = settings.api_base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    return builder


async def post_init(application: Application) -> None:
    """Everyone's menu by default; /start gives each chat the menu of its roles."""
    await application.bot.set_my_commands([BotCommand(c.name, c.es) for c in commands_for(set())])
    start_outbox(application)
    start_fetching(application)
    start_publishing(application)
    await start_admin(application)


async def post_stop(application: Application) -> None:
    await stop_admin(application)
