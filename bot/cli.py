"""acuerdos-bot: the operator's command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Awaitable, Callable, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application

from bot import (
    backup,
    bundle,
    committees,
    exports,
    importer,
    informe,
    members,
    summaries,
    summary_render,
    tallies,
    texts,
)
from bot.acta import ActaError
from bot.admin.server import webhook_port_problem
from bot.app import build_application
from bot.clock import SystemClock, local_today
from bot.config import ConfigError, Settings, configure_logging, webhook_secret_problem
from bot.inbox.runner import Webhook, serve
from bot.outbox import store
from bot.outbox.jobs import STOP_GRACE, begin_stop
from bot.public import data as public_data
from bot.public import site
from models import queries
from models.db import create_engine, session_factory, upgrade
from models.entities import Committee, CommitteeKind, Role
from models.text import clean_text

log = logging.getLogger(__name__)
ROLES = {"secretary": Role.SECRETARY, "observer": Role.OBSERVER, "implementer": Role.IMPLEMENTER}
T = TypeVar("T")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Names and words as the operator meant them (models/text.py); file paths are the file system's, as given.
    vars(args).update({name: clean_text(value) for name, value in vars(args).items()
                       if isinstance(value, str) and name not in ("file", "out")})
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
    backup_parser = db_commands.add_parser("backup", help="copy the SQLite database to FILE while the bot runs "
                                           "(for PostgreSQL, print the pg_dump command)")
    backup_parser.add_argument("file", help="the copy to write (replaced once the new copy is whole)")
    backup_parser.set_defaults(handler=db_backup)

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

    summary_parser = commands.add_parser("summary",
                                         help="print a committee's summary now, with the committees below it")
    summary_parser.add_argument("--committee", required=True)
    summary_parser.set_defaults(handler=summary)

    export_parser = commands.add_parser("export", help="write the follow-up report (Informe de seguimiento) to a file")
    export_parser.add_argument("--committee", required=True)
    export_parser.add_argument("--format", required=True, type=str.lower, choices=sorted([*exports.WRITERS, "zip"]),
                               help="zip: the audit bundle (the Informe, every update and audit entry as CSV, the "
                               "evidence files and a SHA256SUMS manifest)")
    export_parser.add_argument("--out", required=True, help="the file to write")
    export_parser.set_defaults(handler=export)

    outbox_parser = commands.add_parser("outbox", help="count the outgoing messages by kind and state, and list the "
                                        "latest set aside, in doubt or given up, with their error")
    outbox_parser.add_argument("--committee", help="only this committee's")
    outbox_parser.add_argument("--limit", type=_between(1, 1000), default=20, metavar="N",
                               help="how many troubled rows to list (20; from 1 to 1000)")
    outbox_parser.set_defaults(handler=outbox)

    members_parser = commands.add_parser("members", help="list who is linked to a committee, with their numbers")
    members_parser.add_argument("--committee", help="the committee (required)")
    members_parser.set_defaults(handler=members_list)
    members_commands = members_parser.add_subparsers(metavar="ACTION")
    revoke = members_commands.add_parser("revoke", help="revoke a member: print who it is; with --yes, revoke it")
    revoke.add_argument("--committee", required=True)
    revoke.add_argument("--id", required=True, type=_between(1, 999_999_999), metavar="N",
                        help="the member's number, as `members` lists it")
    revoke.add_argument("--yes", action="store_true",
                        help="revoke it, even the last secretary (to repair a committee)")
    revoke.set_defaults(handler=members_revoke)

    import_parser = commands.add_parser("import", help="import an acta: print its preview; with --yes, register it")
    import_parser.add_argument("file", help=".docx, .xlsx, .csv, .txt, .tsv or .pdf with text")
    import_parser.add_argument("--committee", required=True)
    import_parser.add_argument("--session", help='when the acta does not say it: "ordinaria 1 25/02/2026"')
    import_parser.add_argument("--yes", action="store_true", help="register it (all or nothing)")
    import_parser.set_defaults(handler=import_acta)

    publish_parser = commands.add_parser("publish", help="write the public site (published committees' pages, open "
                                                         "data and calendars) to a folder any web server can host")
    publish_parser.add_argument("--out", required=True, help="the folder (created if missing)")
    publish_parser.set_defaults(handler=publish)
    return parser


def _between(low: int, high: int) -> Callable[[str], int]:
    def number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value

    return number


def run(settings: Settings, args: argparse.Namespace) -> int:
    problem = webhook_port_problem(settings, args.port if args.webhook_url else None) or \
        (webhook_secret_problem(settings) if args.webhook_url else None)
    if problem:
        print(f"Configuration error:\n  - {problem}", file=sys.stderr)
        return 2
    asyncio.run(_upgrade(settings))
    engine = create_engine(settings.database_url)
    application = build_application(settings, session_factory(engine), SystemClock(), inbox=True)
    application.post_shutdown = lambda _app: engine.dispose()
    # Updates come through the inbox (bot/inbox/): stored before Telegram is told they arrived, handled from there.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stop = asyncio.Event()
    _stop_on_signals(loop, application, stop)
    log.info("Acuerdos bot starting (%s)", "webhook" if args.webhook_url else "long polling")
    webhook = Webhook(args.webhook_url, args.listen, args.port, settings.webhook_secret) if args.webhook_url else None
    try:
        loop.run_until_complete(serve(application, stop, webhook))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
    log.info("Acuerdos bot stopped")
    return 0


def _stop_on_signals(loop: asyncio.AbstractEventLoop, application: Application, stop_event: asyncio.Event) -> None:
    """SIGTERM (docker stop) and SIGINT (Ctrl-C): the outbox claims and sends nothing new at once, then the bot
    stops taking updates, finishes those in hand and waits for the outbox's round, whose requests in flight get
    STOP_GRACE seconds to be answered and recorded. A second signal changes nothing."""
    stopping = False

    def stop(signum: int) -> None:
        nonlocal stopping
        if stopping:
            log.info("%s received: already stopping", signal.Signals(signum).name)
            return
        stopping = True
        log.info("%s received: stopping (the messages in flight have %g s to be answered)",
                 signal.Signals(signum).name, STOP_GRACE)
        begin_stop(application)
        stop_event.set()  # bot/inbox/runner.py's serve then stops in order

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop, signum)


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
                committee = await _committee(db, args.committee)
                institution = None
                if args.institution:
                    institution, _ = await committees.add_institution(
                        db, committee=committee, name=args.institution, now=SystemClock().now(), actor="cli")
                created = await committees.create_invitation(
                    db, committee=committee, role=role, institution=institution, now=SystemClock().now(),
                    days=args.days or settings.invitation_days, actor="cli")
                return created.code, created.invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC")
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


def summary(settings: Settings, args: argparse.Namespace) -> int:
    found = _read(settings, args.committee,
                  lambda db, committee: summaries.build_summary(db, committee, SystemClock().now(), below=True))
    print(texts.plain(summary_render.render(found)))
    return 0


def publish(settings: Settings, args: argparse.Namespace) -> int:
    async def write() -> site.Result:
        engine = create_engine(settings.database_url)
        try:
            sessions = session_factory(engine)
            now = SystemClock().now()
            async with sessions() as db:
                rows = await public_data.committees(db)
            await tallies.refresh(sessions, rows, now)
            return await site.Publisher(Path(args.out)).publish(sessions, now, everything=True)
        finally:
            await engine.dispose()

    asyncio.run(_upgrade(settings))
    result = asyncio.run(write())
    print(f"Public site written to {args.out}: {result.written} published committee(s) in {result.seconds:.1f} s.")
    return 0


def export(settings: Settings, args: argparse.Namespace) -> int:
    if args.format == "zip":
        return export_bundle(settings, args)
    report = _read(settings, args.committee,
                   lambda db, committee: informe.build_report(db, committee, SystemClock().now()))
    Path(args.out).write_bytes(exports.WRITERS[args.format](report))
    print(f"Wrote {args.out}: {len(report.summary.agreements)} agreements of {report.summary.committee}.",
          file=sys.stderr)
    return 0


def export_bundle(settings: Settings, args: argparse.Namespace) -> int:
    out = Path(args.out)
    partial = out.with_name(f".{out.name}.partial")  # a failed export leaves no half bundle under the name asked for
    try:
        made = _read(settings, args.committee, lambda db, committee: bundle.write_bundle(
            db, committee, SystemClock().now(), settings.evidence_folder, partial))
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"Wrote {args.out}: {made.updates} status updates, {made.audit_entries} audit entries, {made.files} evidence "
          f"files; check it with `sha256sum -c SHA256SUMS` in its folder {made.folder}/.", file=sys.stderr)
    if made.missing:
        print(f"warning: {len(made.missing)} evidence file(s) missing from the folder {settings.evidence_folder}, "
              f"listed in {made.folder}/{texts.BUNDLE_MISSING_FILE}.", file=sys.stderr)
    return 0


def db_backup(settings: Settings, args: argparse.Namespace) -> int:
    try:
        size = backup.backup(settings.database_url, Path(args.file))
    except backup.NotSqlite as other:
        print(f"This database is not a SQLite file; back it up with pg_dump:\n  {other}", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as error:
        raise committees.Refused(f"could not back up the database: {error}") from error
    print(f"Wrote {args.file} ({size:,} bytes): a copy of the database as it was when the backup started.")
    return 0


def outbox(settings: Settings, args: argparse.Namespace) -> int:
    async def look(db: AsyncSession) -> tuple[list, list]:
        committee_id = (await _committee(db, args.committee)).id if args.committee else None
        now = SystemClock().now()
        return (await store.overview(db, now, committee_id),
                await store.troubles(db, now, args.limit, committee_id))

    counts, troubles = _read_db(settings, look)
    states = ["due", "planned", "sending", "sent", "in doubt", "set aside", "given up", "cancelled"]
    table = {kind: dict.fromkeys(states, 0) for kind, _, _ in counts}
    for kind, state, count in counts:
        table[kind][state] = count
    print(f"{'kind':<18}" + "".join(f"{state:>11}" for state in states))
    for kind, row in table.items():
        print(f"{kind:<18}" + "".join(f"{row[state]:>11,}" for state in states))
    if not table:
        print("(the outbox is empty)")
    for row in troubles:
        print(f"\n#{row.id} {row.kind} · {row.committee} · chat {row.chat_id} · due {row.due_at:%Y-%m-%d %H:%M} UTC"
              f" · {row.state}\n    {row.error}")
    return 0


def members_list(settings: Settings, args: argparse.Namespace) -> int:
    if not args.committee:
        raise committees.Refused("Name the committee: acuerdos-bot members --committee NAME.")
    found = _read(settings, args.committee, members.roster)
    print(texts.plain(members.render_roster(found, footer=False)))
    return 0


def members_revoke(settings: Settings, args: argparse.Namespace) -> int:
    def described(member) -> str:
        role = texts.plain(members.role_of(member))
        return f"N° {member.id} {member.display_name} ({role}) of {member.committee.name}"

    async def act() -> tuple[str, bool]:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine).begin() as db:
                committee = await _committee(db, args.committee)
                if not args.yes:
                    member = await members.revocable(db, args.id, {committee.id}, allow_last_secretary=True)
                    return described(member), await members.is_last_secretary(db, member)
                ended = await members.revoke(db, member_id=args.id, committee_ids={committee.id}, by="el operador",
                                             actor="cli", now=SystemClock().now(), allow_last_secretary=True)
                return described(ended.member), ended.last_secretary
        finally:
            await engine.dispose()

    asyncio.run(_upgrade(settings))
    who, last_secretary = asyncio.run(act())
    if last_secretary:
        print(f"warning: {who} is its last active secretary; invite another: "
              f"acuerdos-bot invite --committee {args.committee!r} --role secretary", file=sys.stderr)
    if args.yes:
        print(f"Revoked {who}.")
    else:
        print(f"Would revoke {who}.")
        print("Nothing changed yet: run again with --yes to revoke.", file=sys.stderr)
    return 0


def _read_db(settings: Settings, look: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Upgrade the database, then read something from it."""
    async def read() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as db:
                return await look(db)
        finally:
            await engine.dispose()

    asyncio.run(_upgrade(settings))
    return asyncio.run(read())


