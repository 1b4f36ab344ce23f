"""The eligibility pre-check as a conversation: only the questions the answers so far make relevant, a
summary to confirm, then the result with the paragraph behind every reason.

Button ids: `elig` (start), `elig:a:<value>` (an answer to the question being asked), `elig:back`,
`elig:restart`, `elig:go` (the result, from the summary), `elig:docs` (the documents checklist).
State `elig` keeps the answers, the order they were given in (for "back") and the question asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bot.content.regions import find_region, region, regions
from bot.content.sources import cite
from bot.content.yearly import TRACK_CATEGORY, quota
from bot.context import Conversation
from bot.conversation import Button
from bot.eligibility.answers import parse_months_since, parse_number
from bot.eligibility.evaluator import Result, evaluate, load_ruleset
from bot.eligibility.profile import Profile
from bot.eligibility.render import OUTCOMES, Renderer, holder_label, shown_region
from bot.i18n import N_
from bot.router import NotUnderstood, Router
from bot.storage.models import EligibilityResult
from handlers.region_choice import offer_candidates, region_rows

router = Router()
STATE = "elig"
MAX_FAMILY = 15
YES_NO = [("yes", N_("Yes")), ("no", N_("No"))]
CITIZENSHIP = [
    ("kz", N_("Citizen of Kazakhstan")),
    ("foreign", N_("Citizen of another country")),
    ("stateless", N_("Stateless")),
]
KINSHIP = [
    ("spouse", N_("Spouse")),
    ("parent", N_("My parent")),
    ("child", N_("My child (also adopted)")),
    ("sibling", N_("My brother or sister")),
    ("other", N_("Another relative")),
]
EMPLOYMENT = [
    ("unemployed", N_("Registered as unemployed")),
    ("job_seeker", N_("Registered as a job seeker")),
    ("employed", N_("Working")),
    ("student", N_("Studying")),
    ("other", N_("Other")),
]
SHORT_LABELS = {
    N_("Citizen of Kazakhstan"): N_("Kazakhstan citizen"),
    N_("Citizen of another country"): N_("Foreign citizen"),
    N_("My child (also adopted)"): N_("My child"),
    N_("My brother or sister"): N_("Brother or sister"),
    N_("Registered as unemployed"): N_("Unemployed"),
    N_("Registered as a job seeker"): N_("Job seeker"),
}


@dataclass(frozen=True)
class Question:
    """One question: its answer's key, the text, the kind of answer, and when it is worth asking."""

    key: str
    text: str
    kind: str  # choice | months | region | count
    relevant: Callable[[dict, dt.date], bool]  # (the answers so far, the person's today)
    options: tuple[tuple[str, str], ...] = ()


def always(answers: dict, day: dt.date) -> bool:
    return True


def track_of(answers: dict) -> str | None:
    if answers.get("citizenship") == "kz":
        return "in_migrant"
    if answers.get("citizenship") in ("foreign", "stateless") and answers.get("nationality") == "kazakh":
        return "kandas"
    return None


def in_country(answers: dict) -> bool:
    return answers.get("location") == "in_kz"


def serpin_open(answers: dict, day: dt.date) -> bool:
    window = load_ruleset().rules.book(day).rule("in_migrant.serpin").params.months
    return answers.get("serpin_graduate") == "yes" and answers.get("months_since_graduation", window + 1) <= window


def migrant_here(answers: dict) -> bool:
    return track_of(answers) == "in_migrant" and in_country(answers)


