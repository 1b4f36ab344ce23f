"""Regions, the yearly quota and the MCI, as operator data."""

import datetime as dt

import pytest

from bot.content import check
from bot.content.regions import find_region, find_regions, regions
from bot.content.yearly import mci_on, quota


def test_all_regions_and_cities_of_republican_significance():
    assert len(regions()) == 20
    assert {"astana", "almaty_city", "shymkent", "abai", "jetisu", "ulytau"} <= {region.id for region in regions()}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("pavlodar", "pavlodar"),
        ("Павлодарская обл.", "pavlodar"),
        ("Павлодар облысы", "pavlodar"),
        ("СКО", "north_kazakhstan"),
        ("Солтүстік Қазақстан", "north_kazakhstan"),
        ("Түндүк Казакстан облусу", "north_kazakhstan"),
        ("петропавловск", "north_kazakhstan"),
        ("Kostanai", "kostanay"),
        ("Усть-Каменогорск", "east_kazakhstan"),
        ("Нур-Султан", "astana"),
        ("город Алматы", "almaty_city"),
        ("Алматинская область", "almaty_region"),
        ("Туркестан", "turkistan"),
    ],
)
def test_typed_names_in_any_language_find_their_region(typed, expected):
    assert find_region(typed).id == expected


def test_ambiguous_or_unknown_names_find_none_but_offer_candidates():
    assert find_region("Алматы") is None
    assert [region.id for region in find_regions("Алматы")] == ["almaty_region", "almaty_city"]
    assert find_region("Лондон") is None
    assert find_regions("") == []


def test_quota_2026():
    data = quota(2026)
    assert data.places("pavlodar", "kandas") == 977
    assert data.places("north_kazakhstan", "in_migrants") == 2820
    assert data.places("akmola", "in_migrants") is None
    assert data.places("turkistan", "kandas") is None
    assert set(data.receiving("in_migrants")) == {
        "pavlodar", "abai", "east_kazakhstan", "north_kazakhstan", "kostanay", "ulytau", "karaganda",
    }  # fmt: skip
    assert quota(1999) is None


def test_mci_in_force_on_a_day():
    assert mci_on(dt.date(2026, 11, 23)).tenge == 4325
    assert mci_on(dt.date(2020, 3, 1)) is None  # 2,778 applies from 1 April 2020 only; earlier 2020 is unknown
    assert mci_on(dt.date(2020, 4, 1)).tenge == 2778
    assert mci_on(dt.date(2024, 6, 1)) is None  # never another year's value


def test_quota_totals_must_add_up(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "quota-2030.yaml").write_text(
        "year: 2030\nas_of: 2029-12-30\nsource: {operator: data/quota-2026.yaml}\n"
        "quotas:\n  pavlodar: {kandas: 5}\n  atlantis: {kandas: 1}\ntotals: {kandas: 7, in_migrants: 0}\n",
        encoding="utf-8",
    )
    found = [str(problem) for problem in check.check(tmp_path)]
    assert any("quotas.atlantis: no such region" in problem for problem in found)
    assert any("totals.kandas: the regions add up to 6, the total says 7" in problem for problem in found)
