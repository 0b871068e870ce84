"""Propagation shared by :class:`~lab.orbits.Orbit` and :class:`~lab.orbits.Constellation`.

Layers, poliastro's direction: :mod:`lab.orbits.core` (plain float kernels) <- this module
(element arrays, model and kernel choice, frames) <- ``Orbit`` (one satellite, a scalar view)
and ``Constellation`` (many). Both describe their satellites as a :class:`MeanElements` record
of (S,) arrays (an Orbit is S = 1) and call :func:`states` / :func:`advance`; neither imports the
other's module for propagation.

- ``kepler`` / ``j2``: mean elements advanced linearly in time (two-body, or with the secular J2
  rates). Circular shells whose satellites share few distinct rates (a Walker shell) take the
  :func:`~lab.orbits.core.circular_shell_states` fast path (one matrix product per rate group);
  anything else :func:`~lab.orbits.core.general_states` (Kepler's equation, any e < 1).
- ``sgp4``: the satellites' TLE records through python-sgp4's ``SatrecArray``, TEME -> GCRS.
- ``frame="itrs"``: one GCRS -> ITRS rotation per epoch applied to all satellites; velocities are
  Earth-fixed (v_itrs = M v - ω⊕ × r_itrs).

Times are float seconds of TAI after the common epoch (:mod:`lab.orbits._time`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from astropy.time import Time

from lab._validate import check_choice, check_memory
from lab.orbits import core
from lab.orbits._time import TIME_BYTES_PER_EPOCH, resolve_times
from lab.orbits.frames import _earth_fixed_velocity, gcrs_to_itrs_matrix
from lab.orbits.tle import sgp4_states

__all__ = ["FRAMES", "MODELS", "MeanElements", "advance", "check_model", "element_states",
           "states"]

MODELS = ("kepler", "j2", "sgp4")
FRAMES = ("gcrs", "itrs")
TAU = 2.0 * np.pi

#: Peak bytes per epoch besides the output: Time arrays, the rotation and its ERFA temporaries,
#: and the circular kernel's time functions (estimates for the memory guard).
_BYTES_PER_EPOCH = TIME_BYTES_PER_EPOCH + 160 + 240


@dataclass(frozen=True)
class MeanElements:
    """Mean elements of S satellites as (S,) float arrays: ``a`` km, ``e``, ``i``, ``raan``,
    ``argp``, ``M0`` rad; ``t_offset`` (S,) s is the epoch of each satellite's elements after the
    common epoch (None: all at the common epoch)."""

    a: np.ndarray
    e: np.ndarray
    i: np.ndarray
    raan: np.ndarray
    argp: np.ndarray
    M0: np.ndarray
    t_offset: np.ndarray | None = None

    def __len__(self) -> int:
        return self.a.size


def check_model(model: str, has_tle: bool, needs: str) -> None:
    """``model`` is one of :data:`MODELS`; "sgp4" only with TLEs (else ``needs`` is the hint)."""
    check_choice(model, MODELS, "model")
    if model == "sgp4" and not has_tle:
        raise ValueError(f"model='sgp4' needs {needs}")


def element_states(el: MeanElements, sec: np.ndarray, model: str, rotation=None,
                   velocity: bool = False):
    """Positions (and velocities) (S, E, 3) of ``el`` at ``sec`` s after the common epoch.

    Chooses the kernel: circular orbits sharing at most max(4, S/8) distinct (node, latitude)
    rates -> :func:`~lab.orbits.core.circular_shell_states`; else the general kernel.
    ``rotation`` (E, 3, 3) is applied per epoch (e.g. GCRS -> ITRS).
    """
    a, e, i = el.a, el.e, el.i
    if not np.any(e):
        raan_dot, argp_dot, m_dot = core._rates(a, e, i, model)
        u_dot = argp_dot + m_dot
        n_groups = len(np.unique(np.stack([raan_dot, u_dot], axis=1), axis=0))
        if n_groups <= max(4, a.size // 8):
            u0 = el.argp + el.M0
            raan0 = el.raan
            if el.t_offset is not None:
                u0 = u0 - u_dot * el.t_offset
                raan0 = raan0 - raan_dot * el.t_offset
            return core.circular_shell_states(
                a, i, raan0, u0, sec, raan_dot, u_dot, rotation=rotation, velocity=velocity
            )
    return core.general_states(a, e, i, el.raan, el.argp, el.M0, sec, model=model,
                               rotation=rotation, velocity=velocity, t_offset=el.t_offset)


def states(el: MeanElements, epoch: Time, times, model: str = "j2", frame: str = "gcrs",
           velocity: bool = False, satrecs=None, max_memory_gb=None):
    """Positions (S, E, 3) km, or (r km, v km/s) with ``velocity``, at ``times``.

    ``times``: astropy Time (any scale; scalar -> E = 1, or 1-D) or seconds after ``epoch``.
    ``model``: "kepler", "j2" or "sgp4" (then ``satrecs``, one per satellite, are used).
    ``frame``: "gcrs" or "itrs" (Earth-fixed, velocity relative to the rotating Earth).
    Refuses (``ValueError``) output larger than the memory limit (:func:`lab._validate.check_memory`;
    ``max_memory_gb`` overrides it, ``inf`` for a caller that has budgeted the call itself).
    """
    check_choice(frame, FRAMES, "frame")
    sec, t, _ = resolve_times(times, epoch)
    S, E = len(el), sec.size
    arrays = 4 if model == "sgp4" else (2 if velocity else 1)
    check_memory(S * E * 24.0 * arrays + E * _BYTES_PER_EPOCH,
                 f"states of {S:,} satellites x {E:,} epochs", max_memory_gb)
    if model == "sgp4":
        r, v = sgp4_states(satrecs, t, frame=frame)
        return (r, v) if velocity else r
    rotation = gcrs_to_itrs_matrix(t) if frame == "itrs" else None
    out = element_states(el, sec, model, rotation, velocity)
    if velocity and frame == "itrs":
        _earth_fixed_velocity(*out)
    return out


def advance(el: MeanElements, sec: float, model: str) -> MeanElements:
    """The mean elements ``sec`` s later ("kepler" or "j2"): node, perigee and mean anomaly
    advanced at their secular rates and wrapped to [0, 2π); a, e, i and offsets unchanged."""
    check_choice(model, ("kepler", "j2"), "model")
    node, w, M = core.propagate_elements(el.a, el.e, el.i, el.raan, el.argp, el.M0, sec,
                                         j2=(model == "j2"))
    return MeanElements(el.a, el.e, el.i, np.remainder(node, TAU), np.remainder(w, TAU),
                        np.remainder(M, TAU), el.t_offset)
