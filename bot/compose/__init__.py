"""Composers: each writes one kind of reply from the knowledge base; importing this package registers them all.

Where to change an answer's wording: districts.py (office phones, tiers, counts, places elsewhere),
localities.py (townships and villages), activities.py and focus.py (what to do, whom to focus on),
participation.py (taking part, reporting, safety), document.py (the guideline and its articles),
background.py (quoted sentences), smalltalk.py (greetings, help, the decline); sections.py holds the pieces
several of them share and notes.py what an answer starts with.
"""

from bot.compose import (
    activities,
    background,
    districts,
    document,
    focus,
    localities,
    participation,
    smalltalk,
)
from bot.compose.registry import COMPOSERS, Brief, Composer

__all__ = [
    "COMPOSERS",
    "Brief",
    "Composer",
    "activities",
    "background",
    "districts",
    "document",
    "focus",
    "localities",
    "participation",
    "smalltalk",
]
