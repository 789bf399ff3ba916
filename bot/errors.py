"""The exceptions Bangfu raises on purpose.

Everything the program reports to a maintainer derives from :class:`BangfuError`, so the entry point can
print the message and exit without a traceback::

    BangfuError
    ├── SettingsError     the environment holds an unusable setting
    ├── DataError         a knowledge or intent file is wrong (one or more located problems)
    └── TransientError    something outside may recover (the Telegram Bot API cannot be reached)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class BangfuError(Exception):
    """Base class of the errors Bangfu reports to the person running it.

    Attributes:
        exit_status: The status the command line exits with: 2 for a problem only the person running it
            can fix (a setting, a data file), 1 for one that may go away by itself (a network outage), so
            that a service manager retries only the latter.
    """

    exit_status = 2


class TransientError(BangfuError):
    """A failure that may go away by itself, such as a service that cannot be reached."""

    exit_status = 1


class SettingsError(BangfuError):
    """A setting read from the environment is missing or malformed."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a data file, located for the maintainer who has to fix it.

    Attributes:
        path: The file, as given (usually relative to the project root).
        line: 1-based line number, or 0 when the problem concerns the whole file.
        message: What is wrong and how to fix it.
    """

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class DataError(BangfuError):
    """Knowledge or intent files failed to load or validate.

    Attributes:
        problems: Every problem found, sorted by file and line.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path, root: Path | None = None) -> str:
    """Returns ``path`` relative to ``root`` (or the working directory) when it lies inside it."""
    base = root if root is not None else Path.cwd()
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
