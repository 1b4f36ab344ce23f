"""Whatever a person sends, at any point of a conversation, gets a reply and raises nothing."""

import asyncio
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation import Incoming
from bot.engine import APOLOGY, Engine
from bot.i18n import USER_LANGUAGES
from bot.i18n import texts as catalogue
from bot.storage.database import Database
from handlers import build_router

KNOWN_BUTTONS = [
    *("lang", "lang:kk", "lang:ru", "lang:ky", "consent", "consent:yes", "consent:no", "menu", "help"),
    *("mydata", "forget", "forget:yes", "forget:no"),
    *("pkg", "pkg:track:in_migrant", "pkg:track:abroad", "pkg:orig:turkistan", "pkg:dest:pavlodar", "pkg:hh:children"),
    *("pkg:hh:done", "pkg:sec:0", "pkg:sec:3", "pkg:toc", "pkg:ck", "pkg:tick:passport_valid", "pkg:redo"),
    *("pkg:for:kandas:abroad:akmola", "elig", "elig:a:kz", "elig:a:in_kz", "elig:a:yes", "elig:a:no", "elig:back"),
    *("elig:restart", "elig:go", "elig:docs", "pkg:pdf"),
]
KNOWN_COMMANDS = ["/start", "/menu", "/help", "/lang", "/stop", "/mydata", "/forget"]

texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(KNOWN_COMMANDS).flatmap(lambda command: st.text(max_size=40).map(lambda tail: f"{command} {tail}")),
    st.text(alphabet="әғқңөұүһіЁё😀🇰🇿\u200b\n\t /", max_size=50),
    st.integers(min_value=1, max_value=200_000).map(lambda n: "ы" * n),
    st.none(),
)
buttons = st.one_of(
    st.sampled_from(KNOWN_BUTTONS),
    st.from_regex(r"[A-Za-z0-9_.:\-]{0,64}", fullmatch=True),
    st.text(max_size=80),
)
steps = st.lists(
    st.one_of(texts.map(lambda t: ("text", t)), buttons.map(lambda b: ("button", b))), min_size=1, max_size=8
)


APOLOGIES = {catalogue(language).gettext(APOLOGY) for language in USER_LANGUAGES}


def test_any_text_or_button_gets_a_reply(tmp_path):
    runner = asyncio.Runner()
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'property.db'}")
    runner.run(database.upgrade())
    engine = Engine(database, build_router())
    update_ids = itertools.count()
    people = itertools.count()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=steps, hint=st.sampled_from([None, "kk", "ru-RU", "ky", "en", "zz"]))
    def conversation(steps, hint):
        user = f"p{next(people)}"
        for kind, value in steps:
            incoming = Incoming(
                "console",
                user,
                str(next(update_ids)),
                language_hint=hint,
                **({"text": value} if kind == "text" else {"button": value}),
            )
            replies = runner.run(engine.handle(incoming))
            assert replies, f"no reply to {kind} {value!r}"
            assert all(reply.text.strip() for reply in replies)
            assert not APOLOGIES & {reply.text for reply in replies}, f"a handler failed on {kind} {value!r}"

    try:
        conversation()
    finally:
        runner.run(database.dispose())
        runner.close()