QUESTIONS = [
    Question("citizenship", N_("What is your citizenship?"), "choice", always, tuple(CITIZENSHIP)),
    Question(
        "nationality",
        N_("Are you an ethnic Kazakh (of Kazakh nationality)?"),
        "choice",
        lambda a, day: a.get("citizenship") in ("foreign", "stateless"),
        (("kazakh", N_("Yes")), ("other", N_("No"))),
    ),
    Question(
        "location",
        N_("Where do you live now?"),
        "choice",
        lambda a, day: track_of(a) is not None,
        (("in_kz", N_("In Kazakhstan")), ("abroad", N_("Abroad"))),
    ),
    Question(
        "kandas_status",
        N_("Have you received the status of kandas?"),
        "choice",
        lambda a, day: track_of(a) == "kandas" and in_country(a),
        (("yes", N_("Yes")), ("applied", N_("Applied, waiting")), ("no", N_("No"))),
    ),
    Question(
        "has_consent_decision",
        N_("Do you already have a decision of consent to inclusion in the quota (applied from abroad)?"),
        "choice",
        lambda a, day: track_of(a) == "kandas" and (a.get("location") == "abroad" or a.get("kandas_status") == "yes"),
        tuple(YES_NO),
    ),
    Question(
        "serpin_graduate",
        N_("Are you a graduate of the Serpin project (Mangilik El Zhastary — Industriyaga)?"),
        "choice",
        lambda a, day: migrant_here(a),
        tuple(YES_NO),
    ),
    Question(
        "months_since_graduation",
        N_("When did you graduate? Send the date (for example 30.06.2025) or the number of months since then."),
        "months",
        lambda a, day: migrant_here(a) and a.get("serpin_graduate") == "yes",
    ),
    Question(
        "already_moved",
        N_("Have you already moved to the new region on your own?"),
        "choice",
        lambda a, day: migrant_here(a) and not serpin_open(a, day),
        tuple(YES_NO),
    ),
    Question(
        "departure_region",
        N_("Which region are you moving from? Type its name or choose below."),
        "region",
        lambda a, day: migrant_here(a),
    ),
    Question(
        "has_permanent_registration_departure",
        N_("Do you have permanent registration in the region you are moving from?"),
        "choice",
        lambda a, day: migrant_here(a) and not serpin_open(a, day) and a.get("already_moved") == "no",
        tuple(YES_NO),
    ),
    Question(
        "months_resident_departure",
        N_(
            "Since when have you lived in the region you are moving from? Send the date (for example 01.09.2024) "
            "or the number of months."
        ),
        "months",
        lambda a, day: (
            migrant_here(a) and not serpin_open(a, day) and a.get("has_permanent_registration_departure") == "yes"
        ),
    ),
    Question(
        "months_in_reception_region",
        N_("Since when have you lived in the new region? Send the date (e.g. 01.02.2026) or the number of months."),
        "months",
        lambda a, day: migrant_here(a) and not serpin_open(a, day) and a.get("already_moved") == "yes",
    ),
    Question(
        "destination_region",
        N_("Which region are you moving to? Regions with a quota this year are below; you can also type a name."),
        "region",
        lambda a, day: track_of(a) is not None,
    ),
    Question(
        "employment_status",
        N_("What is your employment status?"),
        "choice",
        lambda a, day: track_of(a) == "in_migrant",
        tuple(EMPLOYMENT),
    ),
    Question(
        "family_count",
        N_("How many family members move with you? Send a number (0 if none)."),
        "count",
        lambda a, day: track_of(a) is not None,
    ),
    Question(
        "submitter_is_adult",
        N_("Are you 18 or older?"),
        "choice",
        lambda a, day: track_of(a) is not None,
        tuple(YES_NO),
    ),
    Question(
        "owns_dwelling_in_destination",
        N_("Do you (or a family member moving with you) own a home in the place you are moving to?"),
        "choice",
        lambda a, day: track_of(a) is not None,
        tuple(YES_NO),
    ),
    Question(
        "previous_participation",
        N_("Have you been included in the regional quota before?"),
        "choice",
        lambda a, day: track_of(a) is not None,
        tuple(YES_NO),
    ),
]
FAMILY_QUESTIONS = [
    Question("kinship", N_("Family member {number}: who is this to you?"), "choice", always, tuple(KINSHIP)),
    Question(
        "citizenship",
        N_("Family member {number}: what is their citizenship?"),
        "choice",
        always,
        tuple(CITIZENSHIP),
    ),
]


