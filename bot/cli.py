"""acuerdos-bot: the operator's command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys

from telegram import Bot, Update
from telegram.error import TelegramError

from bot import committees
from bot.app import build_application
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, configure_logging
from models import queries
from models.db import create_engine, session_factory, upgrade
from models.entities import CommitteeKind, Role

log = logging.getLogger(__name__)
ROLES = {"secretary": Role.SECRETARY, "observer": Role.OBSERVER, "implementer": Role.IMPLEMENTER}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env(require_token=args.handler is run)
    except ConfigError as error:
        print("Configuration error:\n" + "\n".join(f"  - {p}" for p in error.problems), file=sys.stderr)
        return 2
    configure_logging(settings)
    try:
        return args.handler(settings, args) or 0
    except committees.Refused as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="acuerdos-bot", description="Follow-up of committee agreements on Telegram.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run_parser = commands.add_parser("run", help="upgrade the database, then run the bot (long polling by default)")
    run_parser.add_argument("--webhook-url", help="public HTTPS URL Telegram should post updates to")
    run_parser.add_argument("--port", type=int, default=8443, help="port to listen on in webhook mode (8443)")
    run_parser.add_argument("--listen", default="0.0.0.0", help="address to listen on in webhook mode")
    run_parser.set_defaults(handler=run)

    db_parser = commands.add_parser("db", help="database maintenance")
    db_commands = db_parser.add_subparsers(metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply the migrations").set_defaults(handler=db_upgrade)

    committee_parser = commands.add_parser("committee", help="create and list committees")
    committee_commands = committee_parser.add_subparsers(metavar="ACTION")
    add = committee_commands.add_parser("add", help="create a committee")
    add.add_argument("name")
    add.add_argument("--kind", required=True, type=str.upper, choices=[k.value for k in CommitteeKind])
    add.add_argument("--parent", help="name of the committee above it")
    add.add_argument("--timezone", help="IANA time zone (default: ACUERDOS_TIMEZONE)")
    add.set_defaults(handler=committee_add)
    committee_commands.add_parser("list", help="list committees").set_defaults(handler=committee_list)

    invite_parser = commands.add_parser("invite", help="print a single-use invitation link")
    invite_parser.add_argument("--committee", required=True)
    invite_parser.add_argument("--role", default="secretary", choices=sorted(ROLES))
    invite_parser.add_argument("--institution", help="the institution, for --role implementer")
    invite_parser.add_argument("--days", type=int, help="days until it expires (default: ACUERDOS_INVITATION_DAYS)")
    invite_parser.set_defaults(handler=invite)
    return parser


def run(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(_upgrade(settings))
    engine = create_engine(settings.database_url)
    application = build_application(settings, session_factory(engine), SystemClock())
    application.post_shutdown = lambda _app: engine.dispose()
    log.info("Acuerdos bot starting (%s)", "webhook" if args.webhook_url else "long polling")
    if args.webhook_url:
        path = secrets.token_urlsafe(16)
        application.run_webhook(listen=args.listen, port=args.port, url_path=path,
                                webhook_url=f"{args.webhook_url.rstrip('/')}/{path}",
                                secret_token=secrets.token_urlsafe(24), allowed_updates=Update.ALL_TYPES)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(_upgrade(settings))
    print("Database is up to date.")
    return 0


async def _upgrade(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def committee_add(settings: Settings, args: argparse.Namespace) -> int:
    async def add() -> str:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine).begin() as db:
                committee = await committees.add_committee(
                    db, name=args.name, kind=CommitteeKind(args.kind), parent=args.parent,
                    timezone=args.timezone or settings.timezone, now=SystemClock().now())
                return f"Committee {committee.name} ({committee.kind.value}) created."
        finally:
            await engine.dispose()

    asyncio.run(_upgrade(settings))
    print(asyncio.run(add()))
    return 0


def committee_list(settings: Settings, args: argparse.Namespace) -> int:
    async def rows() -> list[str]:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as db:
                return [f"{c.kind.value:9} {c.name}" + (f"  (under {c.parent.name})" if c.parent else "")
                        for c in await queries.all_committees(db)]
        finally:
            await engine.dispose()

    asyncio.run(_upgrade(settings))
    print("\n".join(asyncio.run(rows())) or "No committees yet: acuerdos-bot committee add NAME --kind CORESEC")
    return 0


def invite(settings: Settings, args: argparse.Namespace) -> int:
    role = ROLES[args.role]
    if (role == Role.IMPLEMENTER) != bool(args.institution):
        raise committees.Refused("--institution is required with --role implementer, and only with it.")

    async def create() -> tuple[str, str]:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine).begin() as db:
                committee = await queries.committee_by_name(db, args.committee)
                if committee is None:
                    raise committees.Refused(f"No committee named {args.committee!r} (see: acuerdos-bot committee list).")
                institution = None
                if args.institution:
                    institution, _ = await committees.add_institution(
                        db, committee=committee, name=args.institution, now=SystemClock().now(), actor="cli")
                invitation = await committees.create_invitation(
                    db, committee=committee, role=role, institution=institution, now=SystemClock().now(),
                    days=args.days or settings.invitation_days, actor="cli")
                return invitation.code, invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        finally:
            await engine.dispose()

    asyncio.run(_upgrade(settings))
    code, expires = asyncio.run(create())
    username = settings.bot_username or asyncio.run(_bot_username(settings))
    if username:
        print(f"https://t.me/{username}?start={code}")
    else:
        print(f"Send the bot this message: /start {code}\n"
              "(set TELEGRAM_BOT_USERNAME, or TELEGRAM_BOT_TOKEN with network access, to print a t.me link)")
    print(f"Single use; expires {expires}.", file=sys.stderr)
    return 0


async def _bot_username(settings: Settings) -> str | None:
    if not settings.token:
        return None
    base = settings.api_base_url.rstrip("/") + "/bot" if settings.api_base_url else "https://api.telegram.org/bot"
    try:
        async with Bot(settings.token, base_url=base) as bot:
            return bot.username
    except (TelegramError, OSError):
        log.warning("could not ask Telegram for the bot's username")
        return None


if __name__ == "__main__":
    sys.exit(main())
