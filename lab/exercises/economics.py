"""Check helpers for the exercises of notebook 06 (economics).

Every expected answer is computed with :mod:`lab.economics` (never typed in)::

    from lab.exercises import economics as ex
    ex.exercise_3(29)        # kg per kW of the lightest Suncatcher-class satellite
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from lab import economics, examples
from lab.exercises import Feedback, check_choice, check_number, unanswered

__all__ = ["LAUNCH_PRICE", "PROBABILITIES", "exercise_1", "exercise_2", "exercise_3",
           "exercise_4", "exercise_5", "light_satellite", "on_three_body_orbit"]

LAUNCH_PRICE = 200.0  # USD/kg, Suncatcher's mid-2030s target: the price of every exercise
PRESET = "suncatcher-81"
PROBABILITIES = ("P(orbit cheaper per token)", "P(launch below power spend)")


def _gap(**overrides: Any) -> float:
    """Orbit minus ground USD per million tokens of the Suncatcher preset at $200/kg."""
    s = economics.evaluate(PRESET, launch_price=LAUNCH_PRICE, **overrides).summary()
    return float(s["usd_per_mtok"]["orbit"] - s["usd_per_mtok"]["ground"])


def _orbit(preset: Any = PRESET, **overrides: Any) -> float:
    """Orbit USD per million tokens of ``preset`` at $200/kg."""
    return float(economics.evaluate(preset, launch_price=LAUNCH_PRICE,
                                    **overrides).summary()["usd_per_mtok"]["orbit"])


def exercise_1(platform_usd_per_kg: Any) -> Feedback:
    """The platform cost (USD/kg) at which the Suncatcher preset breaks even at $200/kg (the cost
    is linear in it: solved from two evaluations; negative if no platform is cheap enough)."""
    if platform_usd_per_kg is None:
        return unanswered("my_answer", 'a platform cost in USD/kg')
    lo, hi = 0.0, float(economics.DEFAULTS["platform_usd_per_kg"])
    g_lo, g_hi = _gap(platform_usd_per_kg=lo), _gap(platform_usd_per_kg=hi)
    expected = lo - g_lo * (hi - lo) / (g_hi - g_lo)
    return check_number("break-even platform cost", platform_usd_per_kg, expected,
                        unit="USD/kg", rtol=0.05,
                        hint="orbit minus ground USD/Mtok is a straight line in "
                        "platform_usd_per_kg: evaluate it at two values and solve for zero "
                        "(the answer may be negative).")


def _probability_moves(n: int = 20_000, year: int = 2035) -> dict[str, float]:
    """How far each probability of :data:`PROBABILITIES` moves in ``year`` from section 6's
    Monte Carlo (ground inputs drawn) to the constrained grid."""
    out = {}
    runs = [economics.monte_carlo(PRESET, n, seed=0, baseline=b)
            for b in (None, "constrained-grid")]
    i = int(np.flatnonzero(runs[0].years == year)[0])
    for name, attr in zip(PROBABILITIES, ("p_orbit_cheaper", "p_launch_below_power"),
                          strict=True):
        out[name] = abs(float(getattr(runs[1], attr)[i]) - float(getattr(runs[0], attr)[i]))
    return out


def exercise_2(probability: str) -> Feedback:
    """Which probability moves with ``baseline="constrained-grid"``: one of
    :data:`PROBABILITIES`."""
    if probability is None:
        return unanswered("my_answer", 'one of ex.PROBABILITIES')
    moves = _probability_moves()
    expected = max(moves, key=moves.get)
    return check_choice("probability", probability, expected, PROBABILITIES,
                  why="an expensive grid raises the ground's power bill, which is all that "
                  "Suncatcher's launch-only criterion compares; the all-in cost of a token "
                  "from orbit stays above the ground's because the satellite, its radiators "
                  "and the lost accelerators cost more than any electricity bill",
                  hint="run economics.monte_carlo('suncatcher-81', ..., baseline="
                  "'constrained-grid') and compare both columns of section 6's table.")


def light_satellite() -> dict[str, float]:
    """Exercise 3's inputs: the lightest parts of section 7 (Starcloud-like)."""
    return {"array_w_per_kg": 300.0, "radiator_kg_per_m2": 3.0, "battery_wh_per_kg": 250.0}


def exercise_3(kg_per_kw: Any) -> Feedback:
    """kg per kW of the Suncatcher satellite with 300 W/kg arrays, 3 kg/m² radiators and
    250 Wh/kg batteries."""
    if kg_per_kw is None:
        return unanswered("my_answer", 'a mass per power in kg/kW')
    res = economics.evaluate(PRESET, launch_price=LAUNCH_PRICE, **light_satellite())
    return check_number("mass per kW", kg_per_kw, float(res.raw["kg_per_kw"]), unit="kg/kW",
                        rtol=0.02, hint="evaluate the preset with the three overrides and read "
                        "res.raw['kg_per_kw'].")


def on_three_body_orbit() -> Any:
    """Exercise 4's preset: ``suncatcher-81`` flown on the Three-Body orbit (535 km SSO, not
    dawn-dusk)."""
    return replace(economics.PRESETS[PRESET], name="suncatcher-81 on the Three-Body orbit",
                   shells=((examples.THREE_BODY, 81),))


def exercise_4(extra_usd_per_mtok: Any) -> Feedback:
    """How many USD per million tokens (at $200/kg) the Three-Body orbit adds to the Suncatcher
    satellite (more battery, a larger array)."""
    if extra_usd_per_mtok is None:
        return unanswered("my_answer", 'a cost in USD per million tokens')
    expected = _orbit(on_three_body_orbit()) - _orbit(PRESET)
    return check_number("extra cost", extra_usd_per_mtok, expected, unit="USD/Mtok", rtol=0.03,
                        hint="dataclasses.replace(economics.PRESETS['suncatcher-81'], shells="
                        "((examples.THREE_BODY, 81),)), evaluate both at launch_price=200 and "
                        "subtract the orbit's usd_per_mtok.")


def exercise_5(usd_per_mtok: Any) -> Feedback:
    """The orbit's USD per million tokens (at $200/kg) when the accelerators are re-launched
    every 3 years (``refresh_years=3``)."""
    if usd_per_mtok is None:
        return unanswered("my_answer", 'a cost in USD per million tokens')
    return check_number("orbit cost", usd_per_mtok, _orbit(refresh_years=3.0),
                        unit="USD/Mtok", rtol=0.02,
                        hint="economics.evaluate('suncatcher-81', launch_price=200, "
                        "refresh_years=3).summary()['usd_per_mtok']['orbit'].")
