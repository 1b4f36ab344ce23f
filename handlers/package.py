"""The pre-departure package: a few questions (track; regions, or for work abroad the country; household),
then the person's own package section by section, as a PDF, and their documents checklist.

Button ids: `pkg:<action>[:<value>]` (`pkg:back` goes one question back). The profile being built and the
profile read are kept in the conversation state; with consent the profile, reading position and ticks are also
stored for good. Every choice can also be typed: its label in any of the three languages, a region's or a
country's name.
"""

from __future__ import annotations

from bot import places
from bot.content.regions import find_region, region, regions
from bot.content.yearly import TRACK_CATEGORY, quota
from bot.context import Conversation
from bot.conversation import Button
from bot.faq.search import is_question
from bot.i18n import N_, typed_as
from bot.package import store
from bot.package.library import (
    HOUSEHOLD_NAMES,
    PackageSection,
    Profile,
    assemble,
    citations,
    countries,
    country,
    find_country,
    profile_data,
    profile_from,
    profile_summary,
    render_text,
)
from bot.package.pdf import pdf_document
from bot.package.schema import HOUSEHOLDS, TRACKS
from bot.router import NotUnderstood, Router
from handlers.region_choice import offer_candidates, region_rows

router = Router()
STATE = "package"
TRACK_LABELS = {
    "in_migrant": (N_("I am moving within Kazakhstan (in-migrant)"), N_("Within Kazakhstan")),
    "kandas": (N_("I am a kandas (ethnic Kazakh)"), N_("Kandas")),
    "abroad": (N_("I am going abroad to work"), N_("Work abroad")),
}
HOUSEHOLD_LABELS = {
    "children": (N_("We have children"), HOUSEHOLD_NAMES["children"]),
    "single_parent": (N_("I raise children alone"), HOUSEHOLD_NAMES["single_parent"]),
    "woman_alone": (N_("I am a woman moving on my own"), HOUSEHOLD_NAMES["woman_alone"]),
}
# Going abroad the sources have parts for children (who stays with them, their papers), none for a woman alone.
ABROAD_HOUSEHOLDS = ("children", "single_parent")
LIVE_ABROAD = N_("I live abroad")
DONE = N_("Done")
BACK = N_("Back")


def button(ctx: Conversation, button_id: str, labels: tuple[str, str]) -> Button:
    return Button(button_id, ctx._(labels[0]), ctx._(labels[1]))


def draft(ctx: Conversation) -> dict:
    return dict(ctx.data.get("draft") or {})


async def current_profile(ctx: Conversation) -> tuple[Profile, str | None] | None:
    if ctx.has_consent:
        saved = await store.load_profile(ctx.session, ctx.contact)
        if saved is not None:
            return saved
    if ctx.state == STATE and ctx.data.get("profile"):
        return profile_from(ctx.data["profile"]), ctx.data.get("position")
    return None


async def remember(ctx: Conversation, profile: Profile, position: str | None) -> None:
    """Keeps the profile in the conversation; with consent also for good, and says who the person is."""
    ctx.goto(STATE, profile=profile_data(profile), position=position)
    if ctx.has_consent:
        await store.save_profile(ctx.session, ctx.contact, profile, position)
        ctx.contact.kind = "labour_migrant" if profile.track == "abroad" else "relocant"
        if region(profile.origin or ""):
            ctx.contact.country, ctx.contact.region = "kz", profile.origin
            places.settle(ctx.contact, profile.origin)


# --- the questions ------------------------------------------------------------------------------------


def back_row(ctx: Conversation) -> list[Button]:
    return [Button("pkg:back", "◀ " + ctx._(BACK))]


def ask_track(ctx: Conversation) -> None:
    ctx.goto(STATE, draft={})
    ctx.say(
        ctx._("Let us put together your pre-departure package. Who are you?"),
        [[button(ctx, f"pkg:track:{track}", TRACK_LABELS[track])] for track in TRACKS] + [back_row(ctx)],
    )


def ask_origin(ctx: Conversation, answers: dict) -> None:
    ctx.goto(STATE, draft=answers, expect="origin")
    rows = []
    if answers["track"] == "kandas":
        rows.append([Button("pkg:orig:abroad", ctx._(LIVE_ABROAD))])
        question = ctx._("Where do you live now? If in Kazakhstan, type the name of your region.")
    else:
        question = ctx._("Which region are you moving from? Choose or type its name.")
        rows += region_rows(ctx, "pkg:orig:", [found.id for found in regions() if "origin_2021" in found.roles])
    ctx.say(question, rows + [back_row(ctx)])


