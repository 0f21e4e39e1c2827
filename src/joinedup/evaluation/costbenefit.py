"""Cost-benefit analysis of the partnership's work, in the Greater Manchester (New Economy) way.

The method is HM Treasury's *Supporting public service transformation: cost benefit analysis
guidance for local partnerships* (April 2014, developed with New Economy, now the Greater Manchester
Combined Authority), https://www.gov.uk/government/publications/supporting-public-service-transformation-cost-benefit-analysis-guidance-for-local-partnerships ,
with unit costs from the GMCA Unit Cost Database (``reference/data/unit_costs.csv``):

1. every unit cost is uprated from its own price year to one price year with HM Treasury's GDP
   deflators (:mod:`joinedup.evaluation.deflators`) and shown to the penny, with its source;
2. gross benefit = events avoided x uprated unit cost, each year of the appraisal period;
3. deadweight takes out the share of the change that would have happened anyway;
4. attribution keeps the share of what is left that is due to this work, not to others;
5. optimism bias correction reduces the benefits by a percentage set from the confidence grade of
   the evidence (the guidance grades data 1 to 6 and sets a larger correction the weaker it is);
   it can also raise the costs;
6. costs and benefits are discounted at the Green Book's 3.5% a year, the first year undiscounted;
7. the results: fiscal benefits by year and by agency (whose budget gains), the present values,
   the net present budget impact, the fiscal return on investment (benefit per pound spent) and
   the payback period.

Money is ``Decimal``: each step is rounded to the penny, so a worked example done by hand gives the
same pounds and pence, and the split by agency and by year adds up exactly to the total. Rates and
counts come in as ``float`` (they are estimates) and are taken as written (``Decimal(str(x))``).
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from joinedup.evaluation.deflators import (
    as_decimal,
    deflator_series,
    financial_year,
    financial_year_of,
    uprate,
)
from joinedup.reference.files import read_reference_csv

GREEN_BOOK_DISCOUNT_RATE = 0.035
METHOD = (
    "HM Treasury, Supporting public service transformation: cost benefit analysis guidance "
    "for local partnerships (April 2014; the New Economy / GMCA cost-benefit model)"
)
PENNY = Decimal("0.01")
ROI_PLACES = Decimal("0.01")
SHARE_PLACES = Decimal("0.0001")
MONTH_PLACES = Decimal("0.1")
FISCAL = "fiscal"


def pennies(amount: Decimal) -> Decimal:
    """``amount`` rounded to the penny, halves up (as a hand calculation would)."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


# --- Unit costs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCost:
    """One row of the unit cost table, as published (not uprated)."""

    source_code: str
    item: str
    description: str
    unit: str
    cost_gbp: Decimal
    price_year: str
    agency: str
    value_type: str
    source: str
    source_url: str

    @property
    def key(self) -> str:
        """The code that names it (the GMCA code, or the item where the source gives none)."""
        return self.source_code or self.item

    @property
    def is_fiscal(self) -> bool:
        return self.value_type == FISCAL

    def priced(self, price_year: str) -> PricedUnitCost:
        """This cost uprated to ``price_year`` prices, to the penny."""
        return PricedUnitCost(self, financial_year(price_year), self.uprated(price_year))

    def uprated(self, price_year: str) -> Decimal:
        return pennies(uprate(self.cost_gbp, self.price_year, price_year))


@dataclass(frozen=True)
class PricedUnitCost:
    """A unit cost and its value in the appraisal's price year."""

    unit_cost: UnitCost
    price_year: str
    cost_gbp: Decimal

    def to_dict(self) -> dict[str, Any]:
        cost = self.unit_cost
        return {
            "code": cost.key,
            "item": cost.item,
            "description": cost.description,
            "unit": cost.unit,
            "agency": cost.agency,
            "value_type": cost.value_type,
            "published_cost_gbp": float(cost.cost_gbp),
            "published_price_year": cost.price_year,
            "price_year": self.price_year,
            "cost_gbp": float(self.cost_gbp),
            "source": cost.source,
            "source_url": cost.source_url,
        }


def agency_label(name: str) -> str:
    """One spelling per agency (the table has both "Local Authority" and "Local authority")."""
    words = name.split()
    if not words:
        return "Not stated"
    # Acronyms (NHS, DWP) stay as they are; other words go to sentence case.
    rest = [w if w.isupper() and len(w) > 1 else w.lower() for w in words[1:]]
    first = words[0] if words[0].isupper() else words[0].capitalize()
    return " ".join([first, *rest])


