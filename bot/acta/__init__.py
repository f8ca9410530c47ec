"""Import of a whole acta (file or pasted text) into agreements, before anything is saved."""

from bot.acta.parser import ActaError, ParsedActa, ParsedAgreement, parse_rows
from bot.acta.readers import MAX_BYTES, read_acta, read_acta_text

__all__ = [
    "MAX_BYTES",
    "ActaError",
    "ParsedActa",
    "ParsedAgreement",
    "parse_rows",
    "read_acta",
    "read_acta_text",
]
