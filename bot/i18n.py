"""Interface strings through gettext catalogues (Babel), and dates and numbers formatted per locale.

Each feature has a catalogue (gettext domain) of its own, so features are translated independently:
`locales/<domain>.cfg` lists the source files whose strings belong to it, and the translations live in
`locales/<lang>/LC_MESSAGES/<domain>.po`, compiled to `.mo` by `make compile`. At run time the domains of
a language are merged into one catalogue.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from bot import DATA_ROOT

LOCALES_DIR = DATA_ROOT / "locales"
CORE_DOMAIN = "joldas"
USER_LANGUAGES = ("kk", "ru", "ky")
OPERATOR_LANGUAGE = "en"
# Each language is offered under its own name, so a person finds theirs whatever the bot speaks now.
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "ky": "Кыргызча"}


class MissingCatalogue(RuntimeError):
    pass


def N_(message: str) -> str:
    """Marks a string for extraction without translating it now (it is translated where it is shown)."""
    return message


def domains() -> list[str]:
    """The core catalogue first, then each feature's, by the `locales/<domain>.cfg` files."""
    names = sorted(path.stem for path in LOCALES_DIR.glob("*.cfg"))
    return [CORE_DOMAIN] + [name for name in names if name != CORE_DOMAIN]


@lru_cache
def translations(language: str) -> NullTranslations:
    if language == OPERATOR_LANGUAGE:
        return NullTranslations()  # the msgids are English
    if language not in USER_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    loaded = []
    for domain in domains():
        mo_file = LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.mo"
        if not mo_file.exists():
            raise MissingCatalogue(f"{mo_file} is missing: run `make compile`")
        loaded.append(Translations.load(str(LOCALES_DIR), [language], domain))
    merged = loaded[0]  # the core catalogue's plural rule serves all: it is the language's
    for feature in loaded[1:]:
        merged.merge(feature)
    return merged


def normalise_language(hint: str | None) -> str | None:
    """Maps a messenger's language code (`ru-RU`, `kk`, `KY`) to one of ours, or None."""
    if not hint:
        return None
    code = hint.replace("_", "-").split("-", 1)[0].lower()
    return code if code in USER_LANGUAGES else None


class Texts:
    """Everything language-dependent a handler needs: translation, plurals, dates and numbers."""

    def __init__(self, language: str):
        self.language = language
        self._translations = translations(language)
        self._locale = Locale.parse(language)

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def date(self, value: date) -> str:
        return format_date(value, "long", locale=self._locale)

    def month(self, value: date) -> str:
        """A month of a year, when the day is not known: «сентябрь 2025 г.», «2025 ж. қыркүйек»."""
        return format_skeleton("yMMMM", value, locale=self._locale)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self._locale)


@lru_cache
def texts(language: str) -> Texts:
    return Texts(language)


def folded(text: str) -> str:
    """A typed text compared with a label: case, spacing and the marks buttons carry (✅, ◀, ▶) left out."""
    return " ".join(text.replace("✅", " ").replace("◀", " ").replace("▶", " ").casefold().split())


def typed_as(text: str, *messages: str) -> bool:
    """Whether a typed text is one of these interface strings (msgids), in any of the user languages or in
    English: so a person may type a button's label instead of pressing it, in whichever language."""
    wanted = folded(text)
    return bool(wanted) and any(
        wanted in (folded(message), *(folded(texts(language).gettext(message)) for language in USER_LANGUAGES))
        for message in messages
    )
