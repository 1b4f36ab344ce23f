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


# Kazakhstan's districts and cities of regional significance as the stored public pages list them
# (docs/places-sources.md): districts and cities per region. No stored page names Kostanay region's districts;
# Akmola's, North Kazakhstan's, East Kazakhstan's, Pavlodar's and West Kazakhstan's lists are partial.
KZ_LISTED = {
    "KZ-ABA": (10, 2), "KZ-AKM": (13, 2), "KZ-AKT": (12, 1), "KZ-ALM": (9, 1), "KZ-ATY": (7, 1),
    "KZ-VOS": (10, 0), "KZ-ZHA": (10, 1), "KZ-ZHT": (8, 2), "KZ-KAR": (7, 6), "KZ-KUS": (0, 4),
    "KZ-KZY": (7, 1), "KZ-MAN": (5, 2), "KZ-SEV": (10, 0), "KZ-PAV": (8, 3), "KZ-TUR": (14, 0),
    "KZ-ULT": (2, 3), "KZ-ZAP": (11, 1), "KZ-AST": (5, 0), "KZ-ALA": (8, 0), "KZ-SHY": (5, 0),
}  # fmt: skip


def test_every_kazakh_region_has_the_districts_and_cities_its_sources_list():
    records = content_places()
    top = {record.id for record in records if record.parent_id == "KZ"}
    assert top == set(KZ_LISTED)
    for region, (districts, cities) in KZ_LISTED.items():
        children = [record for record in records if record.parent_id == region]
        assert len([child for child in children if child.kind == "district"]) == districts, region
        assert len([child for child in children if child.kind == "city"]) == cities, region
        assert all(child.kind in ("district", "city") for child in children), region


def test_every_district_and_city_is_named_in_each_language_and_cites_a_page():
    below = [
        record
        for record in content_places()
        if record.kind in ("district", "city") and record.parent_id not in ("KZ", "KG")
    ]
    assert len(below) > 200
    for record in below:
        assert all(name.strip() for name in (record.name_kk, record.name_ru, record.name_ky, record.name_latin))
        assert record.source, record.id
        if record.kind == "district":
            assert record.name_ru.endswith("район") or record.name_ru.startswith("район "), record.id
            assert record.name_ky.endswith(" району"), record.id
        if record.country == "KZ":
            assert "https://" in record.source or "http://" in record.source, record.id  # the page it comes from
            assert record.name_kk.endswith((" ауданы", " аудан", " қаласы")), record.id
            assert record.name_latin.endswith(" District") == (record.kind == "district"), record.id
            assert not set(record.name_ky) & set("әіғқұһ"), record.id  # Kyrgyz has none of these letters


def test_kato_codes_only_where_a_page_gives_them():
    codes = {record.id: record.kato for record in content_places() if record.country == "KZ" and record.kato}
    assert codes == {"KZ-AKT-ALGA": "153200000", "KZ-SEV-UALIKHANOV": "596400000"}


def test_the_ayil_aimaks_of_jeti_oguz_since_the_reform_of_2024():
    records = content_places()
    aimaks = {record.id for record in records if record.parent_id == "KG-Y-JETIOGUZ"}
    assert aimaks == {f"KG-Y-JETIOGUZ-{name}" for name in ("JETIOGUZ", "ORGOCHOR", "KYZYLSUU", "JARGYLDAK", "BARSKOON")}
    villages = [record for record in records if record.parent_id in aimaks]
    assert len(villages) == 13 and all(record.kind == "village" and "open.kg" in record.source for record in villages)


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
    unaddressed = good.replace("{research: kyrgyz-returnees.md, lines: 1}", '{public: "Regions (Wikipedia)"}')
    assert any("names its page's address" in problem for problem in check_places_folder(tmp_path, unaddressed))
    addressed = unaddressed.replace('(Wikipedia)"', '(Wikipedia) https://en.wikipedia.org/wiki/Regions"')
    assert not any("address" in problem for problem in check_places_folder(tmp_path, addressed))
    foreign = good.replace("id: KG-T,", "id: KZ-T,")
    assert any(
        "does not start with the country's (KG)" in problem for problem in check_places_folder(tmp_path, foreign)
    )
