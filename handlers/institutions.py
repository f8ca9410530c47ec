"""/instituciones and /invitar: the committee's institutions and the links for their focal points."""

from __future__ import annotations

from collections import Counter

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import committees, texts
from bot.context import AppContext
from bot.messaging import Long, file_name
from bot.views import day
from handlers.common import acting, args_text, author, reply, unknown_institution
from models import queries
from models.entities import Role
from models.names import join_known
from models.rules import MAX_NAME

ADD_WORDS = ("agregar", "añadir", "anadir", "nueva", "nuevo")
ROLE_WORDS = {"secretaria": Role.SECRETARY, "secretaría": Role.SECRETARY, "secretario": Role.SECRETARY,
              "observador": Role.OBSERVER, "observadora": Role.OBSERVER}


async def institutions(update: Update, context: AppContext) -> None:
    """List the committee's institutions, or add some: /instituciones agregar PNP, Warmi Ñan."""
    words = args_text(update).split(maxsplit=1)
    if words and words[0].lower() not in ADD_WORDS:
        await reply(update, context, texts.INSTITUTIONS_USAGE)
        return
    adding = words[0].lower() in ADD_WORDS if words else False
    names = [n.strip() for n in words[1].replace("\n", ",").split(",") if n.strip()] if len(words) > 1 else []
    names = join_known(names, ())  # «Ministerio de Vivienda, Construcción y Saneamiento» is one
    if adding and not names:
        await reply(update, context, texts.INSTITUTIONS_USAGE)
        return
    if any(len(name) > MAX_NAME for name in names):
        await reply(update, context, texts.t(texts.INSTITUTION_NAME_TOO_LONG, max=MAX_NAME))
        return
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/instituciones")
        if adding:
            lines, tally = [], Counter()
            for name in names:
                try:
                    institution, created = await committees.add_institution(
                        db, committee=member.committee, name=name, now=context.now(), actor=author(update).actor)
                except committees.NameWithoutLetters:
                    lines.append(texts.t(texts.INSTITUTION_NAME_WITHOUT_LETTERS, name=name))
                    tally["refused"] += 1
                    continue
                tally["added" if created else "existing"] += 1
                lines.append(texts.t(texts.INSTITUTION_ADDED, name=institution.name, committee=member.committee.name)
                             if created else texts.t(texts.INSTITUTION_EXISTS, name=name, existing=institution.name))
            filename = file_name(texts.INSTITUTIONS_ADDED_FILE, committee=member.committee.name)
            short = "\n".join([texts.t(texts.INSTITUTIONS_ADDED_SHORT, committee=member.committee.name,
                                       added=tally["added"], existing=tally["existing"], refused=tally["refused"]),
                               texts.t(texts.LONG_IN_FILE, filename=filename)])
            answer = Long("\n\n".join(lines), short, filename)
        else:
            rows = await queries.institutions_with_focal_points(db, member.committee_id)
            answer = Long(render_list(member.committee.name, rows), render_short(member.committee.name, rows),
                          file_name(texts.INSTITUTIONS_FILE, committee=member.committee.name))
    await reply(update, context, answer)


def render_list(committee: str, rows) -> str:
    if not rows:
        return texts.t(texts.INSTITUTIONS_EMPTY, committee=committee)
    lines = [texts.t(texts.INSTITUTIONS_HEADER, committee=committee, count=len(rows))]
    for institution, focal in rows:
        lines.append(texts.t(texts.INSTITUTIONS_LINE, name=institution.name,
                             focal=texts.t(texts.INSTITUTIONS_FOCAL, count=focal) if focal else ""))
    lines.append(texts.INSTITUTIONS_FOOTER)
    return "\n".join(lines)


def render_short(committee: str, rows) -> str:
    """The list in one message, when the whole goes as a file."""
    with_focal = sum(1 for _, focal in rows if focal)
    return "\n".join([texts.t(texts.INSTITUTIONS_HEADER, committee=committee, count=len(rows)),
                      texts.t(texts.INSTITUTIONS_SHORT, with_focal=with_focal, without=len(rows) - with_focal),
                      texts.t(texts.LONG_IN_FILE, filename=file_name(texts.INSTITUTIONS_FILE, committee=committee)),
                      texts.INSTITUTIONS_FOOTER])


async def invite(update: Update, context: AppContext) -> None:
    """A single-use link for an institution's focal point (or a secretary or observer)."""
    target = args_text(update)
    if not target:
        await reply(update, context, texts.INVITE_USAGE)
        return
    role = ROLE_WORDS.get(target.lower(), Role.IMPLEMENTER)
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/invitar")
        answer = await _invitation_message(db, context, member, role, target, author(update).actor)
    await reply(update, context, answer)


async def _invitation_message(db, context: AppContext, member, role: Role, target: str, who: str) -> str:
    institution = None
    if role == Role.IMPLEMENTER:
        institution = await queries.find_institution(db, member.committee_id, target)
        if institution is None:
            return await unknown_institution(db, member, target)
    created = await committees.create_invitation(
        db, committee=member.committee, role=role, institution=institution, now=context.now(),
        days=context.services.settings.invitation_days, actor=who)
    return texts.t(texts.INVITE_LINK, whom=texts.t(texts.INVITE_WHOM[role.value],
                                                   name=institution.name if institution else ""),
                   how=texts.INVITE_HOW[role.value], committee=member.committee.name,
                   link=f"https://t.me/{context.bot.username}?start={created.code}",
                   expires=day(created.invitation.expires_at.date()))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("instituciones", institutions))
    application.add_handler(CommandHandler("invitar", invite))

