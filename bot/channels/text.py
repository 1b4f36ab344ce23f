"""Splitting long texts at a platform's limit without cutting words or lines where it can be helped."""


def split_text(text: str, limit: int) -> list[str]:
    """Cuts at the last paragraph break, else line break, else space before the limit; a word longer than
    the limit is cut hard. Every part is non-empty and at most `limit` characters."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = next((window.rfind(sep) for sep in ("\n\n", "\n", " ") if window.rfind(sep) > 0), limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
