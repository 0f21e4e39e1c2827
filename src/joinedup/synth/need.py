"""Each resident's own propensity to use services: shared latent needs plus service-specific spread.

Health services share a latent health need, community-safety and housing services a latent
social need; a small group with complex needs, concentrated in deprived areas, is known to
many agencies at once. This is what makes contacts cluster across agencies as they do.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.reference import Lsoas
from joinedup.synth.config import SynthConfig
from joinedup.synth.dates import age_in_years
from joinedup.synth.params import Params, deprivation_factor
from joinedup.synth.rng import stream
from joinedup.synth.table import Table

FloatArray = npt.NDArray[np.float64]

HEALTH_SERVICES = (
    "gp_appointment",
    "ae_attendance",
    "direct_emergency_admission",
    "pam_assessment",
)
LATENT_WEIGHTS = {"mental_health_contact": (0.5, 0.5)}
HEALTH_SIGMA, SOCIAL_SIGMA, CORRELATION = 0.6, 0.8, 0.4


def _lognormal_mean_one(normal: FloatArray, sigma: float) -> FloatArray:
    return np.asarray(np.exp(sigma * normal - sigma**2 / 2), dtype=np.float64)


def latent_needs(config: SynthConfig, params: Params, lsoas: Lsoas, people: Table) -> Table:
    """Latent health and social need (mean 1) and the complex-needs flag of every resident."""
    rng = stream(config.seed, "need")
    first, second = rng.standard_normal(people.rows), rng.standard_normal(people.rows)
    health = _lognormal_mean_one(first, HEALTH_SIGMA)
    social_normal = CORRELATION * first + np.sqrt(1 - CORRELATION**2) * second
    social = _lognormal_mean_one(social_normal, SOCIAL_SIGMA)
    need = params.section("need")
    low, high = need["complex_needs_age"]
    age = age_in_years(people["birth_day"], people["start_day"])
    share = need["complex_needs_share"] * deprivation_factor(
        need["complex_needs_deprivation_ratio"], lsoas.imd2019_decile[people["lsoa"]]
    )
    complex_needs = (age >= low) & (age <= high) & (rng.random(people.rows) < share)
    return Table({"health_need": health, "social_need": social, "complex_needs": complex_needs})


def service_multipliers(
    config: SynthConfig, params: Params, people: Table, needs: Table
) -> dict[str, FloatArray]:
    """Per resident and service: latent need x gamma spread x complex-needs factor (mean about 1)."""
    rng = stream(config.seed, "service-multipliers")
    living_alone = _living_alone(people)
    result: dict[str, FloatArray] = {}
    for name, service in params.services.items():
        health_weight, social_weight = LATENT_WEIGHTS.get(
            name, (1.0, 0.0) if name in HEALTH_SERVICES else (0.0, 1.0)
        )
        k = service.heterogeneity_shape
        spread = rng.gamma(k, 1.0 / k, people.rows)
        latent = needs["health_need"] ** health_weight * needs["social_need"] ** social_weight
        multiplier = (
            spread * latent * np.where(needs["complex_needs"], service.complex_multiplier, 1.0)
        )
        multiplier *= np.where(living_alone, service.living_alone_multiplier, 1.0)
        result[name] = multiplier
    return result


def _living_alone(people: Table) -> npt.NDArray[np.bool_]:
    sizes = np.bincount(people["household"])
    return np.asarray(sizes[people["household"]] == 1, dtype=np.bool_)