def ask_destination(ctx: Conversation, answers: dict) -> None:
    if answers["track"] == "abroad":
        return ask_country(ctx, answers)
    ctx.goto(STATE, draft=answers, expect="destination")
    year_quota = quota(ctx.today.year)
    receiving = year_quota.receiving(TRACK_CATEGORY[answers["track"]]) if year_quota else []
    if receiving:
        question = ctx._(
            "Which region are you moving to? These regions receive people of your category in {year}; "
            "you may also type another region's name."
        ).format(year=year_quota.year)
    else:
        question = ctx._("Which region are you moving to? Type its name.")
    ctx.say(question, region_rows(ctx, "pkg:dest:", receiving) + [back_row(ctx)])


def ask_country(ctx: Conversation, answers: dict) -> None:
    ctx.goto(STATE, draft=answers, expect="destination")
    rows = [[Button(f"pkg:dest:{found.id}", found.name(ctx.language))] for found in countries() if found.offered]
    ctx.say(ctx._("Which country are you going to? Choose or type its name."), rows + [back_row(ctx)])


def household_choices(answers: dict) -> tuple[str, ...]:
    return ABROAD_HOUSEHOLDS if answers["track"] == "abroad" else HOUSEHOLDS


def ask_household(ctx: Conversation, answers: dict) -> None:
    ctx.goto(STATE, draft=answers, expect="household")
    chosen = set(answers.get("households", []))
    rows = []
    for tag in household_choices(answers):
        mark = "✅ " if tag in chosen else ""
        label, short = HOUSEHOLD_LABELS[tag]
        rows.append([Button(f"pkg:hh:{tag}", mark + ctx._(label), mark + ctx._(short))])
    rows.append([Button("pkg:hh:done", ctx._(DONE))])
    ctx.say(ctx._("Does any of this apply to you? Tap all that apply, then Done."), rows + [back_row(ctx)])


def step_back(ctx: Conversation, answers: dict) -> None:
    """One question back: household → where to, where to → where from (or who, going abroad), where from → who,
    who → the menu. The answer of the question returned to is asked again."""
    expect = ctx.data.get("expect")
    track = answers.get("track")
    if expect == "household":
        return ask_destination(ctx, {key: answers[key] for key in ("track", "origin") if answers.get(key)})
    if expect == "destination" and track != "abroad":
        return ask_origin(ctx, {"track": track})
    if expect in ("origin", "destination"):
        return ask_track(ctx)
    ctx.show_menu()


async def finish_questions(ctx: Conversation, answers: dict) -> None:
    profile = profile_from(answers)
    await remember(ctx, profile, None)
    show_contents(ctx, profile, assemble(profile, today=ctx.today))


# --- reading ------------------------------------------------------------------------------------------


def show_contents(
    ctx: Conversation, profile: Profile, sections: list[PackageSection], intro: str = "", resume: int | None = None
) -> None:
    """The contents as buttons; with `resume`, a first button to go on from the section last read."""
    rows = [[Button(f"pkg:sec:{resume}", ctx._("Continue reading"))]] if resume is not None else []
    rows += [
        [Button(f"pkg:sec:{number}", f"{number + 1}. {section.title(ctx.language)}")]
        for number, section in enumerate(sections)
    ]
    rows.append([Button("pkg:pdf", ctx._("Download as PDF"), ctx._("PDF"))])
    if any(section.checklist for section in sections):
        rows.append([Button("pkg:ck", ctx._("My documents checklist"), ctx._("Checklist"))])
    rows.append([Button("pkg:redo", ctx._("Change my answers"), ctx._("Change answers"))])
    rows.append([Button("menu", ctx._("Main menu"))])
    heading = "\n".join(
        [*([intro] if intro else []), ctx._("Your pre-departure package"), *profile_summary(profile, ctx.language)]
    )
    ctx.say(heading + "\n\n" + ctx._("Contents — choose a section:"), rows)


def section_text(ctx: Conversation, profile: Profile, section: PackageSection, number: int, total: int) -> str:
    body = [
        render_text(item.text(ctx.language), profile, ctx.language, ctx.today)
        for item in section.items
        if not section.checklist
    ]
    if section.checklist:
        body.append(ctx._("Tick off each document in your checklist as you get it ready."))
        body += [render_text(item.text(ctx.language), profile, ctx.language, ctx.today) for item in section.items]
    if section.unknown is not None:
        body.append(render_text(section.unknown(ctx.language), profile, ctx.language, ctx.today))
    heading = f"{number + 1}/{total}. {section.title(ctx.language)}"
    text = heading + "\n\n" + "\n\n".join("• " + part for part in body)
    cited = citations(section, ctx.language, with_lines=False)
    if cited:
        text += "\n\n" + ctx._("Sources: {sources}").format(sources="; ".join(cited))
    return text


