"""The catalogues: in step with the code, complete in kk, ru and ky, compiled, and written in each
language's own alphabet."""

import re
from datetime import date

import pytest
from babel.messages.extract import extract_from_dir, pathmatch
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot import PROJECT_ROOT
from bot.i18n import LOCALES_DIR, USER_LANGUAGES, domains, normalise_language, texts

KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
CATALOGUES = [(domain, language) for domain in domains() for language in USER_LANGUAGES]


def catalogue(language: str, domain: str = "joldas"):
    with open(LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po", encoding="utf-8") as file:
        return read_po(file, locale=language)


def method_map(domain: str):
    with open(LOCALES_DIR / f"{domain}.cfg", encoding="utf-8") as file:
        return parse_mapping_cfg(file)[0]


def extracted(domain: str) -> dict[str, set[str]]:
    """msgid -> the files it was found in, for the files the domain's .cfg names."""
    found: dict[str, set[str]] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        PROJECT_ROOT, method_map=method_map(domain), keywords=KEYWORDS
    ):
        found.setdefault(message[0] if isinstance(message, tuple) else message, set()).add(filename)
    return found


def msgids_in(catalog) -> set[str]:
    return {message.id[0] if isinstance(message.id, tuple) else message.id for message in catalog if message.id}


@pytest.mark.parametrize("domain", domains())
@pytest.mark.parametrize("language", [*USER_LANGUAGES, "en"])
def test_catalogue_is_in_step_with_the_code(domain, language):
    in_code, in_catalogue = set(extracted(domain)), msgids_in(catalogue(language, domain))
    assert not in_code - in_catalogue, f"strings missing from {language}/{domain}.po: run `make update`"
    assert not in_catalogue - in_code, f"strings no longer in the code, in {language}/{domain}.po: run `make update`"


def test_every_file_with_strings_belongs_to_exactly_one_catalogue():
    everything = extract_from_dir(
        PROJECT_ROOT, method_map=[("bot/**.py", "python"), ("handlers/**.py", "python")], keywords=KEYWORDS
    )
    files_with_strings = {filename for filename, *_ in everything}
    for filename in files_with_strings:
        owners = [
            domain for domain in domains() if any(pathmatch(pattern, filename) for pattern, _ in method_map(domain))
        ]
        assert len(owners) == 1, (
            f"{filename} belongs to {owners or 'no catalogue'}: list it in one locales/<domain>.cfg"
        )


@pytest.mark.parametrize(("domain", "language"), CATALOGUES)
def test_every_entry_is_translated_and_not_fuzzy(domain, language):
    problems = []
    for message in catalogue(language, domain):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert not problems


@pytest.mark.parametrize(("domain", "language"), CATALOGUES)
def test_placeholders_and_commands_survive_translation(domain, language):
    for message in catalogue(language, domain):
        if not message.id:
            continue
        source = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert set(re.findall(r"\{\w+\}", string)) == set(re.findall(r"\{\w+\}", source)), message.id
            assert set(re.findall(r"/[a-z]+", string)) <= set(re.findall(r"/[a-z]+", source)), message.id


def plain(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


@pytest.mark.parametrize(("domain", "language"), CATALOGUES)
def test_compiled_catalogue_matches_the_source(domain, language):
    mo_file = LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.mo"
    assert mo_file.exists(), "run `make compile`"
    with open(mo_file, "rb") as file:
        compiled = {plain(message.id): plain(message.string) for message in read_mo(file) if message.id}
    source = {plain(message.id): plain(message.string) for message in catalogue(language, domain) if message.id}
    assert compiled == source, "the .mo is stale: run `make compile`"


def letters(language: str) -> set[str]:
    text = " ".join(
        " ".join(m.string) if isinstance(m.string, tuple) else m.string
        for domain in domains()
        for m in catalogue(language, domain)
        if m.id
    )
    return set(text.lower())


def test_kazakh_is_written_with_kazakh_letters():
    assert set("әғқңөұүһі") - {"һ"} <= letters("kk")  # һ is rare; the others appear in any real text


def test_kyrgyz_is_written_with_kyrgyz_letters_and_no_kazakh_ones():
    found = letters("ky")
    assert set("ңөү") <= found
    assert not set("әғқұһі") & found


def test_russian_has_no_kazakh_or_kyrgyz_letters():
    assert not set("әғқңөұүһі") & letters("ru")


def test_plural_forms_follow_cldr():
    forms = "{n} entry in the log of your actions", "{n} entries in the log of your actions"
    russian = [texts("ru").ngettext(*forms, n).format(n=n) for n in (1, 3, 5, 21)]
    assert russian == [
        "1 запись в журнале ваших действий",
        "3 записи в журнале ваших действий",
        "5 записей в журнале ваших действий",
        "21 запись в журнале ваших действий",
    ]
    assert texts("kk").ngettext(*forms, 5).format(n=5) == "Әрекеттеріңіз журналында 5 жазба"


def test_dates_and_numbers_per_locale():
    day = date(2026, 1, 2)
    assert texts("ru").date(day) == "2 января 2026\u202fг."
    assert "қаңтар" in texts("kk").date(day)
    assert "январь" in texts("ky").date(day)
    assert texts("ru").number(1234567) == "1\xa0234\xa0567"


@pytest.mark.parametrize(
    ("hint", "expected"), [("ru-RU", "ru"), ("kk", "kk"), ("KY", "ky"), ("en", None), (None, None), ("", None)]
)
def test_language_hints(hint, expected):
    assert normalise_language(hint) == expected
