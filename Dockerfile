# 帮扶助手 (Bangfu): the Telegram bot in a container. See README, "Deploying".
#   docker compose up -d          (compose.yaml: the token from bangfu.env, data in a volume)
#   docker build -t bangfu . && docker run --rm bangfu ask 万州区扶贫办电话
# No secret is baked in: the token comes from the environment at run time.

# The same minor version as the lock files were resolved with (pip-compile, Python 3.11).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# Dependencies first, pinned with hashes (make lock writes both files), so that a change to the code
# reuses this layer. setuptools comes from the build lock: jieba is published as source only, and the
# package's own build step (setup.py) needs it too; without build isolation nothing unpinned is fetched.
COPY requirements-build.lock requirements.lock ./
RUN python -m venv /opt/bangfu \
    && /opt/bangfu/bin/pip install --require-hashes --no-deps -r requirements-build.lock \
    && /opt/bangfu/bin/pip install --require-hashes --no-deps --no-build-isolation -r requirements.lock
# A regular (not editable) install: setup.py copies knowledge/ and intents/ into the package
# (bot/_shipped), so the image carries them and reads them wherever it runs.
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY intents ./intents
RUN /opt/bangfu/bin/pip install --no-deps --no-build-isolation . \
    && /opt/bangfu/bin/pip uninstall --yes setuptools \
    && /opt/bangfu/bin/bangfu validate

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="bangfu" \
      org.opencontainers.image.description="帮扶助手: answers social organizations' questions from the Chongqing poverty-alleviation guideline"
# A system user of its own; the data directory is the only place it writes.
RUN groupadd --system --gid 10001 bangfu \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --shell /usr/sbin/nologin bangfu \
    && mkdir /data && chown 10001:10001 /data
COPY --from=build /opt/bangfu /opt/bangfu
ENV PATH=/opt/bangfu/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    BANGFU_DATA_DIR=/data \
    BANGFU_LISTEN=0.0.0.0:8080 \
    BANGFU_LOG_FORMAT=json
# Numeric, so that a runtime checking runAsNonRoot can tell it is not root.
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# /healthz and /metrics (polling and webhook mode), and the webhook itself in webhook mode.
EXPOSE 8080
# `bangfu health` asks /healthz on BANGFU_LISTEN and prints its one-line reason.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["bangfu", "health"]
# SIGTERM (docker stop) lets the bot finish the updates in hand and exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["bangfu"]
CMD ["telegram"]