async def show_section(ctx: Conversation, profile: Profile, sections: list[PackageSection], number: int) -> None:
    if not 0 <= number < len(sections):
        raise NotUnderstood("button")
    section = sections[number]
    await remember(ctx, profile, section.id)
    navigation = []
    if number > 0:
        navigation.append(Button(f"pkg:sec:{number - 1}", "◀ " + ctx._("Back")))
    navigation.append(Button("pkg:toc", ctx._("Contents")))
    if number + 1 < len(sections):
        navigation.append(Button(f"pkg:sec:{number + 1}", ctx._("Next") + " ▶"))
    rows = [navigation]
    if section.checklist:
        rows.append([Button("pkg:ck", ctx._("My documents checklist"), ctx._("Checklist"))])
    ctx.say(section_text(ctx, profile, section, number, len(sections)), rows)


def checklist_items(sections: list[PackageSection]):
    return [item for section in sections if section.checklist for item in section.items]


async def show_checklist(ctx: Conversation, profile: Profile, sections: list[PackageSection]) -> None:
    items = checklist_items(sections)
    if not items:
        raise NotUnderstood("button")
    done = await store.ticked(ctx.session, ctx.contact) if ctx.has_consent else frozenset()
    count = sum(1 for item in items if item.id in done)
    lines = [ctx._("Documents ready: {done}/{n}").format(done=ctx.t.number(count), n=ctx.t.number(len(items)))]
    if not ctx.has_consent:
        lines.append(ctx._("Ticks are kept only with your consent to keep data (Privacy and consent in the menu)."))
    rows = []
    for number, item in enumerate(items, start=1):
        mark = "✅" if item.id in done else "⬜"
        text = render_text(item.text(ctx.language), profile, ctx.language, ctx.today)
        lines.append(f"{mark} {number}. {text}")
        rows.append([Button(f"pkg:tick:{item.id}", f"{mark} {number}")])
    rows.append([Button("pkg:toc", ctx._("Contents"))])
    ctx.say("\n".join(lines), rows)


# --- routing ------------------------------------------------------------------------------------------


@router.button("pkg")
async def package_button(ctx: Conversation, argument: str) -> None:
    action, _, value = argument.partition(":")
    if action == "":
        return await open_package(ctx)
    answers = draft(ctx)
    if action == "track" and value in TRACKS:
        answers = {"track": value}
        return ask_destination(ctx, answers) if value == "abroad" else ask_origin(ctx, answers)
    if action == "orig" and answers.get("track") in TRACK_CATEGORY and (value == "abroad" or region(value)):
        return ask_destination(ctx, {**answers, "origin": value})
    if action == "dest" and "track" in answers and (country(value) if answers["track"] == "abroad" else region(value)):
        return ask_household(ctx, {**answers, "destination": value})
    if action == "hh" and "track" in answers:
        if value == "done":
            return await finish_questions(ctx, answers)
        if value in household_choices(answers):
            chosen = set(answers.get("households", [])) ^ {value}
            return ask_household(ctx, {**answers, "households": sorted(chosen)})
    if action == "back" and ctx.state == STATE and "profile" not in ctx.data:
        return step_back(ctx, answers)
    if action == "for":
        return prefilled(ctx, value)
    if action == "redo":
        return ask_track(ctx)
    current = await current_profile(ctx)
    if current is None:
        return ask_track(ctx)  # an old button of a package no longer kept: start it again
    profile, _position = current
    sections = assemble(profile, today=ctx.today)
    if action == "toc":
        return show_contents(ctx, profile, sections)
    if action == "sec" and value.isdigit():
        return await show_section(ctx, profile, sections, int(value))
    if action == "pdf":
        return await send_pdf(ctx, profile)
    if action == "ck":
        return await show_checklist(ctx, profile, sections)
    if action == "tick" and value in {item.id for item in checklist_items(sections)}:
        return await tick(ctx, profile, sections, value)
    raise NotUnderstood("button")


router.menu("pkg", N_("Pre-departure package"), order=10)


def prefilled(ctx: Conversation, value: str) -> None:
    """`pkg:for:<track>:<from>:<to>` (from the eligibility result): only the household is left to ask."""
    track, _, regions_part = value.partition(":")
    origin, _, destination = regions_part.partition(":")
    if track not in TRACK_CATEGORY or not region(destination) or not (origin in ("", "abroad") or region(origin)):
        raise NotUnderstood("button")
    ask_household(ctx, {"track": track, "origin": origin or None, "destination": destination})