@cache
def unit_costs() -> dict[str, UnitCost]:
    """The packaged unit cost table, keyed by GMCA code (or item, where there is no code)."""
    table: dict[str, UnitCost] = {}
    for row in read_reference_csv("unit_costs.csv"):
        cost = UnitCost(
            source_code=row["source_code"].strip(),
            item=row["item"].strip(),
            description=row["description"].strip(),
            unit=row["unit"].strip(),
            cost_gbp=Decimal(row["cost_gbp"]),
            price_year=financial_year(row["price_year"]),
            agency=agency_label(row["cost_borne_by"]),
            value_type=row["value_type"].strip(),
            source=row["source"].strip(),
            source_url=row["source_url"].strip(),
        )
        table[cost.key] = cost
    return table


def unit_cost(code: str) -> UnitCost:
    """The unit cost with GMCA code ``code`` (e.g. ``HE4.0``), or with that item name."""
    table = unit_costs()
    if code in table:
        return table[code]
    wanted = code.strip().casefold()
    for cost in table.values():
        if wanted in (cost.source_code.casefold(), cost.item.casefold()):
            return cost
    raise KeyError(
        f"no unit cost with code or item {code!r} in the unit cost table (unit_costs.csv)"
    )


# --- The appraisal ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumptions:
    """The adjustments and settings of one appraisal, as the report states them."""

    price_year: str
    years: int
    deadweight: Decimal
    attribution: Decimal
    optimism_bias: Decimal
    cost_optimism_bias: Decimal
    discount_rate: Decimal

    def __post_init__(self) -> None:
        if self.years < 1:
            raise ValueError(f"the appraisal period must be at least one year, not {self.years}")
        for name in ("deadweight", "attribution", "optimism_bias"):
            value = getattr(self, name)
            if not Decimal(0) <= value <= Decimal(1):
                raise ValueError(f"{name} is a share between 0 and 1, not {value}")
        if self.cost_optimism_bias < 0:
            raise ValueError(f"cost_optimism_bias cannot be negative ({self.cost_optimism_bias})")
        if self.discount_rate < 0:
            raise ValueError(f"discount_rate cannot be negative ({self.discount_rate})")

    def discount_factor(self, year: int) -> Decimal:
        """Green Book discount factor for appraisal year ``year`` (year 1 is not discounted)."""
        return 1 / (1 + self.discount_rate) ** (year - 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": METHOD,
            "price_year": self.price_year,
            "years": self.years,
            "deadweight": float(self.deadweight),
            "attribution": float(self.attribution),
            "optimism_bias": float(self.optimism_bias),
            "cost_optimism_bias": float(self.cost_optimism_bias),
            "discount_rate": float(self.discount_rate),
        }


@dataclass(frozen=True)
class BenefitLine:
    """One kind of avoided event in one year, from gross saving to present value."""

    code: str
    agency: str
    year: int
    avoided: Decimal
    unit_cost_gbp: Decimal
    gross: Decimal
    after_deadweight: Decimal
    after_attribution: Decimal
    net: Decimal
    present_value: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "agency": self.agency,
            "year": self.year,
            "avoided": float(self.avoided),
            "unit_cost_gbp": float(self.unit_cost_gbp),
            "gross_gbp": float(self.gross),
            "after_deadweight_gbp": float(self.after_deadweight),
            "after_attribution_gbp": float(self.after_attribution),
            "net_gbp": float(self.net),
            "present_value_gbp": float(self.present_value),
        }


def benefit_line(
    priced: PricedUnitCost, avoided: Decimal, year: int, assumptions: Assumptions
) -> BenefitLine:
    """The guidance's chain for one outcome and year, each step to the penny."""
    gross = pennies(avoided * priced.cost_gbp)
    after_deadweight = pennies(gross * (1 - assumptions.deadweight))
    after_attribution = pennies(after_deadweight * assumptions.attribution)
    net = pennies(after_attribution * (1 - assumptions.optimism_bias))
    return BenefitLine(
        code=priced.unit_cost.key,
        agency=priced.unit_cost.agency,
        year=year,
        avoided=avoided,
        unit_cost_gbp=priced.cost_gbp,
        gross=gross,
        after_deadweight=after_deadweight,
        after_attribution=after_attribution,
        net=net,
        present_value=pennies(net * assumptions.discount_factor(year)),
    )


@dataclass(frozen=True)
class YearFlow:
    """Costs and benefits of one appraisal year, and the running totals in present values."""

    year: int
    costs: Decimal
    benefits: Decimal
    present_value_costs: Decimal
    present_value_benefits: Decimal
    cumulative_costs: Decimal
    cumulative_benefits: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "costs_gbp": float(self.costs),
            "benefits_gbp": float(self.benefits),
            "present_value_costs_gbp": float(self.present_value_costs),
            "present_value_benefits_gbp": float(self.present_value_benefits),
            "cumulative_costs_gbp": float(self.cumulative_costs),
            "cumulative_benefits_gbp": float(self.cumulative_benefits),
        }


