"""Cost-benefit arithmetic, checked against examples worked by hand.

Every expected figure below was worked out by hand (a calculator, rounding each step to the
penny, halves up) from the published unit cost, the two years' GDP deflators (HM Treasury, March
2026 release, 2024-25 = 100) and the adjustments, in the order the Greater Manchester method
applies them: uprate, gross, deadweight, attribution, optimism bias, discount.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.evaluation.costbenefit import (
    agency_label,
    evaluate_value_for_money,
    programme_costs,
    unit_cost,
    unit_costs,
)
from joinedup.evaluation.deflators import UnknownPriceYearError


def test_one_year_of_avoided_a_and_e_attendances_worked_by_hand() -> None:
    """100 avoided A&E attendances against £50,000 of costs, priced in 2016-17.

    1. Unit cost HE4.0, A&E attendance (all scenarios): £109 in 2011-12 prices (GMCA Unit Cost
       Database v1.4). GDP deflators: 2011-12 = 70.3261, 2016-17 = 76.0754.
       Uprated: 109 x 76.0754 / 70.3261 = 117.9110 -> £117.91.
    2. Gross benefit: 100 x £117.91 = £11,791.00.
    3. Deadweight 20%: £11,791.00 x 0.8 = £9,432.80.
    4. Attribution 50%: £9,432.80 x 0.5 = £4,716.40.
    5. Optimism bias 20%: £4,716.40 x 0.8 = £3,773.12.
    6. One year, so nothing is discounted: present value of benefits £3,773.12.
    7. Net present budget impact: £3,773.12 - £50,000.00 = -£46,226.88.
    8. Fiscal return on investment: 3,773.12 / 50,000 = 0.0755 -> £0.08 per £1.
    9. Payback: £3,773.12 never reaches £50,000 in the one year: not within the period.
    """
    result = evaluate_value_for_money(
        {"HE4.0": 100},
        50_000,
        "2016-17",
        deadweight=0.2,
        attribution=0.5,
        optimism_bias=0.2,
    )

    [priced] = result.unit_costs
    assert priced.cost_gbp == Decimal("117.91")
    assert priced.unit_cost.cost_gbp == Decimal("109")
    assert priced.unit_cost.price_year == "2011-12"
    [line] = result.lines
    assert line.gross == Decimal("11791.00")
    assert line.after_deadweight == Decimal("9432.80")
    assert line.after_attribution == Decimal("4716.40")
    assert line.net == Decimal("3773.12")
    assert result.present_value_benefits == Decimal("3773.12")
    assert result.present_value_costs == Decimal("50000.00")
    assert result.net_present_budget_impact == Decimal("-46226.88")
    assert result.fiscal_roi == Decimal("0.08")
    assert result.payback.year is None
    assert result.payback.description == "not within the appraisal period"


def test_three_years_two_agencies_discounted_worked_by_hand() -> None:
    """40 non-elective admissions and 60 arrests avoided a year for three years, 2016-17 prices.

    Deadweight 25%, attribution 60%, optimism bias 10%, discounting at 3.5%; costs £30,000 in
    year 1 and £10,000 in year 2.

    Unit costs uprated to 2016-17 (deflator 76.0754):
    - HE7.0.2 non-elective admission (NHS), £1,542 in 2013-14 (73.0337):
      1,542 x 76.0754 / 73.0337 = 1,606.2211 -> £1,606.22
    - CR7.0 arrest, detained (Police), £593 in 2006-07 (63.2017):
      593 x 76.0754 / 63.2017 = 713.7895 -> £713.79

    Each year, before discounting:
    - admissions: 40 x 1,606.22 = 64,248.80; x 0.75 = 48,186.60; x 0.6 = 28,911.96;
      x 0.9 = £26,020.76
    - arrests: 60 x 713.79 = 42,827.40; x 0.75 = 32,120.55; x 0.6 = 19,272.33;
      x 0.9 = 17,345.097 -> £17,345.10

    Discount factors: year 1 = 1; year 2 = 1 / 1.035 = 0.966184; year 3 = 1 / 1.035^2 = 0.933511.
    - NHS: 26,020.76 + 25,140.83 + 24,290.66 = £75,452.25
    - Police: 17,345.10 + 16,758.55 + 16,191.84 = £50,295.49
    - Present value of benefits: £125,747.74
    Costs: 30,000 + 10,000 / 1.035 = 30,000 + 9,661.84 = £39,661.84.
    Net present budget impact: 125,747.74 - 39,661.84 = £86,085.90.
    Fiscal return on investment: 125,747.74 / 39,661.84 = 3.1705 -> £3.17 per £1.
    Payback: year 1's benefits (26,020.76 + 17,345.10 = 43,365.86) pass year 1's £30,000 of costs:
    12 x 30,000 / 43,365.86 = 8.30 -> 8.3 months, in year 1.
    Who gains: NHS 75,452.25 / 125,747.74 = 60.00%; Police 50,295.49 / 125,747.74 = 40.00%.
    """
    result = evaluate_value_for_money(
        {"HE7.0.2": 40, "CR7.0": 60},
        [(1, 30_000), (2, 10_000)],
        "2016/17",
        years=3,
        deadweight=0.25,
        attribution=0.6,
        optimism_bias=0.1,
    )

    assert [cost.cost_gbp for cost in result.unit_costs] == [Decimal("1606.22"), Decimal("713.79")]
    nets = {(line.code, line.year): line.present_value for line in result.lines}
    assert nets == {
        ("HE7.0.2", 1): Decimal("26020.76"),
        ("HE7.0.2", 2): Decimal("25140.83"),
        ("HE7.0.2", 3): Decimal("24290.66"),
        ("CR7.0", 1): Decimal("17345.10"),
        ("CR7.0", 2): Decimal("16758.55"),
        ("CR7.0", 3): Decimal("16191.84"),
    }
    assert [(gain.agency, gain.present_value, gain.share) for gain in result.by_agency] == [
        ("NHS", Decimal("75452.25"), Decimal("0.6000")),
        ("Police", Decimal("50295.49"), Decimal("0.4000")),
    ]
    assert result.present_value_benefits == Decimal("125747.74")
    assert result.net_benefits == Decimal("130097.58")  # 3 x (26,020.76 + 17,345.10)
    assert result.total_costs == Decimal("40000.00")
    assert result.present_value_costs == Decimal("39661.84")
    assert result.net_present_budget_impact == Decimal("86085.90")
    assert result.fiscal_roi == Decimal("3.17")
    assert (result.payback.year, result.payback.months) == (1, Decimal("8.3"))


def test_pays_back_in_year_three() -> None:
    """£25,000 spent in year 1; 100 A&E attendances (£117.91 each in 2016-17) avoided a year.

    No adjustments and no discounting, so £11,791.00 a year. After two years £23,582.00, short of
    £25,000 by £1,418.00; year 3 closes it after 12 x 1,418 / 11,791 = 1.44 months:
    24 + 1.44 = 25.4 months, in year 3.
    """
    result = evaluate_value_for_money(
        {"HE4.0": 100},
        25_000,
        "2016-17",
        years=3,
        deadweight=0,
        attribution=1,
        optimism_bias=0,
        discount_rate=0,
    )
    assert [flow.cumulative_benefits for flow in result.flows] == [
        Decimal("11791.00"),
        Decimal("23582.00"),
        Decimal("35373.00"),
    ]
    assert result.payback.year == 3
    assert result.payback.months == Decimal("25.4")
    assert result.payback.description == "year 3 (25.4 months)"


def test_never_pays_back_when_the_benefits_are_too_small() -> None:
    result = evaluate_value_for_money(
        {"HE3.1": 10},  # £7 999 calls: a few pounds a year against a large cost
        100_000,
        "2016-17",
        years=10,
        deadweight=0.5,
        attribution=0.5,
        optimism_bias=0.4,
    )
    assert result.payback.year is None
    assert result.payback.months is None
    assert result.fiscal_roi is not None
    assert result.fiscal_roi < 1
    assert result.to_dict()["payback"]["description"] == "not within the appraisal period"


def test_no_costs_pays_back_at_once_and_has_no_return_ratio() -> None:
    result = evaluate_value_for_money(
        {"HE4.0": 1}, 0, "2016-17", deadweight=0, attribution=1, optimism_bias=0
    )
    assert result.fiscal_roi is None
    assert (result.payback.year, result.payback.months) == (1, Decimal("0.0"))
    assert result.to_dict()["fiscal_roi"] is None


def test_costs_are_raised_by_the_cost_optimism_bias() -> None:
    result = evaluate_value_for_money(
        {"HE4.0": 100},
        50_000,
        "2016-17",
        deadweight=0,
        attribution=1,
        optimism_bias=0,
        cost_optimism_bias=0.15,
    )
    assert result.total_costs == Decimal("57500.00")
    # 11,791.00 / 57,500.00 = 0.2051 -> 0.21
    assert result.fiscal_roi == Decimal("0.21")


def test_the_split_by_agency_and_by_year_adds_up_to_the_total() -> None:
    result = evaluate_value_for_money(
        {"HE4.0": 37, "CR1.0": 13, "HO3.0": 3, "SS6.2": 11, "E&E10.0": 2},
        [(1, 60_000), (2, 15_000), (3, 5_000)],
        "2024-25",
        years=5,
        deadweight=0.33,
        attribution=0.45,
        optimism_bias=0.27,
    )
    agencies = {gain.agency for gain in result.by_agency}
    assert agencies == {"NHS", "Police", "Local authority", "DWP"}
    assert sum(gain.present_value for gain in result.by_agency) == result.present_value_benefits
    assert sum(flow.present_value_benefits for flow in result.flows) == (
        result.present_value_benefits
    )
    assert sum(gain.share for gain in result.by_agency) == pytest.approx(
        Decimal(1), abs=Decimal("0.0005")
    )


def test_every_unit_cost_used_is_reported_with_its_source_and_price_years() -> None:
    result = evaluate_value_for_money(
        {"HE4.0": 10, "Walk-in centre visit": 5},
        1_000,
        "2016-17",
        deadweight=0.1,
        attribution=0.5,
        optimism_bias=0.1,
    )
    reported = result.to_dict()["unit_costs"]
    assert [cost["code"] for cost in reported] == ["HE4.0", "Walk-in centre visit"]
    for cost in reported:
        assert cost["source"]
        assert cost["source_url"].startswith("https://")
        assert cost["published_price_year"] in {"2011-12", "2013-14"}
        assert cost["price_year"] == "2016-17"
    nice = reported[1]
    assert nice["published_cost_gbp"] == 46.0
    assert "NICE" in nice["source"]


def test_the_json_report_carries_the_method_the_deflators_and_the_totals() -> None:
    report = evaluate_value_for_money(
        {"HE4.0": 100}, 50_000, "2016-17", deadweight=0.2, attribution=0.5, optimism_bias=0.2
    ).to_dict()
    assert (
        "cost benefit analysis guidance for local partnerships" in report["assumptions"]["method"]
    )
    assert "GDP deflators" in report["deflators"]
    assert report["present_value_benefits_gbp"] == 3773.12
    assert report["net_present_budget_impact_gbp"] == -46226.88
    assert report["fiscal_roi"] == 0.08
    assert report["by_agency"] == [{"agency": "NHS", "present_value_gbp": 3773.12, "share": 1.0}]


def test_a_non_fiscal_value_is_refused_unless_asked_for_and_then_flagged() -> None:
    with pytest.raises(ValueError, match=r"CR8\.0 \(fiscal, economic and social\)"):
        evaluate_value_for_money(
            {"CR8.0": 5}, 1_000, "2016-17", deadweight=0, attribution=1, optimism_bias=0
        )
    result = evaluate_value_for_money(
        {"CR8.0": 5},
        1_000,
        "2016-17",
        deadweight=0,
        attribution=1,
        optimism_bias=0,
        include_non_fiscal=True,
    )
    assert any("CR8.0" in caveat for caveat in result.caveats)


def test_a_forecast_price_year_is_flagged() -> None:
    result = evaluate_value_for_money(
        {"HE4.0": 1}, 100, "2026-27", deadweight=0, attribution=1, optimism_bias=0
    )
    assert any("forecast year" in caveat for caveat in result.caveats)


def test_an_unknown_unit_cost_is_refused_by_name() -> None:
    with pytest.raises(KeyError, match=r"XX9\.9"):
        evaluate_value_for_money(
            {"XX9.9": 1}, 100, "2016-17", deadweight=0, attribution=1, optimism_bias=0
        )


def test_a_price_year_outside_the_deflators_is_refused() -> None:
    with pytest.raises(UnknownPriceYearError, match="2040-41"):
        evaluate_value_for_money(
            {"HE4.0": 1}, 100, "2040-41", deadweight=0, attribution=1, optimism_bias=0
        )


@pytest.mark.parametrize(
    "settings",
    [
        {"deadweight": 1.2, "attribution": 1, "optimism_bias": 0},
        {"deadweight": 0, "attribution": -0.1, "optimism_bias": 0},
        {"deadweight": 0, "attribution": 1, "optimism_bias": 2},
        {"deadweight": 0, "attribution": 1, "optimism_bias": 0, "discount_rate": -0.01},
    ],
)
def test_shares_outside_nought_to_one_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"cannot be negative|between 0 and 1"):
        evaluate_value_for_money({"HE4.0": 1}, 100, "2016-17", **settings)


def test_a_cost_outside_the_appraisal_years_is_refused() -> None:
    with pytest.raises(ValueError, match="year 4"):
        evaluate_value_for_money(
            {"HE4.0": 1},
            [(4, 100)],
            "2016-17",
            years=3,
            deadweight=0,
            attribution=1,
            optimism_bias=0,
        )


def test_unit_costs_are_found_by_code_or_by_item_and_carry_their_source() -> None:
    assert unit_cost("HE4.0").item == "A&E attendance (all scenarios)"
    assert unit_cost("walk-in centre visit").cost_gbp == Decimal("46.0")
    assert len(unit_costs()) == 72
    for cost in unit_costs().values():
        assert cost.source and cost.price_year and cost.unit and cost.agency
        cost.priced("2024-25")  # every price year is inside the deflator series


def test_agencies_have_one_spelling() -> None:
    assert agency_label("Local Authority") == agency_label("Local authority") == "Local authority"
    assert agency_label("NHS") == "NHS"
    assert agency_label("Criminal Justice System") == "Criminal justice system"
    assert {cost.agency for cost in unit_costs().values()} == {
        "NHS",
        "Police",
        "Multiple",
        "Criminal justice system",
        "Fire service",
        "Local authority",
        "DWP",
    }


def test_the_seed_programme_costs_are_its_spend_lines_uprated() -> None:
    """The £245,000 Transformation Challenge Award, £225,000 of spend lines, priced in 2016-17.

    Eight lines fall in 2015-16 (£213,000 in cash; 74.5804), one in 2016-17 (£12,000, slipped).
    Each 2015-16 line is uprated by 76.0754 / 74.5804 and rounded: £217,269.69 (213,000 x the
    factor is 217,269.6875, the same to the penny). The 2016-17 line stays £12,000.00.
    """
    costs = programme_costs("2016-17")
    assert costs.funding_gbp == Decimal("245000")
    assert costs.spend_cash_gbp == Decimal("225000")
    assert costs.first_year == "2015-16"
    assert costs.by_appraisal_year() == [(1, Decimal("217269.69")), (2, Decimal("12000.00"))]
    assert costs.spend_real_gbp == Decimal("229269.69")


def test_actual_spend_only_leaves_out_the_forecasts() -> None:
    costs = programme_costs("2015-16", include_forecast=False)
    assert [line.kind for line in costs.lines] == ["actual"] * 3
    assert costs.spend_cash_gbp == Decimal("51000")
    assert costs.spend_real_gbp == Decimal("51000.00")


def test_a_programme_offices_own_file_is_read(tmp_path: Path) -> None:
    programme = tmp_path / "programme.toml"
    programme.write_text(
        """
