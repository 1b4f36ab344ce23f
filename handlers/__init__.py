"""What the bot says and does, one module per feature, written once for every channel.

Handlers never import a channel library: they get a `Conversation` and answer through it.
"""

from bot.router import Router
from handlers import (
    eligibility,
    fallback,
    faq,
    focal_points,
    notices,
    officials,
    package,
    places,
    privacy,
    returnees,
    start,
    tracking,
    tracking_officials,
)


def build_router() -> Router:
    root = Router()
    # officials first: its guard redeems an invite code before onboarding asks anything
    features = (
        officials,
        start,
        package,
        eligibility,
        returnees,
        focal_points,
        tracking,
        tracking_officials,
        places,
        privacy,
        faq,
        notices,
        fallback,
    )
    for feature in features:
        root.include(feature.router)
    return root
