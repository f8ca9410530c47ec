"""Progress reports from institutions: /pendientes, /avance, the report buttons, replies to reminders, evidence."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import date

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import access, callbacks, keyboards, progress, texts, waiting
from bot.clock import local_today
from bot.context import AppContext
from bot.evidence import FileRef, FileTooBig, fetch_file
from bot.messaging import Long, file_name
from bot.progress import ReportRefused
from bot.views import agreement_deadline, shorten
from handlers import answers
from handlers.common import Refused, args_text, author, names_of, refusal, reply, role_of_chat, said
from models import queries
from models.entities import Assignment, Role, Status, Waiting, WaitKind
from models.lifecycle import CLOSED, Action
from models.semaforo import EMOJI, Light

PENDING_LIMIT = 30  # agreements whose buttons fit under one message
PENDING_SHORT = 10  # the nearest ones shown, with their buttons, when the whole list goes as a file
BUTTON_ACTIONS = {"c": Action.REPORT_DONE, "p": Action.PROGRESS, "d": Action.DIFFICULTY}
# What each button asks, what the answer records, and how to ask again once the question expired.
ASKED = {Action.PROGRESS: (WaitKind.NOTE, texts.ASK_NOTE),
         Action.DIFFICULTY: (WaitKind.DIFFICULTY, texts.ASK_DIFFICULTY),
         Action.REPORT_DONE: (WaitKind.EVIDENCE, texts.ASK_EVIDENCE)}
ACTIONS = {kind: action for action, (kind, _) in ASKED.items()}
AGAIN = {WaitKind.NOTE: texts.WAIT_AGAIN_NOTE, WaitKind.DIFFICULTY: texts.WAIT_AGAIN_DIFFICULTY,
         WaitKind.EVIDENCE: texts.WAIT_AGAIN_EVIDENCE}


async def pending(update: Update, context: AppContext) -> None:
    """The open assignments of every institution this chat speaks for, oldest deadline first, with buttons."""
    user, chat = update.effective_user, update.effective_chat
    async with context.transaction() as db:
        linked = [m for m in await queries.memberships(db, user.id, chat.id) if m.role == Role.IMPLEMENTER]
        if not linked:
            raise Refused(texts.NOT_IMPLEMENTER)
        assignments = await progress.implementer_assignments(db, user.id, chat.id)
        committees = {m.committee_id: m.committee for m in linked}
        lights = await progress.lights_now(db, assignments, committees, context.now())
    institutions = sorted({m.institution.name for m in linked})
    if not assignments:
        await reply(update, context, texts.PENDING_EMPTY)
        return
    several = len(institutions) > 1
    header = texts.t(texts.PENDING_HEADER, institutions=", ".join(institutions), count=len(assignments))
    lines = [_pending_line(a, lights[a.id], local_today(context.services.clock,
                                                        committees[a.agreement.committee_id].timezone), several)
             for a in assignments]
    # More than the buttons can carry, or more than three messages: the nearest ones here, all of them in a file.
    filename = file_name(texts.PENDING_FILE, institutions="-".join(institutions))
    tally = Counter(lights.values())
    short = [header, texts.t(texts.PENDING_SHORT_LIGHTS, red=tally[Light.RED], yellow=tally[Light.YELLOW],
                             green=tally[Light.GREEN], grey=tally[Light.GREY]),
             texts.t(texts.PENDING_SHORT_NEAREST, count=min(PENDING_SHORT, len(lines))), *lines[:PENDING_SHORT],
             texts.t(texts.LONG_IN_FILE, filename=filename), texts.PENDING_FOOTER]
    answer = Long("\n\n".join([header, *lines, texts.PENDING_FOOTER]), "\n\n".join(short), filename,
                  as_file=True if len(assignments) > PENDING_LIMIT else None)
    shown = assignments[:PENDING_SHORT] if answer.goes_as_file() else assignments
    await reply(update, context, answer, keyboards.pending(shown, several))


def _pending_line(a: Assignment, colour: Light, today: date, several: bool) -> str:
    code = f"{a.agreement.code} · {a.institution.name}" if several else a.agreement.code
    return texts.t(texts.PENDING_LINE, light=EMOJI[colour], code=code, text=shorten(a.agreement.text),
                   deadline=agreement_deadline(a.agreement, today), status=texts.STATUS[a.status.value],
                   percent=f" {a.percent}%" if a.percent else "")


async def report_progress(update: Update, context: AppContext) -> None:
    """/avance 2.1 60% Se remitió el oficio N° 123-2026."""
    words = args_text(update).split(maxsplit=1)
    if not words:
        await reply(update, context, texts.PROGRESS_USAGE)
        return
    code, (percent, note) = words[0], progress.parse_percent(words[1] if len(words) > 1 else "")
    user, chat = update.effective_user, update.effective_chat
    answer, keyboard, names = None, None, {}
    try:
        # Looking up and recording in one transaction keeps the most common report to one round of queries.
        async with context.transaction() as db:
            found = await progress.implementer_assignments(db, user.id, chat.id, code=code, lock=True)
            if not found:
                answer = texts.NOT_IMPLEMENTER if not await queries.implementer_institution_ids(db, user.id, chat.id) \
                    else texts.t(texts.PROGRESS_NOT_FOUND, code=shorten(code, 20))
            elif len(found) > 1:
                member = await waiting.link_for(db, user.id, chat.id, Role.IMPLEMENTER,
                                                found[0].agreement.committee_id, found[0].institution_id)
                choice = dict(committee_id=member.committee_id, member_id=member.id,
                              about={"note": note, "percent": percent, "offered": [a.id for a in found]})
                keyboard = keyboards.choose_assignment(found)
            else:
                names = dict(code=found[0].agreement.code, institution=found[0].institution.name,
                             status=found[0].status)
                recorded = await progress.record_update(
                    db, assignment_id=found[0], action=Action.PROGRESS, author=author(update), now=context.now(),
                    note=note, percent=percent, dedupe_key=_message_key(update))
                answer, keyboard = _recorded_answer(recorded)
    except ReportRefused as refused:
        answer = refusal(refused, names)
    if answer is None:
        await answers.ask(update, context, WaitKind.CHOICE, **choice, text=texts.PROGRESS_CHOOSE, keyboard=keyboard,
                          typed=False)
        return
    await reply(update, context, answer, keyboard)


async def chosen_assignment(update: Update, context: AppContext) -> None:
    """The person picked which assignment their /avance was about."""
    query = update.callback_query
    question = await answers.current(update, context, WaitKind.CHOICE)
    if question is None or question.message_id != query.message.message_id:
        await query.answer(texts.plain(texts.t(texts.WAIT_EXPIRED, again="")), show_alert=True)
        return
    chosen = callbacks.ChooseAssignment.parse(query.data).assignment_id
    if chosen not in question.about["offered"]:
        await query.answer(texts.NOT_YOURS, show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    if "reminders" in question.about:  # a reply to a digest
        async with context.transaction() as db:
            assignment = await progress.assignment_for_implementer(db, chosen, update.effective_user.id,
                                                                   update.effective_chat.id)
        if assignment is None:
            await reply(update, context, texts.NOT_YOURS)
            return
        await _record_reply(update, context, assignment, question.about["reminders"].get(str(chosen)),
                            question.about["note"], question.about["percent"],
                            [FileRef(**e) for e in question.about.get("evidence", [])], _button_key(update), question)
        return
    await _record_and_answer(update, context, chosen, Action.PROGRESS, note=question.about["note"],
                             percent=question.about["percent"], dedupe_key=_button_key(update), question=question)


async def pressed_report_button(update: Update, context: AppContext) -> None:
    """✅ / ⏳ / ⚠️ on a reminder or on /pendientes: ask for the evidence, the note or the difficulty."""
    query = update.callback_query
    button = callbacks.ReminderAnswer.parse(query.data)
    action_code, assignment_id, reminder_id = button.action, button.assignment_id, button.reminder_id
    async with context.transaction() as db:
        assignment = await access.assignment_for_implementer(db, assignment_id, update.effective_user.id,
                                                             update.effective_chat.id)
        # A reminder's buttons name the reminder: it must be one about this assignment.
        reminder_known = not reminder_id or await access.reminder_for(db, reminder_id,
                                                                      assignment_id=assignment_id) is not None
    if assignment is None:
        await query.answer(texts.NOT_YOURS, show_alert=True)
        return
    names = dict(code=assignment.agreement.code, institution=assignment.institution.name)
    if assignment.status in CLOSED:
        await query.answer(texts.plain(texts.t(texts.ALREADY_CLOSED, status=texts.STATUS[assignment.status.value],
                                               **names)), show_alert=True)
        return
    if not reminder_known:
        await query.answer(texts.plain(texts.BUTTON_INVALID), show_alert=True)
        return
    action = BUTTON_ACTIONS[action_code]
    async with context.transaction() as db:
        member = await waiting.link_for(db, update.effective_user.id, update.effective_chat.id, Role.IMPLEMENTER,
                                        assignment.agreement.committee_id, assignment.institution_id)
    if member is None:
        await query.answer(texts.NOT_YOURS, show_alert=True)
        return
    await query.answer()
    kind, question = ASKED[action]
    await answers.ask(update, context, kind, committee_id=member.committee_id, member_id=member.id,
                      about=dict(assignment_id=assignment_id, reminder_id=reminder_id or None, **names),
                      text=texts.t(question, **names),
                      keyboard=keyboards.skip_note(assignment_id) if action == Action.PROGRESS else None)


async def skipped_note(update: Update, context: AppContext) -> None:
    """«Sin comentario»: record the progress without a note."""
    query = update.callback_query
    question = await answers.current(update, context, WaitKind.NOTE)
    skipped = callbacks.SkipNote.parse(query.data).assignment_id
    if question is None or question.about["assignment_id"] != skipped:
        await query.answer(texts.ALREADY_RECORDED)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _record_and_answer(update, context, question.about["assignment_id"], Action.PROGRESS,
                             reminder_id=question.about["reminder_id"], dedupe_key=_button_key(update),
                             question=question)


async def answered_done_question(update: Update, context: AppContext) -> None:
    """«Sí, está cumplido» after a file: report the assignment done with that file as evidence."""
    query = update.callback_query
    button = callbacks.DoneQuestion.parse(query.data)
    answer, update_id = button.answer, button.update_id
    await query.answer()
    await query.edit_message_reply_markup(None)
    if answer == "n":
        await reply(update, context, texts.NOTED_PROGRESS)
        return
    async with context.transaction() as db:
        earlier = await access.own_update(db, update_id, update.effective_user.id, update.effective_chat.id)
    if earlier is None:
        await reply(update, context, texts.NOT_YOURS)
        return
    await _record_and_answer(update, context, earlier.assignment_id, Action.REPORT_DONE,
                             evidence_update_id=earlier.id, dedupe_key=f"done:{update_id}")


async def received_message(update: Update, context: AppContext) -> None:
    """Text, a file or a voice note that answers no question of the bot (handlers/answers.py): a reply to a
    reminder."""
    message, chat = update.effective_message, update.effective_chat
    if message.reply_to_message and message.reply_to_message.from_user \
            and message.reply_to_message.from_user.id == context.bot.id:
        await _reply_to_reminder(update, context)
    elif chat.type == chat.PRIVATE:
        await reply(update, context, texts.NOTHING_PENDING_HERE[await role_of_chat(update, context)])


async def received_answer(update: Update, context: AppContext, question: Waiting) -> bool:
    """The note after ⏳, the difficulty after ⚠️ or the evidence after ✅: recorded, and the question answered in
    the same transaction (it keeps waiting when the person can fix what was refused)."""
    action = ACTIONS[question.kind]
    if (received := await _received(update, context, question)) is None:
        return True
    evidence, percent, note = received
    await _record_and_answer(update, context, question.about["assignment_id"], action, note=note,
                             percent=percent if action == Action.PROGRESS else None, evidence=evidence,
                             reminder_id=question.about.get("reminder_id"), dedupe_key=_message_key(update),
                             question=question)
    return True


def _again(question: Waiting) -> str:
    return texts.t(AGAIN[question.kind], code=question.about["code"])


async def _received(update: Update, context: AppContext, question: Waiting | None = None
                    ) -> tuple[list[FileRef], int | None, str] | None:
    """The file (downloaded and hashed), percent and note of a message; None, after saying why, if refused (the
    question, if any, keeps waiting)."""
    message = update.effective_message
    try:
        evidence = [await _fetch(context, ref)] if (ref := _file_ref(message)) else []
    except FileTooBig:
        await (answers.insist if question is not None else reply)(update, context, texts.FILE_TOO_BIG)
        return None
    return (evidence, *progress.parse_percent(said(message)))


async def _reply_to_reminder(update: Update, context: AppContext) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    mine = []
    async with context.transaction() as db:
        reminders = await progress.reminders_for_reply(db, chat.id, message.reply_to_message.message_id)
        for reminder in reminders:
            if (assignment := await progress.assignment_for_implementer(db, reminder.assignment_id, user.id, chat.id)):
                mine.append((reminder, assignment))
        open_ones = [(r, a) for r, a in mine if a.status not in CLOSED]
        # A digest: which of its items, asked with buttons (the closed ones are not offered).
        member = len(mine) > 1 and open_ones and await waiting.link_for(
            db, user.id, chat.id, Role.IMPLEMENTER, open_ones[0][1].agreement.committee_id,
            open_ones[0][1].institution_id)
    if not reminders:
        if chat.type == chat.PRIVATE:
            await reply(update, context, texts.NOTHING_PENDING_HERE[await role_of_chat(update, context)])
        return
    if not mine:
        await reply(update, context, texts.NOT_YOURS)
        return
    if len(mine) > 1 and not member:
        await reply(update, context, texts.DIGEST_GONE)
        return
    if (received := await _received(update, context)) is None:
        return
    evidence, percent, note = received
    if len(mine) > 1:
        about = {"note": note, "percent": percent, "offered": [a.id for _, a in open_ones],
                 "reminders": {str(a.id): r.id for r, a in open_ones}, "evidence": [asdict(e) for e in evidence]}
        await answers.ask(update, context, WaitKind.CHOICE, committee_id=member.committee_id, member_id=member.id,
                          about=about, text=texts.DIGEST_WHICH,
                          keyboard=keyboards.choose_assignment([a for _, a in open_ones]), typed=False)
        return
    reminder, assignment = mine[0]
    await _record_reply(update, context, assignment, reminder.id, note, percent, evidence, _message_key(update))


async def _record_reply(update: Update, context: AppContext, assignment: Assignment, reminder_id: int | None,
                        note: str, percent: int | None, evidence: list[FileRef], dedupe_key: str,
                        question: Waiting | None = None) -> None:
    """A reply to a reminder (or to a digest, once its item is chosen): progress, and with a file the question
    whether it is the completion."""
    recorded = await _record_and_answer(update, context, assignment.id, Action.PROGRESS, note=note, percent=percent,
                                        evidence=evidence, reminder_id=reminder_id, dedupe_key=dedupe_key,
                                        quiet=bool(evidence), question=question)
    if recorded and evidence:
        await reply(update, context, texts.t(texts.ASK_DONE, name=evidence[0].name or evidence[0].kind,
                                             code=assignment.agreement.code, institution=assignment.institution.name),
                    keyboards.done_question(recorded.update.id))


async def _record_and_answer(update: Update, context: AppContext, assignment_id: int, action: Action, *,
                             note: str = "", percent: int | None = None, evidence: list[FileRef] | None = None,
                             evidence_update_id: int | None = None, reminder_id: int | None = None,
                             dedupe_key: str | None = None, quiet: bool = False, question: Waiting | None = None):
    """Record one update in one transaction (answering the question it answers, if any) and tell the person;
    returns it, False if refused for good reason the person can fix, None if there is nothing more to do."""
    try:
        async with context.transaction() as db:
            recorded = await progress.record_update(
                db, assignment_id=assignment_id, action=action, author=author(update), now=context.now(),
                note=note, percent=percent, evidence=evidence, evidence_update_id=evidence_update_id,
                dedupe_key=dedupe_key, reminder_id=reminder_id)
            if question is not None:
                await waiting.answered(db, question)
    except ReportRefused as refused:
        final = refused.reason in ("closed", "duplicate", "not_allowed", "unknown")
        if final and question is not None:  # writing again would not help: stop waiting
            async with context.transaction() as db:
                await waiting.answered(db, question)
        why = refusal(refused, await names_of(context, assignment_id))
        await (answers.insist if question is not None and not final else reply)(update, context, why)
        return None if final else False
    if not quiet:
        await reply(update, context, *_recorded_answer(recorded))
    return recorded


def _recorded_answer(recorded) -> tuple[str, InlineKeyboardMarkup | None]:
    a = recorded.assignment
    if a.status == Status.REPORTADO:
        return texts.t(texts.REPORTED_DONE, code=a.agreement.code, institution=a.institution.name), None
    saved = texts.t(texts.PROGRESS_SAVED, code=a.agreement.code, institution=a.institution.name,
                    status=texts.STATUS[a.status.value], percent=f" · {a.percent}%" if a.percent else "")
    if a.percent == 100:
        # 100% is not cumplido until the evidence comes: offer the one tap that asks for it.
        return saved + texts.PROGRESS_FULL, keyboards.report_done(a.id)
    return saved, None


def _file_ref(message: Message) -> FileRef | None:
    if message.document:
        d = message.document
        return FileRef("document", d.file_id, d.file_unique_id, d.file_name or "", d.mime_type or "", d.file_size)
    if message.photo:
        p = message.photo[-1]
        return FileRef("photo", p.file_id, p.file_unique_id, "foto.jpg", "image/jpeg", p.file_size)
    if message.voice:
        v = message.voice
        return FileRef("voice", v.file_id, v.file_unique_id, "nota de voz", v.mime_type or "audio/ogg", v.file_size)
    return None


async def _fetch(context: AppContext, ref: FileRef) -> FileRef:
    return await fetch_file(context.bot, ref, context.services.settings.evidence_folder)


def _message_key(update: Update) -> str:
    return f"m:{update.effective_chat.id}:{update.effective_message.message_id}"


def _button_key(update: Update) -> str:
    message = update.callback_query.message
    return f"b:{message.chat.id}:{message.message_id}"


def register(application: Application) -> None:
    application.add_handler(CommandHandler("pendientes", pending))
    application.add_handler(CommandHandler("avance", report_progress))
    application.add_handler(CallbackQueryHandler(pressed_report_button, pattern=callbacks.ReminderAnswer.matches))
    application.add_handler(CallbackQueryHandler(chosen_assignment, pattern=callbacks.ChooseAssignment.matches))
    application.add_handler(CallbackQueryHandler(skipped_note, pattern=callbacks.SkipNote.matches))
    application.add_handler(CallbackQueryHandler(answered_done_question, pattern=callbacks.DoneQuestion.matches))
    for kind in AGAIN:
        answers.expect(application, kind, answers.Answer(received_answer, _again))
    # Answers to the bot's questions were taken before (handlers/answers.py, group -1); what is left lands here.
    application.add_handler(MessageHandler(
        (filters.TEXT & ~filters.COMMAND) | filters.Document.ALL | filters.PHOTO | filters.VOICE, received_message))
