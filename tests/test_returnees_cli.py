"""`joldas services import` and `joldas report referrals` as an operator runs them, on a SQLite file."""

import json
import sqlite3

from bot.returnees.offices import COLUMNS
from tests.test_cli import run_joldas

HEADER = ",".join(COLUMNS)
GOOD = [
    "documents,KG-O-KARASUU-JANYARYK,Жаңы-Арық АӨ,АО Жаны-Арык,Жаңы-Арык АӨ,Орталық к. 1,ул. Центральная 1,"
    "Борбордук көч. 1,+996 000 000 000,9:00-18:00,Паспорт,Паспорт,Паспорт,sample data: not a real office",
    "work,KG-O-KARASUU,Қарасу аудандық орталығы,Районный центр Кара-Суу,Кара-Суу райондук борбору,Қарасу,Кара-Суу,"
    "Кара-Суу,,,,,,sample data: not a real office",
]


def write(path, *rows: str):
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def offices(database) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT need, area_id, phone FROM service_offices ORDER BY id").fetchall()


def test_offices_are_checked_then_replaced_as_a_whole(tmp_path):
    database = tmp_path / "joldas.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    checked = run_joldas("services", "import", str(write(tmp_path / "good.csv", *GOOD)), "--check", env=env)
    assert checked.returncode == 0, checked.stderr
    assert "2 office(s) checked" in checked.stdout and offices(database) == []
    done = run_joldas("services", "import", str(tmp_path / "good.csv"), env=env)
    assert done.returncode == 0, done.stderr
    assert offices(database) == [
        ("documents", "KG-O-KARASUU-JANYARYK", "+996 000 000 000"),
        ("work", "KG-O-KARASUU", None),
    ]
    bad = write(
        tmp_path / "bad.csv",
        GOOD[0],
        GOOD[1].replace("work,", "weather,", 1),
        GOOD[0].replace("KG-O-KARASUU-JANYARYK", "KG-NOWHERE"),
        GOOD[0].replace("Жаңы-Арық АӨ,", ",", 1),
        "documents,KG-O",
    )
    refused = run_joldas("services", "import", str(bad), env=env)
    assert refused.returncode == 1
    for line, column in ((3, "need"), (4, "area_id"), (5, "name_kk"), (6, "(row)")):
        assert f"line {line}: {column}" in refused.stderr
    assert "nothing changed" in refused.stderr and len(offices(database)) == 2
    wrong_header = tmp_path / "header.csv"
    wrong_header.write_text("need,area\nwork,KG\n", encoding="utf-8")
    refused = run_joldas("services", "import", str(wrong_header), env=env)
    assert refused.returncode == 1 and "line 1: name_ru: missing column" in refused.stderr
    assert "line 1: area: unknown column" in refused.stderr
    missing = run_joldas("services", "import", str(tmp_path / "none.csv"), env=env)
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_the_report_of_an_empty_database_and_of_an_unknown_area(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'joldas.db'}"}
    plain = run_joldas("report", "referrals", env=env)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("referrals: 0\n") and "median hours to acceptance: —" in plain.stdout
    figures = json.loads(run_joldas("report", "referrals", "--area", "KG-O", "--json", env=env).stdout)
    assert figures["total"] == 0 and figures["area"] == "KG-O" and figures["by_need"] == {}
    unknown = run_joldas("report", "referrals", "--area", "KG-NOWHERE", env=env)
    assert unknown.returncode == 2 and "no place 'KG-NOWHERE'" in unknown.stderr
