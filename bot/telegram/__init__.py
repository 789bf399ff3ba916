"""The Telegram bot: one more renderer of the engine's transport-neutral replies.

Modules: :mod:`~bot.telegram.app` (wiring and running), :mod:`~bot.telegram.handlers` (private chats,
commands, buttons, errors), :mod:`~bot.telegram.browse` (/regions, /activities), :mod:`~bot.telegram.plan`
(/plan), :mod:`~bot.telegram.groups` (groups, /settings), :mod:`~bot.telegram.render` (Reply → HTML),
:mod:`~bot.telegram.outbox` (sending), :mod:`~bot.telegram.store` (SQLite), :mod:`~bot.telegram.texts`
(every Chinese UI string).
"""
