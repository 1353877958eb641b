"""Reports the isolation matrix's totals at the end of a run (SECURITY.md section 1:
"Report: number of cases, 0 mismatches")."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPORT_FILE = Path(__file__).resolve().parents[2] / ".data" / "isolation-matrix.json"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    matrix = sys.modules.get("tests.security.matrix")
    if matrix is None or not matrix.REPORT.cases:
        return
    REPORT = matrix.REPORT
    terminalreporter.write_line(
        f"Isolation matrix: {REPORT.cases} cases, {len(REPORT.mismatches)} mismatches"
    )
    for case_id, expected, actual in REPORT.mismatches:
        terminalreporter.write_line(f"  mismatch {case_id}: expected {expected!r}, got {actual!r}")
    REPORT_FILE.parent.mkdir(parents=True, exist_ok=True)
    REPORT_FILE.write_text(
        json.dumps(
            {
                "cases": REPORT.cases,
                "mismatches": [
                    {"case": case_id, "expected": expected, "actual": actual}
                    for case_id, expected, actual in REPORT.mismatches
                ],
            },
            indent=2,
        )
    )
