"""A result in words, in the person's language: for the chat and for `joldas eligibility --lang`."""

from __future__ import annotations

from typing import Any

from bot.content.regions import region_name
from bot.content.sources import cite_parts
from bot.eligibility.documents import APPLICANT
from bot.eligibility.evaluator import Place, Reason, Result, Ruleset
from bot.eligibility.rules import RuleBook
from bot.i18n import N_, Texts

OUTCOMES = {
    "eligible": N_("You can apply"),
    "not_yet": N_("Not yet: a condition is still to be met"),
    "not_eligible": N_("The Rules do not allow it"),
    "needs_more_info": N_("More information is needed"),
    "other_procedure": N_("Another procedure applies"),
}
FIELDS = {
    "citizenship": N_("citizenship"),
    "nationality": N_("nationality"),
    "location": N_("where you live now"),
    "kandas_status": N_("kandas status"),
    "already_moved": N_("whether you have already moved"),
    "months_in_reception_region": N_("when you moved to the new region"),
    "moved_on": N_("when you moved to the new region"),
    "months_since_graduation": N_("when you graduated"),
    "graduated_on": N_("when you graduated"),
    "has_permanent_registration_departure": N_("permanent registration in the region you leave"),
    "months_resident_departure": N_("since when you are registered in the region you leave"),
    "registered_since": N_("since when you are registered in the region you leave"),
    "employment_status": N_("employment status"),
    "registered_at_career_centre": N_("registration at the career centre"),
    "destination_region": N_("the region you move to"),
}


def shown_region(region_id: str | None, language: str) -> str:
    return region_name(region_id, language) or region_id or ""


def holder_label(holder: str, t: Texts) -> str:
    if holder == APPLICANT:
        return t.gettext("you")
    return t.gettext("family member №{number}").format(number=holder.partition(":")[2])


class Renderer:
    """Words for one result, in one language."""

    def __init__(self, ruleset: Ruleset, book: RuleBook, t: Texts):
        self.ruleset = ruleset
        self.book = book
        self.t = t
        self.language = t.language

    def reason_text(self, reason: Reason) -> str:
        rule = self.book.rule(reason.rule)
        return rule.texts[reason.text_key](self.language).format(**self._params(reason.params))

    def cite(self, reason: Reason) -> str:
        return self.book.rule(reason.rule).cite(self.language)

    def sources(self, reason: Reason) -> list[str]:
        return [source.label() for source in self.book.rule(reason.rule).sources]

    def documents_cited(self, reason: Reason) -> list[str]:
        """The titles of the documents behind a reason, each once, without line numbers (for a chat)."""
        titles = [cite_parts(source, self.language)[0] for source in self.book.rule(reason.rule).sources]
        return list(dict.fromkeys(titles))

    def _params(self, params: dict[str, Any]) -> dict[str, str]:
        words = {}
        for key, value in params.items():
            if key == "date":
                words[key] = self.t.date(value)
            elif key == "region":
                words[key] = shown_region(value, self.language)
            elif key == "member":
                words[key] = self.t.gettext("Family member №{number}").format(number=value)
            elif key == "document":
                words[key] = self.document_name(value)
            elif key == "holder":
                words[key] = holder_label(value, self.t)
            elif key == "places":
                words[key] = self.t.ngettext("{n} place", "{n} places", value).format(n=self.t.number(value))
            else:
                words[key] = str(value)
        return words

    def document_name(self, document_id: str) -> str:
        kind = next(kind for kind in self.ruleset.documents.documents if kind.id == document_id)
        return kind.name(self.language)

    def path_name(self, path: str) -> str:
        return self.book.paths[path].name(self.language)

    def office(self, office: str, region_id: str | None = None) -> str:
        name = self.book.offices[office].name(self.language)
        return f"{name} — {shown_region(region_id, self.language)}" if region_id else name

    def places(self, places: list[Place]) -> str:
        """The places to apply, those only the press reports marked * with one note saying so."""
        named = "; ".join(self.office(place.office, place.region) + (" *" if place.press else "") for place in places)
        if any(place.press for place in places):
            named += "\n* " + self.t.gettext("reported by the press; not in the order text we hold")
        return named

    def next_steps(self, result: Result, with_path: bool = True) -> list[str]:
        steps = []
        if with_path and result.path and result.outcome in ("eligible", "needs_more_info"):
            steps.append(self.book.paths[result.path].steps(self.language))
        if result.eligible_from:
            steps.append(self.t.gettext("Check again on: {date}").format(date=self.t.date(result.eligible_from)))
        if result.missing:
            fields = ", ".join(self.t.gettext(FIELDS.get(name, name)) for name in result.missing)
            steps.append(self.t.gettext("Answer what is still missing: {fields}.").format(fields=fields))
        if result.ask:
            offices = "; ".join(self.office(office) for office in result.ask)
            steps.append(self.t.gettext("Ask: {offices}.").format(offices=offices))
        return steps

    def as_json(self, result: Result) -> dict[str, Any]:
        """The result with its texts, as `joldas eligibility` prints it."""
        data = result.as_data()
        data["language"] = self.language
        data["outcome_text"] = self.t.gettext(OUTCOMES[result.outcome])
        data["rules_version_title"] = self.book.version.title(self.language)
        data["path_name"] = self.path_name(result.path) if result.path else None
        for reason, item in zip(result.reasons, data["reasons"], strict=True):
            item |= {"text": self.reason_text(reason), "paragraph": self.cite(reason), "sources": self.sources(reason)}
        for check, item in zip(result.documents, data["documents"], strict=True):
            item |= {"name": self.document_name(check.document), "holder_text": holder_label(check.holder, self.t)}
        for place, item in zip(result.where_to_apply, data["where_to_apply"], strict=True):
            item["text"] = self.office(place.office, place.region)
        data["rules_version_in_force_from"] = self.book.version.in_force_from.isoformat()
        data["rules_version_in_force_approximate"] = self.book.version.in_force_approximate
        data["ask"] = [{"office": office, "text": self.office(office)} for office in result.ask]
        data["next_steps"] = self.next_steps(result)
        return data