def family_questions(answers: dict) -> list[tuple[str, Question]]:
    """For a kandas, each family member's kinship and citizenship (the Rules limit both); keys `f1.kinship`."""
    if track_of(answers) != "kandas":
        return []
    return [
        (f"f{number}.{question.key}", question)
        for number in range(1, answers.get("family_count", 0) + 1)
        for question in FAMILY_QUESTIONS
    ]


def all_questions(answers: dict, day: dt.date) -> list[tuple[str, Question]]:
    plain = [(question.key, question) for question in QUESTIONS if question.relevant(answers, day)]
    position = next((index for index, (key, _) in enumerate(plain) if key == "family_count"), len(plain)) + 1
    return plain[:position] + family_questions(answers) + plain[position:]


def next_question(answers: dict, day: dt.date) -> tuple[str, Question] | None:
    return next(((key, question) for key, question in all_questions(answers, day) if key not in answers), None)


def profile_of(answers: dict, day: dt.date) -> Profile:
    """The profile the evaluator reads, from the answers that are still relevant on `day`."""
    relevant = {key: answers[key] for key, _ in all_questions(answers, day) if key in answers}
    fields: dict = {}
    for key, value in relevant.items():
        if (key.startswith("f") and "." in key) or key == "family_count":
            continue
        if value in ("yes", "no") and key != "kandas_status":
            fields[key] = value == "yes"
        else:
            fields[key] = value
    count = relevant.get("family_count", 0)
    fields["family_members"] = [
        {name: relevant[f"f{n}.{name}"] for name in ("kinship", "citizenship") if f"f{n}.{name}" in relevant}
        for n in range(1, count + 1)
    ]
    return Profile.model_validate(fields)


# --- asking -------------------------------------------------------------------------------------------


def label(ctx: Conversation, text: str) -> tuple[str, str | None]:
    short = SHORT_LABELS.get(text)
    return ctx._(text), ctx._(short) if short else None


def controls(ctx: Conversation, history: list) -> list[list[Button]]:
    row = [Button("elig:back", ctx._("Back"))] if history else []
    return [row + [Button("elig:restart", ctx._("Start over"))]]


def region_buttons(ctx: Conversation, key: str, answers: dict) -> list[list[Button]]:
    if key == "destination_region":
        year = quota(ctx.today.year)
        track = track_of(answers)
        ids = year.receiving(TRACK_CATEGORY[track]) if year and track else []
    else:
        ids = [candidate.id for candidate in regions()]
    return region_rows(ctx, "elig:a:", ids)


def ask(ctx: Conversation, answers: dict, history: list, note: str | None = None) -> None:
    found = next_question(answers, ctx.today)
    if found is None:
        return show_summary(ctx, answers, history)
    key, question = found
    ctx.goto(STATE, answers=answers, history=history, asking=key)
    number = key[1:].partition(".")[0] if key.startswith("f") and "." in key else ""
    text = ctx._(question.text).format(number=number)
    if question.kind == "choice":
        buttons = [[Button(f"elig:a:{value}", *label(ctx, text_))] for value, text_ in question.options]
    elif question.kind == "region":
        buttons = region_buttons(ctx, key, answers)
    elif question.kind == "count":
        buttons = [[Button(f"elig:a:{n}", str(n)) for n in range(4)]]
    else:
        buttons = []
    ctx.say(f"{note}\n\n{text}" if note else text, buttons + controls(ctx, history))


def start(ctx: Conversation) -> None:
    ctx.say(
        ctx._(
            "Eligibility pre-check for the regional quota. I ask only what matters for you and show the rule "
            "behind every answer. This is not the decision: the commission and the akimat decide."
        )
    )
    ask(ctx, {}, [])


