"""/miembros, /revocar and /salir: who is linked to a committee, and ending a link (bot/members.py does it)."""

from __future__ import annotations

import logging
import re

from telegram import Chat, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import keyboards, members, texts
from bot.callbacks import MemberButton
from bot.context import AppContext
from bot.members import MemberRefused
from bot.messaging import Long, file_name
from handlers.common import acting, args_text, author, reply, tell
from handlers.start import set_menu
from models.entities import Role

log = logging.getLogger(__name__)

NUMBER = re.compile(r"(?:n\s*[°º.]?\s*|#)?(\d{1,9})", re.IGNORECASE)


async def list_members(update: Update, context: AppContext) -> None:
    """The secretary's committee: its secretaries, focal points by institution and observers, each with its N°."""
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/miembros")
        found = await members.roster(db, member.committee)
        filename = file_name(texts.MEMBERS_FILE, committee=member.committee.name)
        answer = Long(members.render_roster(found), _roster_short(found, filename), filename)
    await reply(update, context, answer)


def _roster_short(found: members.Roster, filename: str) -> str:
    """/miembros in one message, when the whole list goes as a file."""
    example = next((m.id for _, linked in found.focal_points for m in linked), None)
    lines = [texts.t(texts.MEMBERS_HEADER, committee=found.committee.name, count=found.count),
             texts.t(texts.MEMBERS_SHORT, secretaries=len(found.secretaries), observers=len(found.observers),
                     focal=sum(len(linked) for _, linked in found.focal_points))]
    if uncovered := sum(1 for _, linked in found.focal_points if not linked):
        lines.append(texts.t(texts.MEMBERS_SHORT_UNCOVERED, count=uncovered))
    lines += [texts.t(texts.LONG_IN_FILE, filename=filename), texts.t(texts.MEMBERS_FOOTER, number=example or 12)]
    return "\n".join(lines)


async def revoke(update: Update, context: AppContext) -> None:
    """/revocar 12: asks the secretary to confirm taking that member out of the committee."""
    number = NUMBER.fullmatch(args_text(update))
    if number is None:
        await reply(update, context, texts.REVOKE_USAGE)
        return
    keyboard = None
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/revocar")
        try:
            target = await members.revocable(db, int(number.group(1)),
                                             await members.secretary_of(db, update.effective_user.id))
        except MemberRefused as refused:
            answer = _refusal(refused, number=number.group(1), committee=member.committee.name)
        else:
            answer = texts.t(texts.REVOKE_CONFIRM, name=target.display_name, role=members.role_of(target),
                             group=texts.MEMBERS_GROUP if target.is_group else "", committee=target.committee.name)
            keyboard = keyboards.confirm_member("r", target.id)
    await reply(update, context, answer, keyboard)


async def leave(update: Update, context: AppContext) -> None:
    """/salir: this chat leaves a committee, choosing with buttons when it is linked to several, after confirming."""
    in_group = update.effective_chat.type in (Chat.GROUP, Chat.SUPERGROUP)
    async with context.transaction() as db:
        links = await members.leavable(db, user_id=update.effective_user.id, chat_id=update.effective_chat.id,
                                       in_group=in_group)
        options = [(m.id, texts.plain(texts.t(texts.LEAVE_OPTION, role=members.role_of(m), committee=m.committee.name)))
                   for m in links]
    if not links:
        await reply(update, context, texts.LEAVE_NOTHING_GROUP if in_group else texts.LEAVE_NOTHING)
    elif len(links) > 1:
        await reply(update, context, texts.LEAVE_CHOOSE, keyboards.choose_link(options))
    else:
        try:
            await _ask_to_leave(update, context, links[0].id)
        except MemberRefused as refused:
            await reply(update, context, _refusal(refused, leaving=True))


async def pressed(update: Update, context: AppContext) -> None:
    """✅ Revocar, a link chosen for /salir, ✅ Salir, or ✖️ Cancelar; the id is checked against whoever presses."""
    query, button = update.callback_query, MemberButton.parse(update.callback_query.data)
    if button.action == "x":
        await query.answer()
        await query.edit_message_reply_markup(None)
        await reply(update, context, texts.CANCELLED)
        return
    try:
        if button.action == "r":
            await _revoke(update, context, button.member_id)
        elif button.action == "s":
            await _ask_to_leave(update, context, button.member_id, pressed=True)
        else:
            await _leave(update, context, button.member_id)
    except MemberRefused as refused:
        command = "/miembros" if button.action == "r" else "/salir"
        if refused.reason == "unknown":
            await query.answer(texts.plain(texts.t(texts.MEMBER_BUTTON_STALE, command=command)), show_alert=True)
        else:
            await query.answer()
            await query.edit_message_reply_markup(None)
            await reply(update, context, _refusal(refused, leaving=button.action != "r"))


