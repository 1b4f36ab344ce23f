"""`joldas content check` on the real content/ and on deliberately broken files."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import check
from bot.content.schema import Localized, Source, Strict


class Demo(Strict):
    title: Localized
    source: Source | None = None


@pytest.fixture
def demo_content(tmp_path, monkeypatch):
    monkeypatch.setitem(check.SCHEMAS, "demo/*.yaml", Demo)
    (tmp_path / "demo").mkdir()
    return tmp_path


def write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding="utf-8")


def problems(root: Path) -> list[str]:
    return [str(problem) for problem in check.check(root)]


def test_the_real_content_has_no_problems():
    result = subprocess.run([sys.executable, "-m", "bot.cli", "content", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 problem(s)" in result.stdout


def test_a_good_file_passes(demo_content):
    write(demo_content, "demo/good.yaml", "title: {kk: Сәлем, ru: Привет, ky: Салам}\n")
    assert problems(demo_content) == []


def test_a_missing_language_and_an_empty_text_are_named_with_file_and_key(demo_content):
    write(demo_content, "demo/bad.yaml", "title: {kk: Сәлем, ru: '  '}\n")
    found = problems(demo_content)
    assert any("demo/bad.yaml: title.ky: missing or empty text" in problem for problem in found)
    assert any("demo/bad.yaml: title.ru: missing or empty text" in problem for problem in found)


def test_a_number_without_a_source_is_a_problem(demo_content):
    write(demo_content, "demo/number.yaml", "title: {kk: 70 АЕК, ru: 70 МРП, ky: 70 АЭК}\n")
    assert any("title.kk: a number with no source" in problem for problem in problems(demo_content))
    write(
        demo_content,
        "demo/number.yaml",
        "title: {kk: 70 АЕК, ru: 70 МРП, ky: 70 АЭК}\nsource: {research: current-data-2026.md, lines: 33}\n",
    )
    assert problems(demo_content) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{seed: 004_f5793a998fb2f193.txt, lines: 9999}", "lines 9999 are outside"),
        ("{seed: nowhere.txt, lines: 1}", "nowhere.txt is not in"),
        ("{seed: 004_f5793a998fb2f193.txt}", "needs `lines`"),
        ("{public: a report, seed: 004_f5793a998fb2f193.txt, lines: 1}", "exactly one of"),
        ("{operator: data/missing.yaml}", "does not exist"),
    ],
)
def test_bad_sources_are_problems(demo_content, source, expected):
    write(demo_content, "demo/source.yaml", f"title: {{kk: а, ru: б, ky: в}}\nsource: {source}\n")
    assert any(expected in problem for problem in problems(demo_content))


def test_unknown_keys_bad_yaml_and_files_without_a_schema(demo_content):
    write(demo_content, "demo/extra.yaml", "title: {kk: а, ru: б, ky: в}\ncolour: red\n")
    write(demo_content, "demo/broken.yaml", "title: [unclosed\n")
    write(demo_content, "stray.yaml", "anything: 1\n")
    found = problems(demo_content)
    assert any("demo/extra.yaml: colour: Extra inputs are not permitted" in problem for problem in found)
    assert any("demo/broken.yaml: (file): cannot be read" in problem for problem in found)
    assert any("stray.yaml: (file): no schema is registered for this file" in problem for problem in found)


def test_the_command_exits_1_and_prints_each_problem(demo_content):
    write(demo_content, "stray.yaml", "anything: 1\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "check", "--dir", str(demo_content)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "stray.yaml: (file): no schema is registered for this file" in result.stdout


def test_every_cited_source_document_is_kept_in_the_repository():
    """The check reads the cited texts from content/sources, never from outside the checkout, so it never skips."""
    from bot.content import CONTENT_DIR, SOURCES_DIR
    from bot.content.sources import _cited_documents

    assert SOURCES_DIR.is_relative_to(CONTENT_DIR)
    cited = {
        name for path in check.content_files(CONTENT_DIR) for _key, name in _cited_documents(check.read_yaml(path), "")
    }
    assert len(cited) >= 5
    for name in cited:
        kept = [SOURCES_DIR / kind / name for kind in ("seeds", "research")]
        assert any(path.is_file() for path in kept), f"{name} is cited but not kept in content/sources"


@pytest.mark.parametrize("folder", ["empty", "missing"])
def test_a_folder_without_content_is_one_line_and_exit_2(tmp_path, folder):
    root = tmp_path / folder
    if folder == "empty":
        root.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "check", "--dir", str(root)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "holds no .yaml file" in result.stderr
    assert "Traceback" not in result.stderr
