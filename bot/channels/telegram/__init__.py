"""The Telegram bot: one more renderer of the engine's transport-neutral replies.

Modules: :mod:`~bot.channels.telegram.app` (wiring and running), :mod:`~bot.channels.telegram.handlers` (private chats,
commands, buttons, errors), :mod:`~bot.channels.telegram.browse` (/regions, /activities), :mod:`~bot.channels.telegram.plan`
(/plan), :mod:`~bot.channels.telegram.groups` (groups, /settings), :mod:`~bot.channels.telegram.render` (Reply → HTML),
:mod:`~bot.channels.telegram.outbox` (sending), :mod:`~bot.channels.telegram.store` (SQLite), :mod:`~bot.channels.telegram.texts`
(every Chinese UI string).
"""
