"""The one build step pyproject.toml cannot say: a wheel carries `content/` and the compiled catalogues.

Every PEP 517 build (`pip wheel .`, `pip install .`, `python -m build`) runs `build_py`. After it has copied
the Python packages, this copies `content/` to `bot/_data/content/` and compiles each
`locales/<lang>/LC_MESSAGES/<domain>.po` with Babel into `bot/_data/locales/`, beside the `<domain>.cfg`
files that name the catalogues; `bot.DATA_ROOT` finds them there. An editable install (`pip install -e .`)
reads both from the checkout instead, where `make compile` compiles the catalogues, so it skips this.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def compile_catalogues(source: Path, target: Path) -> None:
    """What `pybabel compile` does for every domain and language: a fuzzy catalogue is left out, as it does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target.mkdir(parents=True, exist_ok=True)
    for config in sorted(source.glob("*.cfg")):
        shutil.copy2(config, target / config.name)
    for po_file in sorted(source.glob("*/LC_MESSAGES/*.po")):
        with po_file.open("rb") as po:
            catalogue = read_po(po, locale=po_file.parts[-3], domain=po_file.stem)
        if catalogue.fuzzy:
            continue
        mo_file = target / po_file.relative_to(source).with_suffix(".mo")
        mo_file.parent.mkdir(parents=True, exist_ok=True)
        with mo_file.open("wb") as mo:
            write_mo(mo, catalogue)


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        data = Path(self.build_lib) / "bot" / "_data"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(ROOT / "content", data / "content", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        compile_catalogues(ROOT / "locales", data / "locales")


setup(cmdclass={"build_py": BuildWithData})
