"""A summary as its Telegram message: HTML, one self-contained line per item, so it can be split on lines."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import texts
from bot.summaries import LIST_LIMIT, Branch, Change, Summary
from bot.views import day, shorten
from models.semaforo import EMOJI


def render(summary: Summary) -> str:
    """The summary as Telegram HTML: one self-contained line per item, so it can be split on lines."""
    lines = _own_lines(summary) if summary.agreements else [texts.t(texts.SUMMARY_EMPTY, committee=summary.committee)]
    if summary.branches:
        lines.append(texts.t(texts.SUMMARY_ROLLUP_HEADER, committee=summary.committee))
        lines.extend(_branch_line(branch) for branch in summary.branches)
    return "\n".join(lines)


def _own_lines(summary: Summary) -> list[str]:
    tz, tally = summary.tz, summary.tally
    lines = [
        texts.t(texts.SUMMARY_HEADER, committee=summary.committee,
                date=_weekday_date(summary.today), since=_moment(summary.since, tz)),
        texts.t(texts.SUMMARY_LIGHTS, count=tally.total, green=tally.green, yellow=tally.yellow, red=tally.red,
                grey=tally.grey),
        texts.t(texts.SUMMARY_DONE, done=summary.done, count=tally.total)
        + (texts.t(texts.SUMMARY_CANCELLED, count=summary.cancelled) if summary.cancelled else ""),
        texts.SUMMARY_INSTITUTIONS_HEADER,
    ]
    for line in summary.institutions:
        lines.append(texts.t(texts.SUMMARY_INSTITUTION_LINE, light=EMOJI[line.tally.light] if line.tally.light else "",
                             name=line.name, open=line.open, overdue=line.overdue, reported=line.reported,
                             done=line.done, last=_last_update(line.last_update, tz)))
    lines.append(texts.t(texts.SUMMARY_CHANGES_HEADER, since=_moment(summary.since, tz), count=summary.changes_total))
    new = summary.new_agreements
    if new:
        lines.append(texts.t(texts.SUMMARY_NEW_AGREEMENTS, count=len(new),
                             codes=", ".join(a.code for a in new[:LIST_LIMIT])))
    lines.extend(_change_line(change, tz) for change in summary.changes)
    if summary.changes_total > len(summary.changes):
        lines.append(texts.t(texts.SUMMARY_MORE, count=summary.changes_total - len(summary.changes)))
    if not summary.changes_total:
        lines.append(texts.SUMMARY_NO_CHANGES)
    silent = summary.silent
    if silent:
        lines.append(texts.SUMMARY_SILENT_HEADER)
        for item in silent[:LIST_LIMIT]:
            codes = texts.Html(", ".join(texts.t(texts.SUMMARY_SILENT_ITEM, code=code, count=count)
                                         for code, count in item.agreements))
            lines.append(texts.t(texts.SUMMARY_SILENT_LINE, institution=item.institution, codes=codes))
        _more(lines, len(silent))
    without = summary.without_deadline
    if without:
        more = texts.t(texts.SUMMARY_CODES_MORE, count=len(without) - LIST_LIMIT) if len(without) > LIST_LIMIT else ""
        lines.append(texts.t(texts.SUMMARY_NO_DEADLINE, count=len(without),
                             codes=", ".join(a.code for a in without[:LIST_LIMIT]), more=more))
    return lines


def _more(lines: list[str], count: int) -> None:
    if count > LIST_LIMIT:
        lines.append(texts.t(texts.SUMMARY_MORE, count=count - LIST_LIMIT))


def _change_line(change: Change, tz: ZoneInfo) -> str:
    values = dict(when=change.at.astimezone(tz).strftime("%d/%m %H:%M"), code=change.code,
                  institution=change.institution, status=texts.STATUS[change.status],
                  percent=f" {change.percent}%" if change.percent is not None else "",
                  author=f" ({change.author})" if change.author else "")
    if change.note:
        return texts.t(texts.SUMMARY_CHANGE_LINE_NOTE, note=shorten(change.note, 80), **values)
    return texts.t(texts.SUMMARY_CHANGE_LINE, **values)


def _branch_line(branch: Branch) -> str:
    tally = branch.tally
    below = texts.t(texts.SUMMARY_ROLLUP_BELOW, count=branch.below) if branch.below else ""
    return texts.t(texts.SUMMARY_ROLLUP_LINE, indent="   " * (branch.depth - 2) + "└ " if branch.depth > 1 else "",
                   light=EMOJI[tally.light] if tally.light else "▫️", name=branch.name, count=tally.total,
                   green=tally.green, yellow=tally.yellow, red=tally.red, grey=tally.grey) + below


def _weekday_date(value: date) -> str:
    return f"{texts.WEEKDAYS[value.weekday()]} {day(value)}"


def _moment(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def _last_update(value: datetime | None, tz: ZoneInfo) -> str:
    return day(value.astimezone(tz).date()) if value else texts.SUMMARY_NEVER
