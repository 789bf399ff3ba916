"""Wiring: builds the python-telegram-bot ``Application`` and runs it, by long polling or as a webhook.

:func:`run_telegram` is what ``bangfu telegram`` calls; :func:`build_application` builds the same bot for
tests, and :func:`running` runs it inside an event loop that is already running (as tests do), with the
same start-up and shut-down steps as ``run_polling``. :func:`bot.channels.telegram.service.serve` adds the
mode, the HTTP server (``/healthz``, ``/metrics``, the webhook) and the stop signals around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.channels.health import Health
from bot.channels.metrics import Metrics, knowledge_version
from bot.channels.questionlog import QuestionLog
from bot.channels.telegram import browse, feedback, groups, handlers, maintainers, plan, texts
from bot.channels.telegram.concurrency import PerSenderUpdateProcessor
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.districts import DistrictDirectory
from bot.channels.telegram.pacing import TELEGRAM_LIMITS, PacingLimits
from bot.channels.telegram.render import HELP, QUESTION
from bot.channels.telegram.request import ApiMonitor, MonitoredRequest, NotABotApiError
from bot.channels.telegram.service import serve
from bot.channels.telegram.services import CONTEXT_TYPES, BangfuApplication, Services
from bot.channels.telegram.store import STORE_FILE, Store
from bot.engine import Engine
from bot.errors import SettingsError, TransientError
from bot.logsetup import RedactingFilter
from bot.settings import Settings

logger = logging.getLogger(__name__)


# Updates the bot asks Telegram for. Edited messages are left out on purpose: answering an edit would
# answer the same question twice. Channel posts are not questions.
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)
# Updates in progress at once. Each waits mostly on the network (the engine needs ~1 ms of CPU), so a few
# dozen keep a burst moving while the rate limiter spaces the replies out.
MAX_CONCURRENT_UPDATES = 64
# Long-poll timeout in seconds: one getUpdates request per half minute when nobody writes.
POLL_TIMEOUT = 30
# Connections for sending (python-telegram-bot's default); fetching updates needs one.
SEND_CONNECTIONS = 256
# Loggers that may see a request URL (which contains the token) or an exception quoting the token.
_GUARDED_PREFIXES = ("httpx", "httpcore", "telegram", "bot")
_ALSO_GUARDED = ("httpx", "httpcore.connection", "httpcore.http11", "telegram.ext.Updater")


class TelegramUnavailableError(TransientError):
    """The Bot API could not be reached at start-up (exit status 1, so a service manager retries)."""


class _QuietBootstrapFailure(logging.Filter):
    """Drops the record (with its traceback) python-telegram-bot logs when it gives up connecting at
    start-up: run_telegram reports the same failure in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keeps every record but that one."""
        return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


class TokenGuard:
    """Keeps the token out of every log record of the HTTP and Telegram libraries, whoever handles them.

    The CLI's handler already redacts the token; this filter sits on the loggers themselves, so the token
    stays out of records that reach any other handler too (pytest's caplog, an embedding program's).
    """

    def __init__(self, token: str) -> None:
        """Prepares a filter for ``token``; :meth:`install` attaches it."""
        self._filter = RedactingFilter([token])
        self._loggers: list[logging.Logger] = []

    def install(self) -> None:
        """Attaches the filter to every logger that could see the token."""
        known = logging.root.manager.loggerDict
        names = {n for n in known if n.split(".")[0] in _GUARDED_PREFIXES} | set(_ALSO_GUARDED)
        self._loggers = [logging.getLogger(name) for name in sorted(names)]
        for guarded in self._loggers:
            guarded.addFilter(self._filter)

    def remove(self) -> None:
        """Detaches the filter again."""
        for guarded in self._loggers:
            guarded.removeFilter(self._filter)
        self._loggers = []


def build_application(
    settings: Settings, engine: Engine, *, pacing: PacingLimits = TELEGRAM_LIMITS
) -> BangfuApplication:
    """Builds the bot: handlers, delivery (inbox, sender, polling), concurrency, command menus, the store.

    Args:
        settings: Needs the token; ``telegram_api_url`` (a self-hosted Bot API server) and ``data_dir``
            (the SQLite store and the inbox) are used when set.
        engine: The answer engine, shared by every update.
        pacing: How fast messages may go out (Telegram's limits; tests may relax them).

    Returns:
        The application, ready for ``run_polling`` or :func:`running`.

    Raises:
        SettingsError: No token, or the data directory is unusable.
    """
    token = settings.require_token().reveal()
    guard = TokenGuard(token)
    guard.install()
    store = Store.open(settings.data_dir / STORE_FILE)
    metrics, health = Metrics(), Health()
    monitor = ApiMonitor(metrics, health)
    proxy = settings.proxy.url.reveal() if settings.proxy else None  # httpx would ignore ALL_PROXY=socks5://
    delivery = Delivery.open(settings.data_dir / STORE_FILE, pacing, monitor=monitor, proxy=proxy)
    builder = (
        Application.builder()
        .token(token)
        .request(MonitoredRequest(monitor, connection_pool_size=SEND_CONNECTIONS, proxy=proxy))
        .context_types(CONTEXT_TYPES)
        .rate_limiter(delivery.sender)
        .update_queue(delivery.queue)
        .get_updates_request(delivery.polling)
        .concurrent_updates(PerSenderUpdateProcessor(MAX_CONCURRENT_UPDATES, delivery.queue.handled))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_api_url:
        # python-telegram-bot appends the token to base_url: {root}/bot<token>/<method>.
        builder = builder.base_url(f"{settings.telegram_api_url}/bot").base_file_url(
            f"{settings.telegram_api_url}/file/bot"
        )
    application: BangfuApplication = builder.build()
    questions = _open_question_log(settings)
    application.bot_data.services = Services(
        engine, store, DistrictDirectory.build(engine.kb), questions=questions, maintainers=settings.admin_ids
    )
    application.bot_data.metrics, application.bot_data.health = metrics, health
    metrics.knowledge_loaded_now(knowledge_version(settings.knowledge_dir, settings.intents_dir))
    metrics.watch_waiting(
        "bot", lambda: delivery.inbox.depth
    )  # received, not handled yet (queued or in hand)
    application.bot_data.delivery = delivery
    application.bot_data.cleanups += [store.close, delivery.close, guard.remove]
    application.bot_data.cleanups += [questions.close] if questions else []
    application.bot_data.reloader = maintainers.make_reloader(
        application, settings.knowledge_dir, settings.intents_dir
    )
    register_handlers(application)
    return application


def _open_question_log(settings: Settings) -> QuestionLog | None:
    """The question log, unless it is off; a log that cannot be opened is no reason not to answer."""
    if not settings.question_log:
        return None
    try:
        return QuestionLog.open(settings.data_dir, settings.question_log_days)
    except OSError as exc:
        logger.warning(
            "cannot open the question log in %s (%s); questions are not logged", settings.data_dir, exc
        )
        return None


def register_handlers(application: BangfuApplication) -> None:
    """Adds every handler, in the order they are tried (the first that matches handles the update)."""
    new = filters.UpdateType.MESSAGE  # never edits or channel posts
    private = new & filters.ChatType.PRIVATE
    in_groups = new & filters.ChatType.GROUPS
    application.add_handlers(
        [
            ChatMemberHandler(groups.bot_membership, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(new & filters.StatusUpdate.MIGRATE, groups.migration),
            plan.plan_conversation(),
            CommandHandler("start", handlers.start, filters=new),
            CommandHandler("help", handlers.help_command, filters=new),
            CommandHandler("regions", browse.regions, filters=new),
            CommandHandler("activities", browse.activities, filters=new),
            CommandHandler("report", handlers.report, filters=new),
            CommandHandler("about", handlers.about, filters=new),
            CommandHandler("reset", handlers.reset, filters=new),
            CommandHandler("settings", groups.settings_command, filters=new),
            CommandHandler("cancel", handlers.nothing_to_cancel, filters=new),
            CommandHandler("reload", maintainers.reload_command, filters=new),
            CommandHandler("stats", maintainers.stats_command, filters=new),
            CallbackQueryHandler(feedback.feedback_button, pattern=feedback.FEEDBACK_PATTERN),
            CallbackQueryHandler(handlers.question_button, pattern=rf"^{QUESTION}:"),
            CallbackQueryHandler(handlers.help_button, pattern=rf"^{HELP}$"),
            CallbackQueryHandler(browse.browse_button, pattern=browse.REGIONS_PATTERN),
            CallbackQueryHandler(browse.browse_button, pattern=browse.ACTIVITIES_PATTERN),
            CallbackQueryHandler(groups.settings_button, pattern=groups.SETTINGS_PATTERN),
            CallbackQueryHandler(handlers.expired_button),
            MessageHandler(
                private & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND, handlers.private_text
            ),
            MessageHandler(private & filters.COMMAND, handlers.unknown_command),
            MessageHandler(in_groups & filters.TEXT & ~filters.COMMAND, groups.group_text),
            MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.private_non_text),
        ]
    )
    application.add_error_handler(handlers.on_error)


def _commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [BotCommand(command, description) for command, description in pairs]


async def _post_init(application: BangfuApplication) -> None:
    """Queues the updates a crash left unhandled, and sets the command menus (private chats and groups)."""
    bot = application.bot
    if application.bot_data.delivery is not None:
        application.bot_data.delivery.replay(bot)
    try:
        await bot.set_my_commands(_commands(texts.PRIVATE_COMMANDS))
        await bot.set_my_commands(_commands(texts.PRIVATE_COMMANDS), scope=BotCommandScopeAllPrivateChats())
        await bot.set_my_commands(_commands(texts.GROUP_COMMANDS), scope=BotCommandScopeAllGroupChats())
    except TelegramError as exc:
        # The menu only helps users type commands; the bot works without it.
        logger.warning("could not set the command menu: %s", exc)
    logger.info("Telegram bot @%s is running", bot.username)


async def _post_shutdown(application: BangfuApplication) -> None:
    """Closes the store and removes the log filter."""
    cleanups, application.bot_data.cleanups = application.bot_data.cleanups, []
    for cleanup in cleanups:
        cleanup()


@contextlib.asynccontextmanager
async def running(application: BangfuApplication, *, poll: bool = True) -> AsyncIterator[BangfuApplication]:
    """Runs the application in the current event loop, with ``run_polling``'s start-up and shut-down.

    Args:
        application: From :func:`build_application`.
        poll: Also fetch updates by long polling; without it, updates are fed with ``process_update``.

    Yields:
        The running application.
    """
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        if poll and application.updater is not None:

            def polling_error(error: TelegramError) -> None:
                # As run_polling does: errors fetching updates go to the error handler.
                application.create_task(application.process_error(error=error, update=None))

            await application.updater.start_polling(
                poll_interval=0.0,
                timeout=POLL_TIMEOUT,
                allowed_updates=list(ALLOWED_UPDATES),
                error_callback=polling_error,
            )
        try:
            yield application
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run_telegram(settings: Settings) -> int:
    """Runs the Telegram bot, by long polling or as a webhook, until SIGTERM or Ctrl-C.

    Args:
        settings: With the token; see :func:`build_application` and
            :func:`bot.channels.telegram.service.serve`.

    Returns:
        The exit status, 0 after a clean stop.

    Raises:
        SettingsError: No token, a token Telegram rejects, a TELEGRAM_API_URL that is no Bot API server, a
            proxy refusing its credentials, or an unusable data directory or address to listen on (one
            line, without the token).
        TelegramUnavailableError: The Bot API cannot be reached at start-up (directly or through the proxy).
    """
    engine = Engine.load(settings.knowledge_dir, settings.intents_dir)
    application = build_application(settings, engine)
    # A loop of our own can be cleaned up after a failed start.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    quiet = _QuietBootstrapFailure()
    logging.getLogger("telegram.ext").addFilter(quiet)
    lifecycle = running(application, poll=settings.webhook_url is None)
    stop_reloading = maintainers.reload_on_sighup(application, loop)
    try:
        loop.run_until_complete(serve(application, settings, lifecycle, allowed_updates=ALLOWED_UPDATES))
    except (InvalidToken, NetworkError) as exc:
        raise start_up_error(settings, exc) from None
    finally:
        try:
            # A failed start-up leaves the HTTP client open; after a clean stop this does nothing.
            loop.run_until_complete(application.bot.request.shutdown())
        finally:
            stop_reloading()
            loop.close()
            asyncio.set_event_loop(None)
            logging.getLogger("telegram.ext").removeFilter(quiet)
    return 0


def start_up_error(settings: Settings, error: TelegramError) -> SettingsError | TelegramUnavailableError:
    """The one line that explains a failed start, and whether retrying can help (exit status 1) or not (2).

    Never quotes the token or the proxy's password.
    """
    where, proxy = settings.telegram_api_url or "api.telegram.org", settings.proxy
    through = f" through the proxy {proxy.shown} ({proxy.variable})" if proxy else ""
    if isinstance(error, InvalidToken):  # the exception's own message may quote the token
        if settings.telegram_api_url is None:
            return SettingsError(
                "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/token) and that it was copied whole"
            )
        return SettingsError(
            f"the Bot API server at {where} rejected TELEGRAM_BOT_TOKEN: check the token, and that "
            f"TELEGRAM_API_URL is the server's root URL (the bot adds /bot<token>/<method> itself)"
        )
    detail = _scrub(" ".join(str(error).split()), settings)
    if isinstance(error, NotABotApiError):
        if settings.telegram_api_url is not None:
            return SettingsError(
                f"TELEGRAM_API_URL {where} is not a Bot API server: {detail}; set it to the root URL of one, "
                f"such as http://127.0.0.1:8081"
            )
        return TelegramUnavailableError(
            f"cannot reach the Telegram Bot API at {where}{through}: {detail}; something in between "
            f"(a captive portal, a filtering proxy) answers in its place"
        )
    if proxy and "407" in detail:
        return SettingsError(
            f"the proxy {proxy.shown} ({proxy.variable}) refused its credentials (407): check the user and "
            f"password in {proxy.variable}"
        )
    hint = ""
    if proxy is None and settings.telegram_api_url is None:
        hint = " (in mainland China Telegram is reached only through a proxy: set HTTPS_PROXY or ALL_PROXY)"
    return TelegramUnavailableError(f"cannot reach the Telegram Bot API at {where}{through}: {detail}{hint}")


def _scrub(text: str, settings: Settings) -> str:
    secrets = [settings.telegram_token.reveal() if settings.telegram_token else ""]
    if settings.proxy is not None:
        secrets.append(urlsplit(settings.proxy.url.reveal()).password or "")
    for secret in filter(None, secrets):
        text = text.replace(secret, "***")
    return text
