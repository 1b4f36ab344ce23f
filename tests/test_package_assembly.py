"""Assembling a personal package from the standard structure (on a small test package), rendering its
amounts, and the PDF read back in each language."""

import datetime as dt
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.eligibility.documents import documents_for
from bot.i18n import USER_LANGUAGES
from bot.package.library import Profile, assemble, render_amounts, render_text
from bot.package.pdf import build_pdf

FIXTURE = Path(__file__).parent / "fixtures" / "package"
DAY = dt.date(2026, 11, 23)


def ids(profile: Profile) -> list[str]:
    return [section.id for section in assemble(profile, FIXTURE, today=DAY)]


def test_standard_order_with_destination_and_household_parts():
    profile = Profile("in_migrant", "turkistan", "pavlodar", frozenset({"children"}))
    assert ids(profile) == [
        "programme",
        "destination.overview",
        "destination.climate",
        "destination.housing",
        "steps",
        "documents",
        "obligations",
        "household.children",
        "contacts",
    ]


def test_tracks_and_households_choose_sections_and_items():
    kandas = assemble(Profile("kandas", "abroad", "akmola", frozenset({"woman_alone"})), FIXTURE, today=DAY)
    assert [section.id for section in kandas] == [
        "programme", "destination.overview", "destination.climate", "destination.housing", "steps", "documents",
        "household.women", "contacts",
    ]  # fmt: skip
    assert len(kandas[0].items) == 2  # the kandas-only item is in
    migrant = assemble(Profile("in_migrant", "turkistan", "akmola"), FIXTURE, today=DAY)
    assert len(migrant[0].items) == 1


def test_a_region_without_facts_gets_the_plain_unknown_text():
    housing = {section.id: section for section in assemble(Profile("in_migrant", None, "akmola"), FIXTURE, today=DAY)}
    assert housing["destination.housing"].unknown is not None
    assert len(housing["destination.housing"].items) == 1  # the item that holds everywhere
    pavlodar = {
        section.id: section for section in assemble(Profile("in_migrant", None, "pavlodar"), FIXTURE, today=DAY)
    }
    assert pavlodar["destination.housing"].unknown is None
    assert len(pavlodar["destination.housing"].items) == 2


@pytest.mark.parametrize(
    ("profile", "path"),
    [
        (Profile("in_migrant", "turkistan", "pavlodar"), "in_migrant_standard"),
        (Profile("kandas", "abroad", "akmola"), "kandas_abroad"),
        (Profile("kandas", "shymkent", "akmola"), "kandas_in_country"),
    ],
)
def test_the_documents_checklist_comes_from_the_catalogue_the_pre_check_uses(profile, path):
    documents = next(section for section in assemble(profile, FIXTURE, today=DAY) if section.id == "documents")
    assert documents.checklist
    expected = list(dict.fromkeys(need.document.id for need in documents_for(path)))
    assert [item.id for item in documents.items] == expected
    assert all(item.citations() for item in documents.items)


def test_the_destination_overview_gives_this_years_quota_and_the_regions_role():
    overview = assemble(Profile("kandas", "abroad", "akmola"), FIXTURE, today=DAY)[1]
    assert overview.id == "destination.overview"
    assert overview.items[0].text.ru.startswith("Региональная квота: Акмолинская область, 2026 год — кандасы: 285")
    assert overview.items[0].source.research == "current-data-2026.md"
    assert overview.items[1].source.seed == "000_2f17d3a26f308250.txt"  # named a destination in 2021
    no_quota = assemble(Profile("in_migrant", None, "aktobe"), FIXTURE, today=dt.date(2031, 1, 1))[1]
    assert no_quota.items == ()  # no quota loaded for 2031, no role named: nothing is made up


def test_abroad_variant_has_its_own_sections_and_checklist():
    sections = assemble(Profile("abroad", households=frozenset({"children"})), FIXTURE, today=DAY)
    assert [section.id for section in sections] == ["entry", "documents"]
    assert sections[1].checklist and [item.id for item in sections[1].items] == ["passport", "contract"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "70 МРП (302\xa0750 ₸ в 2026 году)"),
        ("kk", "70 АЕК (2026 жылы 302\xa0750 ₸)"),
        ("ky", "70 АЭК (2026-жылы 302\xa0750 ₸)"),
    ],
)
def test_amounts_in_mci_are_shown_with_the_years_tenge(language, expected):
    assert render_amounts("{mci:70}", language, DAY) == expected


def test_without_a_known_mci_for_the_year_only_mci_is_shown():
    assert render_amounts("{mci:15}–{mci:30}", "ru", dt.date(2031, 1, 1)) == "15 МРП–30 МРП"


def test_region_names_are_filled_in():
    assert render_text("Нет данных: {region}.", Profile("in_migrant", None, "ulytau"), "ru", DAY) == (
        "Нет данных: Улытауская область."
    )


@pytest.mark.parametrize("language", USER_LANGUAGES)
def test_pdf_holds_every_section_in_the_persons_language(language):
    profile = Profile("in_migrant", "turkistan", "pavlodar", frozenset({"children"}))
    sections = assemble(profile, FIXTURE, today=DAY)
    content = build_pdf(sections, profile, ["Қазақ әліпбиі: ә ғ қ ң ө ұ ү һ і"], language, DAY)
    assert content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    for section in sections:
        assert section.title(language) in text
    assert "ә ғ қ ң ө ұ ү һ і" in text  # every Kazakh and Kyrgyz letter survives the font
    assert render_amounts("{mci:70}", language, DAY).replace("\xa0", " ") in text.replace("\xa0", " ")
