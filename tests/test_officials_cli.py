"""`joldas officials …` as an operator runs it, and the code it prints redeemed in the console chat."""

import json

from tests.test_cli import run_joldas


def test_invite_redeem_list_suspend_and_the_audit(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'joldas.db'}", "TELEGRAM_BOT_USERNAME": "@JoldasBot"}
    made = run_joldas("officials", "invite", "--role", "official", "--area", "KZ-AKM", "--org", "Akimat", env=env)
    assert made.returncode == 0, made.stderr
    first, code_line, link, whatsapp, expires = made.stdout.splitlines()
    assert first == "invite 1: official of KZ-AKM (Akimat)"
    code = code_line.removeprefix("code (shown once): ")
    assert link == f"Telegram: https://t.me/JoldasBot?start={code}"
    assert whatsapp == "WhatsApp: the person sends the code as a message"
    assert expires.startswith("expires: ")

    chat = run_joldas("chat", "--user", "dana", stdin=f"{code}\n2\n1\n", env=env)  # the code, Русский, consent
    assert chat.returncode == 0, chat.stderr
    assert "Қош келдіңіз! Енді сіз — " in chat.stdout  # in Kazakh, the default, before a language is chosen

    listed = json.loads(run_joldas("officials", "list", "--json", env=env).stdout)
    assert [(row["id"], row["role"], row["area"], row["status"], row["has_contact"]) for row in listed] == [
        (1, "official", "KZ-AKM", "active", True)
    ]
    as_official = run_joldas(
        "officials", "invite", "--role", "focal_point", "--area", "KZ-PAV", "--as", "1", "--json", env=env
    )
    assert as_official.returncode == 2
    assert as_official.stderr.splitlines()[-1] == "joldas: refused: outside_area (the attempt is in the audit log)"
    inside = json.loads(
        run_joldas(
            "officials", "invite", "--role", "focal_point", "--area", "KZ-AKM", "--as", "1", "--json", env=env
        ).stdout
    )
    assert inside["telegram_link"].endswith(inside["code"]) and inside["role"] == "focal_point"

    suspended = run_joldas("officials", "suspend", "1", env=env)
    assert suspended.stdout.strip() == "official 1 (official of KZ-AKM): suspended"
    again = run_joldas("officials", "suspend", "1", env=env)
    assert (again.returncode, again.stderr.splitlines()[-1]) == (2, "joldas: nothing to do: official 1 is suspended")
    assert (
        run_joldas("officials", "suspend", "7", env=env)
        .stderr.splitlines()[-1]
        .startswith("joldas: refused: unknown_official")
    )

    log = json.loads(run_joldas("officials", "audit", "--area", "KZ-AKM", "--json", env=env).stdout)
    assert [(row["action"], row["by"], row["official"], row["outcome"]) for row in reversed(log)] == [
        ("officials.invite", "operator", None, "allowed"),
        ("officials.redeem", "official", 1, "allowed"),
        ("officials.invite", "official", 1, "allowed"),  # --as 1, inside the area; the refused one was KZ-PAV
        ("officials.suspend", "operator", None, "allowed"),
        ("officials.suspend", "operator", None, "allowed"),  # allowed, though there was nothing to do
    ]
    table = run_joldas("officials", "audit", env=env).stdout.splitlines()
    assert any("officials.invite" in line and "KZ-PAV  denied  outside_area" in line for line in table)
    assert any("officials.suspend" in line and "denied  unknown_official" in line for line in table)


def test_an_organisation_too_long_is_refused_before_the_database(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'joldas.db'}"}
    result = run_joldas("officials", "invite", "--role", "official", "--area", "KZ", "--org", "x" * 201, env=env)
    assert result.returncode == 2 and "1 to 200 characters" in result.stderr
    assert not (tmp_path / "joldas.db").exists()
