"""The eligibility pre-check as a conversation: only the questions the answers so far make relevant, a
summary to confirm, then the result with the paragraph behind every reason.

Button ids: `elig` (start), `elig:a:<value>` (an answer to the question being asked), `elig:back`,
`elig:restart`, `elig:go` (the result, from the summary), `elig:src` (the result's reasons with their
paragraphs and sources), `elig:docs` (the documents checklist).
State `elig` keeps the answers, the order they were given in (for "back") and the question asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bot import places
from bot.content.regions import find_region, region, regions
from bot.content.sources import cite_parts
from bot.content.yearly import TRACK_CATEGORY, quota
from bot.context import Conversation
from bot.conversation import Button
from bot.eligibility.answers import parse_number, parse_when, span_of
from bot.eligibility.evaluator import INFO, SEVERITY, Result, add_months, evaluate, load_ruleset
from bot.eligibility.profile import Profile
from bot.eligibility.render import OUTCOMES, Renderer, holder_label, shown_region
from bot.faq.search import is_question
from bot.i18n import N_, typed_as
from bot.router import NotUnderstood, Router
from bot.storage.models import EligibilityResult
from handlers import tracking
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
FAMILY_CITIZENSHIP = [  # about the family member, not the person answering
    ("kz", N_("Citizen of Kazakhstan")),
    ("foreign", N_("Citizen of another country")),
    ("stateless", N_("Has no citizenship")),
]
KINSHIP = [
    ("spouse", N_("Spouse")),
    ("parent", N_("My parent")),
    ("child", N_("My child (also adopted)")),
    ("sibling", N_("My brother or sister")),
    ("other", N_("Another relative")),
]
EMPLOYMENT = [
    ("unemployed", N_("Unemployed")),
    ("job_seeker", N_("Looking for a job")),
    ("employed", N_("Working")),
    ("student", N_("Studying")),
    ("other", N_("Other")),
]
SHORT_LABELS = {
    N_("Citizen of Kazakhstan"): N_("Kazakhstan citizen"),
    N_("Citizen of another country"): N_("Foreign citizen"),
    N_("My child (also adopted)"): N_("My child"),
    N_("My brother or sister"): N_("Brother or sister"),
}
BACK, START_OVER = N_("Back"), N_("Start over")
MAX_RESULT = 1000  # characters: the result fits one phone screen, in every language


@dataclass(frozen=True)
class Question:
    """One question: its answer's key, the text, the kind of answer, and when it is worth asking."""

    key: str
    text: str
    kind: str  # choice | when | region | count
    relevant: Callable[[dict, dt.date], bool]  # (the answers so far, the person's today)
    options: tuple[tuple[str, str], ...] = ()
    # for `when`: a vague answer ("5 months ago") is kept as its earliest possible day (a window that closes)
    # or its latest (a period that must be long enough), so a date computed from it is never too generous
    earliest: bool = True


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
    graduated = answers.get("graduated_on")
    if answers.get("serpin_graduate") != "yes" or not isinstance(graduated, str):
        return False
    return add_months(span_of(graduated).earliest, window) >= day


