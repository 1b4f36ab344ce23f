"""The whole personal package as a PDF, in the person's language, with a font that has every Kazakh and
Kyrgyz letter (DejaVu Sans, shipped in bot/package/fonts with its licence)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fpdf import FPDF

from bot.conversation import Document
from bot.delivery import documents
from bot.i18n import texts
from bot.package.library import (
    PackageSection,
    Profile,
    assemble,
    citations,
    mci_note,
    profile_data,
    profile_from,
    profile_summary,
    render_text,
)

BUILDER = "package.pdf"

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"


class _Document(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}", align="C")
        self.set_text_color(0)

    def paragraph(self, text: str, size: float = 10, style: str = "", indent: float = 0, gap: float = 1.5) -> None:
        self.set_font(FAMILY, style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)


def build_pdf(
    sections: list[PackageSection],
    profile: Profile,
    summary: list[str],
    language: str,
    today: dt.date,
    ticked: frozenset[str] = frozenset(),
) -> bytes:
    """`summary` lines describe the profile (track, regions, household), already in `language`."""
    locale = texts(language)
    _ = locale.gettext
    pdf = _Document(_("Joldas · a pre-check and information, not an official decision"))
    pdf.set_title(_("Your pre-departure package"))
    pdf.set_author("Joldas")
    pdf.add_page()
    pdf.paragraph(_("Your pre-departure package"), size=18, style="B", gap=3)
    for line in summary:
        pdf.paragraph(line, size=10)
    pdf.paragraph(_("Prepared on: {date}").format(date=locale.date(today)), size=9, gap=4)

    pdf.paragraph(_("Contents"), size=13, style="B")
    for number, section in enumerate(sections, start=1):
        pdf.paragraph(f"{number}. {section.title(language)}", size=10, indent=4, gap=0.5)
    pdf.ln(4)

    for number, section in enumerate(sections, start=1):
        pdf.paragraph(f"{number}. {section.title(language)}", size=13, style="B", gap=2)
        for item in section.items:
            mark = ("☑ " if item.id in ticked else "☐ ") if section.checklist else "• "
            pdf.paragraph(mark + render_text(item.text(language), profile, language, today), indent=3)
        if section.unknown is not None:
            pdf.paragraph(render_text(section.unknown(language), profile, language, today), indent=3)
        cited = citations(section, language)
        if cited:
            pdf.paragraph(_("Sources: {sources}").format(sources="; ".join(cited)), size=7.5, gap=4)
    note = mci_note(language, today)
    if note:
        pdf.paragraph(note, size=8)
    return bytes(pdf.output())


def pdf_document(
    filename: str, profile: Profile, language: str, today: dt.date, ticked: frozenset[str], caption: str
) -> Document:
    """The package as a document reference: the sender builds the PDF when it sends it."""
    args = {
        "profile": profile_data(profile),
        "language": language,
        "today": today.isoformat(),
        "ticked": sorted(ticked),
    }
    return Document(filename, BUILDER, args, caption)


@documents.builder(BUILDER)
def build_package_pdf(args: dict) -> bytes:
    profile, language = profile_from(args["profile"]), args["language"]
    today = dt.date.fromisoformat(args["today"])
    summary = profile_summary(profile, language)
    return build_pdf(assemble(profile, today=today), profile, summary, language, today, frozenset(args["ticked"]))