@dataclass(frozen=True)
class AgencyGain:
    """What one agency's budget gains (present value) and its share of all the benefits."""

    agency: str
    present_value: Decimal
    share: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "present_value_gbp": float(self.present_value),
            "share": float(self.share),
        }


@dataclass(frozen=True)
class Payback:
    """When cumulative benefits first reach cumulative costs (present values).

    Costs of a year are taken as paid at its start and benefits as arriving evenly through it,
    so the months are interpolated within the year in which the benefits catch up.
    """

    year: int | None
    months: Decimal | None

    @property
    def description(self) -> str:
        if self.year is None or self.months is None:
            return "not within the appraisal period"
        return f"year {self.year} ({self.months} months)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "months": None if self.months is None else float(self.months),
            "description": self.description,
        }


def payback(flows: Sequence[YearFlow]) -> Payback:
    """The first point at which cumulative benefits reach cumulative costs."""
    benefits_so_far = Decimal(0)
    costs_so_far = Decimal(0)
    for flow in flows:
        costs_so_far += flow.present_value_costs
        shortfall = costs_so_far - benefits_so_far
        months_before = Decimal(12 * (flow.year - 1))
        if shortfall <= 0:
            return Payback(flow.year, months_before.quantize(MONTH_PLACES))
        if flow.present_value_benefits > 0 and flow.present_value_benefits >= shortfall:
            within = 12 * shortfall / flow.present_value_benefits
            return Payback(
                flow.year, (months_before + within).quantize(MONTH_PLACES, ROUND_HALF_UP)
            )
        benefits_so_far += flow.present_value_benefits
    return Payback(None, None)


@dataclass(frozen=True)
class CostBenefitResult:
    """The whole appraisal: assumptions, unit costs used, lines, years, agencies and totals."""

    assumptions: Assumptions
    unit_costs: tuple[PricedUnitCost, ...]
    lines: tuple[BenefitLine, ...]
    flows: tuple[YearFlow, ...]
    by_agency: tuple[AgencyGain, ...]
    caveats: tuple[str, ...]

    @property
    def gross_benefits(self) -> Decimal:
        return sum((line.gross for line in self.lines), Decimal(0))

    @property
    def net_benefits(self) -> Decimal:
        """Benefits after deadweight, attribution and optimism bias, not discounted."""
        return sum((line.net for line in self.lines), Decimal(0))

    @property
    def total_costs(self) -> Decimal:
        return sum((flow.costs for flow in self.flows), Decimal(0))

    @property
    def present_value_benefits(self) -> Decimal:
        return sum((flow.present_value_benefits for flow in self.flows), Decimal(0))

    @property
    def present_value_costs(self) -> Decimal:
        return sum((flow.present_value_costs for flow in self.flows), Decimal(0))

    @property
    def net_present_budget_impact(self) -> Decimal:
        """Present value of the savings less the present value of the costs."""
        return self.present_value_benefits - self.present_value_costs

    @property
    def fiscal_roi(self) -> Decimal | None:
        """Pounds of fiscal benefit for each pound spent (present values); none without costs."""
        if self.present_value_costs == 0:
            return None
        ratio = self.present_value_benefits / self.present_value_costs
        return ratio.quantize(ROI_PLACES, ROUND_HALF_UP)

    @property
    def payback(self) -> Payback:
        return payback(self.flows)

    def to_dict(self) -> dict[str, Any]:
        roi = self.fiscal_roi
        return {
            "assumptions": self.assumptions.to_dict(),
            "deflators": deflator_series().release,
            "unit_costs": [cost.to_dict() for cost in self.unit_costs],
            "benefit_lines": [line.to_dict() for line in self.lines],
            "years": [flow.to_dict() for flow in self.flows],
            "by_agency": [gain.to_dict() for gain in self.by_agency],
            "gross_benefits_gbp": float(self.gross_benefits),
            "net_benefits_gbp": float(self.net_benefits),
            "total_costs_gbp": float(self.total_costs),
            "present_value_benefits_gbp": float(self.present_value_benefits),
            "present_value_costs_gbp": float(self.present_value_costs),
            "net_present_budget_impact_gbp": float(self.net_present_budget_impact),
            "fiscal_roi": None if roi is None else float(roi),
            "payback": self.payback.to_dict(),
            "caveats": list(self.caveats),
        }


