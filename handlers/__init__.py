"""What the bot says and does, one module per feature, written once for every channel.

Handlers never import a channel library: they get a `Conversation` and answer through it.
"""

from bot.router import Router
from handlers import eligibility, fallback, faq, package, places, privacy, start


def build_router() -> Router:
    root = Router()
    for feature in (start, package, eligibility, places, privacy, faq, fallback):
        root.include(feature.router)
    return root
