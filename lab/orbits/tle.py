"""Two-line element sets: validation, parsing and SGP4 propagation (python ``sgp4`` library).

SGP4 works in the TEME frame; positions are rotated to GCRS with astropy's ``TEME`` frame
(one matrix per epoch, applied to all satellites).
"""

from __future__ import annotations

import numpy as np
from astropy.time import Time

from lab.orbits.core import apply_rotation
from lab.orbits.frames import gcrs_to_itrs_matrix, gcrs_to_itrs_states, teme_to_gcrs_matrix

__all__ = ["tle_checksum", "validate_tle", "parse_tle_text", "satrec_from_tle", "sgp4_states"]


def tle_checksum(line: str) -> int:
    """Modulo-10 checksum of the first 68 characters: digits count their value, '-' counts 1."""
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


#: Numeric TLE fields checked by :func:`validate_tle`: line, name, columns (1-based,
#: inclusive), the allowed interval (lo, lo included, hi, hi included) and the unit. The mean
#: motion's upper end, 17.1 rev/day, is an orbit at the Earth's surface.
TLE_FIELDS = (
    (1, "epoch day of year", (21, 32), (1.0, True, 367.0, False), ""),
    (2, "inclination", (9, 16), (0.0, True, 180.0, True), " deg"),
    (2, "RAAN", (18, 25), (0.0, True, 360.0, False), " deg"),
    (2, "argument of perigee", (35, 42), (0.0, True, 360.0, False), " deg"),
    (2, "mean anomaly", (44, 51), (0.0, True, 360.0, False), " deg"),
    (2, "mean motion", (53, 63), (0.0, False, 17.1, True), " rev/day"),
)


def _check_fields(lines: tuple[str, str]) -> None:
    """Range checks of the numeric fields (an inclination of 200° is not read as 160°)."""
    for k, name, (c0, c1), (lo, lo_in, hi, hi_in), unit in TLE_FIELDS:
        text = lines[k - 1][c0 - 1 : c1]
        where = f"line{k} {name} (columns {c0}-{c1})"
        try:
            val = float(text)
        except ValueError:
            raise ValueError(f"{where} must be a number (got {text!r})") from None
        if not ((val >= lo if lo_in else val > lo) and (val <= hi if hi_in else val < hi)):
            rng = f"{'[' if lo_in else '('}{lo:g}, {hi:g}{']' if hi_in else ')'}"
            raise ValueError(f"{where} must be in {rng}{unit} (got {text.strip()})")
    ecc = lines[1][26:33]
    if not ecc.strip().isdigit():
        raise ValueError(
            f"line2 eccentricity (columns 27-33) must be 7 digits with an implied leading "
            f"decimal point, e.g. '0007417' for 0.0007417 (got {ecc!r})"
        )


def validate_tle(line1: str, line2: str) -> tuple[str, str]:
    """Check the two lines: type, length, line numbers, matching catalog numbers, checksums and
    the ranges of the numeric fields (:data:`TLE_FIELDS`, eccentricity digits).

    Returns the stripped lines; raises ``TypeError``/``ValueError`` naming the bad line and field.
    """
    out = []
    for k, (name, line) in enumerate((("line1", line1), ("line2", line2)), start=1):
        if not isinstance(line, str):
            raise TypeError(f"{name} must be a str (got {type(line).__name__})")
        line = line.rstrip()
        if len(line) != 69:
            raise ValueError(f"{name} must be 69 characters long (got {len(line)})")
        if not line.startswith(f"{k} "):
            raise ValueError(f"{name} must start with '{k} ' (got {line[:2]!r})")
        if not line[68].isdigit():
            raise ValueError(f"{name} must end with a checksum digit 0-9 (got {line[68]!r})")
        want = tle_checksum(line)
        if int(line[68]) != want:
            raise ValueError(
                f"{name} checksum mismatch: last digit is {line[68]} but the line sums to {want} "
                "(mod 10)"
            )
        out.append(line)
    if out[0][2:7] != out[1][2:7]:
        raise ValueError(
            f"line1 and line2 must have the same catalog number (got {out[0][2:7]!r} and "
            f"{out[1][2:7]!r})"
        )
    _check_fields((out[0], out[1]))
    return out[0], out[1]


def satrec_from_tle(line1: str, line2: str):
    """Validated ``sgp4.api.Satrec`` (WGS-72 constants, as TLEs are fitted with)."""
    from sgp4.api import WGS72, Satrec

    l1, l2 = validate_tle(line1, line2)
    sat = Satrec.twoline2rv(l1, l2, WGS72)
    if sat.error:
        raise ValueError(f"TLE could not be initialised by SGP4 (error code {sat.error})")
    return sat


def parse_tle_text(text: str) -> list[tuple[str | None, str, str]]:
    """Split TLE text (2-line or 3-line with names) into (name, line1, line2) tuples."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str of TLE lines (got {type(text).__name__})")
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    out: list[tuple[str | None, str, str]] = []
    k, name = 0, None
    while k < len(lines):
        ln = lines[k]
        if ln.startswith("1 ") and k + 1 < len(lines) and lines[k + 1].startswith("2 "):
            l1, l2 = validate_tle(ln, lines[k + 1])
            out.append((name, l1, l2))
            name, k = None, k + 2
        elif ln.startswith(("1 ", "2 ")):
            raise ValueError(f"text: TLE line without its partner near line {k + 1}: {ln[:20]!r}")
        else:
            name = ln.strip().lstrip("0 ").strip() or None
            k += 1
    if not out:
        raise ValueError("text must contain at least one TLE (two lines starting '1 ' and '2 ')")
    return out


def satrec_epoch(sat) -> Time:
    """TLE epoch as an astropy Time (UTC)."""
    return Time(sat.jdsatepoch, sat.jdsatepochF, format="jd", scale="utc")


def sgp4_states(satrecs, times: Time, frame: str = "gcrs"):
    """SGP4 states for satellites x epochs: (r km, v km/s) each (S, E, 3), in GCRS or TEME.

    Uses ``SatrecArray`` (C++ loop inside the sgp4 library). Raises ``RuntimeError`` if SGP4
    reports an error (e.g. decayed satellite) for any epoch.
    """
    from sgp4.api import SatrecArray

    t = times.reshape((1,)) if times.isscalar else times.ravel()
    utc = t.utc
    arr = SatrecArray(list(satrecs))
    err, r, v = arr.sgp4(utc.jd1, utc.jd2)
    if np.any(err):
        s, e = np.argwhere(err)[0]
        raise RuntimeError(f"SGP4 error code {err[s, e]} for satellite {s} at epoch {e}")
    if frame == "teme":
        return r, v
    M = teme_to_gcrs_matrix(t)
    r = apply_rotation(M, r)
    # velocity: the TEME->GCRS rotation is quasi-static (precession-nutation only)
    v = apply_rotation(M, v)
    if frame == "itrs":
        r, v = gcrs_to_itrs_states(r, v, gcrs_to_itrs_matrix(t))
    return r, v
