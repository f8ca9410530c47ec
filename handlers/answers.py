"""Answers to the bot's questions: a plain message from someone the bot asked something in this chat goes to the
continuation registered for the question's kind; /cancelar forgets the question. The question itself is a row
of the database (bot/waiting.py), so it is asked only once delivered, and survives a restart. In a group the
question asks to be replied to (ForceReply), since that is what Telegram gives a bot in privacy mode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from telegram import Chat, ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import texts, waiting
from bot.context import AppContext
from bot.messaging import Long
from handlers.common import reply
from models.entities import Committee, Waiting, WaitKind

ANSWERS = "answers"


@dataclass(frozen=True)
class Answer:
    """How one kind of question is answered: `take` returns False for a message that is no answer to it (it goes
    on to the other handlers); `again` says how to start again once it expired; a secretary's question that is
    refused names its `command`."""

    take: Callable[[Update, AppContext, Waiting], Awaitable[bool]]
    again: Callable[[Waiting], str]
    command: str | None = None
    cancelled: str = texts.CANCELLED


def expect(application: Application, kind: WaitKind, answer: Answer) -> None:
    """Register the continuation of a kind of question (each handler module, for its own questions)."""
    application.bot_data.setdefault(ANSWERS, {})[kind] = answer


async def ask(update: Update, context: AppContext, kind: WaitKind, *, committee_id: int, member_id: int,
              about: dict[str, Any], text: str | Long, keyboard: InlineKeyboardMarkup | None = None,
              typed: bool = True) -> Message:
    """Send the question, and only once Telegram took it, wait for this person's answer in this chat. `typed`:
    the question takes a written answer (or a file), not only a press of its buttons."""
    if update.effective_chat.type in (Chat.GROUP, Chat.SUPERGROUP):
        sent = await _ask_in_group(update, context, text, keyboard, typed)
    else:
        sent = await reply(update, context, text, keyboard)
    async with context.transaction() as db:
        await waiting.ask(db, chat_id=update.effective_chat.id, user_id=update.effective_user.id, kind=kind,
                          committee_id=committee_id, member_id=member_id, about=about, message_id=sent.message_id,
                          now=context.now())
    return sent


async def _ask_in_group(update: Update, context: AppContext, text: str | Long, keyboard: InlineKeyboardMarkup | None,
                        typed: bool) -> Message:
    """A group's bot in privacy mode reads only the replies to its messages: a written answer is asked with
    ForceReply, selective to the person named in it and replied to, threaded under their message (or the one whose
    button they pressed). A message has one markup: buttons and ForceReply go in two, the question first."""
    user, replied = update.effective_user, update.effective_message
    reply_to = replied.message_id if replied else None
    if not typed:
        return await reply(update, context, text, keyboard, reply_to=reply_to)
    person = texts.t(texts.GROUP_PERSON, id=user.id, name=user.full_name)
    force = ForceReply(selective=True, input_field_placeholder=texts.GROUP_ANSWER_PLACEHOLDER)
    if keyboard is None:
        ending = f"\n\n{texts.t(texts.GROUP_ANSWER, person=person)}"
        text = text.suffixed(ending) if isinstance(text, Long) else text + ending
        return await reply(update, context, text, force, reply_to=reply_to)
    sent = await reply(update, context, text, keyboard, reply_to=reply_to)
    await reply(update, context, texts.t(texts.GROUP_ANSWER_TYPED, person=person), force, reply_to=reply_to)
    return sent


async def insist(update: Update, context: AppContext, text: str) -> Message:
    """Say why an answer was not taken while its question keeps waiting; in a group, ask again to be replied to."""
    if update.effective_chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return await reply(update, context, text)
    return await _ask_in_group(update, context, text, None, True)


async def received(update: Update, context: AppContext) -> None:
    """A plain message: the answer to what the bot asked this person here, if it waits for something."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    expected: dict[WaitKind, Answer] = context.application.bot_data.get(ANSWERS, {})
    async with context.transaction() as db:
        found = await waiting.find(db, chat.id, user.id, context.now())
        if found is None or found.question.kind not in expected:
            return
        question, linked = found.question, None
        if not found.expired:
            linked = await waiting.still_linked(db, question, user.id, chat.id)
        if linked is None:  # nothing will take it: forget it, and say why once
            committee = await db.get(Committee, question.committee_id)
            await waiting.answered(db, question)
    answer = expected[question.kind]
    if found.expired:
        await reply(update, context, texts.t(texts.WAIT_EXPIRED, again=answer.again(question)))
    elif linked is None:
        await reply(update, context, texts.t(texts.NOT_SECRETARY, command=answer.command) if answer.command
                    else texts.t(texts.WAIT_UNLINKED, committee=committee.name))
    elif not await answer.take(update, context, question):
        return
    raise ApplicationHandlerStop


async def cancelled(update: Update, context: AppContext) -> None:
    """/cancelar: forget what the bot was waiting for from this person in this chat, saying what was left."""
    async with context.transaction() as db:
        question = await waiting.drop(db, update.effective_chat.id, update.effective_user.id)
    expected: dict[WaitKind, Answer] = context.application.bot_data.get(ANSWERS, {})
    answer = expected.get(question.kind) if question else None
    await reply(update, context, answer.cancelled if answer else texts.CANCELLED)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("cancelar", cancelled))
    # Group -1: after no command (commands are not plain messages) and before the reports' plain messages, which
    # it stops when the message was the answer to a question.
    application.add_handler(MessageHandler(
        (filters.TEXT & ~filters.COMMAND) | filters.Document.ALL | filters.PHOTO | filters.VOICE, received), group=-1)


async def current(update: Update, context: AppContext, kind: WaitKind) -> Waiting | None:
    """The question of this kind the bot waits for this person to answer here, when a button answers it: None when
    there is none, it expired, or the link that allowed it is gone."""
    async with context.transaction() as db:
        found = await waiting.find(db, update.effective_chat.id, update.effective_user.id, context.now())
        if found is None or found.question.kind != kind or found.expired:
            return None
        linked = await waiting.still_linked(db, found.question, update.effective_user.id, update.effective_chat.id)
    return found.question if linked else None
