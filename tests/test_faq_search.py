"""The search behind typed questions: the question set's accuracy, endings, scripts, typos, off-topic questions,
and the FAQ content's own checks."""

from pathlib import Path

import pytest

from bot.content import check
from bot.content.schema import LANGUAGES
from bot.faq.library import answers
from bot.faq.quality import evaluate, load_questions, percentile, right_at
from bot.faq.search import index, search
from bot.faq.text import fold, stems, strip_personal

QUESTIONS = Path(__file__).parent / "faq_questions.yaml"


@pytest.fixture(scope="module")
def questions():
    return load_questions(QUESTIONS)


def test_the_question_set_is_big_enough_and_not_copied_from_the_faq(questions):
    assert len(questions) >= 90
    for language in LANGUAGES:
        assert sum(question.lang == language for question in questions) >= 30
    written = {
        text.lower()
        for answer in answers()
        if answer.kind == "faq"
        for text in (*answer.asked, *(answer.label(language) for language in LANGUAGES))
    }
    assert [question.q for question in questions if question.q.lower() in written] == []
    known = {answer.id for answer in answers()}
    assert [question.q for question in questions if set(question.expect) - known] == []


def test_the_question_set_is_answered_well_in_every_language(questions):
    scores, timings = evaluate(index(), questions)
    for score in scores:
        assert score.top1 >= 0.85, (score.language, score.misses)
        assert score.top3 >= 0.95, (score.language, score.misses)
    assert len(timings) == len(questions)


@pytest.mark.parametrize(
    "text",
    ["какая погода завтра", "привет", "салам", "сәлем қалайсың", "ты дурак", "сен акмаксың", "рецепт плова", "🙂", "?"],
)
def test_off_topic_questions_get_no_confident_answer(text):
    result = search(text)
    assert not result.confident
    assert result.best is None


@pytest.mark.parametrize("ending", ["құжаттар", "құжаттарды", "құжаттарым", "құжаттарымды", "кужаттар", "qujattar"])
def test_kazakh_endings_and_scripts_find_the_same_answer(ending):
    result = search(f"квотаға қандай {ending} керек")
    assert result.best is not None and result.best.answer.id == "documents_needed"


@pytest.mark.parametrize(
    "text", ["сколько денег дают на переезд", "скока денег дают за переезд", "skolko deneg dayut na pereezd"]
)
def test_russian_inflection_typos_and_latin_find_the_same_answer(text):
    assert search(text).best.answer.id == "relocation_subsidy"


@pytest.mark.parametrize(
    "text", ["Россияга кетсем патент керекпи", "rossiyaga ketsem patent kerekpi", "Орусияга кетсем патент керекпи"]
)
def test_a_kyrgyz_question_in_either_script_finds_the_answer(text):
    assert search(text).best.answer.id == "entry_rules_abroad"


def test_mixed_languages_in_one_question():
    assert search("квота для кандасов статус қалай аламын").best.answer.id == "kandas_status"


def test_all_content_is_searched_not_only_the_faq():
    kinds = {answer.kind for answer in answers()}
    assert kinds == {"faq", "package", "path", "rule", "document"}
    found = search("Бастау Бизнес кәсіпкерлік негіздері оқыту грант шағын несие")
    assert {hit.answer.kind for hit in found.hits} & {"faq", "package"}
    assert any(hit.answer.id.startswith("p.") for hit in search("метро полиция проверяла документы").hits)


def test_every_answer_has_a_text_and_a_source_in_every_language():
    for answer in answers():
        assert answer.sources, answer.id
        for language in LANGUAGES:
            assert answer.text(language).strip() and answer.label(language).strip()


def test_folding_brings_the_scripts_together():
    assert fold("құжаттар") == fold("кужаттар") == fold("qujattar") == fold("kuzhattar") == "kujattar"
    assert stems("құжаттарымды") == stems("құжаттар")
    assert stems("квоту") == stems("квоты")


def test_what_editors_see_has_no_digits_contacts_or_names():
    text = "Меня зовут Айгерим, мой номер +7 701 123 45 67, mail a@b.kz, квота в Павлодар?"
    stripped = strip_personal(text, index().known_stems)
    assert stripped == "зовут мой номер mail квота в павлодар"
    assert not any(character.isdigit() for character in stripped)


def test_right_at_counts_a_refusal_as_right_only_for_an_off_topic_question():
    refused = search("какая погода завтра")
    assert right_at(refused, [], 1) and not right_at(refused, ["documents_needed"], 3)


def test_percentile():
    assert percentile([float(number) for number in range(1, 101)], 0.99) == pytest.approx(99.01, abs=0.1)


def write(root: Path, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")


ENTRY = """entries:
  - id: {id}
    question: {{kk: "Сұрақ?", ru: "Вопрос?", ky: "Суроо?"}}
    asked:
      kk: {kk}
      ru: ["а", "б", "в"]
      ky: ["а", "б", "в"]
    answer: {{kk: "Жауап", ru: "Ответ", ky: "Жооп"}}
{source}"""
SOURCE = "    source: {research: current-data-2026.md, lines: 33}\n"


def test_the_content_check_names_faq_problems(tmp_path):
    write(tmp_path, "faq/one.yaml", ENTRY.format(id="one", kk='["а", "б"]', source=SOURCE))
    write(tmp_path, "faq/two.yaml", ENTRY.format(id="one", kk='["г", "д", "е"]', source=""))
    found = [str(problem) for problem in check.check(tmp_path)]
    assert any("faq/one.yaml: entries.0.asked.kk" in problem and "at least 3" in problem for problem in found)
    assert any("faq/two.yaml: entries.0" in problem and "needs a source" in problem for problem in found)
    write(tmp_path, "faq/two.yaml", ENTRY.format(id="one", kk='["г", "д", "а"]', source=SOURCE))
    write(tmp_path, "faq/one.yaml", ENTRY.format(id="one", kk='["а", "б", "в"]', source=SOURCE))
    found = [str(problem) for problem in check.check(tmp_path)]
    assert any("faq/two.yaml: entries.0.id: one is also in one.yaml" in problem for problem in found)
