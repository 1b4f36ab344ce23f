"""What is kept about a person: /mydata shows it, /forget deletes it, /stop turns notices off."""

from bot.content.regions import region_name
from bot.context import Conversation
from bot.conversation import Button
from bot.i18n import LANGUAGE_NAMES, N_
from bot.router import Router
from bot.storage import repository

router = Router()

KIND_LABELS = {
    "unknown": N_("not stated"),
    "relocant": N_("moving under the regional quota"),
    "labour_migrant": N_("labour migrant"),
    "returnee": N_("returned migrant"),
    "official": N_("official or focal point"),
}


def consent_line(ctx: Conversation) -> str:
    contact = ctx.contact
    if contact.consent == "granted":
        return ctx._("given on {date}").format(date=ctx.t.date(contact.consent_at))
    if contact.consent == "declined":
        return ctx._("declined")
    return ctx._("not asked yet")


@router.command("mydata")
@router.button("mydata")
async def my_data(ctx: Conversation, _argument: str) -> None:
    contact = ctx.contact
    not_stated = ctx._("not stated")
    shown_region = region_name(contact.region, ctx.language) or contact.region
    place = ", ".join(part for part in (contact.locality, contact.district, shown_region, contact.country) if part)
    audit_count = await repository.count_audit_entries(ctx.session, contact)
    lines = [
        ctx._("Everything Joldas keeps about you:"),
        "• " + ctx._("Messenger and account: {channel}, {id}").format(channel=contact.channel, id=contact.external_id),
        "• " + ctx._("Language: {name}").format(name=LANGUAGE_NAMES.get(contact.language or "", not_stated)),
        "• " + ctx._("Notices: {status}").format(status=ctx._("on") if contact.status == "active" else ctx._("off")),
        "• " + ctx._("Consent to keep data: {consent}").format(consent=consent_line(ctx)),
        "• " + ctx._("Who you are: {kind}").format(kind=ctx._(KIND_LABELS.get(contact.kind, KIND_LABELS["unknown"]))),
        "• " + ctx._("Region: {region}").format(region=place or not_stated),
        "• " + ctx._("First message: {date}").format(date=ctx.t.date(contact.created_at)),
        "• "
        + ctx.ngettext(
            "{n} entry in the log of your actions", "{n} entries in the log of your actions", audit_count
        ).format(n=ctx.t.number(audit_count)),
        "",
        ctx._("To delete all of it, send /forget."),
    ]
    ctx.say("\n".join(lines), ctx.menu_buttons())


router.menu("mydata", N_("My data"), order=90)


@router.command("forget")
@router.button("forget")
async def forget(ctx: Conversation, argument: str) -> None:
    """Deletes only after an explicit yes given to the question just asked, never on a stale button."""
    if argument == "yes" and ctx.state == "confirm_forget":
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
