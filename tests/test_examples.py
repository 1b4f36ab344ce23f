"""The example profiles in docs/examples give the results the README and the closing notes show."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


@pytest.mark.parametrize(
    ("name", "outcome", "path"),
    [
        ("eligibility-in-migrant-not-yet", "not_yet", "in_migrant_standard"),
        ("eligibility-kandas-needs-more-info", "needs_more_info", "kandas_in_country"),
        ("eligibility-moved-eligible", "eligible", "in_migrant_moved"),
    ],
)
def test_example_profiles(name, outcome, path):
    command = [sys.executable, "-m", "bot.cli", "eligibility", "--profile", str(EXAMPLES / f"{name}.json")]
    result = subprocess.run([*command, "--today", "2026-03-01"], capture_output=True, text=True, check=True)
    answer = json.loads(result.stdout)
    assert (answer["outcome"], answer["path"], answer["rules_version"]) == (outcome, path, "2026.01")
    if name == "eligibility-moved-eligible":  # moved on 2 September 2025: the window closes on 2 March 2026
        assert (answer["apply_by"], answer["counted_from"]) == ("2026-03-02", {"in_migrant.moved": "moved_on"})
