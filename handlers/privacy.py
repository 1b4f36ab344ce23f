"""What is kept about a person: /mydata shows it, /forget deletes it, /stop turns notices off."""

from bot.content.regions import region_name
from bot.context import Conversation
from bot.conversation import Button
from bot.eligibility import store as checks
from bot.eligibility.render import OUTCOMES
from bot.i18n import LANGUAGE_NAMES, N_
from bot.package import store as package_store
from bot.package.library import profile_summary
from bot.router import Router
from bot.storage import repository
from handlers import notices, officials, places, returnees, tracking

router = Router()

KIND_LABELS = {
    "unknown": N_("not stated"),
    "relocant": N_("moving under the regional quota"),
    "labour_migrant": N_("labour migrant"),
    "returnee": N_("returned migrant"),
    "official": N_("official or focal point"),
}
COUNTRY_NAMES = {"kz": N_("Kazakhstan"), "kg": N_("Kyrgyzstan")}
SHOWN_RESULTS = 3


def consent_line(ctx: Conversation) -> str:
    contact = ctx.contact
    if contact.consent == "granted":
        return ctx._("given, on: {date}").format(date=ctx.t.date(contact.consent_at))
    if contact.consent == "declined":
        return ctx._("declined")
    return ctx._("not asked yet")


@router.command("mydata")
@router.button("mydata")
async def my_data(ctx: Conversation, _argument: str) -> None:
    contact = ctx.contact
    not_stated = ctx._("not stated")
    shown_region = region_name(contact.region, ctx.language) or contact.region
    country = ctx._(COUNTRY_NAMES[contact.country]) if contact.country in COUNTRY_NAMES else contact.country
    place = ", ".join(part for part in (contact.locality, contact.district, shown_region, country) if part)
    kept = await repository.what_is_kept(ctx.session, contact)
    notices_on = contact.status == "active" and contact.consent == "granted"  # declining means no notices
    lines = [
        ctx._("Everything Joldas keeps about you:"),
        "• " + ctx._("Messenger and account: {channel}, {id}").format(channel=contact.channel, id=contact.external_id),
        "• " + ctx._("Language: {name}").format(name=LANGUAGE_NAMES.get(contact.language or "", not_stated)),
        "• " + ctx._("Notices: {status}").format(status=ctx._("on") if notices_on else ctx._("off")),
        "• " + ctx._("Consent to keep data: {consent}").format(consent=consent_line(ctx)),
        "• " + ctx._("Who you are: {kind}").format(kind=ctx._(KIND_LABELS.get(contact.kind, KIND_LABELS["unknown"]))),
        *await officials.what_is_kept(ctx, kept.held),
        "• " + ctx._("Region: {region}").format(region=place or not_stated),
        *await places.what_is_kept(ctx),
        "• " + ctx._("First message: {date}").format(date=ctx.t.date(contact.created_at)),
        "• "
        + ctx.ngettext(
            "{n} entry in the log of your actions", "{n} entries in the log of your actions", kept.audit_entries
        ).format(n=ctx.t.number(kept.audit_entries)),
        *await what_features_keep(ctx, kept.held),
        "",
        ctx._("To delete all of it, send /forget."),
    ]
    ctx.say("\n".join(lines), ctx.menu_buttons())


async def what_features_keep(ctx: Conversation, held: frozenset[str]) -> list[str]:
    """The package profile and ticks, and the pre-checks kept: only with consent, so nothing without it.
    `held`: the kinds of record that hold anything of theirs (`repository.what_is_kept`)."""
    lines = []
    saved = await package_store.load_profile(ctx.session, ctx.contact) if "package" in held else None
    if saved is not None:
        profile, _position = saved
        summary = "; ".join(profile_summary(profile, ctx.language))
        lines.append("• " + ctx._("Pre-departure package: {summary}").format(summary=summary))
        ticks = len(await package_store.ticked(ctx.session, ctx.contact)) if "ticks" in held else 0
        lines.append("• " + ctx._("Documents ticked in the checklist: {n}").format(n=ctx.t.number(ticks)))
    total = await checks.count(ctx.session, ctx.contact) if "checks" in held else 0
    if total:
        lines.append(
            "• "
            + ctx.ngettext("{n} eligibility pre-check kept:", "{n} eligibility pre-checks kept:", total).format(
                n=ctx.t.number(total)
            )
        )
        for kept in await checks.latest(ctx.session, ctx.contact, SHOWN_RESULTS):
            outcome = ctx._(OUTCOMES.get(kept.outcome, kept.outcome))
            lines.append(f"  – {ctx.t.date(kept.created_at)}: {outcome} ({kept.rules_version})")
    lines += await returnees.what_is_kept(ctx, held) + await tracking.what_is_kept(ctx, held)
    return lines + await notices.what_is_kept(ctx, held)


router.menu("mydata", N_("My data"), order=90)


@router.command("forget")
@router.button("forget")
async def forget(ctx: Conversation, argument: str) -> None:
    """Deletes only after an explicit yes given to the question just asked, never on a stale button."""
    if argument == "yes" and ctx.state == "confirm_forget":
        await officials.forgotten(ctx)  # a role is revoked first; the officials' audit log keeps nothing personal
        await repository.forget_contact(ctx.session, ctx.contact)
        ctx.forgotten = True
        ctx.say(ctx._("Done: everything Joldas kept about you is deleted. Send /start if you want to begin again."))
    elif argument == "no" and ctx.state == "confirm_forget":
        ctx.show_menu(ctx._("Nothing was deleted."))
    else:
        ctx.goto("confirm_forget")
        ctx.say(
            ctx._("Delete everything Joldas keeps about you? This cannot be undone."),
            [[Button("forget:yes", ctx._("Yes, delete"))], [Button("forget:no", ctx._("No, keep it"))]],
        )


router.menu("forget", N_("Delete my data"), order=95, short_label=N_("Delete data"))


@router.command("stop")
async def stop(ctx: Conversation, _argument: str) -> None:
    if ctx.contact.status != "stopped":
        ctx.contact.status = "stopped"
        await repository.audit(ctx.session, "notices.stopped", ctx.contact)
    ctx.show_menu(ctx._("You will receive no more notices. You can still use Joldas; send /start to turn notices on."))
