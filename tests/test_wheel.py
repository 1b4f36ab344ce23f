"""The package as a user installs it: a wheel built from this repository, installed into a fresh virtualenv and
run outside the checkout, carries its content and compiled catalogues and shows the language picker.

Offline and quick: the wheel is built with this virtualenv's setuptools and Babel (no build isolation, which
would download them), the fresh virtualenv has no pip of its own (this one's pip installs into it with
`--python`), and it sees the dependencies already installed here through a `.pth` file instead of
downloading them again. The project itself comes only from the wheel: the `.pth` adds this virtualenv's
site-packages as a plain folder, so the editable install's hook inside it is not run.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from bot import PROJECT_ROOT

SOURCES = ["pyproject.toml", "setup.py", "README.md", "MANIFEST.in", "bot", "handlers", "content", "locales"]
BUILD_OUTPUT = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.egg-info", "build", "_data")
LANGUAGE_NAMES = ("Қазақша", "Русский", "Кыргызча")


def run(command: list, **options) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, **options)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with only the wheel installed in it; returns its bin/ folder."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a copy without compiled catalogues, so the build must make its own
    source.mkdir()
    for name in SOURCES:
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(PROJECT_ROOT / name, source / name, ignore=BUILD_OUTPUT)
        else:
            shutil.copy2(PROJECT_ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(work / "wheels"), str(source)])
    [wheel] = (work / "wheels").glob("joldas-*.whl")

    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_packages = Path(run([python, "-c", purelib]).stdout.strip())
    (site_packages / "dependencies-from-the-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)])
    return venv / "bin"


def outside_env() -> dict:
    """The environment minus anything that could point the installed bot back at the checkout or a database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JOLDAS_", "TELEGRAM_", "WHATSAPP_"))}
    for key in ("PYTHONPATH", "DATABASE_URL", "VIRTUAL_ENV"):
        env.pop(key, None)
    return env


@pytest.mark.slow
def test_the_wheel_carries_content_and_compiled_catalogues(installed, tmp_path):
    probe = "import bot, bot.content, bot.i18n; print(bot.DATA_ROOT); print(bot.i18n.translations('ky').gettext('Yes'))"
    where, yes = run([installed / "python", "-c", probe], cwd=tmp_path, env=outside_env()).stdout.splitlines()
    assert Path(where).is_relative_to(installed.parent)  # the installed package, not the checkout
    assert yes == "Ооба"
    checked = run([installed / "joldas", "content", "check"], cwd=tmp_path, env=outside_env())
    assert ", 0 problem(s)" in checked.stdout


@pytest.mark.slow
def test_the_installed_chat_shows_the_language_picker_in_an_empty_folder(installed, tmp_path):
    chat = run([installed / "joldas", "chat"], input="/quit\n", cwd=tmp_path, env=outside_env())
    for name in LANGUAGE_NAMES:
        assert name in chat.stdout, chat.stdout
    assert "Traceback" not in chat.stderr
