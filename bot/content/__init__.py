"""The facts as data: loading `content/` files, their schema, and `joldas content check`.

Every fact-bearing item carries a `source`: a seed document and its lines, a research extract and its
lines, a public publication named in `content/sources/research/current-data-2026.md`, or an operator's data file.
"""

from bot import DATA_ROOT

CONTENT_DIR = DATA_ROOT / "content"
# The cited source documents, kept in the repository (they are public documents): `seeds/` and `research/`.
SOURCES_DIR = CONTENT_DIR / "sources"
