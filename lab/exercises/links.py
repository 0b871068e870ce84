"""Check helpers for the exercises of notebook 03 (links and latency).

>>> from lab.exercises import links as ex
>>> ex.exercise_2(6.0).correct
True
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
from astropy import units as u

import lab.links as L
from lab import examples
from lab.exercises import Feedback, check_answer
from lab.orbits import DEFAULT_EPOCH, Constellation

__all__ = ["EXERCISE_1", "EXERCISE_2", "EXERCISE_3", "EXERCISE_4", "exercise_1", "exercise_2",
           "exercise_3", "exercise_4"]

#: Exercise 1: Three-Body satellite 0 over Kashgar for the launch day, mask 10 -> 25 deg.
EXERCISE_1 = {"station": "Kashgar", "mask_deg": 25.0, "duration_s": 86400.0}
#: Exercise 2: the X-band downlink at twice its frequency, path loss at 1,000 km.
EXERCISE_2 = {"frequency_factor": 2.0, "range_km": 1000.0}
#: Exercise 3: a Walker star like Iridium, cross-plane links cut above 60 deg latitude.
EXERCISE_3 = {"total": 66, "planes": 6, "phasing": 2, "alt": 780.0, "inc": 86.4,
              "max_cross_latitude": 60.0}
#: Exercise 4: the 12-satellite prompt of section 6 (3 h after launch) uplinked from KSAT.
EXERCISE_4 = {"network": "ksat", "delay_h": 3.0, "size_bits": 16e3}


def _station(name: str) -> L.GroundStation:
    return next(s for s in L.get_network("china") if s.name == name)


def _minutes_in_view(station: L.GroundStation) -> float:
    ps = L.passes(examples.three_body(DEFAULT_EPOCH)[0], station, DEFAULT_EPOCH,
                  EXERCISE_1["duration_s"])
    return float(sum(p.duration.to_value(u.min) for p in ps))


@cache
def _minutes_lost() -> float:
    station = _station(EXERCISE_1["station"])
    return _minutes_in_view(station) - _minutes_in_view(station.with_mask(EXERCISE_1["mask_deg"]))


def exercise_1(answer: Any) -> Feedback:
    """Minutes of contact satellite 0 loses over Kashgar in the day when the mask goes from
    10 to 25 deg."""
    return check_answer("contact time lost", answer, _minutes_lost, unit="min", rtol=0.05,
                        atol=0.5, what="a number of minutes",
                        hint="sum p.duration over L.passes(...) with both masks and "
                                       "subtract")


@cache
def _extra_path_loss_db() -> float:
    xband = L.LinkBudget.preset("x-band-downlink")
    doubled = xband.replace(frequency=xband.frequency * EXERCISE_2["frequency_factor"])
    d = EXERCISE_2["range_km"]
    return float(doubled.fspl(d) - xband.fspl(d))


def exercise_2(answer: Any) -> Feedback:
    """How many dB more path loss at twice the X-band frequency?"""
    return check_answer("extra path loss", answer, _extra_path_loss_db, unit="", rtol=0.01,
                        what="a number of dB",
                        hint="FSPL = 20 log10(4 pi d f / c): what does doubling f add?")


@cache
def _links_per_satellite() -> float:
    spec = EXERCISE_3
    star = Constellation.walker_star(spec["total"], spec["planes"], spec["phasing"],
                                     alt=spec["alt"], inc=spec["inc"], epoch=DEFAULT_EPOCH)
    g = L.isl_graph(star, DEFAULT_EPOCH, max_cross_latitude=spec["max_cross_latitude"])
    return float(np.mean([d for _, d in g.degree()]))


def exercise_3(answer: Any) -> Feedback:
    """Mean number of laser links per satellite of the 66/6/2 Walker star at the epoch, with
    cross-plane links off above 60 deg latitude."""
    return check_answer("links per satellite", answer, _links_per_satellite, rtol=0.01,
                        what="a mean number of links",
                        hint="np.mean([d for _, d in g.degree()]) of the graph built with "
                             "max_cross_latitude=60")


@cache
def _ksat_wait_min() -> float:
    spec = EXERCISE_4
    r = L.route(examples.three_body(DEFAULT_EPOCH), spec["network"], spec["network"], 0,
                DEFAULT_EPOCH + spec["delay_h"] * u.h, size=spec["size_bits"])
    return float(r.wait.to_value(u.min))


def exercise_4(answer: Any) -> Feedback:
    """Minutes the section-6 prompt waits for a contact when it is uplinked from any KSAT
    station instead of Kashgar (to satellite 0, 3 h after launch)."""
    return check_answer("wait for a contact", answer, _ksat_wait_min, unit="min", rtol=0.05,
                        atol=1.0, what="a number of minutes",
                        hint="L.route(three_body, 'ksat', 'ksat', 0, t0 + 3 * u.h, "
                             "size=2 * u.kB).wait")
