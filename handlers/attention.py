"""A focal point's attention and an agreement followed: /relevo, /ausente, /seguir and /dejar."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import attention, callbacks, following, keyboards, texts
from bot.attention import AbsenceRefused
from bot.clock import local_today
from bot.context import AppContext
from bot.views import day, shorten
from handlers.common import Refused, args_text, author, membership, reply
from models import queries
from models.entities import Agreement, Role

ABSENCE_ANSWER = {"usage": texts.AWAY_USAGE, "past": texts.AWAY_PAST, "far": texts.AWAY_FAR}


async def hand_over(update: Update, context: AppContext) -> None:
    """/relevo: a single-use link for the colleague who takes this person's place as focal point."""
    chat = update.effective_chat
    if chat.type != chat.PRIVATE:
        await reply(update, context, texts.HANDOVER_GROUP)
        return
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.IMPLEMENTER)
        if member is None:
            raise Refused(texts.NOT_IMPLEMENTER)
        made = await attention.hand_over(db, member=member, now=context.now(),
                                         days=context.services.settings.invitation_days, actor=author(update).actor)
        names = dict(institution=member.institution.name, committee=member.committee.name,
                     expires=day(made.invitation.expires_at.date()))
    link = f"https://t.me/{context.bot.username}?start={made.code}"
    await reply(update, context, texts.t(texts.HANDOVER_LINK, link=link, **names))


async def away(update: Update, context: AppContext) -> None:
    """/ausente hasta 15/01: no reminders to this chat until then (the institution's other contacts get theirs);
    /ausente fin: back now."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type != chat.PRIVATE:
        await reply(update, context, texts.AWAY_GROUP)
        return
    text = args_text(update)
    async with context.transaction() as db:
        links = [m for m in await queries.memberships(db, user.id, chat.id) if m.role == Role.IMPLEMENTER]
        if not links:
            raise Refused(texts.NOT_IMPLEMENTER)
        # The committee's own calendar (all of a person's committees are in Peru's one time zone in practice).
        today = local_today(context.services.clock, links[0].committee.timezone)
        try:
            until = attention.parse_absence(text, today) if text else None
        except AbsenceRefused as refused:
            answer = ABSENCE_ANSWER[refused.reason]
        else:
            if not text:
                answer = texts.AWAY_USAGE
            else:
                alone = await attention.set_away(db, links, until, today=today, now=context.now(),
                                                 actor=author(update).actor)
                answer = texts.t(texts.AWAY_SET, until=day(until)) if until else texts.AWAY_BACK
                if alone:
                    answer += texts.t(texts.AWAY_ALONE, institutions=", ".join(sorted(set(alone))))
    await reply(update, context, answer)


async def follow(update: Update, context: AppContext) -> None:
    """/seguir 2.1: a short notice whenever one of its responsibles reports."""
    await _follow_or_not(update, context, "f")


async def unfollow(update: Update, context: AppContext) -> None:
    """/dejar 2.1: no more notices of that agreement."""
    await _follow_or_not(update, context, "u")


async def _follow_or_not(update: Update, context: AppContext, action: str) -> None:
    code = args_text(update).split()[0] if args_text(update) else ""
    usage = texts.FOLLOW_USAGE if action == "f" else texts.UNFOLLOW_USAGE
    if not code:
        await reply(update, context, usage)
        return
    async with context.transaction() as db:
        links = await queries.memberships(db, update.effective_user.id, update.effective_chat.id)
        if not any(m.role in following.FOLLOWERS for m in links):
            raise Refused(texts.t(texts.NOT_READER, command="/seguir" if action == "f" else "/dejar"))
        found = await following.agreements_named(db, links, code)
        if len(found) == 1:
            answer = await _apply(db, context, update, action, *found[0])
        else:
            answer = texts.t(texts.FOLLOW_NOT_FOUND, code=shorten(code, 20)) if not found else None
            options = [(agreement.id, f"{agreement.code} · {member.committee.name}") for member, agreement in found]
    if answer is None:
        await reply(update, context, texts.t(texts.FOLLOW_CHOOSE, code=shorten(code, 20)),
                    keyboards.follow_choice(action, options))
        return
    await reply(update, context, answer)


async def chosen(update: Update, context: AppContext) -> None:
    """The committee's agreement a /seguir or /dejar meant, picked with a button."""
    query = update.callback_query
    button = callbacks.FollowChoice.parse(query.data)
    answer = None
    async with context.transaction() as db:
        agreement = await db.get(Agreement, button.agreement_id)
        links = await queries.memberships(db, update.effective_user.id, update.effective_chat.id)
        member = agreement and next((m for m in links if m.committee_id == agreement.committee_id
                                     and m.role in following.FOLLOWERS), None)
        if member:
            answer = await _apply(db, context, update, button.action, member, agreement)
    if answer is None:
        await query.answer(texts.plain(texts.BUTTON_INVALID), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await reply(update, context, answer)


async def _apply(db, context: AppContext, update: Update, action: str, member, agreement: Agreement) -> str:
    names = dict(code=agreement.code, committee=member.committee.name)
    if action == "f":
        done = await following.follow(db, member, agreement, context.now(), author(update).actor)
        return texts.t(texts.FOLLOWING_STARTED if done else texts.FOLLOWING_ALREADY, **names)
    done = await following.unfollow(db, member, agreement, context.now(), author(update).actor)
    return texts.t(texts.FOLLOWING_ENDED if done else texts.FOLLOWING_NOT, **names)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("relevo", hand_over))
    application.add_handler(CommandHandler("ausente", away))
    application.add_handler(CommandHandler("seguir", follow))
    application.add_handler(CommandHandler("dejar", unfollow))
    application.add_handler(CallbackQueryHandler(chosen, pattern=callbacks.FollowChoice.matches))