async def _revoke(update: Update, context: AppContext, member_id: int) -> None:
    user = update.effective_user
    async with context.transaction() as db:
        ended = await members.revoke(db, member_id=member_id, committee_ids=await members.secretary_of(db, user.id),
                                     by=user.full_name, actor=author(update).actor, now=context.now())
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, context, texts.t(texts.REVOKED, name=ended.member.display_name, role=ended.role,
                                         committee=ended.committee.name) + _alone(ended))
    if ended.member.chat_id != update.effective_chat.id:
        await tell(context, [ended.member.chat_id], texts.t(texts.TOLD_REVOKED, committee=ended.committee.name,
                                                            role=ended.role))
    await set_menu(context, ended.member.chat_id, ended.roles_left)


async def _ask_to_leave(update: Update, context: AppContext, member_id: int, pressed: bool = False) -> None:
    in_group = update.effective_chat.type in (Chat.GROUP, Chat.SUPERGROUP)
    admin = await _chat_admin(update, context) if in_group else False
    async with context.transaction() as db:
        member = await members.leaving(db, member_id, user_id=update.effective_user.id,
                                       chat_id=update.effective_chat.id, in_group=in_group, chat_admin=admin)
        question = texts.t(texts.LEAVE_CONFIRM_GROUP if in_group else texts.LEAVE_CONFIRM,
                           role=members.role_of(member), committee=member.committee.name)
    if pressed:
        await update.callback_query.answer()
        await update.callback_query.edit_message_reply_markup(None)
    await reply(update, context, question, keyboards.confirm_member("l", member_id))


async def _leave(update: Update, context: AppContext, member_id: int) -> None:
    chat, user = update.effective_chat, update.effective_user
    in_group = chat.type in (Chat.GROUP, Chat.SUPERGROUP)
    admin = await _chat_admin(update, context) if in_group else False
    async with context.transaction() as db:
        ended = await members.leave(db, member_id=member_id, user_id=user.id, chat_id=chat.id, in_group=in_group,
                                    chat_admin=admin, by=user.full_name, now=context.now())
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, context, texts.t(texts.LEFT_GROUP if in_group else texts.LEFT, role=ended.role,
                                         committee=ended.committee.name))
    notice = texts.t(texts.LEFT_NOTICE, name=ended.member.display_name, role=ended.role,
                     group=texts.MEMBERS_GROUP if ended.member.is_group else "",
                     committee=ended.committee.name) + _alone(ended)
    await tell(context, [chat_id for chat_id in ended.secretaries if chat_id != chat.id], notice)
    await set_menu(context, ended.member.chat_id, ended.roles_left)


def _alone(ended: members.Ended) -> str:
    return texts.t(texts.NOW_ALONE, institution=ended.member.institution.name) if ended.alone else ""


def _refusal(refused: MemberRefused, *, number: str = "", committee: str = "", leaving: bool = False) -> str:
    """Why a link was not ended, in the person's words."""
    if refused.reason == "gone":
        return texts.t(texts.MEMBER_GONE, name=refused.name, committee=refused.committee)
    if refused.reason == "last_secretary":
        if leaving:
            return texts.t(texts.LEAVE_LAST_SECRETARY, committee=refused.committee)
        return texts.t(texts.LAST_SECRETARY, name=refused.name, committee=refused.committee)
    if refused.reason == "not_allowed":
        return texts.t(texts.LEAVE_NOT_ADMIN, committee=refused.committee)
    return texts.t(texts.MEMBER_UNKNOWN, number=number, committee=committee)


async def _chat_admin(update: Update, context: AppContext) -> bool:
    """Whether the person is an administrator of this group (asked to Telegram; no answer counts as no)."""
    try:
        found = await context.bot.get_chat_member(update.effective_chat.id, update.effective_user.id)
    except TelegramError:
        log.warning("could not ask whether user %s administers chat %s", update.effective_user.id,
                    update.effective_chat.id, exc_info=True)
        return False
    return found.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("miembros", list_members))
    application.add_handler(CommandHandler("revocar", revoke))
    application.add_handler(CommandHandler("salir", leave))
    application.add_handler(CallbackQueryHandler(pressed, pattern=MemberButton.matches))
