"""`joldas ask` and `joldas faq gaps` as an editor runs them."""

import json

from tests.test_cli import run_joldas


def test_ask_prints_the_answer_its_source_score_and_alternatives():
    result = run_joldas("ask", "Россияга", "кетсем", "патент", "керекпи", "--lang", "ru")
    assert result.returncode == 0, result.stderr
    first, question, text, source, *rest = result.stdout.splitlines()
    assert first.startswith("entry_rules_abroad (faq), score ")
    assert question == "Нужен ли патент или разрешение для работы за границей?"
    assert text.startswith("У каждой страны свои правила въезда")
    assert source.startswith("source: ПРООН и МОМ")
    assert rest[0] == "alternatives:" and len(rest) == 4


def test_ask_as_json_and_an_off_topic_question():
    result = run_joldas("ask", "көшуге қанша ақша береді", "--lang", "ky", "--json")
    answer = json.loads(result.stdout)
    assert answer["answer"]["id"] == "relocation_subsidy"
    assert answer["answer"]["text"].startswith("Көчүүгө бир жолку субсидия")
    assert answer["answer"]["sources"] and answer["answer"]["score"] > 0 and answer["confidence"] >= 8.2
    assert {"id", "kind", "question", "score"} == set(answer["alternatives"][0])
    weather = json.loads(run_joldas("ask", "какая погода будет завтра", "--json").stdout)
    assert weather["answer"] is None
    plain = run_joldas("ask", "какая погода будет завтра").stdout
    assert plain.startswith("no answer good enough")


def test_faq_gaps_lists_what_people_asked_by_frequency(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    assert run_joldas("faq", "gaps", env=env).stdout.strip() == "no gaps recorded"
    typed = "1\n1\nкакая погода будет завтра\nкакая погода будет завтра\nквотаға қандай құжаттар керек\n"
    chat = run_joldas("chat", "--user", "asel", stdin=typed, env=env)
    assert chat.returncode == 0, chat.stderr
    listed = run_joldas("faq", "gaps", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    [gap] = json.loads(listed.stdout)
    assert (gap["count"], gap["kind"], gap["language"], gap["answer"]) == (2, "unanswered", "kk", None)
    assert gap["text"] == "какая погода будет завтра"
    table = run_joldas("faq", "gaps", env=env).stdout
    assert "    2  unanswered  kk  -" in table
