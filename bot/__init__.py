"""Joldas: the machinery (configuration, engine, channels, storage, i18n, CLI)."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# `content/` and `locales/` live beside `bot/` in a checkout (an editable install reads them there too). A
# wheel carries them inside the package, in `bot/_data/`, with the catalogues compiled (setup.py's build step).
_PACKAGED_DATA = PACKAGE_DIR / "_data"
DATA_ROOT = _PACKAGED_DATA if _PACKAGED_DATA.is_dir() else PROJECT_ROOT
