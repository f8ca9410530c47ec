"""Helpers every handler uses: who is speaking, for which committee, and how to answer."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import texts
from bot.context import AppContext
from bot.messaging import Long, send_text
from bot.outbox.jobs import RUNTIME
from bot.progress import Author, ReportRefused
from models import queries
from models.entities import Assignment, Member, Role
from models.text import clean_text

log = logging.getLogger(__name__)

# A preference, not a question: the committee this person last worked on (questions live in bot/waiting.py).
ACTIVE_COMMITTEE = "committee_id"


class Ambiguous(Exception):
    """The chat acts in several committees with these roles and has not said in which: the command stops, nothing
    was written, and the error handler asks with a button per committee (handlers/committee_choice.py)."""

    def __init__(self, committees: list[tuple[int, str]], command: str):
        super().__init__(command)
        self.committees = committees  # (id, name): read now, the transaction is rolled back before anyone asks
        self.command = command


class Refused(Exception):
    """The speaker has no link that allows the command: it stops, nothing was written, and the error handler gives
    the answer (after the transaction, as every answer)."""

    def __init__(self, answer: str):
        super().__init__(answer)
        self.answer = answer


async def acting(db: AsyncSession, update: Update, context: AppContext, *roles: Role, command: str) -> Member:
    """The one guard of the committees' commands: the speaker's link with one of these roles, in the committee the
    chat acts in; without one, `Refused` with the answer that says who may use the command."""
    member = await membership(db, update, context, *roles)
    if member is None:
        only_secretaries = set(roles) == {Role.SECRETARY}
        raise Refused(texts.t(texts.NOT_SECRETARY if only_secretaries else texts.NOT_READER, command=command))
    return member


async def membership(db: AsyncSession, update: Update, context: AppContext, *roles: Role) -> Member | None:
    """The guard of the committee's commands: the speaker's link with one of these roles, in the committee the chat
    acts in. None: no such link (the caller refuses). Linked in several committees with these roles, the chat acts
    in the one it chose (/comite, or the buttons it is asked with the first time), and the answers name it."""
    members = [m for m in await queries.memberships(db, update.effective_user.id, update.effective_chat.id)
               if m.role in roles]
    if not members:
        return None
    committees = {m.committee_id for m in members}
    if len(committees) == 1:
        return members[0]
    preferred = context.user_data.get(ACTIVE_COMMITTEE) if context.user_data is not None else None
    chosen = next((m for m in members if m.committee_id == preferred), None)
    if chosen is None:
        raise Ambiguous(committees_of(members),
                        (update.effective_message.text or "").strip() if update.effective_message else "")
    context.acting_in = chosen.committee.name
    return chosen


def committees_of(members: list[Member]) -> list[tuple[int, str]]:
    """(id, name) of each committee these links are in, once."""
    return list({m.committee_id: m.committee.name for m in members}.items())


async def tell(context: AppContext, chats: list[int], text: str) -> None:
    """A message nobody is waiting for, after the commit, to each chat: one Telegram refuses is logged and skipped."""
    for chat_id in chats:
        try:
            await send_text(context.bot, chat_id, text, pacer=pacer(context))
        except TelegramError:
            log.warning("could not tell chat %s: %s", chat_id, texts.plain(text)[:40], exc_info=True)


async def reply(update: Update, context: AppContext, text: str | Long,
                keyboard: InlineKeyboardMarkup | ForceReply | None = None, *, reply_to: int | None = None) -> Message:
    """The answer to this chat (a `Long` one as a short message and a file), paced like everything the bot sends."""
    if getattr(context, "acting_in", None):
        acting_in = f"{texts.t(texts.ACTING_IN, committee=context.acting_in)}\n"
        text = text.prefixed(acting_in) if isinstance(text, Long) else acting_in + text
    return await send_text(context.bot, update.effective_chat.id, text, reply_markup=keyboard, reply_to=reply_to,
                           pacer=pacer(context))


def pacer(context: AppContext):
    """The pacer the outbox shares (bot/outbox/pacing.py): answers pass it too, so that an answer and a reminder to
    the same chat keep Telegram's one message a second, and a 429 holds both."""
    runtime = context.application.bot_data.get(RUNTIME)
    return runtime.pacer if runtime is not None else None


async def unknown_institution(db: AsyncSession, member: Member, name: str) -> str:
    """The answer to an institution name the committee does not have, listing the ones it has."""
    known = [i.name for i, _ in await queries.institutions_with_focal_points(db, member.committee_id)]
    return texts.t(texts.INSTITUTION_UNKNOWN, name=name, committee=member.committee.name,
                   known=", ".join(known) or texts.NONE_YET)


async def refuse_not_secretary(update: Update, context: AppContext, command: str) -> None:
    await reply(update, context, texts.t(texts.NOT_SECRETARY, command=command))


async def role_of_chat(update: Update, context: AppContext) -> str:
    """What this person in this chat may do, for a hint's words: «secretary», «observer», «implementer» (the first
    held, in that order) or «none». Best effort: "none" when the database cannot say."""
    try:
        async with context.transaction() as db:
            roles = {m.role for m in await queries.memberships(db, update.effective_user.id,
                                                               update.effective_chat.id)}
    except Exception:  # the hint of an error answer: the database may be what failed
        log.warning("could not read the roles of chat %s", update.effective_chat.id, exc_info=True)
        return "none"
    return next((role.value for role in (Role.SECRETARY, Role.OBSERVER, Role.IMPLEMENTER) if role in roles), "none")


def author(update: Update) -> Author:
    """The person who sent this update, as reports and decisions record them."""
    return Author(update.effective_user.id, update.effective_user.full_name)


async def names_of(context: AppContext, assignment_id: int) -> dict:
    """The agreement's code, institution and status of an assignment, for a refusal's words."""
    async with context.transaction() as db:
        a = await db.get(Assignment, assignment_id)
        if a is None:
            return dict(code="?", institution="?")
        await db.refresh(a, ["agreement", "institution"])
        return dict(code=a.agreement.code, institution=a.institution.name, status=a.status)


def refusal(refused: ReportRefused, names: dict | None = None) -> str:
    """Why a report or a decision was not recorded, in the person's words."""
    names = dict(names or {})
    status = names.pop("status", refused.details.get("status"))
    status_text = texts.STATUS[status.value] if status else ""
    if refused.reason == "closed":
        return texts.t(texts.ALREADY_CLOSED, status=status_text, **names)
    if refused.reason == "not_allowed":
        return texts.t(texts.NOT_ALLOWED_NOW, status=status_text, **names)
    if refused.reason == "lower_percent_needs_note":
        return texts.t(texts.LOWER_PERCENT, last=refused.details["last"], code=names.get("code", "2.1"))
    return {"duplicate": texts.ALREADY_RECORDED, "bad_percent": texts.BAD_PERCENT,
            "needs_evidence": texts.NEEDS_EVIDENCE, "needs_note": texts.NEEDS_NOTE,
            "unknown": texts.NOT_YOURS}[refused.reason]


def said(message: Message) -> str:
    """What a message says, its text or a file's caption, as the person meant it (models/text.py)."""
    return clean_text(message.text or message.caption or "")


def args_text(update: Update) -> str:
    """Everything after the command as the person meant it (models/text.py), with their own spacing and line breaks;
    tabs stay, since they separate the cells of an acta pasted after /importar."""
    text = "\t".join(map(clean_text, (update.effective_message.text or "").split("\t")))
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""