def answer(ctx: Conversation, value) -> None:
    answers, history = dict(ctx.data.get("answers", {})), list(ctx.data.get("history", []))
    key = ctx.data["asking"]
    answers[key] = value
    history.append(key)
    ask(ctx, answers, history)


def current_question(ctx: Conversation) -> Question | None:
    key = ctx.data.get("asking") if ctx.state == STATE else None
    return dict(all_questions(ctx.data.get("answers", {}), ctx.today)).get(key) if key else None


def accept(ctx: Conversation, question: Question, text: str, pressed: bool) -> None:
    """Checks an answer (a button's value or typed text) against the question; asks again politely if wrong."""
    answers, history = ctx.data.get("answers", {}), ctx.data.get("history", [])
    if question.kind == "choice":
        typed = text.strip().lower()
        values = [value for value, option in question.options if typed in (value, ctx._(option).lower())]
        if values:
            return answer(ctx, values[0])
        problem = ctx._("Please choose one of the answers below.")
    elif question.kind == "region":
        found = region(text) if pressed else find_region(text)
        if found is not None:
            return answer(ctx, found.id)
        if not pressed and offer_candidates(ctx, text, "elig:a:", controls(ctx, history)):
            return
        problem = ctx._("I could not find that region. Type its name again or choose below.")
    elif question.kind == "count":
        number = parse_number(text, MAX_FAMILY)
        if number is not None:
            return answer(ctx, number)
        problem = ctx._("Please send a whole number from 0 to {largest}.").format(largest=MAX_FAMILY)
    else:
        months = parse_months_since(text, ctx.today)
        if months is not None:
            return answer(ctx, months)
        problem = ctx._("Please send a past date like 15.03.2025 (day.month.year) or a whole number of months.")
    if pressed:
        raise NotUnderstood("button")
    ask(ctx, answers, history, note=problem)


# --- summary and result -------------------------------------------------------------------------------


def shown_answer(ctx: Conversation, question: Question, value) -> str:
    if question.kind == "choice":
        return ctx._(dict(question.options)[value])
    if question.kind == "region":
        return shown_region(value, ctx.language)
    if question.kind == "months":
        return ctx.ngettext("{n} month", "{n} months", value).format(n=value)
    return str(value)


def show_summary(ctx: Conversation, answers: dict, history: list) -> None:
    ctx.goto(STATE, answers=answers, history=history, asking="summary")
    lines = [ctx._("Your answers:")]
    for key, question in all_questions(answers, ctx.today):
        number = key[1:].partition(".")[0] if key.startswith("f") and "." in key else ""
        asked = ctx._(question.text).format(number=number).split("?")[0]
        lines.append(f"• {asked}? — {shown_answer(ctx, question, answers[key])}")
    buttons = [[Button("elig:go", ctx._("Show the result"))]] + controls(ctx, history)
    ctx.say("\n".join(lines), buttons)


def result_text(ctx: Conversation, renderer: Renderer, result: Result) -> str:
    lines = [ctx._("Result: {outcome}").format(outcome=ctx._(OUTCOMES[result.outcome]))]
    if result.path:
        lines.append(ctx._("Path: {path}").format(path=renderer.path_name(result.path)))
    lines += ["", ctx._("Why:")]
    for reason in result.reasons:
        sources = "; ".join(cite(source, ctx.language) for source in renderer.book.rule(reason.rule).sources)
        lines.append(f"• {renderer.reason_text(reason)}\n  ({renderer.cite(reason)} — {sources})")
    if result.where_to_apply:
        lines += ["", ctx._("Where to apply:")]
        lines += [f"• {renderer.office(place.office, place.region)}" for place in result.where_to_apply]
    steps = renderer.next_steps(result)
    if steps:
        lines += ["", ctx._("Next steps:")] + [f"• {step}" for step in steps]
    lines += ["", ctx._("Rules version: {version}").format(version=renderer.book.version.title(ctx.language))]
    return "\n".join(lines)


