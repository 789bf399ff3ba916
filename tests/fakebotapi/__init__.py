"""A stand-in Telegram Bot API server for tests: aiohttp on 127.0.0.1, no network.

The bot talks to it through python-telegram-bot's real HTTP stack, so request encoding, error mapping, long
polling, webhooks and the ``Application`` life cycle all run for real. Tests act as Telegram's users
(``send_text``, ``press_button``, ``add_bot_to_group`` …) and look at what the bot did (``sent_messages``,
``calls``, ``failed_calls``, ``wait_for_messages``).

Where the fake knowingly differs from Telegram:

* It refuses a bare ``&`` in HTML, as the Bot API documentation demands; Telegram keeps it literally
  (so does the fake after ``api.strict_html_ampersand = False``).
* Only HTML is parsed (Markdown answers 400), and only inline keyboards are modelled.
* Users' messages get ``bot_command`` and ``mention`` entities only; the bot's get exactly those of their
  HTML (Telegram would add links it detects).
* Methods not in :data:`~.methods.METHODS` answer 404, as an unknown method does.

python-telegram-bot shows an error's ``description`` without ``Bad Request:``, ``capitalize()``-d
(``Button_data_invalid``): match case-insensitively, or read :attr:`~.methods.RecordedCall.description`.
"""

from tests.fakebotapi.builders import FakeChat, FakeUser, StoredMessage
from tests.fakebotapi.server import FakeBotApi
from tests.fakebotapi.state import DEFAULT_TOKEN, DEFAULT_USERNAME

__all__ = ["DEFAULT_TOKEN", "DEFAULT_USERNAME", "FakeBotApi", "FakeChat", "FakeUser", "StoredMessage"]
