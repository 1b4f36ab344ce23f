"""Places: the tree of areas every fresh database holds, and reading it (issue 11)."""

import pytest
from sqlalchemy import func, select

from bot import places
from bot.content import check
from bot.places.content import content_places
from bot.storage.models import Contact, Place

KYZYL_ADYR = "KG-T-KARABUURA-KARABUURA-KYZYLADYR"


async def test_a_fresh_database_has_every_place_of_the_content_and_loading_again_adds_nothing(database):
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Place)) == len(content_places())
        assert await places.ensure_loaded(session) == 0


async def test_lineage_runs_from_the_place_up_to_its_country(database):
    async with database.transaction() as session:
        chain = await places.lineage(session, KYZYL_ADYR)
        assert [place.id for place in chain] == [
            KYZYL_ADYR,
            "KG-T-KARABUURA-KARABUURA",
            "KG-T-KARABUURA",
            "KG-T",
            "KG",
        ]
        assert await places.lineage(session, "KG-NOWHERE") == []


@pytest.mark.parametrize(
    ("place_id", "area_id", "inside"),
    [
        (KYZYL_ADYR, "KG-T", True),
        (KYZYL_ADYR, "KG", True),
        (KYZYL_ADYR, KYZYL_ADYR, True),
        (KYZYL_ADYR, "KG-O", False),
        ("KG-T", KYZYL_ADYR, False),
        ("KZ-AKM", "KG", False),
        ("KG-NOWHERE", "KG", False),
    ],
)
async def test_within(database, place_id, area_id, inside):
    async with database.transaction() as session:
        assert await places.within(session, place_id, area_id) is inside


async def test_an_audience_is_a_prefix_of_the_path(database):
    async with database.transaction() as session:
        osh = await places.get(session, "KG-O")
        inside = set(await session.scalars(select(Place.id).where(Place.path.startswith(osh.path))))
        assert {"KG-O", "KG-O-KARASUU", "KG-O-KARASUU-JANYARYK", "KG-O-UZGEN-AKJAR"} <= inside
        assert "KG-GO" not in inside  # the city of Osh is not in Osh oblast


async def test_names_in_each_language_and_with_their_areas(database):
    async with database.transaction() as session:
        kostanay = await places.get(session, "KZ-KUS")
        assert [places.display_name(kostanay, language) for language in ("kk", "ru", "ky", "en")] == [
            "Қостанай облысы",
            "Костанайская область",
            "Костанай облусу",
            "Kostanay Region",
        ]
        assert await places.label(session, KYZYL_ADYR, "ky") == (
            "Кызыл-Адыр, Кара-Буура айыл аймагы, Кара-Буура району, Талас облусу"
        )


def test_every_region_of_the_regions_file_is_a_place():
    assert places.place_for_region("akmola") == "KZ-AKM"
    assert places.place_for_region("almaty_city") == "KZ-ALA"
    assert places.place_for_region("ulytau") == "KZ-ULT"
    assert places.place_for_region("atlantis") is None
    assert places.place_for_region(None) is None


async def test_forgetting_a_place_leaves_the_person_without_one(database):
    async with database.transaction() as session:
        session.add(
            Place(
                id="KG-T-TEST",
                country="KG",
                kind="village",
                parent_id="KG-T",
                path="/KG/KG-T/KG-T-TEST/",
                name_kk="Тест",
                name_ru="Тест",
                name_ky="Тест",
                name_latin="Test",
                aliases=[],
            )
        )
        await session.flush()
        session.add(Contact(channel="console", external_id="a", place_id="KG-T-TEST"))
    async with database.transaction() as session:
        await session.delete(await session.get(Place, "KG-T-TEST"))
    async with database.transaction() as session:
        contact = await session.scalar(select(Contact))
        assert contact.place_id is None


def check_places_folder(tmp_path, text: str) -> list[str]:
    (tmp_path / "places").mkdir(exist_ok=True)
    (tmp_path / "places" / "xx.yaml").write_text(text, encoding="utf-8")
    return [str(problem) for problem in check.check(tmp_path)]


def test_content_check_reads_the_places_files(tmp_path):
    good = """country:
  id: KG
  kind: country
  names: {kk: Қырғызстан, ru: Кыргызстан, ky: Кыргызстан, latin: Kyrgyzstan}
  source: {research: kyrgyz-returnees.md, lines: 1}
  places:
    - {id: KG-T, kind: region, names: {kk: Талас облысы, ru: Таласская область, ky: Талас облусу, latin: Talas}}
"""
    found = check_places_folder(tmp_path, good)
    assert all("regions.yaml" in problem and "no place" in problem for problem in found)  # KZ's regions lack theirs
    bad = good.replace("id: KG-T,", "id: KZ-T,").replace("kind: region", "kind: hamlet")
    found = check_places_folder(tmp_path, bad)
    assert any("places/xx.yaml: country.places.0.kind" in problem for problem in found)
    twice = good + "    - {id: KG-T, kind: region, names: {kk: а, ru: а, ky: а, latin: a}}\n"
    assert any("KG-T: the id is used twice" in problem for problem in check_places_folder(tmp_path, twice))
    foreign = good.replace("id: KG-T,", "id: KZ-T,")
    assert any(
        "does not start with the country's (KG)" in problem for problem in check_places_folder(tmp_path, foreign)
    )
