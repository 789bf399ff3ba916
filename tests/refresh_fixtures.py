"""Copies ``knowledge/`` and ``intents/`` into ``tests/fixtures/``: the knowledge base the unit tests use.

The unit tests never read the shipped files, so a maintainer's edit of ``knowledge/``, ``intents/`` or the
FAQ never breaks one (``make test`` validates and evaluates the shipped files separately). When developers
change the intents, the lexicon or a knowledge file's schema on purpose, they refresh the snapshot with
``make fixtures`` and commit it together with the change.

The snapshot follows the guideline alone: its ``updates.yaml`` and ``faq.yaml`` keep the shipped files'
header comments but list nothing, whatever the maintainers have recorded.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FOLDERS = ("knowledge", "intents")
# Hand-maintained files that are not the guideline's, and the list each holds: copied empty.
EMPTIED = {"updates.yaml": "updates", "faq.yaml": "entries"}


def emptied(text: str, key: str) -> str:
    """The file's leading comment, then ``version: 1`` and ``key: []``."""
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    return "\n".join([*header, "version: 1", f"{key}: []", ""])


def refresh(root: Path = ROOT, fixtures: Path = FIXTURES) -> list[Path]:
    """Replaces the snapshot with the current files; returns the folders written."""
    written = []
    for folder in FOLDERS:
        target = fixtures / folder
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(root / folder, target, copy_function=shutil.copyfile)
        for name, key in EMPTIED.items():
            path = target / name
            if path.exists():
                path.write_text(emptied(path.read_text(encoding="utf-8"), key), encoding="utf-8")
        written.append(target)
    return written


def main() -> int:
    """Refreshes the snapshot and says where it is."""
    for target in refresh():
        print(f"wrote {target.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