[[grant]]
name = "Test grant"
funder = "Somebody"
amount = 10000
spend_by = 2017-03-31

  [[grant.spend]]
  description = "Year one"
  amount = 6000
  on = 2016-03-31
  kind = "actual"

  [[grant.spend]]
  description = "Year two"
  amount = 4000
  on = 2016-04-01
  kind = "forecast"
""",
        encoding="utf-8",
    )
    costs = programme_costs("2016-17", programme)
    # 6,000 x 76.0754 / 74.5804 = 6,120.27
    assert costs.by_appraisal_year() == [(1, Decimal("6120.27")), (2, Decimal("4000.00"))]
    result = evaluate_value_for_money(
        {"HE4.0": 100},
        costs.by_appraisal_year(),
        costs.price_year,
        years=2,
        deadweight=0,
        attribution=1,
        optimism_bias=0,
        discount_rate=0,
    )
    assert result.total_costs == Decimal("10120.27")


shares = st.decimals(min_value=0, max_value=1, places=2)


@given(low=shares, high=shares, attribution=shares, optimism=shares)
def test_more_deadweight_never_raises_the_return(
    low: Decimal, high: Decimal, attribution: Decimal, optimism: Decimal
) -> None:
    low, high = sorted((low, high))
    rois = [
        evaluate_value_for_money(
            {"HE4.0": 250, "CR7.0": 40},
            20_000,
            "2016-17",
            years=3,
            deadweight=float(deadweight),
            attribution=float(attribution),
            optimism_bias=float(optimism),
        ).fiscal_roi
        for deadweight in (low, high)
    ]
    assert rois[0] is not None and rois[1] is not None
    assert rois[1] <= rois[0]


@given(low=shares, high=shares, deadweight=shares)
def test_more_attribution_never_lowers_and_more_optimism_bias_never_raises_the_return(
    low: Decimal, high: Decimal, deadweight: Decimal
) -> None:
    low, high = sorted((low, high))

    def roi(attribution: Decimal, optimism: Decimal) -> Decimal:
        value = evaluate_value_for_money(
            {"HE7.0.2": 12},
            15_000,
            "2020-21",
            years=2,
            deadweight=float(deadweight),
            attribution=float(attribution),
            optimism_bias=float(optimism),
        ).fiscal_roi
        assert value is not None
        return value

    assert roi(low, Decimal("0.2")) <= roi(high, Decimal("0.2"))
    assert roi(Decimal("0.6"), high) <= roi(Decimal("0.6"), low)


@given(
    avoided=st.dictionaries(
        st.sampled_from(["HE4.0", "HE7.0.2", "CR1.0", "HO4.1", "SS2.0", "E&E10.1"]),
        st.integers(min_value=0, max_value=5_000),
        min_size=1,
    ),
    years=st.integers(min_value=1, max_value=10),
)
def test_agencies_always_add_up_to_the_present_value_of_benefits(
    avoided: dict[str, int], years: int
) -> None:
    result = evaluate_value_for_money(
        {code: float(n) for code, n in avoided.items()},
        1_000,
        "2018-19",
        years=years,
        deadweight=0.3,
        attribution=0.5,
        optimism_bias=0.25,
    )
    assert sum(gain.present_value for gain in result.by_agency) == result.present_value_benefits
    assert result.present_value_benefits <= result.net_benefits


def test_the_unit_cost_table_in_the_docs_matches_the_data() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "cost-benefit.md").read_text(encoding="utf-8")
    for cost in unit_costs().values():
        source = "GMCA v1.4" if cost.source.startswith("GMCA") else "NICE NG94"
        row = (
            f"| {cost.key} | {cost.item} | {cost.unit} | £{cost.cost_gbp:,.2f} | {cost.price_year} "
            f"| £{cost.uprated('2024-25'):,.2f} | {cost.agency} | {cost.value_type} | {source} |"
        )
        assert row in doc, row


def test_avoided_events_can_differ_from_year_to_year() -> None:
    """50 attendances avoided in year 1, 100 in year 2 (£117.91 each in 2016-17), no adjustments.

    Year 1: 50 x 117.91 = £5,895.50; year 2: 100 x 117.91 = £11,791.00; undiscounted.
    """
    result = evaluate_value_for_money(
        {"HE4.0": [50, 100]},
        0,
        "2016-17",
        years=2,
        deadweight=0,
        attribution=1,
        optimism_bias=0,
        discount_rate=0,
    )
    assert [flow.benefits for flow in result.flows] == [Decimal("5895.50"), Decimal("11791.00")]
    with pytest.raises(ValueError, match="3 years of avoided events for a 2-year appraisal"):
        evaluate_value_for_money(
            {"HE4.0": [1, 2, 3]},
            0,
            "2016-17",
            years=2,
            deadweight=0,
            attribution=1,
            optimism_bias=0,
        )
