"""split_message on any text the templates can make: every piece fits, is valid HTML for Telegram on its own, and
together the pieces show exactly what the whole showed."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import texts
from bot.messaging import split_message
from tests.support.telegram_rules import check_text

WORDS = st.text(st.sampled_from("abcñáéÍú0123456789.,:;()«»-—🏛📅🟢"), min_size=1, max_size=12)
LONG_LINE = st.text(st.sampled_from("xyzñ🚓"), min_size=200, max_size=5000)  # a cell without a space
ENTITIES = st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x41;"])
SEPARATORS = st.sampled_from([" ", " ", "\n", "\n\n", "   ", " · ", "\n   "])
TAGS = st.sampled_from(["b", "i", "code", "u", "s", 'a href="https://t.me/AcuerdosBot?start=AbC"'])


def html(depth: int = 2) -> st.SearchStrategy[str]:
    leaf = st.one_of(WORDS, WORDS, WORDS, ENTITIES, SEPARATORS, SEPARATORS)
    if depth == 0:
        return st.lists(leaf, max_size=30).map("".join)

    def wrapped(tag_and_inside):
        tag, inside = tag_and_inside
        return f"<{tag}>{inside}</{tag.split()[0]}>"

    part = st.one_of(leaf, leaf, leaf, st.tuples(TAGS, html(depth - 1)).map(wrapped), LONG_LINE)
    return st.lists(part, max_size=60).map("".join)


TEXTS = st.lists(html(), min_size=1, max_size=40).map("\n".join)


def shown(piece: str) -> str:
    return texts.plain(piece)


def joins_back(whole: str, pieces: list[str]) -> bool:
    """The pieces' plain text, in order, is the whole's, each cut dropping only the line break or spaces at it."""
    position = 0
    for index, piece in enumerate(pieces):
        part = shown(piece)
        if index and not whole.startswith(part, position):
            gap = re.match(r"\n| +", whole[position:])
            # The cut took the line break, or some of the spaces there (an empty tag may stand between two).
            dropped = [n for n in range(1, len(gap.group()) + 1) if whole.startswith(part, position + n)] if gap else []
            position += dropped[0] if dropped else 0
        if not whole.startswith(part, position):
            return False
        position += len(part)
    return whole[position:].strip() == ""


@settings(max_examples=250, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(text=TEXTS, limit=st.sampled_from([120, 500, 4096]))
def test_every_piece_fits_parses_and_the_pieces_show_the_whole(text, limit):
    pieces = split_message(text, limit)
    assert all(len(piece) <= limit for piece in pieces)
    if shown(text).strip():
        for piece in pieces:
            check_text(piece, "HTML", limit=limit)  # balanced, only Telegram's tags, not empty
    assert joins_back(shown(text), pieces)


def test_a_tag_open_across_a_cut_is_closed_and_opened_again():
    text = '<b>Pendientes</b>\n<a href="https://t.me/x">' + "enlace " * 30 + "</a>"
    pieces = split_message(text, 100)
    assert pieces[0] == "<b>Pendientes</b>"
    assert all(p.startswith('<a href="https://t.me/x">') and p.endswith("</a>") for p in pieces[1:])


def test_a_cut_beside_an_empty_tag_keeps_the_other_space():
    text = '<a href="https://t.me/AcuerdosBot?start=AbC">' + "x" * 150 + "</a> <b></b> 0"
    pieces = split_message(text, 120)
    assert joins_back(shown(text), pieces)


def test_an_entity_is_never_cut():
    text = "&amp;" * 100
    assert all(re.fullmatch(r"(&amp;)+", p) for p in split_message(text, 52))


def test_a_responsible_cell_of_100k_characters_is_cut_where_it_fills_a_piece():
    text = "<b>2.1</b> " + "PNP" * 33_000
    pieces = split_message(text)
    assert pieces[0] == "<b>2.1</b>" and len(pieces) == 26 and all(len(p) <= 4096 for p in pieces)
    assert "".join(texts.plain(p) for p in pieces) == "2.1" + "PNP" * 33_000
