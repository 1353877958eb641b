"""The statistics of survey results (surveys/stats.py) against SciPy itself, and the
question bank's reference data."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest, fisher_exact

from handbooks.reference import AREAS
from surveys import bank
from surveys.scales import POSITIVE, SCALES, Scale
from surveys.stats import (
    BaselineKind,
    Direction,
    Suppression,
    compare,
    p_value_text,
    proportion,
    suppress,
)


def test_the_reference_survey_figure_is_77_percent_with_scipys_wilson_interval():
    result = proportion(41, 53)
    interval = binomtest(41, 53).proportion_ci(confidence_level=0.95, method="wilson")
    assert f"{result.percent:.0f}%" == "77%"
    assert result.low == pytest.approx(100 * interval.low, abs=1e-9)
    assert result.high == pytest.approx(100 * interval.high, abs=1e-9)
    assert (f"{result.low:.0f}", f"{result.high:.0f}") == ("64", "87")
    assert not result.small_sample


def test_domain_md_example_40_of_53_is_62_to_85_percent():
    result = proportion(40, 53)
    assert (f"{result.low:.0f}", f"{result.high:.0f}") == ("62", "85")


def test_a_small_sample_is_flagged_under_30_and_no_answers_has_no_interval():
    assert proportion(20, 29).small_sample
    assert not proportion(20, 30).small_sample
    empty = proportion(0, 0)
    assert (empty.percent, empty.low, empty.high) == (None, None, None)


def test_comparison_uses_fishers_exact_p_value_and_says_it_in_plain_words():
    this, national = proportion(41, 53), proportion(54, 70)
    found = compare(this, national, label="National", kind=BaselineKind.NATIONAL)
    assert found is not None
    assert found.p_value == pytest.approx(fisher_exact([[41, 12], [54, 16]]).pvalue)
    assert found.direction == Direction.NO_EVIDENCE
    assert found.words == "no evidence of a difference from the national survey"

    previous = compare(
        proportion(45, 50), proportion(20, 50), label="2018", kind=BaselineKind.PREVIOUS
    )
    assert previous is not None and previous.words == "higher than the previous survey"
    lower = compare(proportion(10, 50), proportion(40, 50), label="N", kind=BaselineKind.NATIONAL)
    assert lower is not None and lower.words == "lower than the national survey"
    same = compare(proportion(30, 50), proportion(31, 50), label="2018", kind=BaselineKind.PREVIOUS)
    assert same is not None and same.words == "no evidence of a change"
    assert compare(proportion(0, 0), national, label="N", kind=BaselineKind.NATIONAL) is None


def test_p_values_are_written_plainly():
    assert p_value_text(0.83412) == "p = 0.834"
    assert p_value_text(0.0001) == "p < 0.001"


def test_groups_under_5_are_suppressed_and_a_lone_one_gets_a_second():
    assert suppress([12, 4, 20, 0]) == [
        Suppression.SECONDARY,
        Suppression.PRIMARY,
        Suppression.SHOWN,
        Suppression.SHOWN,
    ]
    assert suppress([12, 4, 2, 9]) == [
        Suppression.SHOWN,
        Suppression.PRIMARY,
        Suppression.PRIMARY,
        Suppression.SHOWN,
    ]
    assert suppress([5, 6, 0]) == [Suppression.SHOWN] * 3


def test_scale_option_codes_are_unique_so_one_condition_counts_positives():
    codes = [code for spec in SCALES.values() for code, _ in spec.options]
    assert len(codes) == len(set(codes))
    assert {"very_effective", "effective", "strongly_agree", "agree", "yes"} == POSITIVE


def test_every_banked_question_maps_to_an_area_of_the_reference_handbook():
    titles = {area["title"] for area in AREAS}
    assert {area for _, area, _, _ in bank.QUESTIONS} <= titles
    assert len({code for code, *_ in bank.QUESTIONS}) == len(bank.QUESTIONS)
    assert {scale for _, _, scale, _ in bank.QUESTIONS} == set(Scale.values)
