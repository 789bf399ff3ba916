"""The container files, checked without a container engine (deploy/try-image.sh builds and runs the image
where one is reachable): pinned dependencies, a non-root user, the data volume, the health check, no secret."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def pins(lock: str) -> dict[str, tuple[str, int]]:
    """``name -> (version, number of hashes)`` of a pip-compile lock file with hashes."""
    found: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=\S)", (ROOT / lock).read_text(encoding="utf-8")):
        match = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if match:
            found[canonicalize_name(match[1])] = (match[2], block.count("--hash=sha256:"))
    return found


def instructions(name: str) -> list[str]:
    """The arguments of every ``name`` instruction, continuation lines joined."""
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


@pytest.mark.parametrize("requirement", PYPROJECT["project"]["dependencies"])
def test_every_dependency_is_pinned_with_hashes_within_its_range(requirement: str) -> None:
    wanted = Requirement(requirement)
    version, hashes = pins("requirements.lock")[canonicalize_name(wanted.name)]
    assert wanted.specifier.contains(version), f"{wanted} is locked at {version}: run `make lock`"
    assert hashes >= 1


def test_the_extras_the_bot_needs_are_locked() -> None:
    locked = pins("requirements.lock")
    assert {"socksio", "aiolimiter", "prometheus-client", "aiohttp"} <= set(locked)  # socks, rate-limiter …
    assert all(hashes for _, hashes in locked.values())


def test_the_build_lock_pins_setuptools_for_the_project_and_jieba() -> None:
    [(name, (version, hashes))] = pins("requirements-build.lock").items()
    assert name == "setuptools"
    assert Requirement(PYPROJECT["build-system"]["requires"][0]).specifier.contains(version)
    assert hashes >= 1


def test_the_image_installs_exactly_the_locked_dependencies() -> None:
    runs = " ".join(instructions("RUN"))
    assert "--require-hashes --no-deps -r requirements-build.lock" in runs
    assert "--require-hashes --no-deps --no-build-isolation -r requirements.lock" in runs
    assert "pip install --no-deps --no-build-isolation ." in runs  # not editable: knowledge shipped inside
    assert "bangfu validate" in runs


def test_the_image_runs_as_a_numeric_non_root_user_with_the_data_directory_a_volume() -> None:
    [user] = instructions("USER")
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", user)
    assert instructions("VOLUME") == ['["/data"]']
    assert any("BANGFU_DATA_DIR=/data" in env for env in instructions("ENV"))


def test_the_health_check_asks_the_health_endpoint() -> None:
    [check] = instructions("HEALTHCHECK")
    assert check.endswith('CMD ["bangfu", "health"]')
    assert any("BANGFU_LISTEN=0.0.0.0:8080" in env for env in instructions("ENV"))
    assert instructions("EXPOSE") == ["8080"]
    assert instructions("ENTRYPOINT") == ['["bangfu"]']


def test_no_secret_is_baked_into_the_image() -> None:
    for line in instructions("ENV") + instructions("ARG"):
        assert not re.search(r"TOKEN|SECRET|PASSWORD|_PROXY", line, re.IGNORECASE), line


def test_the_build_context_carries_what_the_package_needs_and_no_local_data() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[1] == "*"  # everything is left out but what is named
    kept = {line[1:] for line in ignored if line.startswith("!")}
    assert {"bot/", "knowledge/", "intents/", "setup.py", "pyproject.toml", "requirements.lock"} <= kept
    for copied in instructions("COPY"):
        if "--from" in copied:
            continue
        for source in copied.split()[:-1]:
            assert source in kept or source + "/" in kept, f"COPY {source} is not in the build context"


def test_compose_takes_the_token_from_an_env_file_keeps_data_in_a_volume_and_restarts() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["bangfu"]
    assert service["env_file"] == "bangfu.env"
    assert "bangfu.env" in (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert service["volumes"] == ["bangfu-data:/data"]
    assert "bangfu-data" in compose["volumes"]
    assert service["restart"] == "unless-stopped"
    assert service["ports"] == ["127.0.0.1:8080:8080"]  # health, metrics, webhook: this machine only
    assert "environment" not in service  # settings come from the env file


def test_the_env_file_example_holds_no_token() -> None:
    example = (ROOT / "deploy" / "bangfu.env.example").read_text(encoding="utf-8")
    assert re.search(r"^TELEGRAM_BOT_TOKEN=$", example, re.MULTILINE)


def test_the_image_check_script_is_executable_and_skips_without_an_engine() -> None:
    script = ROOT / "deploy" / "try-image.sh"
    assert script.stat().st_mode & 0o111
    text = script.read_text(encoding="utf-8")
    assert "exit 77" in text
    assert "023-58569600" in text
