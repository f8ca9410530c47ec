"""Import of a whole acta (file or pasted text) into agreements, before anything is saved."""

from bot.acta.limits import LIMITS, MAX_BYTES, Limits
from bot.acta.parser import ActaError, ParsedActa, ParsedAgreement, parse_rows
from bot.acta.readers import read_acta, read_acta_text
from bot.acta.worker import read_aside, read_isolated

__all__ = [
    "LIMITS",
    "MAX_BYTES",
    "ActaError",
    "Limits",
    "ParsedActa",
    "ParsedAgreement",
    "parse_rows",
    "read_acta",
    "read_acta_text",
    "read_aside",
    "read_isolated",
]
