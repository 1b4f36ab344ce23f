"""Mistakes at the command line get one line saying what is wrong, never a traceback (issue 10)."""

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
