"""Institution names as secretaries write them, and the key that matches their variants."""

from __future__ import annotations

import re
import unicodedata

_FILLER_WORDS = frozenset({"de", "del", "la", "las", "los", "el", "y", "e"})
_NOT_WORD = re.compile(r"[^\w\s]")
_SEPARATORS = re.compile(r"[,;\n]|\s+[ye]\s+", re.IGNORECASE)


# Letters of other scripts that look exactly like Latin ones: «РNP» with a Cyrillic Р is the PNP.
_LOOK_ALIKES = str.maketrans("АВЕКМНОРСТХаеорсухіјѕԁΑΒΕΖΗΙΚΜΝΟΡΤΥΧοι", "ABEKMHOPCTXaeopcyxijsdABEZHIKMNOPTYXoi")


def institution_key(name: str) -> str:
    """The key under which spelling variants of one institution's name meet; empty when the name has no letter."""
    decomposed = unicodedata.normalize("NFKD", name).translate(_LOOK_ALIKES)
    # Invisible characters (zero-width spaces, joiners) and accents go.
    plain = "".join(char for char in decomposed
                    if not unicodedata.combining(char) and unicodedata.category(char) != "Cf")
    if not any(char.isalpha() for char in plain):
        return ""
    words = _NOT_WORD.sub(" ", plain.lower()).split()
    return " ".join(word for word in words if word not in _FILLER_WORDS)


def split_institutions(cell: str) -> list[str]:
    """The institution names of a "responsables" cell, spelled as written."""
    names = (" ".join(part.split()).removesuffix(".").rstrip() for part in _SEPARATORS.split(cell))
    return [name for name in names if name]
