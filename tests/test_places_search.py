"""Place search (issue 13): every way a place is typed finds it — Cyrillic and Latin, Kazakh, Kyrgyz and
Russian forms, with or without hyphens, with typos — and namesakes come back as a question. Also the CSV
import (a good file, bad rows, twice) and the `joldas places` commands."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import places
from bot.places.content import content_places
from bot.places.fold import fold
from bot.places.importer import import_file
from bot.places.search import CONFIDENT, PlaceIndex
from bot.places.store import paths_for
from bot.storage.models import Place

JANY_ARYK = "KG-O-KARASUU-JANYARYK"
KYZYL_ADYR = "KG-T-KARABUURA-KARABUURA-KYZYLADYR"

SPELLINGS = {
    JANY_ARYK: [
        "Жаны-Арык", "Жаңы-Арык", "Жаны Арык", "жаныарык", "Dzhany Aryk", "jany aryk", "Zhany-Aryk", "Jany-Aryk",
        "Dzhjany-Aryk", "Жаңы-Арық", "айылный аймак Жаны-Арык", "Жаңы-Арык айыл аймагы", "Жаны-Арыкк", "Джаны-Арык",
    ],
    KYZYL_ADYR: [
        "Кызыл-Адыр", "Кызыладыр", "Kyzyl Adyr", "kyzyladyr", "Kyzyr Aydr", "Қызыл-Адыр", "с. Кызыл-Адыр",
        "Кызыл-Адыр айылы", "Kizil-Adir", "Кызылл Адыр",
    ],
    "KG-B-KADAMJAY-OROZBEKOVO": ["Орозбеково", "Орозбеков", "Orozbekov", "Orobekovo", "Orosbekovo", "Орозбекова"],
    "KG-C-PANFILOV-ERKINSAI": ["Эркин-Сай", "Erkin Say", "эркинсай", "Еркин-Сай", "Erkin-Sai village"],
    "KG-O-UZGEN-AKJAR": ["Большевик", "Bolshevik", "Ак-Жар, Өзгөн", "Ak-Jar, Uzgen"],  # Ак-Жар alone: a namesake
    "KG-O-NOOKAT-TOOLOS": ["Төөлөс", "Тоолос", "Toolos", "Toolos AA", "Төлөс"],
    "KG-O-NOOKAT-NOOKAT": ["город Ноокат", "Ноокат шаары", "Nookat city"],
    "KG-O-KARASUU": ["Кара-Суу району", "Карасуу", "Kara-Suu District", "Кара-Сууский район", "Karasuu raion"],
    "KG-O-UZGEN": ["Өзгөн", "Узген", "Özgön", "Uzgen District", "Узгенский район"],
    "KG-Y": ["Ысык-Көл", "Иссык-Куль", "Issyk-Kul", "Ыстықкөл облысы", "Issyk Kul oblast", "Ysyk-Kol"],
    "KG-J": ["Жалал-Абад", "Джалал-Абадская область", "Dzhalal-Abad", "Jalalabat", "Djalal-Abad", "Jalal-Abad"],
    "KG-GB": ["Бишкек", "Bishkek", "Бішкек", "Фрунзе", "Bishkke"],
    "KG-C": ["Чүй облусу", "Чуйская область", "Chui", "Шу облысы"],
    "KZ-KUS": ["Қостанай", "Костанай", "Qostanay", "Kostanai", "Kostanay obl", "Костанайская обл."],
    "KZ-SHY": ["Шымкент", "Shymkent", "Чимкент", "Шымкент қаласы"],
    "KZ-AST": ["Астана", "Нур-Султан", "Nur-Sultan", "Нұр-Сұлтан"],
    "KZ-VOS": ["Усть-Каменогорск", "Өскемен", "ВКО", "Шығыс Қазақстан облысы", "Восточно-Казахстанская"],
    "KZ-ULT": ["Ұлытау", "Улытау", "Ulytau", "Жезказган"],
    "KZ-ZHT": ["Жетісу", "Zhetysu", "Жетысу", "Талдыкорган"],
    "KZ-ABA": ["Абай облысы", "Семей", "Semey", "Семипалатинск"],
    # Kazakhstan's districts and cities of regional significance (content/places/kz.yaml)
    "KZ-ABA-URZHAR": ["Үржар ауданы", "Урджарский район", "Urzhar", "Urdzhar District", "Урджар", "Уржарскй район"],
    "KZ-AKM-BURABAY": ["Бурабай ауданы", "Бурабайский район", "Burabay District", "Бурабай", "Burabai", "Бурабйа"],
    "KZ-ALM-ENBEKSHIKAZAKH": ["Еңбекшіқазақ ауданы", "Енбекшиказахский район", "Enbekshikazakh", "Enbekshikazah"],
    "KZ-ALM-KONAEV": ["Қонаев қаласы", "город Конаев", "Конаев шаары"],
    "KZ-ZHA-TRYSKULOV": ["Т. Рысқұлов ауданы", "Турар Рыскулов", "Turar Ryskulov District", "Рыскулов ауданы"],
    "KZ-KAR-TEMIRTAU": ["Теміртау", "Темиртау", "Temirtau", "город Темиртау", "Temirtay"],
    "KZ-SEV-MZHUMABAEV": ["Мағжан Жұмабаев ауданы", "район Магжана Жумабаева", "Magzhan Zhumabayev", "Жумабаев"],
    "KZ-TUR-SOZAK": ["Созақ ауданы", "Sozak", "Sozak District", "Созак"],
    "KZ-ULT-SATBAYEV": ["Сәтбаев", "Сатпаев", "Satpayev", "город Сатпаев", "Satbaev"],
    "KZ-ZAP-SHYNGYRLAU": ["Шыңғырлау", "Чингирлауский район", "Chingirlau", "Shyngyrlau District"],
    "KZ-AST-SARYARKA": ["Сарыарқа ауданы", "район Сарыарка", "Saryarka District", "Сарыарка"],
    "KZ-ALA-BOSTANDYK": ["Бостандық ауданы", "Бостандыкский район", "Bostandyk", "Бостандык", "Bostandik"],
    "KZ-SHY-ALFARABI": ["Әл-Фараби ауданы", "Аль-Фарабийский район", "Al-Farabi District", "Альфараби"],
    "KZ-KUS-RUDNY": ["Рудный", "Rudny", "город Рудный", "Rudnyi", "Рудныйй"],
    # the ayil aimaks of Jeti-Oguz district and their villages (content/places/kg.yaml)
    "KG-Y-JETIOGUZ-ORGOCHOR": ["Оргочор айыл аймагы", "айылный аймак Оргочор", "Orgochor Ayil Aimak"],
    "KG-Y-JETIOGUZ-BARSKOON-TAMGA": ["Тамга", "Tamga", "Тамға", "Тамгa айылы"],
    "KG-Y-JETIOGUZ-ORGOCHOR-SVETLAYAPOLYANA": ["Светлая Поляна", "Svetlaya Polyana", "Svetlaia Poliana"],
}  # fmt: skip
CASES = [(text, place_id) for place_id, texts in SPELLINGS.items() for text in texts]


def make_index(extra: list[Place] = ()) -> PlaceIndex:
    records = list(content_places())
    paths = paths_for(records, {})
    rows = [
        Place(
            id=r.id,
            country=r.country,
            kind=r.kind,
            parent_id=r.parent_id,
            path=paths[r.id],
            name_kk=r.name_kk,
            name_ru=r.name_ru,
            name_ky=r.name_ky,
            name_latin=r.name_latin,
            aliases=list(r.aliases),
        )
        for r in records
    ]
    return PlaceIndex(rows + list(extra))


INDEX = make_index()


@pytest.mark.parametrize(("text", "place_id"), CASES)
def test_every_spelling_finds_its_place_first(text, place_id):
    hits = INDEX.search(text)
    assert hits, text
    assert hits[0].place_id == place_id, [(hit.place_id, hit.score) for hit in hits[:3]]


@pytest.mark.parametrize(
    "text",
    ["Жаны-Арык", "Dzhany Aryk", "Кызыладыр", "Kyzyr Aydr", "Orobekovo", "Иссык-Кульская область", "Костанайская обл"],
)
def test_a_clear_spelling_is_taken_without_asking(text):
    assert places.clear_choice(INDEX.search(text)) is not None


@pytest.mark.parametrize(
    ("text", "region", "city", "typed_as_region", "typed_as_city"),
    [
        ("Qostanay", "KZ-KUS", "KZ-KUS-KOSTANAY", "Костанайская область", "город Костанай"),
        ("Семей", "KZ-ABA", "KZ-ABA-SEMEY", "Абай облысы", "Семей қаласы"),
    ],
)
def test_a_region_and_its_city_of_the_same_name_are_asked_about_unless_the_kind_is_typed(
    text, region, city, typed_as_region, typed_as_city
):
    hits = INDEX.search(text)
    assert {hit.place_id for hit in hits[:2]} == {region, city} and places.clear_choice(hits) is None
    assert places.clear_choice(INDEX.search(typed_as_region)).place_id == region
    assert places.clear_choice(INDEX.search(typed_as_city)).place_id == city


def test_cyrillic_and_latin_and_the_kyrgyz_and_kazakh_letters_fold_together():
    assert fold("Жаңы-Арык") == fold("Жаны-Арык") == fold("Dzhany Aryk") == fold("jany aryk") == fold("Jangy Aryk")
    assert fold("Қостанай") == fold("Qostanay") == fold("Kostanay") == fold("Костанай")
    assert fold("Өзгөн") == fold("Özgön") == fold("Ozgon")
    assert fold("Ұлытау") == fold("Ulytau") == fold("Улытау")
    assert fold("Ғалым") == fold("Galym") == fold("Ghalym")
    assert fold("Һ") == fold("х") == fold("kh")
    assert fold("Жетісу") == fold("Zhetysu") == fold("Jetisu") == fold("Жетысу")
    assert fold("Әлия") == fold("Aliya")


def test_the_hits_name_their_district_and_region():
    hit = INDEX.search("Кызыл-Адыр")[0]
    assert (hit.district_id, hit.region_id) == ("KG-T-KARABUURA", "KG-T")
    assert hit.label("ky") == "Кызыл-Адыр (Кара-Буура району, Талас облусу)"
    assert hit.label("ru") == "Кызыл-Адыр (Кара-Бууринский район, Таласская область)"


def namesake(place_id: str, parent: Place) -> Place:
    return Place(
        id=place_id,
        country="KG",
        kind="village",
        parent_id=parent.id,
        path=f"{parent.path}{place_id}/",
        name_kk="Кызыл-Адыр",
        name_ru="Кызыл-Адыр",
        name_ky="Кызыл-Адыр",
        name_latin="Kyzyl-Adyr",
        aliases=[],
    )


def test_namesakes_in_two_districts_come_back_as_a_question():
    uzgen = Place(id="KG-O-UZGEN", path="/KG/KG-O/KG-O-UZGEN/")
    index = make_index([namesake("KG-O-UZGEN-KYZYLADYR", uzgen)])
    for text in ("Кызыл-Адыр", "Kyzyl Adyr", "кызыладыр"):
        hits = index.search(text)
        assert {hit.place_id for hit in hits[:2]} == {KYZYL_ADYR, "KG-O-UZGEN-KYZYLADYR"}
        assert places.ambiguous(hits) and places.clear_choice(hits) is None
        assert {hit.district.ru for hit in hits[:2]} == {"Кара-Бууринский район", "Узгенский район"}
    for text, place_id in (
        ("Кызыл-Адыр, Өзгөн", "KG-O-UZGEN-KYZYLADYR"),
        ("Kyzyl-Adyr, Uzgen raion", "KG-O-UZGEN-KYZYLADYR"),
        ("кызыладыр (Кара-Буура району, Талас облусу)", KYZYL_ADYR),
        ("Кызыл-Адыр, Талас", KYZYL_ADYR),
        ("Кызыл-Адыр, Каро-Буура", KYZYL_ADYR),  # a typo in the district too
    ):
        assert places.clear_choice(index.search(text)).place_id == place_id, text


@pytest.mark.parametrize(
    ("text", "namesakes", "typed_with_its_area"),
    [
        (
            "Есиль",
            {"KZ-AKM-ESIL", "KZ-SEV-ESIL", "KZ-AST-ESIL"},
            ("Есильский район, Северо-Казахстанская", "KZ-SEV-ESIL"),
        ),
        ("Жамбыл ауданы", {"KZ-ALM-ZHAMBYL", "KZ-ZHA-ZHAMBYL"}, ("Жамбыл ауданы, Алматы облысы", "KZ-ALM-ZHAMBYL")),
        ("Абайский район", {"KZ-ABA-ABAI", "KZ-KAR-ABAI", "KZ-SHY-ABAI"}, ("Абайский район, Шымкент", "KZ-SHY-ABAI")),
        ("Ак-Жар", {"KG-O-UZGEN-AKJAR", "KZ-SEV-AKZHAR"}, ("Akzhar, North Kazakhstan", "KZ-SEV-AKZHAR")),
        ("Сузакский район", {"KG-J-SUZAK", "KZ-TUR-SOZAK"}, ("Сузакский район, Джалал-Абадская", "KG-J-SUZAK")),
    ],
)
def test_namesakes_in_two_regions_or_countries_are_asked_about(text, namesakes, typed_with_its_area):
    hits = INDEX.search(text)
    assert {hit.place_id for hit in hits[: len(namesakes)]} == namesakes, [(h.place_id, h.score) for h in hits[:4]]
    assert places.ambiguous(hits) and places.clear_choice(hits) is None
    assert len({hit.label("ru") for hit in hits[: len(namesakes)]}) == len(namesakes)  # each told by its region
    with_area, place_id = typed_with_its_area
    assert places.clear_choice(INDEX.search(with_area)).place_id == place_id, with_area


def test_a_country_filter_settles_a_namesake_across_the_border():
    assert INDEX.search("Ак-Жар", country="kg")[0].place_id == "KG-O-UZGEN-AKJAR"
    assert INDEX.search("Ак-Жар", country="kz")[0].place_id == "KZ-SEV-AKZHAR"


def test_places_of_the_same_name_and_different_kinds_are_asked_about_unless_the_kind_is_typed():
    assert places.ambiguous(INDEX.search("Ош"))
    assert places.clear_choice(INDEX.search("Ош облусу")).place_id == "KG-O"
    assert places.clear_choice(INDEX.search("город Ош")).place_id == "KG-GO"
    assert places.ambiguous(INDEX.search("Issyk-Kul"))  # the oblast and its district
    assert places.clear_choice(INDEX.search("Ысык-Көл району")).place_id == "KG-Y-ISSYKKUL"


def test_a_country_filter_and_nonsense():
    assert all(hit.place_id.startswith("KZ") for hit in INDEX.search("Кызыл", country="kz"))
    assert INDEX.search("Кызыл", country="kz")[0].place_id == "KZ-KZY"
    for nonsense in ("", "   ", "!!!", "xqzwv", "Атлантида-на-Луне", "12345", "а" * 5000):
        assert INDEX.search(nonsense) == [] or INDEX.search(nonsense)[0].score < CONFIDENT


def test_a_prefix_offers_the_places_it_begins():
    hits = INDEX.search("Кызыл-А")
    assert hits[0].place_id == KYZYL_ADYR


# --- the import ---------------------------------------------------------------------------------------------

# Rows made up for the tests: the names and codes are not from an official list.
GOOD = """id,parent_id,kind,name_ru,name_ky,name_kk,name_latin,kato,aliases,source
KG-O-NOOKAT-KYZYLADYR,KG-O-NOOKAT,ayil_aimak,а/а Кызыл-Адыр,Кызыл-Адыр а/а,,Kyzyl-Adyr AA,41706230800000,,
KG-O-NOOKAT-KYZYLADYR-BOSTON,KG-O-NOOKAT-KYZYLADYR,village,Бостон,Бостон,,Boston,,Бостон айылы|Boston village,
KG-T-KARABUURA,KG-T,district,Кара-Бууринский район,Кара-Буура району,Қара-Бура ауданы,Kara-Buura,41707215000000,,
"""
BAD = """id,parent_id,kind,name_ru,kato
KG-O-NOOKAT-A,KG-O-NOOKAT,village,Аа,
kg-bad,KG-O,village,Плохо,
KG-X-Y,KG-X,village,Нет родителя,
KG-O-NOOKAT-B,KG-O-NOOKAT,hamlet,Бб,
KG-O-NOOKAT-C,KG-O-NOOKAT,village,,
KG-O-NOOKAT-D,KG-O-NOOKAT,village,Дд,12ab
KG-O-NOOKAT-A,KG-O-NOOKAT,village,Аа снова,
KG-O-NOOKAT-B-1,KG-O-NOOKAT-B,village,Сын плохого,
KG-O-ARAVAN-E,KG-O-NOOKAT,village,Не та ветка,
"""


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "places.csv"
    path.write_text(text, encoding="utf-8")
    return path


async def test_a_good_file_is_written_whole_and_twice_changes_nothing(database, tmp_path):
    path = write_csv(tmp_path, GOOD)
    async with database.transaction() as session:
        checked, written = await import_file(session, path)
        assert checked.refused == [] and (written.inserted, written.updated) == (2, 1)
    async with database.transaction() as session:
        boston = await places.get(session, "KG-O-NOOKAT-KYZYLADYR-BOSTON")
        assert boston.path == "/KG/KG-O/KG-O-NOOKAT/KG-O-NOOKAT-KYZYLADYR/KG-O-NOOKAT-KYZYLADYR-BOSTON/"
        assert boston.name_kk == "Бостон" and boston.aliases == ["Бостон айылы", "Boston village"]
        assert boston.source == "places.csv"
        assert await places.within(session, boston.id, "KG-O")
        assert (await places.get(session, "KG-T-KARABUURA")).kato == "41707215000000"
        hits = await places.search(session, "Кызыл-Адыр")  # the index sees the import: now two of that name
        assert places.ambiguous(hits)
        assert (await places.search(session, "Boston"))[0].place_id == boston.id
    async with database.transaction() as session:
        _checked, written = await import_file(session, path)
        assert (written.inserted, written.updated, written.unchanged) == (0, 0, 3)
        await places.ensure_loaded(session)  # the content, loaded again, keeps the KATO code it lacks
        assert (await places.get(session, "KG-T-KARABUURA")).kato == "41707215000000"


async def test_bad_rows_are_refused_with_reasons_and_nothing_is_written(database, tmp_path):
    path = write_csv(tmp_path, BAD)
    async with database.transaction() as session:
        checked, written = await import_file(session, path)
        assert written is None
        reasons = {refused.line: refused.reason for refused in checked.refused}
        assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10]
        assert "capitals" in reasons[3]
        assert "neither stored nor imported" in reasons[4] and "neither stored nor imported" in reasons[9]
        assert "hamlet" in reasons[5]
        assert "name_ru" in reasons[6]
        assert "kato" in reasons[7]
        assert "line 2" in reasons[8]
        assert "start with its parent" in reasons[10]
        assert await places.get(session, "KG-O-NOOKAT-A") is None
    async with database.transaction() as session:
        checked, written = await import_file(session, path, partial=True)
        assert written.inserted == 1 and [record.id for record in checked.records] == ["KG-O-NOOKAT-A"]


# --- the commands ----------------------------------------------------------------------------------------


def joldas(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "places", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_the_places_commands(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    found = joldas("search", "Dzhany", "Aryk", "--json", database_url=url)
    assert found.returncode == 0, found.stderr
    data = json.loads(found.stdout)
    assert data["hits"][0]["id"] == JANY_ARYK and data["ambiguous"] is False
    assert data["hits"][0]["district"]["ky"] == "Кара-Суу району" and data["hits"][0]["region"]["id"] == "KG-O"
    table = joldas("search", "Ош", "--country", "kg", database_url=url)
    assert "KG-GO" in table.stdout and "ambiguous" in table.stdout
    bad = joldas("import", str(write_csv(tmp_path, BAD)), database_url=url)
    assert bad.returncode == 1 and "refused: line 5: KG-O-NOOKAT-B: kind 'hamlet'" in bad.stdout
    good = joldas("import", str(write_csv(tmp_path, GOOD)), database_url=url)
    assert good.returncode == 0 and "2 added, 1 updated" in good.stdout
    missing = joldas("import", str(tmp_path / "nothing.csv"), database_url=url)
    assert missing.returncode == 2 and "cannot be read" in missing.stdout


async def test_an_import_is_seen_by_a_search_in_another_session(database, tmp_path):
    async with database.transaction() as session:
        assert await places.search(session, "Boston") == [] or (await places.search(session, "Boston"))[0].score < 90
        await import_file(session, write_csv(tmp_path, GOOD))
    async with database.transaction() as session:
        assert (await places.search(session, "Бостон"))[0].place_id == "KG-O-NOOKAT-KYZYLADYR-BOSTON"
        assert await session.scalar(select(Place.kato).where(Place.id == "KG-O-NOOKAT-KYZYLADYR")) == "41706230800000"
