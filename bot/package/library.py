"""Assembling one person's package from the standard structure, and rendering its texts.

The order of a package is fixed: the programme, the destination topic by topic, step by step, the
documents, obligations, preparation with the household parts, contacts. The abroad variant has its own
sections in their file order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.content import CONTENT_DIR
from bot.content.loader import load
from bot.content.regions import region, region_name, regions_file
from bot.content.schema import LANGUAGES, Localized
from bot.content.sources import cite, cite_parts
from bot.content.yearly import CATEGORIES, mci_on, quota
from bot.eligibility.documents import catalogue
from bot.i18n import N_, texts
from bot.package.schema import MCI_MARK, Country, Item, PackageFile, Section

PACKAGE_DIR = CONTENT_DIR / "package"
# Where the destination, documents and household parts go among the general sections (after the named one).
GENERAL_ORDER = ("programme", "steps", "obligations", "preparation", "contacts")
DESTINATION_AFTER = "programme"
DOCUMENTS_AFTER = "steps"
HOUSEHOLD_AFTER = "preparation"
DOCUMENTS_TITLE = N_("Documents checklist")
FOR_EVERYONE = N_("{document} — for you and for each family member who moves with you")
OVERVIEW_TITLE = N_("Your destination at a glance")
QUOTA_TEXTS = {
    (True, True): N_("Regional quota of {region} for {year}: kandases — {kandas}, in-migrants — {in_migrants}."),
    (True, False): N_("Regional quota of {region} for {year}: kandases — {kandas}, in-migrants — none."),
    (False, True): N_("Regional quota of {region} for {year}: kandases — none, in-migrants — {in_migrants}."),
    (False, False): N_("{region} has no regional quota for resettlement in {year}."),
}
QUOTA_AS_OF = N_("Figures as of {date}; the official decision of each year stands.")
MCI_NAME = {"kk": "АЕК", "ru": "МРП", "ky": "АЭК"}
TRACK_NAMES = {
    "in_migrant": N_("In-migrant (moving within Kazakhstan)"),
    "kandas": N_("Kandas"),
    "abroad": N_("Labour migrant going abroad"),
}
HOUSEHOLD_NAMES = {
    "children": N_("Children"),
    "single_parent": N_("Single parent"),
    "woman_alone": N_("Woman on her own"),
}


@dataclass(frozen=True)
class Profile:
    track: str
    origin: str | None = None
    destination: str | None = None
    households: frozenset[str] = frozenset()


def profile_from(data: dict) -> Profile:
    return Profile(data["track"], data.get("origin"), data.get("destination"), frozenset(data.get("households", [])))


def profile_data(profile: Profile) -> dict:
    """The profile as JSON, as kept in the conversation state and in a PDF's outbox reference."""
    return {
        "track": profile.track,
        "origin": profile.origin,
        "destination": profile.destination,
        "households": sorted(profile.households),
    }


@dataclass(frozen=True)
class PackageSection:
    id: str  # unique within the package: the section's id, or `destination.<topic>` / `household.<id>`
    title: Localized
    items: tuple[Item, ...]
    unknown: Localized | None = None  # the "no facts for this region" text, when it applies
    checklist: bool = False


@lru_cache
def package_file(part: str, directory: Path = PACKAGE_DIR) -> PackageFile:
    return load(PackageFile, directory / f"{part}.yaml")


def _pick(section: Section, profile: Profile, prefix: str = "") -> PackageSection | None:
    items = tuple(
        item for item in section.items if item.applies(profile.track, profile.households, profile.destination)
    )
    own = [item for item in items if item.regions]
    unknown = section.when_unknown if section.when_unknown is not None and not own else None
    if not items and unknown is None:
        return None
    return PackageSection(f"{prefix}{section.id}", section.title, items, unknown, section.checklist)


def _for_track(part: str, profile: Profile, directory: Path, prefix: str = "") -> list[PackageSection]:
    picked = []
    for section in package_file(part, directory).sections:
        if profile.track not in section.tracks:
            continue
        if section.households is not None and not profile.households & set(section.households):
            continue
        chosen = _pick(section, profile, prefix)
        if chosen is not None:
            picked.append(chosen)
    return picked


def assemble(profile: Profile, directory: Path = PACKAGE_DIR, *, today: dt.date) -> list[PackageSection]:
    """The person's package on `today` (the day picks the year's quota): general, destination and household
    parts in the standard order."""
    if profile.track == "abroad":
        return _for_track("abroad", profile, directory)
    general = {section.id: section for section in _for_track("general", profile, directory)}
    package: list[PackageSection] = []
    for section_id in GENERAL_ORDER:
        if section_id in general:
            package.append(general[section_id])
        if section_id == DESTINATION_AFTER and profile.destination:
            package.append(destination_overview(profile, today))
            package += _for_track("destination", profile, directory, prefix="destination.")
        if section_id == DOCUMENTS_AFTER:
            package.append(documents_section(profile))
        if section_id == HOUSEHOLD_AFTER:
            package += _for_track("household", profile, directory, prefix="household.")
    return package


def localized(message: str, **values) -> Localized:
    """An interface string in all three languages, with `values` filled in (callables get the language)."""
    return Localized(
        **{
            language: texts(language)
            .gettext(message)
            .format(**{key: value(language) if callable(value) else value for key, value in values.items()})
            for language in LANGUAGES
        }
    )


