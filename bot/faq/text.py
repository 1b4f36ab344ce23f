"""What a typed question is made of, whatever script and language it came in.

Kazakh, Kyrgyz and Russian are brought to one plain Latin spelling before anything is compared: Cyrillic
through `kyrgyz-transliteration`'s everyday "English" scheme (the way Kyrgyz people write in Latin), after
the Kazakh letters it does not know are folded to their nearest Russian ones (қ→к, ә→а, ұ→у, і→и…);
Latin typed with the Kazakh 2021 alphabet or Turkish letters (q, ä, ğ, ş…) is folded to the same plain
Latin. So "құжаттар", "кужаттар", "qujattar" and "kuzhattar" all become "kujattar".

Endings are cut by truncation (the first letters of a word, trailing vowels dropped), which serves
agglutinative Kazakh and Kyrgyz and inflected Russian alike and needs no knowledge of which language a
word is in: "құжаттарымды" and "құжаттар" share "kujat", "квоту" and "квоты" share "kvot". Typos are met
by character n-grams and by correcting a word to the nearest known one (rapidfuzz).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_RUSSIAN
from kyrgyz_transliteration import ascii_key, builtin_names, to_latin

STEM_LENGTH = 5
MIN_STEM = 3
NGRAM = 3

# Kazakh letters the Kyrgyz scheme has no place for, folded to the Russian letters people type instead.
_KAZAKH = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ұ": "у", "һ": "х", "і": "и", "ё": "е"})
# Latin letters of the Kazakh 2021 alphabet, Turkish keyboards and loose typing, to plain Latin.
_LATIN = str.maketrans(
    {
        "ä": "a",
        "á": "a",
        "ğ": "g",
        "ǵ": "g",
        "q": "k",
        "ñ": "n",
        "ń": "n",
        "ö": "o",
        "ó": "o",
        "ū": "u",
        "ü": "u",
        "ú": "u",
        "ı": "y",
        "ş": "sh",
        "ç": "ch",
        "w": "v",
        "x": "h",
    }
)
_DIGRAPHS = (("zh", "j"), ("kh", "h"), ("shch", "sh"), ("dzh", "j"))
_WORD = re.compile(r"[a-z0-9]+")
_VOWELS = "aeiouy"

# Words that carry no topic: question words, pronouns, particles and "need" in each language. Kept short on
# purpose: a word that names a thing (money, documents, patent) must never be here.
_KAZAKH_STOP = (
    "мен сен ол біз сіз олар сендер және бен пен да де та те ма ме ба бе па пе ғой қалай қандай не неге неше",
    "нешеу қашан қайда қайдан кім кімге бар жоқ үшін деген керек керекпе маған саған оған бізге сізге менің",
    "сенің оның біздің сіздің мені сізді осы сол бұл ана ғана ше шы ші қой болады бола мүмкін білмеймін білемін",
)
_KYRGYZ_STOP = (
    "мен сен ал биз сиз алар силер жана менен дагы да бы би бу бү мы ми му мү пы пи пу пү го гонуу кантип",
    "кандай эмне эмнеге качан кайда кайдан ким кимге бар жок үчүн деген керек керекпи керекби мага сага ага",
    "бизге сизге менин сенин анын биздин сиздин мени сизди ушул ошол бул гана ээ чы чи болот болобу мүмкүнбү",
    "билбейм билем",
)
_RUSSIAN_STOP = (
    "нужно нужна нужны нужен надо можно ли как какие какой какая каких что где когда кто мне меня мой моя мои",
    "нам нас наш вам вас ваш ваши это этот эта есть скажите подскажите пожалуйста плз пж помоги помогите помочь",
    "помогут помогают ли вообще тебе тебя ты знаю знать знаете",
)


def fold(text: str) -> str:
    """The text in plain lower-case Latin, with Kazakh, Kyrgyz and Russian letters all mapped alike."""
    text = unicodedata.normalize("NFC", text).lower().translate(_KAZAKH)
    text = to_latin(text).lower().translate(_LATIN)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    return text


@lru_cache(maxsize=16384)
def words(text: str) -> tuple[str, ...]:
    """The words of a text, folded (cached: the index reads each content text several ways)."""
    return tuple(_WORD.findall(fold(text)))


def stem(word: str) -> str:
    """The first letters of a word, trailing vowels dropped: a crude, language-blind stem."""
    if word.isdigit():
        return word
    cut = word[:STEM_LENGTH]
    while len(cut) > MIN_STEM and cut[-1] in _VOWELS:
        cut = cut[:-1]
    return cut


@lru_cache
def stopwords() -> frozenset[str]:
    every = [*_KAZAKH_STOP, *_KYRGYZ_STOP, *_RUSSIAN_STOP, *STOPWORDS_RUSSIAN]
    return frozenset(word for text in every for word in words(text))


def stems(text: str) -> list[str]:
    """The words that carry meaning, stemmed; short words and stopwords are dropped."""
    return [stem(word) for word in words(text) if len(word) >= 2 and word not in stopwords()]


def ngrams(text: str) -> list[str]:
    """Character trigrams of each meaningful word, with its edges marked, for typos the stems miss."""
    grams = []
    for word in words(text):
        if len(word) < 3 or word in stopwords():
            continue
        padded = f"_{word}_"
        grams += [padded[start : start + NGRAM] for start in range(len(padded) - NGRAM + 1)]
    return grams


@lru_cache
def _name_keys() -> frozenset[str]:
    return frozenset(ascii_key(name) for name in builtin_names().words())


def is_name(word: str) -> bool:
    """A given name or surname from kyrgyz-transliteration's list (many are Kazakh names as well)."""
    return ascii_key(word.lower()) in _name_keys()


_CONTACT = re.compile(r"\S+@\S+|https?://\S+|\+?\d[\d\s()-]{4,}\d|\d+")


def strip_personal(text: str, known_words: frozenset[str], limit: int = 200) -> str:
    """A question as editors may see it: lower case, no digits, no e-mail or link, and no names: a word is
    dropped when it is a known given name or surname, or capitalised and unknown to the content."""
    kept = []
    for raw in _CONTACT.sub(" ", text).split():
        word = raw.strip(".,!?;:()«»\"'“”-—")
        if not word:
            continue
        folded = "".join(words(word))
        if is_name(word):
            continue
        if word[:1].isupper() and stem(folded) not in known_words:
            continue
        kept.append(word.lower())
    return " ".join(kept)[:limit]