CostsInput = Decimal | float | int | Sequence[tuple[int, Decimal | float | int]]


def costs_by_year(costs_gbp: CostsInput, years: int) -> dict[int, Decimal]:
    """Costs keyed by appraisal year (1 to ``years``); a single amount is all in year 1."""
    if isinstance(costs_gbp, Decimal | float | int):
        pairs: Iterable[tuple[int, Decimal | float | int]] = [(1, costs_gbp)]
    else:
        pairs = costs_gbp
    by_year = dict.fromkeys(range(1, years + 1), Decimal(0))
    for year, amount in pairs:
        if year not in by_year:
            raise ValueError(
                f"a cost falls in year {year}, outside the appraisal years 1 to {years}"
            )
        by_year[year] += as_decimal(amount)
    return by_year


Events = float | int | Decimal
AvoidedInput = Mapping[str, Events | Sequence[Events]]


def avoided_by_year(avoided: AvoidedInput, years: int) -> dict[str, list[Decimal]]:
    """Events avoided in each appraisal year, per unit cost code.

    One number is the same every year; a sequence gives each year in turn and must cover the
    appraisal period exactly.
    """
    by_year: dict[str, list[Decimal]] = {}
    for code, events in avoided.items():
        if isinstance(events, Decimal | float | int):
            by_year[code] = [as_decimal(events)] * years
            continue
        if len(events) != years:
            raise ValueError(
                f"{code}: {len(events)} years of avoided events for a {years}-year appraisal"
            )
        by_year[code] = [as_decimal(n) for n in events]
    return by_year


def evaluate_value_for_money(
    avoided: AvoidedInput,
    costs_gbp: CostsInput,
    price_year: str,
    years: int = 1,
    *,
    deadweight: float,
    attribution: float,
    optimism_bias: float,
    cost_optimism_bias: float = 0.0,
    discount_rate: float = GREEN_BOOK_DISCOUNT_RATE,
    include_non_fiscal: bool = False,
) -> CostBenefitResult:
    """Appraise the work: events avoided each year, priced, adjusted, set against its costs.

    ``avoided`` maps a unit cost code (``HE4.0``; or the item name where the table gives no
    code) to the events avoided in each year of the appraisal period (one number for every
    year, or one per year). ``costs_gbp`` is one amount (all in year 1) or ``(year, amount)``
    pairs, already in ``price_year`` prices (see :func:`programme_costs` for the programme's own
    spend, uprated). Shares are between 0 and 1. Values the table marks as not purely fiscal are
    refused unless ``include_non_fiscal`` is set, because the return on investment is a fiscal one.
    """
    assumptions = Assumptions(
        price_year=financial_year(price_year),
        years=years,
        deadweight=as_decimal(deadweight),
        attribution=as_decimal(attribution),
        optimism_bias=as_decimal(optimism_bias),
        cost_optimism_bias=as_decimal(cost_optimism_bias),
        discount_rate=as_decimal(discount_rate),
    )
    events = avoided_by_year(avoided, years)
    priced = {code: unit_cost(code).priced(assumptions.price_year) for code in events}
    non_fiscal = [cost.unit_cost for cost in priced.values() if not cost.unit_cost.is_fiscal]
    if non_fiscal and not include_non_fiscal:
        named = ", ".join(f"{cost.key} ({cost.value_type})" for cost in non_fiscal)
        raise ValueError(
            f"these unit costs are not purely fiscal: {named}; a fiscal return on investment "
            "cannot use them (pass include_non_fiscal=True to count them, with a caveat)"
        )
    lines = tuple(
        benefit_line(priced[code], count, year, assumptions)
        for code, counts in events.items()
        for year, count in enumerate(counts, start=1)
    )
    return CostBenefitResult(
        assumptions=assumptions,
        unit_costs=tuple(priced.values()),
        lines=lines,
        flows=_flows(lines, costs_by_year(costs_gbp, years), assumptions),
        by_agency=_by_agency(lines),
        caveats=_caveats(non_fiscal, assumptions),
    )


def _caveats(non_fiscal: Sequence[UnitCost], assumptions: Assumptions) -> tuple[str, ...]:
    caveats: list[str] = []
    if non_fiscal:
        caveats.append(
            "Some benefits include economic or social values, not only savings to budgets: "
            + ", ".join(cost.key for cost in non_fiscal)
        )
    if deflator_series().is_forecast(assumptions.price_year):
        caveats.append(
            f"The price year {assumptions.price_year} is a forecast year of the GDP deflator "
            "series; figures will change when the outturn is published"
        )
    return tuple(caveats)