def destination_overview(profile: Profile, today: dt.date) -> PackageSection:
    """The destination's role in the programme and this year's quota, from the yearly operator data."""
    destination = region(profile.destination)
    items = []
    year_quota = quota(today.year)
    if year_quota is not None:
        places = {category: year_quota.places(destination.id, category) for category in CATEGORIES}
        message = QUOTA_TEXTS[(bool(places["kandas"]), bool(places["in_migrants"]))]
        numbers = {category: (lambda language, n=n: texts(language).number(n or 0)) for category, n in places.items()}
        text = localized(message, year=year_quota.year, region=destination.names, **numbers)
        as_of = localized(QUOTA_AS_OF, date=lambda language: texts(language).date(year_quota.as_of))
        joined = Localized(**{language: f"{text(language)} {as_of(language)}" for language in LANGUAGES})
        items.append(Item(text=joined, source=year_quota.source))
    for role_id in destination.roles:
        role = regions_file().roles[role_id]
        items.append(Item(text=role.description, source=role.source))
    return PackageSection("destination.overview", localized(OVERVIEW_TITLE), tuple(items))


def application_path(profile: Profile) -> str:
    """The path of the Rules a package's track and origin stand for (content/eligibility/rules.yaml)."""
    if profile.track == "kandas":
        return "kandas_abroad" if profile.origin == "abroad" else "kandas_in_country"
    return "in_migrant_standard"


def documents_section(profile: Profile) -> PackageSection:
    """The documents the person's path needs, from the catalogue the eligibility pre-check uses too."""
    items = []
    for need in catalogue().needs_on(application_path(profile)):
        if any(item.id == need.document for item in items):
            continue  # one line a document, whoever else needs it too
        name = catalogue().name(need.document)
        text = localized(FOR_EVERYONE, document=name) if need.holders == "household" else name
        items.append(Item(id=need.document, text=text, source=need.source))
    return PackageSection("documents", localized(DOCUMENTS_TITLE), tuple(items), checklist=True)


def render_amounts(text: str, language: str, today: dt.date) -> str:
    """`{mci:70}` → `70 МРП (302 750 ₸ in 2026)`; without a known MCI for this year, MCI alone."""
    locale = texts(language)
    value = mci_on(today)

    def amount(match) -> str:
        mci = float(match.group(1).replace(",", "."))
        shown = f"{locale.number(mci)} {MCI_NAME[language]}"
        if value is None:
            return shown
        tenge = locale.number(round(mci * value.tenge))
        return shown + " " + locale.gettext("({tenge} ₸ in {year})").format(tenge=tenge, year=value.year)

    return MCI_MARK.sub(amount, text)


def render_text(text: str, profile: Profile, language: str, today: dt.date) -> str:
    names = {
        "region": _region_name(profile.destination, language),
        "origin": _region_name(profile.origin, language),
    }
    text = render_amounts(text, language, today)
    for key, name in names.items():
        text = text.replace("{" + key + "}", name)
    return text


def profile_summary(profile: Profile, language: str) -> list[str]:
    """Whose package it is, in lines: who, from where, to where, household."""
    _ = texts(language).gettext
    lines = [_("Who: {track}").format(track=_(TRACK_NAMES[profile.track]))]
    if profile.origin:
        origin = _("abroad") if profile.origin == "abroad" else _region_name(profile.origin, language)
        lines.append(_("From: {place}").format(place=origin))
    if profile.destination:
        lines.append(_("To: {place}").format(place=_region_name(profile.destination, language)))
    if profile.households:
        chosen = ", ".join(_(HOUSEHOLD_NAMES[tag]) for tag in HOUSEHOLD_NAMES if tag in profile.households)
        lines.append(_("Household: {household}").format(household=chosen))
    return lines


def _region_name(region_id: str | None, language: str) -> str:
    found = country(region_id) if region_id else None
    if found is not None:
        return found.name(language)
    return region_name(region_id, language) or texts(language).gettext("your region")


def countries() -> list[Country]:
    """The destination countries of the abroad variant."""
    return package_file("abroad").countries


def country(country_id: str) -> Country | None:
    return next((found for found in countries() if found.id == country_id), None)


def find_country(typed: str) -> Country | None:
    """A country by a name typed in kk, ru, ky or English («Өзбекстан», «Узбекистан», «Uzbekistan»)."""
    wanted = " ".join(typed.casefold().split())
    for found in countries():
        names = [found.name(language) for language in LANGUAGES] + found.typed
        if wanted in (name.casefold() for name in names):
            return found
    return None


def citations(section: PackageSection, language: str, with_lines: bool = True) -> list[str]:
    """Each cited document once, with all its cited lines: `Order No. 20, L273, L547` (in a chat, without
    the lines: they are for the PDF and the JSON)."""
    lines_by_document: dict[str, list[str]] = {}
    for item in section.items:
        for source in item.citations():
            title, lines = cite_parts(source, language)
            cited = lines_by_document.setdefault(title, [])
            if lines and lines not in cited:
                cited.append(lines)
    return [", ".join([title, *(lines if with_lines else [])]) for title, lines in lines_by_document.items()]


def mci_note(language: str, today: dt.date) -> str | None:
    """The MCI used for tenge amounts, with its source, for the end of the package."""
    value = mci_on(today)
    if value is None:
        return None
    return (
        texts(language)
        .gettext("1 MCI in {year} = {tenge} ₸ ({source}).")
        .format(year=value.year, tenge=texts(language).number(value.tenge), source=cite(value.source, language))
    )
