"""The package installed for real (not editable) finds its knowledge and intents and keeps data at home.

The build runs offline, as CI does: an sdist from the project's files, then ``pip install --target`` of that
sdist without build isolation (setuptools from the test extras) or dependencies (the virtual environment's
serve), so this also checks that MANIFEST.in and setup.py carry the knowledge and intents into the package.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, SHIPPED_DIR
from tests.engine_support import INTENTS, KNOWLEDGE

# What a build reads; everything else in the repository (tests, .venv, data/) stays out of the copy.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "bot", "knowledge", "intents")
# The package is built with the fixture knowledge and intents, which follow the guideline alone.
FIXTURE_FOLDERS = {"knowledge": KNOWLEDGE, "intents": INTENTS}


@dataclass(frozen=True)
class Installed:
    """The package installed with ``pip install --target``, and a place to run it from."""

    site: Path
    home: Path
    elsewhere: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Runs ``python *args`` with only the installed copy of ``bot`` importable."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BANGFU_", "XDG_"))}
        env |= {"PYTHONPATH": str(self.site), "HOME": str(self.home), "PYTHONDONTWRITEBYTECODE": "1"}
        return _run([sys.executable, *args], cwd=self.elsewhere, env=env)


def _run(
    argv: list[str], *, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip(
            "setuptools is not installed, so the package cannot be built offline; pip install -e '.[test]'"
        )
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        origin = FIXTURE_FOLDERS.get(name, PROJECT_ROOT / name)
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / name)
    build = _run(
        [sys.executable, "-c", "from setuptools import build_meta; print(build_meta.build_sdist('../dist'))"],
        cwd=source,
    )
    assert build.returncode == 0, build.stderr
    sdist = root / "dist" / build.stdout.split()[-1]
    with tarfile.open(sdist) as archive:
        archive.extractall(root / "unpacked", filter="data")
    (unpacked,) = (root / "unpacked").iterdir()
    site = root / "site"
    pip = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--no-build-isolation",
            "--no-deps",
            "--no-cache-dir",
            "--disable-pip-version-check",
            "--target",
            str(site),
            str(unpacked),
        ],
        cwd=root,
    )
    assert pip.returncode == 0, pip.stderr
    for folder in ("home", "elsewhere"):
        (root / folder).mkdir()
    return Installed(site, root / "home", root / "elsewhere")


def test_the_installed_package_answers_from_its_shipped_knowledge(installed: Installed) -> None:
    result = installed.run("-m", "bot", "ask", "万州区扶贫办电话")
    assert result.returncode == 0, result.stderr
    assert "023-58569600" in result.stdout


def test_the_installed_package_reads_its_own_copies_and_keeps_data_out_of_site_packages(
    installed: Installed,
) -> None:
    probe = (
        "import os, bot; from bot.settings import Settings; s = Settings.from_env(os.environ); "
        "print(bot.__file__, s.layout.kind, s.knowledge_dir, s.intents_dir, s.data_dir, sep='\\n')"
    )
    result = installed.run("-c", probe)
    assert result.returncode == 0, result.stderr
    module, kind, knowledge, intents, data = result.stdout.splitlines()
    shipped = installed.site / "bot" / SHIPPED_DIR
    assert Path(module) == installed.site / "bot" / "__init__.py"  # not the editable checkout
    assert kind == "installed"
    assert (Path(knowledge), Path(intents)) == (shipped / "knowledge", shipped / "intents")
    assert Path(data) == installed.home / ".local" / "share" / "bangfu"
    assert (shipped / "knowledge" / "source" / "guideline.txt").is_file()
    news = sorted(p.name for p in (shipped / "knowledge" / "source" / "news").glob("*.txt"))
    assert news == sorted(p.name for p in (KNOWLEDGE / "source" / "news").glob("*.txt"))
    for folder in ("knowledge", "intents"):
        expected = sorted(p.name for p in FIXTURE_FOLDERS[folder].glob("*.yaml"))
        assert sorted(p.name for p in (shipped / folder).glob("*.yaml")) == expected


def test_the_installed_package_refuses_to_rewrite_its_shipped_knowledge(installed: Installed) -> None:
    result = installed.run("-m", "bot", "build-knowledge", "--force")
    assert result.returncode == 2
    assert result.stderr.startswith("bangfu: build-knowledge would rewrite the knowledge files installed")
    assert "BANGFU_KNOWLEDGE_DIR" in result.stderr
