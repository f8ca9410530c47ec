"""Institution names as secretaries write them, and the key that matches their variants."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from models.text import clean_text, invisible

_FILLER_WORDS = frozenset({"de", "del", "la", "las", "los", "el", "y", "e"})
_NOT_WORD = re.compile(r"[^\w\s]")


# Letters of other scripts that look exactly like Latin ones: «РNP» with a Cyrillic Р is the PNP.
_LOOK_ALIKES = str.maketrans("АВЕКМНОРСТХаеорсухіјѕԁΑΒΕΖΗΙΚΜΝΟΡΤΥΧοι", "ABEKMHOPCTXaeopcyxijsdABEZHIKMNOPTYXoi")


@lru_cache(maxsize=8192)  # a long acta asks for the same few names' keys thousands of times
def institution_key(name: str) -> str:
    """The key under which spelling variants of one institution's name meet; empty when the name has no letter."""
    decomposed = unicodedata.normalize("NFKD", name).translate(_LOOK_ALIKES)
    # Invisible characters (zero-width spaces, joiners, a NUL) and accents go; tabs and line breaks part words.
    plain = "".join(char for char in decomposed
                    if not unicodedata.combining(char) and (char.isspace() or not invisible(char)))
    if not any(char.isalpha() for char in plain):
        return ""
    words = _NOT_WORD.sub(" ", plain.lower()).split()
    return " ".join(word for word in words if word not in _FILLER_WORDS)


# Sectors whose ministry, and the region's direction or office, carry « y », « e » or a comma in their name.
_SECTORS = (
    "Economía y Finanzas", "Transportes y Comunicaciones", "Trabajo y Promoción del Empleo",
    "Justicia y Derechos Humanos", "Vivienda, Construcción y Saneamiento", "Desarrollo Agrario y Riego",
    "Comercio Exterior y Turismo", "Desarrollo e Inclusión Social", "Energía y Minas",
    "la Mujer y Poblaciones Vulnerables",
)
NATIONAL_NAMES = (
    *(f"{office} de {sector}" for sector in _SECTORS
      for office in ("Ministerio", "Dirección Regional", "Gerencia Regional")),
    "Superintendencia Nacional de Aduanas y de Administración Tributaria",
    "Registro Nacional de Identificación y Estado Civil",
    "Superintendencia Nacional de Control de Servicios de Seguridad, Armas, Municiones y Explosivos de Uso Civil",
    "Comisión Nacional para el Desarrollo y Vida sin Drogas",
    "Instituto Nacional de Estadística e Informática",
    "Superintendencia de Banca, Seguros y AFP",
    "Superintendencia de Transporte Terrestre de Personas, Carga y Mercancías",
    "Programa Nacional para la Prevención y Erradicación de la Violencia contra las Mujeres e Integrantes del "
    "Grupo Familiar",
    "Organismo Supervisor de la Inversión en Energía y Minería",
    "Centro Nacional de Estimación, Prevención y Reducción del Riesgo de Desastres",
    "Servicio Nacional de Meteorología e Hidrología",
    "Instituto Nacional de Radio y Televisión del Perú",
)

# Where one responsible ends and the next begins: commas, semicolons, slashes, line breaks, « y », « e », « y/o »,
# and a bullet or a list number at the start of a line; a conjunction after a comma goes with it.
_SEPARATOR = re.compile(
    r"\s*(?:[,;]\s*(?:(?:y\s*/\s*o|y|e)\s+)?|\s+(?:y|e)\s*/\s*o\s+|/|\s+(?:y|e)\s+)\s*"
    r"|\s*(?:\n|^)[ \t]*(?:[•◦▪▫●○■□·‣⁃∙*\-–—]+|(?:\d{1,2}[.)]|[a-z]\))(?=\s))?\s*",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"(?:(?:el|la|los|las)(?:\s+|$))+", re.IGNORECASE)


