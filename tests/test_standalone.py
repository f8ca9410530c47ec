"""The repository stands alone: no file it tracks points at a `shared` folder beside or above the clone."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The team's folder beside the clone (its seeds, its design document), spelled as a pattern so this file is no hit.
OUTSIDE = re.compile(r"\.\./sh[a]red|sh[a]red/(seeds|DESIGN)|DESIGN\.md")


def tracked_files() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout, or no git: no list of tracked files")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if listed.returncode != 0:
        pytest.skip(f"git ls-files failed: {listed.stderr.decode(errors='replace').strip()}")
    return [ROOT / name for name in listed.stdout.decode().split("\0") if name]


def test_no_tracked_file_points_outside_the_repository():
    found = []
    for path in tracked_files():
        if not path.is_file():
            continue
        content = path.read_bytes()
        if b"\0" in content:  # binary
            continue
        for number, line in enumerate(content.decode("utf-8", errors="replace").splitlines(), start=1):
            if hit := OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {hit.group(0)}")
    assert not found, "files that point outside the repository:\n" + "\n".join(found)
