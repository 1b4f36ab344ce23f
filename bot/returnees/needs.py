"""What a person who came back may need, and the countries they come back from: keys stored in the profile
and in referrals, with their labels (msgids of the `returnees` catalogue)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True)
class Need:
    key: str
    label: str  # msgid
    short: str  # msgid of at most 18 characters in every language (a tick and a space go in front)


NEEDS = (
    Need("documents", N_("Documents: passport, certificates"), N_("Documents")),
    Need("child_docs", N_("Children's documents"), N_("Children's papers")),
    Need("work", N_("Work"), N_("Work")),
    Need("business", N_("Starting or running a business"), N_("Business")),
    Need("loan", N_("A loan"), N_("A loan")),
    Need("land", N_("Land"), N_("Land")),
    Need("training", N_("Training"), N_("Training")),
    Need("psych", N_("Psychological support"), N_("Psychologist")),
    Need("wages", N_("Legal help: unpaid wages"), N_("Unpaid wages")),
    Need("entry_ban", N_("Legal help: an entry ban abroad"), N_("Entry ban")),
    Need("debts", N_("Legal help: debts"), N_("Debts")),
    Need("health", N_("Health care and insurance"), N_("Health care")),
    Need("school", N_("School for children"), N_("School")),
    Need("benefits", N_("Social benefits"), N_("Benefits")),
)
NEED_KEYS = tuple(need.key for need in NEEDS)
BY_KEY = {need.key: need for need in NEEDS}

# Where people come back from (seed 003 L192, L627: Russia, Kazakhstan, Turkey, Korea; Kyrgyzstan for
# Kazakhstan's returnees), and anywhere else.
CAME_FROM = {
    "ru": N_("Russia"),
    "kz": N_("Kazakhstan"),
    "kg": N_("Kyrgyzstan"),
    "tr": N_("Turkey"),
    "kr": N_("South Korea"),
    "other": N_("Another country"),
}


def known_needs(keys: object) -> list[str]:
    """The keys of `keys` that are needs, in the catalogue's order (stored data may hold stale keys)."""
    chosen = set(keys) if isinstance(keys, list | tuple | set) else set()
    return [key for key in NEED_KEYS if key in chosen]
