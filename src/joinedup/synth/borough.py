"""The synthetic borough as one object: who lived here, where, and what happened to them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.reference import Lsoas, lsoas
from joinedup.synth import nhs_numbers
from joinedup.synth.addresses import assign_addresses
from joinedup.synth.conditions import build_conditions
from joinedup.synth.config import SynthConfig
from joinedup.synth.intervention import select_referrals
from joinedup.synth.life import live_five_years
from joinedup.synth.need import latent_needs, service_multipliers
from joinedup.synth.params import Params, load_params
from joinedup.synth.registrations import build_registrations
from joinedup.synth.residents import build_residents
from joinedup.synth.rng import stream
from joinedup.synth.segments import build_segments
from joinedup.synth.services import service_events
from joinedup.synth.table import Table

Step = Callable[[str], None]


@dataclass
class Borough:
    config: SynthConfig
    params: Params
    lsoas: Lsoas
    people: Table
    addresses: Table
    nhs_number: npt.NDArray[np.int64]
    needs: Table
    multipliers: dict[str, npt.NDArray[np.float64]]
    referrals: Table
    segments: Table
    registrations: Table
    conditions: Table

    def events(self, service: str) -> Table:
        """Every event of a service; A&E use falls after an Integrated Action Team referral."""
        return self._events(service, self.segments, None)

    def events_in_parts(self, service: str, people_per_part: int) -> Iterator[Table]:
        """The same, drawn and returned for a slice of residents at a time (bounded memory)."""
        person = self.segments["person"]
        for part, first in enumerate(range(0, self.people.rows, people_per_part)):
            lo, hi = np.searchsorted(person, [first, first + people_per_part])
            yield self._events(service, self.segments.take(np.arange(lo, hi)), part)

    def _events(self, service: str, segments: Table, part: int | None) -> Table:
        ratio = (
            self.params.section("intervention")["ae_rate_ratio"]
            if service == "ae_attendance"
            else 1.0
        )
        return service_events(
            self.config,
            self.params,
            self.lsoas,
            self.people,
            segments,
            service,
            self.multipliers[service],
            after_referral_ratio=ratio,
            part=part,
        )


def build_borough(config: SynthConfig, step: Step = lambda _: None) -> Borough:
    """Generate the population and its life course; extracts are rendered from this afterwards."""
    params, areas = load_params(), lsoas()
    step("residents and households")
    residents = build_residents(config, params, areas)
    step("births, deaths, moves and marriages")
    people = live_five_years(config, params, areas, residents)
    register, people = assign_addresses(config, areas, people)
    nhs = nhs_numbers.synthetic(people.rows, stream(config.seed, "nhs-numbers"))
    step("needs, conditions and GP registrations")
    needs = latent_needs(config, params, areas, people)
    multipliers = service_multipliers(config, params, people, needs)
    referrals = select_referrals(config, params, areas, people, needs, multipliers["ae_attendance"])
    segments = build_segments(config, people, referrals["referral_day"])
    return Borough(
        config=config,
        params=params,
        lsoas=areas,
        people=people,
        addresses=register,
        nhs_number=nhs,
        needs=needs,
        multipliers=multipliers,
        referrals=referrals,
        segments=segments,
        registrations=build_registrations(config, params, areas, people),
        conditions=build_conditions(config, params, areas, people, needs),
    )
