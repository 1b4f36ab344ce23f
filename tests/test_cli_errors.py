"""Mistakes at the command line get one line saying what is wrong, never a traceback (issue 10)."""

import datetime as dt
import socket
import uuid

import pytest

from bot.package.library import Profile, assemble
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES
from tests.test_cli import run_joldas


def one_line(result) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_city_and_a_region_of_one_name_are_both_offered():
    result = run_joldas("package", "--track", "in_migrant", "--from", "almaty", "--to", "pavlodar")
    assert result.returncode == 2
    line = one_line(result)
    assert "almaty_region" in line and "almaty_city" in line


def test_a_pdf_into_a_missing_folder(tmp_path):
    target = tmp_path / "no" / "such" / "folder" / "package.pdf"
    result = run_joldas("package", "--track", "kandas", "--from", "abroad", "--to", "akmola", "--pdf", str(target))
    assert result.returncode == 2
    assert one_line(result).startswith(f"joldas package: --pdf: cannot write {target}")
    assert not target.exists()


def test_a_typed_back_label_goes_back(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    result = run_joldas("chat", "--lang", "ru", stdin="1\n1\n2\n1\n1\n2\n1\nЖамбыл\nНазад\n", env=env)
    from bot.i18n import texts

    after = result.stdout.rsplit("> Назад\n", 1)[1]
    assert texts("ru").gettext("Which region are you moving from? Type its name or choose below.") in after


def test_a_user_name_never_becomes_a_path_outside_the_files_folder(tmp_path):
    """`joldas chat --user ../../evil` saves the package PDF inside CONSOLE_FILES_DIR, nowhere else."""
    sections = assemble(Profile("in_migrant", "shymkent", "pavlodar"), today=dt.date(2026, 3, 1))
    files = tmp_path / "deep" / "files"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}", "CONSOLE_FILES_DIR": str(files)}
    script = f"1\n1\n1\n1\nШымкент\n1\n4\n{len(sections) + 1}\n"
    result = run_joldas("chat", "--user", "../../evil", stdin=script, env=env)
    assert result.returncode == 0, result.stderr
    written = [path for path in tmp_path.rglob("*.pdf")]
    assert len(written) == 1
    assert written[0].resolve().is_relative_to(files.resolve())
    assert not (tmp_path / "evil").exists()


@pytest.mark.parametrize("user", ["x" * 200, "", "tab\there"])
def test_an_impossible_user_id_is_refused_at_the_edge(tmp_path, user):
    """A 200-character id would fail on PostgreSQL's varchar(64) deep inside; it is refused before that."""
    result = run_joldas("chat", "--user", user, env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 2
    assert "--user must be 1 to 64 printable characters" in one_line(result)
    assert not (tmp_path / "x.db").exists()  # refused before the database was touched


def test_serve_on_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", "LOG_LEVEL": "WARNING"}
        result = run_joldas("serve", "--port", str(port), env=env)
    assert result.returncode == 2
    assert one_line(result).startswith(f"joldas: cannot listen on 127.0.0.1:{port}")


def test_a_postgresql_database_that_does_not_exist_is_said_plainly():
    missing = POSTGRES_URL.rsplit("/", 1)[0] + f"/joldas_missing_{uuid.uuid4().hex[:8]}"
    result = run_joldas("db", "current", env={"DATABASE_URL": missing})
    if "Connect call failed" in result.stderr or "Connection refused" in result.stderr:
        if REQUIRE_POSTGRES:
            pytest.fail(result.stderr)
        pytest.skip("PostgreSQL is not reachable")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith("joldas: the database cannot be used:") and "does not exist" in first


def test_in_the_console_a_number_answers_a_question_that_wants_typing(tmp_path):
    """A date question offers only Back and Start over: a typed 1 is "a month ago", not Back."""
    from bot.i18n import texts

    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    # Russian, consent, the pre-check: citizen, in Kazakhstan, no Serpin, moved already, from Jambyl, then "1".
    result = run_joldas("chat", "--lang", "ru", stdin="1\n1\n2\n1\n1\n2\n1\nЖамбыл\n1\n", env=env)
    assert result.returncode == 0, result.stderr
    after = result.stdout.rsplit("> 1\n", 1)[1]
    asked = texts("ru").gettext(
        "Which region are you moving to? Regions with a quota this year are below; you can also type a name."
    )
    assert asked in after
