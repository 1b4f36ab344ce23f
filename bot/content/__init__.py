"""The facts as data: loading `content/` files, their schema, and `joldas content check`.

Every fact-bearing item carries a `source`: a seed document and its lines, a research extract and its
lines, a public publication named in `../shared/research/current-data-2026.md`, or an operator's data file.
"""

import os
from pathlib import Path

from bot import PROJECT_ROOT

CONTENT_DIR = PROJECT_ROOT / "content"
# The source documents beside the repository; JOLDAS_SHARED_DIR points elsewhere.
SHARED_DIR = Path(os.environ.get("JOLDAS_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