def package_button_id(track: str | None, profile: Profile) -> str:
    """Opens the package already filled with what the check learnt (`pkg:for:<track>:<from>:<to>`), or the
    package's own questions when the check did not get that far."""
    if track not in ("in_migrant", "kandas") or not profile.destination_region:
        return "pkg"
    origin = "abroad" if profile.location == "abroad" else profile.departure_region or ""
    return f"pkg:for:{track}:{origin}:{profile.destination_region}"


async def show_result(ctx: Conversation, keep: bool = True) -> None:
    """The result of the answers in the state; `keep` stores it (with consent), not when it is shown again."""
    answers = ctx.data.get("answers", {})
    day = ctx.today
    ruleset = load_ruleset()
    profile = profile_of(answers, day)
    result = evaluate(profile, ruleset, quota(day.year), day)
    renderer = Renderer(ruleset, ruleset.rules.book(day), ctx.t)
    if keep and ctx.has_consent:
        ctx.session.add(
            EligibilityResult(
                contact_id=ctx.contact.id,
                rules_version=result.rules_version,
                outcome=result.outcome,
                answers=answers,
                result=result.as_data(),
            )
        )
    ctx.goto(STATE, answers=answers, history=ctx.data.get("history", []), asking="done", path=result.path)
    buttons = []
    if result.path:
        buttons.append([Button("elig:docs", ctx._("Documents checklist"), ctx._("Documents"))])
    if "pkg" in ctx.router.buttons:
        buttons.append(
            [
                Button(
                    package_button_id(result.track, profile),
                    ctx._("Pre-departure package for the region"),
                    ctx._("Package"),
                )
            ]
        )
    buttons += [[Button("elig:restart", ctx._("Check again"))], [Button("menu", ctx._("Menu"))]]
    ctx.say(result_text(ctx, renderer, result), buttons)


def show_documents(ctx: Conversation) -> None:
    answers, path = ctx.data.get("answers", {}), ctx.data.get("path")
    ruleset = load_ruleset()
    lines = [ctx._("Documents to bring (complete and valid, or the application is not accepted):")]
    for need in ruleset.documents.needs_for(path, answers.get("family_count", 0)):
        lines.append(
            f"• {need.document.name(ctx.language)} — {holder_label(need.holder, ctx.t)}"
            f" ({cite(need.source, ctx.language)})"
        )
    ctx.say("\n".join(lines), [[Button("elig:restart", ctx._("Check again"))], [Button("menu", ctx._("Menu"))]])


# --- routing ------------------------------------------------------------------------------------------


@router.button("elig")
async def eligibility_button(ctx: Conversation, argument: str) -> None:
    action, _, value = argument.partition(":")
    in_check = ctx.state == STATE
    if action in ("", "restart"):
        return start(ctx)
    if action == "a" and (question := current_question(ctx)) is not None:
        return accept(ctx, question, value, pressed=True)
    if action == "back" and in_check and ctx.data.get("history"):
        answers, history = dict(ctx.data["answers"]), list(ctx.data["history"])
        answers.pop(history.pop())
        return ask(ctx, answers, history)
    if action == "go" and in_check and ctx.data.get("asking") == "summary":
        return await show_result(ctx)
    if action == "docs" and in_check and ctx.data.get("path"):
        return show_documents(ctx)
    raise NotUnderstood("button")


@router.reask(STATE)
async def ask_again(ctx: Conversation) -> None:
    """The question being asked, the summary or the result, again (after /lang, in the new language)."""
    asking = ctx.data.get("asking")
    if asking == "done":
        return await show_result(ctx, keep=False)
    ask(ctx, dict(ctx.data.get("answers", {})), list(ctx.data.get("history", [])))


@router.state(STATE)
async def eligibility_text(ctx: Conversation, text: str) -> None:
    question = current_question(ctx)
    if question is None:
        raise NotUnderstood("text")
    accept(ctx, question, text, pressed=False)


router.menu("elig", N_("Eligibility check"), order=20)
