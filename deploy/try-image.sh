#!/usr/bin/env bash
# Builds the container image and asks it one question: the check that the Dockerfile works.
#
#   deploy/try-image.sh            (or: make image)
#
# Uses docker, or podman when there is no docker (CONTAINER_ENGINE=podman chooses). Exit status: 0 when the
# image answered; 1 when the build or the answer failed; 77 (skipped) when no container engine is running or
# the base image cannot be pulled, as on a machine without a registry: `make test` does not depend on it.
set -euo pipefail
cd "$(dirname "$0")/.."

TAG=${TAG:-bangfu:try}
BASE=$(sed -n 's/^ARG PYTHON_IMAGE=//p' Dockerfile)
QUESTION=万州区扶贫办电话
EXPECTED=023-58569600   # 附件1: the office phone of 万州区

skip() { echo "try-image: skipped: $*" >&2; exit 77; }
fail() { echo "try-image: FAILED: $*" >&2; exit 1; }

engine=${CONTAINER_ENGINE:-}
if [[ -z $engine ]]; then
    for candidate in docker podman; do
        if command -v "$candidate" >/dev/null; then engine=$candidate; break; fi
    done
fi
[[ -n $engine ]] || skip "neither docker nor podman is installed"
"$engine" info >/dev/null 2>&1 || skip "$engine is installed but its daemon or service cannot be reached"
"$engine" image inspect "$BASE" >/dev/null 2>&1 || "$engine" pull "$BASE" >/dev/null \
    || skip "the base image $BASE cannot be pulled"

echo "try-image: building $TAG with $engine"
"$engine" build --tag "$TAG" . || fail "the image does not build"

echo "try-image: asking it: $QUESTION"
answer=$("$engine" run --rm "$TAG" ask "$QUESTION") || fail "bangfu ask failed in the container"
echo "$answer"
grep -qF "$EXPECTED" <<<"$answer" || fail "the answer does not give $EXPECTED"

user=$("$engine" run --rm --entrypoint id "$TAG" -u) || fail "cannot run id in the container"
[[ $user != 0 ]] || fail "the container runs as root"
"$engine" run --rm "$TAG" validate || fail "bangfu validate failed in the container"
echo "try-image: OK: $TAG answers, runs as user $user, and its knowledge validates"