def split_institutions(cell: str, known: Iterable[str] = ()) -> list[str]:
    """The institution names of a "responsables" cell, spelled as written: one per responsible, without a leading
    article; the full name of a known institution (these, or the national ones above) is never split."""
    cell = clean_text(cell)
    spans = _parts(cell)
    merged: list[tuple[int, int]] = []
    for (start, end), joins in zip(spans, _joins([cell[s:e] for s, e in spans], known)):
        if merged and joins:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return [name for name in (_tidy(cell[start:end]) for start, end in merged) if name]


def join_known(names: list[str], known: Iterable[str]) -> list[str]:
    """Names split from one cell elsewhere, with the pieces of a known name joined again: spelled as it is known,
    or, when more was written around it, as a list is («A, B y C»)."""
    known = tuple(known)
    out: list[list[str]] = []
    for name, joins in zip(names, _joins(names, known)):
        if out and joins:
            out[-1].append(name)
        else:
            out.append([name])
    spellings = _spellings(known)
    return [pieces[0] if len(pieces) == 1
            else spellings.get(tuple(word for piece in pieces for word in _key_words(piece)))
            or f"{', '.join(pieces[:-1])} y {pieces[-1]}" for pieces in out]


def _parts(cell: str) -> list[tuple[int, int]]:
    """Where each name between separators starts and ends, leading articles left out; a separator inside
    parentheses («Gobiernos Locales (Ilo, Mariscal Nieto)») separates nothing."""
    parts, start, depth_at = [], 0, _depths(cell)
    for found in _SEPARATOR.finditer(cell):
        if found.start() == found.end() or depth_at[found.start()]:
            continue
        parts.append((start, found.start()))
        start = found.end()
    parts.append((start, len(cell)))
    spans = []
    for start, end in parts:
        while (article := _ARTICLE.match(cell, start, end)) and article.end() > start:
            start = article.end()
        if cell[start:end].strip():
            spans.append((start, end))
    return spans


def _depths(cell: str) -> list[int]:
    """For each position, how many closed pairs of parentheses or brackets hold it (an unclosed one holds nothing)."""
    changes, opened = [0] * (len(cell) + 1), []
    for at, char in enumerate(cell):
        if char in "([":
            opened.append(at)
        elif char in ")]" and opened:
            changes[opened.pop() + 1] += 1
            changes[at] -= 1
    depths, depth = [], 0
    for change in changes:
        depth += change
        depths.append(depth)
    return depths


def _joins(names: list[str], known: Iterable[str]) -> list[bool]:
    """For each name, whether it continues the name before it: a known name's words run across them."""
    by_first = _index(tuple(known))
    words: list[str] = []
    owner: list[int] = []  # the index of the name each word comes from
    for index, name in enumerate(names):
        for word in _key_words(name):
            words.append(word)
            owner.append(index)
    joins = [False] * len(names)
    for at, word in enumerate(words):
        for candidate in by_first.get(word, ()):
            end = at + len(candidate)
            if end <= len(words) and owner[end - 1] != owner[at] and tuple(words[at:end]) == candidate:
                for index in range(owner[at] + 1, owner[end - 1] + 1):
                    joins[index] = True
    return joins


@lru_cache(maxsize=4096)
def _key_words(name: str) -> tuple[str, ...]:
    return tuple(institution_key(name).split())


@lru_cache(maxsize=64)
def _index(known: tuple[str, ...]) -> dict[str, set[tuple[str, ...]]]:
    """The known names' keys (the national ones included) by their first word."""
    by_first: dict[str, set[tuple[str, ...]]] = {}
    for name in (*NATIONAL_NAMES, *known):
        if words := _key_words(name):
            by_first.setdefault(words[0], set()).add(words)
    return by_first


@lru_cache(maxsize=64)
def _spellings(known: tuple[str, ...]) -> dict[tuple[str, ...], str]:
    """How each known name is spelled, by its key's words; the committee's own spelling first."""
    return {_key_words(name): name for name in (*NATIONAL_NAMES, *known)}


def _tidy(name: str) -> str:
    name = " ".join(name.split()).removesuffix(".").rstrip()
    return name[article.end():] if (article := _ARTICLE.match(name)) else name  # «la.» is no name