def _flows(
    lines: Sequence[BenefitLine], costs: Mapping[int, Decimal], assumptions: Assumptions
) -> tuple[YearFlow, ...]:
    flows: list[YearFlow] = []
    cumulative_costs = cumulative_benefits = Decimal(0)
    for year in range(1, assumptions.years + 1):
        year_lines = [line for line in lines if line.year == year]
        cost = pennies(costs[year] * (1 + assumptions.cost_optimism_bias))
        pv_cost = pennies(cost * assumptions.discount_factor(year))
        pv_benefit = sum((line.present_value for line in year_lines), Decimal(0))
        cumulative_costs += pv_cost
        cumulative_benefits += pv_benefit
        flows.append(
            YearFlow(
                year=year,
                costs=cost,
                benefits=sum((line.net for line in year_lines), Decimal(0)),
                present_value_costs=pv_cost,
                present_value_benefits=pv_benefit,
                cumulative_costs=cumulative_costs,
                cumulative_benefits=cumulative_benefits,
            )
        )
    return tuple(flows)


def _by_agency(lines: Sequence[BenefitLine]) -> tuple[AgencyGain, ...]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        totals[line.agency] += line.present_value
    everything = sum(totals.values(), Decimal(0))
    return tuple(
        AgencyGain(
            agency=agency,
            present_value=amount,
            share=(amount / everything).quantize(SHARE_PLACES, ROUND_HALF_UP)
            if everything
            else Decimal(0),
        )
        for agency, amount in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    )


# --- The programme's own costs ----------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    """One spend line of a grant, in cash and in the appraisal's price year."""

    grant: str
    workstream: str
    description: str
    on: date
    kind: str
    cash_gbp: Decimal
    financial_year: str
    price_year: str
    real_gbp: Decimal


@dataclass(frozen=True)
class Grant:
    name: str
    funder: str
    amount_gbp: Decimal
    spend_by: date


@dataclass(frozen=True)
class ProgrammeCosts:
    """The programme's funding and spend, uprated to one price year."""

    price_year: str
    grants: tuple[Grant, ...]
    lines: tuple[CostLine, ...]

    @property
    def funding_gbp(self) -> Decimal:
        return sum((grant.amount_gbp for grant in self.grants), Decimal(0))

    @property
    def spend_cash_gbp(self) -> Decimal:
        return sum((line.cash_gbp for line in self.lines), Decimal(0))

    @property
    def spend_real_gbp(self) -> Decimal:
        return sum((line.real_gbp for line in self.lines), Decimal(0))

    @property
    def first_year(self) -> str:
        """The financial year of the first spend: appraisal year 1."""
        return min(line.financial_year for line in self.lines)

    def by_appraisal_year(self) -> list[tuple[int, Decimal]]:
        """The spend as ``(year, amount)`` pairs for :func:`evaluate_value_for_money`."""
        first = int(self.first_year[:4])
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            totals[int(line.financial_year[:4]) - first + 1] += line.real_gbp
        return sorted(totals.items())


def seed_programme_path() -> Traversable:
    """The packaged seed programme (the £245,000 Transformation Challenge Award and its spend)."""
    return files("joinedup.web.programme").joinpath("seed_programme.toml")


def programme_costs(
    price_year: str,
    path: Path | Traversable | None = None,
    *,
    include_forecast: bool = True,
) -> ProgrammeCosts:
    """Grants and spend lines from a programme TOML file, each line uprated to ``price_year``.

    Reads the file the programme office keeps (``seed_programme.toml`` by default) without the
    web app. Forecast spend counts unless ``include_forecast`` is false (actuals only).
    """
    source = path if path is not None else seed_programme_path()
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    target = financial_year(price_year)
    grants: list[Grant] = []
    lines: list[CostLine] = []
    for entry in data.get("grant", []):
        grants.append(
            Grant(
                name=entry["name"],
                funder=entry.get("funder", ""),
                amount_gbp=as_decimal(entry["amount"]),
                spend_by=entry["spend_by"],
            )
        )
        for spend in entry.get("spend", []):
            if spend["kind"] != "actual" and not include_forecast:
                continue
            cash = as_decimal(spend["amount"])
            year = financial_year_of(spend["on"])
            lines.append(
                CostLine(
                    grant=entry["name"],
                    workstream=spend.get("workstream", ""),
                    description=spend.get("description", ""),
                    on=spend["on"],
                    kind=spend["kind"],
                    cash_gbp=cash,
                    financial_year=year,
                    price_year=target,
                    real_gbp=pennies(uprate(cash, year, target)),
                )
            )
    return ProgrammeCosts(price_year=target, grants=tuple(grants), lines=tuple(lines))