async def open_package(ctx: Conversation) -> None:
    current = await current_profile(ctx)
    if current is None:
        return ask_track(ctx)
    profile, position = current
    sections = assemble(profile, today=ctx.today)
    ids = [section.id for section in sections]
    await remember(ctx, profile, position)
    if position not in ids:
        return show_contents(ctx, profile, sections)
    resume = ids.index(position)
    intro = ctx._("Welcome back. You stopped at: {title}.").format(title=sections[resume].title(ctx.language))
    show_contents(ctx, profile, sections, intro, resume)


async def tick(ctx: Conversation, profile: Profile, sections: list[PackageSection], item_id: str) -> None:
    """Ticks or unticks an item; without consent nothing is kept and the checklist says so."""
    if ctx.has_consent:
        await store.toggle(ctx.session, ctx.contact, item_id)
    await show_checklist(ctx, profile, sections)


async def send_pdf(ctx: Conversation, profile: Profile) -> None:
    done = await store.ticked(ctx.session, ctx.contact) if ctx.has_consent else frozenset()
    filename = f"joldas-package-{profile.track}-{profile.destination or profile.origin or 'all'}-{ctx.language}.pdf"
    ctx.say(
        ctx._("Here is your package as a PDF: you can print it or read it offline."),
        [[Button("pkg:toc", ctx._("Contents"))]],
        document=pdf_document(filename, profile, ctx.language, ctx.today, done, ctx._("Your pre-departure package")),
    )


@router.reask(STATE)
async def ask_again(ctx: Conversation) -> None:
    """The question being asked, or the section or contents being read, again (after /lang)."""
    answers, expect = draft(ctx), ctx.data.get("expect")
    if ctx.data.get("profile"):
        profile, position = profile_from(ctx.data["profile"]), ctx.data.get("position")
        sections = assemble(profile, today=ctx.today)
        ids = [section.id for section in sections]
        if position in ids:
            return await show_section(ctx, profile, sections, ids.index(position))
        return show_contents(ctx, profile, sections)
    if "track" not in answers:
        return ask_track(ctx)
    asks = {"origin": ask_origin, "destination": ask_destination, "household": ask_household}
    asks.get(expect, ask_household)(ctx, answers)


def typed_choice(ctx: Conversation, text: str, answers: dict, expect: str | None) -> str | None:
    """The button id a typed text stands for at this step: a label in any language, a region or a country."""
    if typed_as(text, BACK):
        return "pkg:back"
    if "track" not in answers:
        return next((f"pkg:track:{track}" for track in TRACKS if typed_as(text, *TRACK_LABELS[track])), None)
    if expect == "household":
        if typed_as(text, DONE):
            return "pkg:hh:done"
        tags = household_choices(answers)
        return next((f"pkg:hh:{tag}" for tag in tags if typed_as(text, *HOUSEHOLD_LABELS[tag])), None)
    if expect == "destination" and answers["track"] == "abroad":
        found = find_country(text)
        return f"pkg:dest:{found.id}" if found else None
    if expect == "origin" and answers["track"] == "kandas" and typed_as(text, LIVE_ABROAD):
        return "pkg:orig:abroad"
    if expect in ("origin", "destination"):
        found = find_region(text)
        return f"pkg:{expect[:4]}:{found.id}" if found else None
    return None


@router.state(STATE)
async def typed_in_package(ctx: Conversation, text: str) -> None:
    """A typed answer works as its button; a region name that may mean several offers them; anything else is
    not understood here (the reading position is kept)."""
    answers, expect = draft(ctx), ctx.data.get("expect")
    if "profile" in ctx.data:
        raise NotUnderstood("text")
    chosen = typed_choice(ctx, text, answers, expect)
    if chosen is not None:
        return await package_button(ctx, chosen.removeprefix("pkg:"))
    if expect in ("origin", "destination") and answers.get("track") in TRACK_CATEGORY:
        if is_question(text):
            raise NotUnderstood("text")  # a question, not a region: answered (handlers/faq.py), then asked again
        prefix = "pkg:orig:" if expect == "origin" else "pkg:dest:"
        if not offer_candidates(ctx, text, prefix, [back_row(ctx)]):
            ctx.say(
                ctx._("I could not find a region by that name. Please type it again, for example “Pavlodar”."),
                [back_row(ctx)],
            )
        return
    if expect == "destination":
        if is_question(text):
            raise NotUnderstood("text")  # a question, not a country: answered, then asked again
        ctx.say(ctx._("I do not know that country. Choose below or type its name again."), [back_row(ctx)])
        return
    raise NotUnderstood("text")
