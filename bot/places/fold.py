"""One spelling for every way a place name is typed: Kazakh, Kyrgyz or Russian Cyrillic, official Latin
alphabets, English or Russian-style romanisation, with or without hyphens.

`fold` is not a transliteration to read back: it maps Cyrillic and Latin into one plain-ASCII key in which
letters people use interchangeably fall together (ж, j, zh, dzh → j; ң, n, ng → n; ө, o, ö → o; ү, ұ, у, ü,
ū → u; қ, k, q → k; ғ, г, gh, ğ → g; х, һ, kh, h → h; ы, і, и, й, y, ı → i; doubled letters are one), so
"Жаңы-Арык", "Жаны-Арык", "Dzhany Aryk" and "jany aryk" all read "jani arik". Typos are left to the fuzzy
match. Why our own and not `kyrgyz-transliteration`: see docs/decisions.md ("Places").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "j",
    "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n", "ң": "n",
    "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f",
    "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}  # fmt: skip
# Latin letters of the Kazakh (2021) and Turkish-style Kyrgyz alphabets that do not decompose to ASCII.
_LATIN = {"ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "ñ": "n", "ŋ": "n", "ä": "a", "ö": "o", "ü": "u", "ū": "u"}
_TABLE = str.maketrans({**_CYRILLIC, **_LATIN, "q": "k", "w": "v", "y": "i", "'": "", "ʼ": "", "’": "", "`": ""})
# Digraphs of English and Russian-style romanisation, longest first.
_DIGRAPHS = re.compile(r"dzh|dj|zh|kh|gh|ng")
_DIGRAPH = {"dzh": "j", "dj": "j", "zh": "j", "kh": "h", "gh": "g", "ng": "n"}
_DOUBLED = re.compile(r"([a-z])\1+")
_WORD_START_IE = re.compile(r"\bie")  # "Yereymentau" and "Ерейментау"
_NOT_LETTER = re.compile(r"[^a-z0-9]+")
_AYIL_AIMAK = re.compile(r"(?<!\w)[аa]/[аa](?!\w)")  # "а/а", the abbreviation of айыл аймагы

# Words that say what kind of place it is, not which, dropped from names and queries ("Ош облусу" → "osh").
_GENERIC_WORDS = """
область обл облысы облусу облустук region oblast oblys oblysy oblusu
район р-н ауданы аудан району районы district rayon raion audany
город г шаары шаар қаласы city town gorod shaary kalasy
село с ауыл ауылы айыл айылы village aul ail aiyl ayil selo kishlak кишлак
айыл аймагы аймак аймағы ауылдық айылный ао aimak aimagy aiyl-aimak ayil-aimak
округ сельский округ селолық округі округі okrug
поселок посёлок пгт шаарча shaarcha
"""


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The key of a name or a query: lower-case ASCII words separated by single spaces."""
    text = _AYIL_AIMAK.sub(" ", unicodedata.normalize("NFC", text.lower())).translate(_TABLE)
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    text = _DIGRAPHS.sub(lambda match: _DIGRAPH[match.group()], text)
    text = _WORD_START_IE.sub("e", _DOUBLED.sub(r"\1", text))
    return " ".join(_NOT_LETTER.split(text)).strip()


GENERIC = frozenset(word for line in _GENERIC_WORDS.split() for word in fold(line).split())


def strip_generic(key: str) -> str:
    """A folded key without the words that only say the kind of place."""
    return " ".join(word for word in key.split() if word not in GENERIC)


def compact(key: str) -> str:
    """Without spaces: "kizil adir" and "kiziladir" are one name."""
    return key.replace(" ", "")