def registration_asked(answers: dict, day: dt.date) -> bool:
    """From 2026 the status must be registered at the career centre: asked when the person has that status."""
    rule = load_ruleset().rules.book(day).rule("in_migrant.employment")
    return bool(rule.params.registered) and answers.get("employment_status") in (rule.params.statuses or [])


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
        "graduated_on",
        N_("When did you graduate? Send the date (30.06.2025) or the month (06.2025, «June 2025»)."),
        "when",
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
        "registered_since",
        N_(
            "Since when have you been permanently registered in the region you are moving from? Send the date "
            "(01.09.2024), the month (09.2024, «September 2024») or how long («2 years»)."
        ),
        "when",
        lambda a, day: (
            migrant_here(a) and not serpin_open(a, day) and a.get("has_permanent_registration_departure") == "yes"
        ),
        earliest=False,
    ),
    Question(
        "moved_on",
        N_(
            "When did you move to the new region? Send the date (01.02.2026), the month (02.2026, «February "
            "2026») or how long ago («3 months ago»)."
        ),
        "when",
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
        "registered_at_career_centre",
        N_("Are you registered at the career centre (employment centre) as unemployed or as a job seeker?"),
        "choice",
        lambda a, day: track_of(a) == "in_migrant" and registration_asked(a, day),
        tuple(YES_NO),
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
    Question("kinship", N_("Family member №{number}: who is this to you?"), "choice", always, tuple(KINSHIP)),
    Question(
        "citizenship",
        N_("Family member №{number}: what is their citizenship?"),
        "choice",
        always,
        tuple(FAMILY_CITIZENSHIP),
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
    row = [Button("elig:back", ctx._(BACK))] if history else []
    return [row + [Button("elig:restart", ctx._(START_OVER))]]


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
        short = {value: SHORT_LABELS.get(option) for value, option in question.options}
        values = [
            value
            for value, option in question.options
            if text.strip() == value or typed_as(text, option, *filter(None, [short[value]]))
        ]
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
        when = parse_when(text, ctx.today)
        if when is not None:
            return answer(ctx, when.stored(question.earliest))
        problem = ctx._(
            "Please send a past date like 15.03.2025, a month like 09.2025 or «September 2025», or how long "
            "ago («5 months»)."
        )
    if pressed:
        raise NotUnderstood("button")
    if is_question(text):
        raise NotUnderstood("text")  # a question, not an answer: answered (handlers/faq.py), then asked again
    ask(ctx, answers, history, note=problem)


# --- summary and result -------------------------------------------------------------------------------


def shown_answer(ctx: Conversation, question: Question, value) -> str:
    if question.kind == "choice":
        return ctx._(dict(question.options)[value])
    if question.kind == "region":
        return shown_region(value, ctx.language)
    if question.kind == "when":
        span = span_of(value)
        return ctx.t.date(span.earliest) if span.exact else ctx.t.month(span.earliest)
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
    """One phone screen (at most MAX_RESULT characters): the verdict, the reasons that decide it, where to
    apply and the next step. Reasons that only explain, the steps of the path and every paragraph behind them
    are under "Sources"."""
    head = [ctx._("Result: {outcome}").format(outcome=ctx._(OUTCOMES[result.outcome]))]
    if result.path:
        head.append(ctx._("Path: {path}").format(path=renderer.path_name(result.path)))
    tail = []
    if result.where_to_apply:
        tail += ["", ctx._("Where to apply: {places}").format(places=renderer.places(result.where_to_apply))]
    steps = renderer.next_steps(result, with_path=False) or [ctx._(NEXT_WHEN_ELIGIBLE)]
    tail += ["", ctx._("Next step: {step}").format(step=steps[0])]
    tail += ["", ctx._("A pre-check, not the decision. The paragraphs behind each answer: Sources.")]
    # the reasons that decide, the most decisive first (the outcome's own before what only adds to it)
    weight = {effect: rank for rank, effect in enumerate(SEVERITY)}
    deciding = sorted(
        (reason for reason in result.reasons if reason.effect != INFO), key=lambda r: -weight.get(r.effect, -1)
    )
    room = MAX_RESULT - len("\n".join(head + ["", ctx._("Why:")] + tail)) - 60
    why = []
    for number, reason in enumerate(deciding):
        line = "• " + renderer.reason_text(reason)
        if len(line) + 1 > room:
            left = len(deciding) - number
            why.append(
                ctx.ngettext(
                    "…and {n} more reason under Sources.", "…and {n} more reasons under Sources.", left
                ).format(n=left)
            )
            break
        why.append(line)
        room -= len(line) + 1
    middle = ["", ctx._("Why:"), *why] if why else []
    return "\n".join(head + middle + tail)


NEXT_WHEN_ELIGIBLE = N_("Gather the documents (Documents checklist below) and apply at one of the places above.")


def sources_text(ctx: Conversation, renderer: Renderer, result: Result) -> str:
    """Every reason with the paragraph and the documents behind it (titles, no line numbers), and the steps."""
    lines = [ctx._("Why, paragraph by paragraph:")]
    documents: list[str] = []
    for reason in result.reasons:
        lines.append(f"• {renderer.reason_text(reason)}\n  ({renderer.cite(reason)})")
        documents += renderer.documents_cited(reason)
    if result.path and result.outcome in ("eligible", "needs_more_info"):
        lines += ["", ctx._("How it goes:"), renderer.book.paths[result.path].steps(ctx.language)]
    lines += ["", ctx._("Rules version: {version}").format(version=renderer.book.version.title(ctx.language))]
    lines.append(ctx._("Sources: {sources}").format(sources="; ".join(dict.fromkeys(documents))))
    return "\n".join(lines)


def package_button_id(track: str | None, profile: Profile) -> str:
    """Opens the package already filled with what the check learnt (`pkg:for:<track>:<from>:<to>`), or the
    package's own questions when the check did not get that far."""
    if track not in ("in_migrant", "kandas") or not profile.destination_region:
        return "pkg"
    origin = "abroad" if profile.location == "abroad" else profile.departure_region or ""
    return f"pkg:for:{track}:{origin}:{profile.destination_region}"


def checked(ctx: Conversation) -> tuple[Profile, Result, Renderer]:
    """The result of the answers in the state, on today's rules and quota, with words in the person's language."""
    day = ctx.today
    ruleset = load_ruleset()
    profile = profile_of(ctx.data.get("answers", {}), day)
    result = evaluate(profile, ruleset, quota(day.year), day)
    return profile, result, Renderer(ruleset, ruleset.rules.book(day), ctx.t)


async def show_result(ctx: Conversation, keep: bool = True) -> None:
    """The result of the answers in the state; `keep` stores it (with consent), not when it is shown again."""
    answers = ctx.data.get("answers", {})
    profile, result, renderer = checked(ctx)
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
        lives_in = answers.get("destination_region" if answers.get("already_moved") == "yes" else "departure_region")
        places.settle(ctx.contact, lives_in)
    ctx.goto(STATE, answers=answers, history=ctx.data.get("history", []), asking="done", path=result.path)
    buttons = [[Button("elig:src", ctx._("Sources"))]]
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
    if result.outcome == "eligible" and ctx.has_consent:
        buttons.append([tracking.track_button(ctx)])
    buttons += [[Button("elig:restart", ctx._("Check again"))], [Button("menu", ctx._("Menu"))]]
    ctx.say(result_text(ctx, renderer, result), buttons)


def show_sources(ctx: Conversation) -> None:
    _profile, result, renderer = checked(ctx)
    ctx.say(sources_text(ctx, renderer, result), [[Button("elig:result", ctx._("Back to the result"))]])


def show_documents(ctx: Conversation) -> None:
    answers, path = ctx.data.get("answers", {}), ctx.data.get("path")
    ruleset = load_ruleset()
    lines = [ctx._("Documents to bring (complete and valid, or the application is not accepted):")]
    for need in ruleset.documents.needs_for(path, answers.get("family_count", 0)):
        lines.append(
            f"• {need.document.name(ctx.language)} — {holder_label(need.holder, ctx.t)}"
            f" ({cite_parts(need.source, ctx.language)[0]})"
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
    if action == "src" and in_check and ctx.data.get("asking") == "done":
        return show_sources(ctx)
    if action == "result" and in_check and ctx.data.get("asking") == "done":
        return await show_result(ctx, keep=False)
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
    if question is None and ctx.data.get("asking") not in (None, "summary", "done"):
        return await ask_again(ctx)  # a question saved before it changed (months became a date): ask what is next
    if question is None:
        raise NotUnderstood("text")
    for control, label in (("back", BACK), ("restart", START_OVER)):
        if typed_as(text, label):  # the label typed, in any language, works as the button
            return await eligibility_button(ctx, control)
    accept(ctx, question, text, pressed=False)


router.menu("elig", N_("Eligibility check"), order=20)
