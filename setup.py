"""Build step: an installed package carries its own copy of ``knowledge/`` and ``intents/``.

The folders stay at the top of the repository, where maintainers edit them. Building a wheel (which
``pip install .`` does) copies them into the package as ``bot/_shipped/knowledge`` and
``bot/_shipped/intents``, where ``bot/settings.py`` finds them at run time. Package data rather than
setuptools' ``data-files``: it is found next to the code whatever the install scheme (a virtual environment,
``--user``, ``--prefix``, ``--target``), where ``data-files`` are dropped by ``pip install --target`` and
leave the program to guess the prefix. An editable install (``make run``, ``make test``) gets no copy: it
reads the repository's folders, so an edit shows at once. Everything else is in ``pyproject.toml``; the
sdist carries the folders through ``MANIFEST.in``.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import FileError

ROOT = Path(__file__).resolve().parent
SHIPPED = Path("bot") / "_shipped"  # bot.settings.SHIPPED_DIR; the package cannot be imported while building
# What the bot reads at run time: the same files MANIFEST.in puts in the sdist.
SHIPPED_FILES = {
    "knowledge": ("*.yaml", "source/guideline.txt", "source/news/*.txt"),
    "intents": ("*.yaml",),
}


class BuildPyWithData(build_py):
    """``build_py`` that also copies the knowledge and intent files into the built package."""

    def run(self) -> None:
        """Builds the modules, then adds the data files unless the install is editable."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder, patterns in SHIPPED_FILES.items():
            found = [path for pattern in patterns for path in sorted((ROOT / folder).glob(pattern))]
            if not found:
                raise FileError(f"no {folder} files in {ROOT / folder}; the package would ship none")
            for source in found:
                target = Path(self.build_lib) / SHIPPED / folder / source.relative_to(ROOT / folder)
                self.mkpath(str(target.parent))
                self.copy_file(str(source), str(target))


setup(cmdclass={"build_py": BuildPyWithData})
