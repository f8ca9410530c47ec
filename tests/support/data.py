"""The one way to reach the files in tests/data, so that a bare clone of the repository finds them."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
# The Moquegua committee's acta of its first ordinary session (a public document), kept byte for byte.
MOQUEGUA_ACTA = "coresec-moquegua-acuerdos-2026-02-25.txt"


def data_file(name: str) -> Path:
    """tests/data/<name>; fails with the path it looked at when the file is missing."""
    path = DATA / name
    if not path.is_file():
        raise FileNotFoundError(f"test data file not found: {path}")
    return path


def read_data(name: str) -> str:
    return data_file(name).read_text(encoding="utf-8")
