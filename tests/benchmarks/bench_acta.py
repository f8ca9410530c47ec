"""Time read_acta_text over a 200-agreement acta in the seed's format.

Run: python tests/benchmarks/bench_acta.py
"""

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.acta import read_acta_text  # noqa: E402
from tests.support.actas import acta_text  # noqa: E402


def main() -> None:
    text = acta_text()
    parsed = read_acta_text(text)
    assert len(parsed.agreements) == 200, len(parsed.agreements)
    best = min(timeit.repeat(lambda: read_acta_text(text), number=1, repeat=5))
    print(f"read_acta_text, 200 agreements: {best:.3f} s (best of 5; goal < 2 s)")


if __name__ == "__main__":
    main()
