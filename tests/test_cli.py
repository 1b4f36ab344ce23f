"""The `joldas` command as a person runs it: a piped console chat in each language, and the servers."""

import asyncio
import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys

import aiohttp
import pytest

from bot.channels.console import folder_name
from bot.i18n import texts
from bot.package.library import Profile, assemble
from handlers.start import CONSENT_TEXT
from tests.fake_telegram import TOKEN, FakeBotAPI


def run_joldas(*args: str, stdin: str = "", env: dict | None = None, timeout: int = 60):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "", **(env or {})},
    )


@pytest.mark.parametrize(("language", "choice"), [("kk", "1"), ("ru", "2"), ("ky", "3")])
def test_console_chat_through_a_pipe(tmp_path, language, choice):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    result = run_joldas("chat", "--user", "asel", stdin=f"{choice}\n1\n/mydata\nhello\n", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Тілді таңдаңыз / Выберите язык / Тилди тандаңыз\n  1) Қазақша\n  2) Русский\n  3) Кыргызча")
    assert f"> {choice}\n" in out
    assert texts(language).gettext(CONSENT_TEXT) in out
    assert "console, asel" in out
    assert (
        texts(language).gettext("I do not know the answer to this yet. I have noted the question for the editors.")
        in out  # "hello" is taken as a question the content does not answer
    )
    assert re.search(r"  \d+\) " + texts(language).gettext("Help"), out)


def test_console_remembers_the_person_between_runs(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    run_joldas("chat", "--lang", "ru", stdin="1\n", env=env)  # picked Russian, consent not answered yet
    again = run_joldas("chat", "--lang", "ru", stdin="", env=env)
    assert "Прежде чем продолжить" in again.stdout


def test_lang_preselects_and_user_plays_another_person(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    run_joldas("chat", "--user", "a", stdin="1\n1\n", env=env)
    other = run_joldas("chat", "--user", "b", "--lang", "ky", stdin="", env=env)
    assert other.stdout.startswith("Тилди тандаңыз / Тілді таңдаңыз / Выберите язык\n  1) ✓ Кыргызча")


def test_run_telegram_without_a_token_says_so(tmp_path):
    result = run_joldas("run", "telegram", env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_telegram_webhook_without_a_secret(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": "",
    }
    result = run_joldas("serve", "--port", "1", env=env)
    assert result.returncode == 2
    assert "TELEGRAM_WEBHOOK_SECRET is required" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def health_once_up(client: aiohttp.ClientSession) -> dict:
    """GET /health of a `joldas serve` just started, once it answers (within 30 s: importing aiogram alone
    takes seconds on a busy machine)."""
    for _ in range(300):
        try:
            async with client.get("/health") as response:
                return await response.json()
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    raise AssertionError("joldas serve did not come up")


async def test_serve_answers_health_and_the_telegram_webhook(tmp_path):
    api = FakeBotAPI()
    await api.start()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base_url,
        "TELEGRAM_WEBHOOK_SECRET": "abc",
        "TELEGRAM_WEBHOOK_URL": "https://joldas.example/webhook/telegram",
    }
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "serve", "--port", str(port), env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as client:
            assert await health_once_up(client) == {"status": "ok", "database": "ok", "channels": ["telegram"]}
            update = api.message_update(77, "/start")
            headers = {"X-Telegram-Bot-Api-Secret-Token": "abc"}
            async with client.post("/webhook/telegram", data=json.dumps(update), headers=headers) as response:
                assert response.status == 200
        [picker] = await api.sent_after(0)  # stored, answered 200, then processed and sent by the worker
        assert picker.button_ids == ["lang:kk", "lang:ru", "lang:ky"]
        assert not any(call.method == "setWebhook" for call in api.calls)  # a one-off command does that
    finally:
        server.terminate()
        await server.wait()
        await api.close()


async def test_the_webhook_is_registered_by_a_one_off_command(tmp_path):
    api = FakeBotAPI()
    await api.start()
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base_url,
        "TELEGRAM_WEBHOOK_SECRET": "abc",
        "TELEGRAM_WEBHOOK_URL": "https://joldas.example/webhook/telegram",
    }
    try:
        result = await asyncio.to_thread(run_joldas, "telegram", "set-webhook", env=env)
        assert result.returncode == 0, result.stderr
        [set_webhook] = [call for call in api.calls if call.method == "setWebhook"]
        assert set_webhook.params["url"] == "https://joldas.example/webhook/telegram"
        assert set_webhook.params["secret_token"] == "abc"
        assert set_webhook.params["allowed_updates"] == ["message", "callback_query"]
    finally:
        await api.close()


def test_console_saves_the_package_pdf_to_a_file(tmp_path):
    sections = assemble(Profile("in_migrant", "shymkent", "pavlodar"), today=dt.date(2026, 3, 1))
    pdf_button = len(sections) + 1
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}", "CONSOLE_FILES_DIR": str(tmp_path / "files")}
    script = f"1\n1\n1\n1\nШымкент\n1\n4\n{pdf_button}\n"
    result = run_joldas("chat", "--user", "dana", stdin=script, env=env)
    assert result.returncode == 0, result.stderr
    saved = tmp_path / "files" / folder_name("dana") / "joldas-package-in_migrant-pavlodar-kk.pdf"
    assert saved.read_bytes().startswith(b"%PDF-")
    assert f": {saved}]" in result.stdout


def test_package_command_prints_contents_and_writes_the_pdf(tmp_path):
    out = tmp_path / "package.pdf"
    result = run_joldas(
        "package", "--track", "kandas", "--from", "abroad", "--to", "Акмола", "--lang", "ru", "--pdf", str(out)
    )
    assert result.returncode == 0, result.stderr
    sections = assemble(Profile("kandas", "abroad", "akmola"), today=dt.date(2026, 3, 1))
    for number, section in enumerate(sections, start=1):
        assert f"{number:2}. {section.title('ru')}" in result.stdout
    assert out.read_bytes().startswith(b"%PDF-")


def test_package_command_names_an_unknown_region():
    result = run_joldas("package", "--track", "in_migrant", "--to", "Атлантида")
    assert result.returncode == 2
    assert "no region matches --to 'Атлантида'" in result.stderr


def test_in_the_console_a_number_answers_a_number_question(tmp_path):
    """When the choices are numbers (how many move with you), a typed 4 is the answer 4, not choice 4."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    # Russian, consent, the pre-check: citizen, living abroad, to Abai, job seeker, registered, then 4 move.
    result = run_joldas("chat", "--lang", "ru", stdin="1\n1\n2\n1\n2\n2\n2\n1\n4\n1\n2\n2\n", env=env)
    assert "• Сколько членов семьи переезжают с вами? — 4" in result.stdout
