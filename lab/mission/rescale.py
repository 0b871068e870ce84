"""Rescaling a scenario for the widgets and sweeps: :func:`configure`.

``shells`` puts another fleet under the scenario first: a :data:`lab.mission.presets.FLEETS`
name (``"starlink-gen1"``: the five Starlink Gen1 shells the FCC authorized) or shells given as
:class:`Shell` objects, ``(total, planes, alt, inc)`` tuples (km, deg; ``inc`` None for
sun-synchronous) or mappings of :class:`Shell` fields. ``n_satellites`` then scales that fleet
(10,000-40,000 for a Starlink-class fleet) over its shells in proportion to their sizes.

A new total is split over the shells in proportion to their sizes. Plane counts must divide each
shell's total: an explicit ``planes`` becomes the nearest divisor (on a log scale, with a note);
``planes=None`` (auto) scales the preset's planes with sqrt(size), keeping at least 8 satellites
per plane, and moves a total that has no divisor near that target (a prime) to the nearest one
that has (839 -> 840 = 8 x 105, with a note).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from lab._validate import as_value, check_int
from lab.hardware import HardwareProfile, get_profile
from lab.mission.presets import fleet, get_preset
from lab.mission.scenario import Scenario, Shell, epoch_text, stations_of

__all__ = ["MAX_SATELLITES", "configure"]

MAX_SATELLITES = 100_000  # largest total configure() and sweep() accept


def _nearest_divisor(n: int, target: float, min_per_plane: int = 1) -> int:
    """The divisor of ``n`` nearest to ``target`` (log scale) leaving >= ``min_per_plane``."""
    divs = np.array([d for d in range(1, n + 1) if n % d == 0 and n // d >= min_per_plane]
                    or [1])
    return int(divs[np.argmin(np.abs(np.log(divs) - math.log(max(target, 1e-9))))])


def _auto_planes(k: int, target: float, min_per_plane: int) -> int | None:
    """Auto plane count for ``k`` satellites: a divisor within a factor 2 of ``target``.

    ``target`` is clamped to >= 1 (small shells have one plane); each plane keeps
    ``min_per_plane`` satellites. None if no divisor qualifies.
    """
    t = max(target, 1.0)
    p = _nearest_divisor(k, t, min_per_plane)
    ok = t / 2 - 1e-9 <= p <= 2 * t + 1e-9 and k // p >= min_per_plane
    return p if ok else None


def _auto_shell(k: int, total0: int, planes0: int, hi: int) -> tuple[int, int]:
    """``(total, planes)`` for an auto-planed shell of about ``k`` satellites.

    Planes scale with sqrt(size) from the preset's ``planes0`` at ``total0``, with >= 8
    satellites per plane. When no divisor of ``k`` is within a factor 2 of that target (a prime
    such as 839 only splits into 1 or 839 planes), the nearest total that has one is used
    (839 -> 840 = 8 x 105; ties go up).
    """
    for d in range(k + 1):
        for kk in (k + d, k - d) if d else (k,):
            if 1 <= kk <= hi:
                p = _auto_planes(kk, planes0 * math.sqrt(kk / total0), min(8, kk))
                if p is not None:
                    return kk, p
    return k, _nearest_divisor(k, planes0 * math.sqrt(k / total0), min(8, k))  # pragma: no cover


def _split_total(n: int, shells: Sequence[Shell]) -> np.ndarray:
    """``n`` satellites over the shells in proportion to their sizes (largest remainders)."""
    sizes = np.array([s.total for s in shells], dtype=float)
    alloc = np.floor(n * sizes / sizes.sum()).astype(int)
    rem = n - alloc.sum()
    order = np.argsort(-(n * sizes / sizes.sum() - alloc))
    alloc[order[:rem]] += 1
    return alloc


def _as_walker(s: Shell, notes: list[str]) -> Shell:
    """A shell of real satellites (TLEs) cannot be resized or re-planed: a circular Walker
    shell at its mean altitude and inclination takes its place (with a note)."""
    if s.kind != "tle":
        return s
    notes.append(f"{s.name}: the real satellites (TLEs) are replaced by a Walker shell at "
                 f"their mean altitude {s.alt:.0f} km and inclination {s.inclination:.1f} deg")
    return replace(s, kind="walker", tle=(), planes=1, phasing=0)


def _resized_shell(s: Shell, k: int, planes: int | None, notes: list[str]) -> Shell:
    """Shell ``s`` with ``k`` satellites: explicit ``planes`` (nearest divisor) or auto planes."""
    if s.kind == "tle" and k == s.total and planes is None:
        return s  # the real satellites, unchanged
    s = _as_walker(s, notes)
    if s.kind == "cluster":
        return replace(s, total=k, planes=1, phasing=0)
    if planes is not None:
        p = _nearest_divisor(k, float(planes))
        if p != planes:
            notes.append(f"{s.name}: {planes} planes do not divide {k} satellites; "
                         f"using {p} planes")
    else:  # auto: planes ~ sqrt(size), keeping >= 8 per plane (in-plane ISLs reach)
        target = s.planes * math.sqrt(k / s.total)
        kk, p = _auto_shell(k, s.total, s.planes, MAX_SATELLITES)
        if kk != k:
            notes.append(f"{s.name}: {k} satellites cannot form an even Walker shell "
                         f"near {max(target, 1.0):.0f} planes; using {kk} = {p} \u00d7 "
                         f"{kk // p}")
            k = kk
    return replace(s, total=k, planes=p, phasing=min(s.phasing, p - 1))


def _replanned_shell(s: Shell, planes: int, notes: list[str]) -> Shell:
    """Shell ``s`` (same total) with the divisor of its total nearest to ``planes``."""
    s = _as_walker(s, notes)
    p = _nearest_divisor(s.total, planes) if s.kind == "walker" else 1
    if p != planes:
        notes.append(f"{s.name}: {planes} planes do not divide {s.total} satellites; "
                     f"using {p} planes")
    return replace(s, planes=p, phasing=min(s.phasing, p - 1))


def _as_shells(shells: Any) -> list[Shell]:
    """``shells`` (a fleet name, or Shell objects / (total, planes, alt, inc) tuples / Shell
    field mappings) as a list of :class:`Shell` (each checked by Shell itself)."""
    if isinstance(shells, str):
        return list(fleet(shells))
    if isinstance(shells, Shell) or not isinstance(shells, Sequence) or not shells:
        raise TypeError("shells must be a fleet name (lab.mission.presets.FLEETS) or a "
                        "non-empty sequence of Shell objects, (total, planes, alt, inc) tuples "
                        f"or Shell field mappings (got {shells!r})")
    out = []
    for i, s in enumerate(shells):
        if isinstance(s, Shell):
            out.append(s)
        elif isinstance(s, Mapping):
            out.append(Shell(**{"name": f"shell {i}", **s}))
        elif isinstance(s, Sequence) and 1 <= len(s) <= 4:
            keys = ("total", "planes", "alt", "inc")[:len(s)]
            out.append(Shell(**dict(zip(keys, s, strict=True)), name=f"shell {i}"))
        else:
            raise TypeError(f"shells[{i}] must be a Shell, a (total, planes, alt, inc) tuple "
                            f"or a mapping of Shell fields (got {s!r})")
    return out


def _check_planes(planes: Any) -> int | None:
    """``planes`` as an int >= 1, or None (automatic)."""
    if planes is None:
        return None
    try:
        return check_int(planes, "planes", lo=1)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{exc}; planes=None chooses the plane count automatically") from None


def configure(
    scenario: str | Scenario,
    *,
    n_satellites: int | None = None,
    planes: int | None = None,
    alt: float | None = None,
    model_params: float | None = None,
    hardware: str | HardwareProfile | None = None,
    network: str | Sequence[Any] | None = None,
    epoch: Any = None,
    antennas: int | None = None,
    shells: Any = None,
) -> tuple[Scenario, list[str]]:
    """A copy of ``scenario`` with a new size/geometry/model; returns ``(scenario, notes)``.

    ``n_satellites`` is split over the shells in proportion to their sizes. ``planes`` (an
    integer >= 1) must divide each shell's total: the nearest valid count (on a log scale) is
    taken and ``notes`` says so. ``planes=None`` (auto) scales planes with sqrt(size) to keep
    planes and slots balanced, with at least 8 satellites per plane (fewer leave in-plane laser
    links too long); a shell total with no divisor within a factor 2 of that target (e.g. a
    prime) is moved to the nearest total that has one, with a note (839 -> 840 = 8 x 105).
    ``alt`` (km) sets every shell's altitude (real satellites from TLEs become a Walker shell
    at that altitude, with a note); ``network`` a station network name or stations;
    ``antennas`` gives every station of the network that many antennas; ``epoch`` (astropy
    Time or ISO string, UTC) starts the simulated day on another date: any day of the year.
    ``shells`` replaces the scenario's shells before everything else (a fleet name such as
    ``"starlink-gen1"`` or shells, see the module docstring).
    """
    sc = get_preset(scenario)
    planes = _check_planes(planes)
    notes: list[str] = []
    shells = list(sc.shells) if shells is None else _as_shells(shells)
    if n_satellites is not None:
        n = check_int(n_satellites, "n_satellites", lo=1, hi=MAX_SATELLITES)
        alloc = _split_total(n, shells)
        new = [_resized_shell(s, int(k), planes, notes)
               for s, k in zip(shells, alloc, strict=True) if k > 0]
        if len(new) < len(shells):
            notes.append(f"{n} satellites: only {len(new)} of {len(shells)} shells kept")
        shells = new
    elif planes is not None:
        shells = [_replanned_shell(s, planes, notes) for s in shells]
    if alt is not None:
        a = as_value(alt, "km", "alt", lo=150.0, hi=40000.0)
        shells = [replace(_as_walker(s, notes), alt=a) for s in shells]
    changes: dict[str, Any] = {"shells": tuple(shells)}
    if model_params is not None:
        changes["model_params"] = as_value(model_params, "", "model_params", lo=0,
                                           lo_inclusive=False)
    if hardware is not None:
        changes["hardware"] = get_profile(hardware).name if isinstance(hardware, str) else hardware
    if network is not None:
        stations = stations_of(network)  # validates
        changes["network"] = network if isinstance(network, str) else stations
    if antennas is not None:
        n_ant = check_int(antennas, "antennas (per station)", lo=1)
        changes["network"] = tuple(st.with_antennas(n_ant)
                                   for st in stations_of(changes.get("network", sc.network)))
    if epoch is not None:
        changes["epoch"] = epoch_text(epoch)
    return replace(sc, **changes), notes