def _read(settings: Settings, name: str, build: Callable[..., Awaitable[T]]) -> T:
    """Upgrade the database, then build something from the committee called `name`."""
    async def look(db: AsyncSession) -> T:
        return await build(db, await _committee(db, name))

    return _read_db(settings, look)


async def _committee(db: AsyncSession, name: str) -> Committee:
    committee = await queries.committee_by_name(db, name)
    if committee is None:
        raise committees.Refused(f"No committee named {name!r} (see: acuerdos-bot committee list).")
    return committee


def import_acta(settings: Settings, args: argparse.Namespace) -> int:
    today = local_today(SystemClock(), settings.timezone)
    session = importer.session_key(args.session, today) if args.session else None
    if args.session and session is None:
        raise committees.Refused(f'No entiendo --session {args.session!r}; escríbela así: "ordinaria 1 25/02/2026".')
    try:
        parsed = importer.read(importer.Source(Path(args.file).name, Path(args.file).read_bytes()), session)
    except OSError as error:
        why = {FileNotFoundError: "no existe", PermissionError: "no tengo permiso para leerlo",
               IsADirectoryError: "es una carpeta"}.get(type(error), error.strerror)
        raise committees.Refused(f"No puedo leer {args.file}: {why}.") from error
    except ActaError as error:
        raise committees.Refused(str(error)) from error

    async def plan_and_apply() -> tuple[importer.ImportPlan, str, str | None]:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine).begin() as db:
                committee = await _committee(db, args.committee)
                plan = await importer.plan_import(db, committee, parsed, session,
                                                  local_today(SystemClock(), committee.timezone))
                if plan.session is None:
                    raise committees.Refused('El acta no dice de qué sesión es: '
                                             'agrega --session "ordinaria 1 25/02/2026".')
                preview = texts.plain(importer.render_preview(plan))
                if not (args.yes and plan.can_register):
                    return plan, preview, None
                result = await importer.apply_import(db, committee, plan, SystemClock().now(), "cli")
                return plan, preview, texts.plain(importer.render_result(result))
        finally:
            await engine.dispose()

    asyncio.run(_upgrade(settings))
    plan, preview, registered = asyncio.run(plan_and_apply())
    print(preview)
    if registered:
        print("\n" + registered)
    elif plan.problems:
        print("No registré nada: corrige el acta (mira los ❌ de arriba) y vuelve a ejecutarlo.", file=sys.stderr)
        return 1
    elif plan.can_register:
        print("Aún no registré nada: vuelve a ejecutarlo con --yes para registrarla.", file=sys.stderr)
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
