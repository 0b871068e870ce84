"""Unit-free vectorized orbit core (the lower layer under :class:`lab.orbits.Orbit`).

Everything here works on plain float64 NumPy arrays in km, km/s, seconds and **radians**, and
broadcasts: satellites along one axis, epochs along another, e.g. elements of shape ``(S, 1)``
against times of shape ``(1, E)``. There is no Python loop over satellites or epochs.

Models
------
``kepler``  two-body motion, exact Kepler solve for any 0 <= e < 1.
``j2``      two-body plus the secular (first-order, mean-element) J2 drift of the right
            ascension of the ascending node, the argument of perigee and the mean anomaly.
"""

from __future__ import annotations

import numpy as np

from lab.constants import J2, MU_EARTH, R_EARTH

__all__ = [
    "solve_kepler",
    "solve_kepler_sincos",
    "true_to_eccentric",
    "eccentric_to_true",
    "true_to_mean",
    "mean_to_true",
    "elements_to_rv",
    "rv_to_elements",
    "j2_rates",
    "mean_motion",
    "propagate_elements",
    "propagate_rv",
    "circular_shell_states",
    "general_states",
    "apply_rotation",
]

TWO_PI = 2.0 * np.pi


def _wrap_pi(x: np.ndarray) -> np.ndarray:
    """Wrap angles to [-pi, pi)."""
    return np.remainder(x + np.pi, TWO_PI) - np.pi


def _sincos_step(s: np.ndarray, c: np.ndarray, d: np.ndarray, dmax: float):
    """(sin(x + d), cos(x + d)) from s = sin x, c = cos x for |d| <= dmax <= 0.1.

    Taylor series of sin d and cos d truncated by ``dmax`` so the error stays < 1e-16.
    """
    if dmax < 1e-8:
        return s + c * d, c - s * d
    d2 = d * d
    if dmax < 1e-4:
        sd = d * (1.0 - d2 / 6.0)
        cd = 1.0 - 0.5 * d2
    elif dmax < 1e-2:
        sd = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0))
        cd = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0))
    else:
        sd = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0 * (1.0 - d2 / 42.0 * (1.0 - d2 / 72.0))))
        cd = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0)))
    return s * cd + c * sd, c * cd - s * sd


def solve_kepler_sincos(M, e, tol: float = 1e-14, maxiter: int = 60, sincos_M=None):
    """Solve Kepler's equation; return (E, sin E, cos E) with the result in M's revolution.

    Vectorized Newton iteration for any 0 <= e < 1. Starter: E0 = M + e sin M (1 + e cos M)
    for e <= 0.8 (error O(e^3)), Danby's E0 = M + 0.85 e sign(sin M) above. sin/cos are evaluated
    once at the reduced M and then carried along each correction d by a Taylor rotation exact to
    round-off while |d| <= 0.1; iteration stops when Newton's quadratic error bound
    e d^2 / (2 (1 - e)) is below ``tol``. A near-circular shell thus costs two transcendental
    calls per element and one Newton step; circular elements (all e == 0) are not iterated.
    ``sincos_M``: optional precomputed (sin M, cos M) (saves those two calls).
    """
    M = np.asarray(M, dtype=float)
    e = np.asarray(e, dtype=float)
    shape = np.broadcast_shapes(M.shape, e.shape)
    Mb = np.broadcast_to(M, shape)
    if not np.any(e):
        E = np.array(Mb, dtype=float)
        return E, np.sin(E), np.cos(E)
    emax = float(np.max(e))
    k = np.rint(Mb * (1.0 / TWO_PI))
    Mr = Mb - TWO_PI * k  # in [-pi, pi]
    sM, cM = (np.sin(Mr), np.cos(Mr)) if sincos_M is None else sincos_M
    if emax > 0.8:
        d0 = np.where(e > 0.8, 0.85 * e * np.sign(sM), e * sM * (1.0 + e * cM))
    else:
        d0 = e * sM * (1.0 + e * cM)
    E = Mr + d0
    dmax = float(np.max(np.abs(d0)))
    if dmax <= 0.1:
        sE, cE = _sincos_step(sM, cM, d0, dmax)
    else:
        sE, cE = np.sin(E), np.cos(E)
    del sM, cM, d0
    bound = emax / (2.0 * (1.0 - emax))  # Newton: |error after step| <= bound * d^2
    for _ in range(maxiter):
        d = (E - e * sE - Mr) / (1.0 - e * cE)
        E -= d
        dmax = float(np.max(np.abs(d)))
        if dmax <= 0.1:
            sE, cE = _sincos_step(sE, cE, -d, dmax)
        else:
            sE, cE = np.sin(E), np.cos(E)
        if dmax < tol or bound * dmax * dmax < tol:
            break
    else:  # pragma: no cover - Newton from these starters converges for 0 <= e < 1
        raise RuntimeError("solve_kepler did not converge")
    E += TWO_PI * k
    return E, sE, cE


def solve_kepler(M, e, tol: float = 1e-14, maxiter: int = 60) -> np.ndarray:
    """Eccentric anomaly E (rad) solving Kepler's equation ``M = E - e sin E`` for 0 <= e < 1.

    ``M`` and ``e`` broadcast; the result is in the same revolution as ``M`` (E - M periodic).
    See :func:`solve_kepler_sincos` for the method.
    """
    M = np.asarray(M, dtype=float)
    e = np.asarray(e, dtype=float)
    if not np.any(e):
        return np.array(np.broadcast_to(M, np.broadcast_shapes(M.shape, e.shape)), dtype=float)
    return solve_kepler_sincos(M, e, tol, maxiter)[0]


def eccentric_to_true(E, e) -> np.ndarray:
    """True anomaly (rad) from eccentric anomaly (rad), same revolution."""
    E = np.asarray(E, dtype=float)
    e = np.asarray(e, dtype=float)
    beta = e / (1.0 + np.sqrt(1.0 - e * e))
    return E + 2.0 * np.arctan2(beta * np.sin(E), 1.0 - beta * np.cos(E))


def true_to_eccentric(nu, e) -> np.ndarray:
    """Eccentric anomaly (rad) from true anomaly (rad), same revolution."""
    nu = np.asarray(nu, dtype=float)
    e = np.asarray(e, dtype=float)
    beta = e / (1.0 + np.sqrt(1.0 - e * e))
    return nu - 2.0 * np.arctan2(beta * np.sin(nu), 1.0 + beta * np.cos(nu))


def true_to_mean(nu, e) -> np.ndarray:
    """Mean anomaly (rad) from true anomaly (rad)."""
    E = true_to_eccentric(nu, e)
    return E - np.asarray(e, dtype=float) * np.sin(E)


def mean_to_true(M, e) -> np.ndarray:
    """True anomaly (rad) from mean anomaly (rad)."""
    return eccentric_to_true(solve_kepler(M, e), e)


def mean_motion(a, mu: float = MU_EARTH) -> np.ndarray:
    """Two-body mean motion n = sqrt(mu / a^3) in rad/s (a in km)."""
    a = np.asarray(a, dtype=float)
    return np.sqrt(mu / (a * a * a))


def j2_rates(a, e, i, mu: float = MU_EARTH, r_eq: float = R_EARTH, j2: float = J2):
    """Secular J2 rates (rad/s): (dRAAN/dt, dargp/dt, dM/dt - n) for mean elements a (km), e, i (rad).

    dΩ/dt = -3/2 n J2 (R/p)^2 cos i;  dω/dt = 3/4 n J2 (R/p)^2 (5 cos^2 i - 1);
    dM/dt = n + 3/4 n J2 (R/p)^2 sqrt(1 - e^2) (3 cos^2 i - 1).
    """
    a = np.asarray(a, dtype=float)
    e = np.asarray(e, dtype=float)
    i = np.asarray(i, dtype=float)
    n = mean_motion(a, mu)
    p = a * (1.0 - e * e)
    k = n * j2 * (r_eq / p) ** 2
    c = np.cos(i)
    c2 = c * c
    raan_dot = -1.5 * k * c
    argp_dot = 0.75 * k * (5.0 * c2 - 1.0)
    m_dot = 0.75 * k * np.sqrt(1.0 - e * e) * (3.0 * c2 - 1.0)
    return raan_dot, argp_dot, m_dot


def elements_to_rv(a, e, i, raan, argp, nu, mu: float = MU_EARTH):
    """Position (km) and velocity (km/s) from classical elements (km, -, rad...).

    Returns ``(r, v)`` with a trailing axis of length 3 over the broadcast shape of the inputs.
    """
    a, e, i, raan, argp, nu = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (a, e, i, raan, argp, nu))
    )
    p = a * (1.0 - e * e)
    cnu, snu = np.cos(nu), np.sin(nu)
    rmag = p / (1.0 + e * cnu)
    sq = np.sqrt(mu / p)
    # perifocal components
    xp, yp = rmag * cnu, rmag * snu
    vxp, vyp = -sq * snu, sq * (e + cnu)
    cO, sO = np.cos(raan), np.sin(raan)
    cw, sw = np.cos(argp), np.sin(argp)
    ci, si = np.cos(i), np.sin(i)
    P = (cO * cw - sO * sw * ci, sO * cw + cO * sw * ci, sw * si)
    Q = (-cO * sw - sO * cw * ci, -sO * sw + cO * cw * ci, cw * si)
    r = np.stack([xp * P[k] + yp * Q[k] for k in range(3)], axis=-1)
    v = np.stack([vxp * P[k] + vyp * Q[k] for k in range(3)], axis=-1)
    return r, v


def rv_to_elements(r, v, mu: float = MU_EARTH, tol: float = 1e-11):
    """Classical elements from position (km) and velocity (km/s), arrays of shape (..., 3).

    Returns ``(a, e, i, raan, argp, nu)`` (km, -, rad, rad, rad, rad), angles in [0, 2π)
    (i in [0, π]). Conventions for the singular cases: circular orbits have argp = 0 and nu
    measured from the ascending node (argument of latitude); equatorial orbits have raan = 0 and
    argp measured from the x axis (circular equatorial: nu is the true longitude).
    Raises ``ValueError`` for non-elliptic (e >= 1) states.
    """
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    rmag = np.linalg.norm(r, axis=-1)
    v2 = np.einsum("...k,...k->...", v, v)
    h = np.cross(r, v)
    hmag = np.linalg.norm(h, axis=-1)
    nvec = np.stack([-h[..., 1], h[..., 0], np.zeros_like(hmag)], axis=-1)
    nmag = np.linalg.norm(nvec, axis=-1)
    rv = np.einsum("...k,...k->...", r, v)
    evec = ((v2 - mu / rmag)[..., None] * r - rv[..., None] * v) / mu
    e = np.linalg.norm(evec, axis=-1)
    energy = 0.5 * v2 - mu / rmag
    if np.any(energy >= 0) or np.any(e >= 1.0):
        raise ValueError("r, v must describe an elliptic orbit (eccentricity in [0, 1))")
    a = -mu / (2.0 * energy)
    i = np.arctan2(np.hypot(h[..., 0], h[..., 1]), h[..., 2])  # accurate near 0 and 180 deg

    equatorial = nmag < tol * hmag
    circular = e < tol
    # unit vectors: node line (x axis when equatorial), periapsis (node line when circular)
    safe_n = np.where(equatorial, 1.0, nmag)
    nhat = np.where(equatorial[..., None], np.array([1.0, 0.0, 0.0]), nvec / safe_n[..., None])
    raan = np.where(equatorial, 0.0, np.arctan2(nhat[..., 1], nhat[..., 0]))
    hhat = h / hmag[..., None]
    # in-plane angle of a vector x measured from nhat, positive along the motion
    m = np.cross(hhat, nhat)  # 90 deg ahead of nhat in the orbit plane

    def plane_angle(x):
        return np.arctan2(np.einsum("...k,...k->...", x, m), np.einsum("...k,...k->...", x, nhat))

    argp = np.where(circular, 0.0, plane_angle(evec))
    nu = plane_angle(r) - argp
    return (
        a,
        np.where(circular, 0.0, e),
        i,
        np.remainder(raan, TWO_PI),
        np.remainder(argp, TWO_PI),
        np.remainder(nu, TWO_PI),
    )


def _rates(a, e, i, model: str):
    n = mean_motion(a)
    if model == "j2":
        raan_dot, argp_dot, m_dot = j2_rates(a, e, i)
        return raan_dot, argp_dot, n + m_dot
    if model == "kepler":
        z = np.zeros_like(n)
        return z, z, n
    raise ValueError(f"model must be one of 'kepler', 'j2' (got {model!r})")


def propagate_elements(a, e, i, raan, argp, M0, dt, j2: bool = True):
    """Mean elements after ``dt`` seconds: ``(raan, argp, M)`` in rad (a, e, i are constant).

    With ``j2=True`` RAAN, argp and M drift at the secular J2 rates; otherwise only M advances
    (two-body). Inputs broadcast, e.g. elements ``(S, 1)`` with ``dt`` ``(1, E)`` give ``(S, E)``.
    """
    raan_dot, argp_dot, m_dot = _rates(a, e, i, "j2" if j2 else "kepler")
    dt = np.asarray(dt, dtype=float)
    return raan + raan_dot * dt, argp + argp_dot * dt, M0 + m_dot * dt


def propagate_rv(r, v, dt, model: str = "kepler"):
    """Propagate states ``r`` (km), ``v`` (km/s), shape (..., 3), by ``dt`` seconds (broadcasts).

    Converts to elements, advances them (two-body or secular J2) and converts back.
    """
    a, e, i, raan, argp, nu = rv_to_elements(r, v)
    M0 = true_to_mean(nu, e)
    raan_dot, argp_dot, m_dot = _rates(a, e, i, model)
    dt = np.asarray(dt, dtype=float)
    M = M0 + m_dot * dt
    return elements_to_rv(a, e, i, raan + raan_dot * dt, argp + argp_dot * dt, mean_to_true(M, e))


# --------------------------------------------------------------------------------------------
# Constellation kernels: (S,) elements x (E,) times -> (S, E, 3)
# --------------------------------------------------------------------------------------------


def _groups(*keys: np.ndarray):
    """Group indices of equal key tuples: list of index arrays (contiguous runs -> slices)."""
    stacked = np.stack([np.asarray(k, dtype=float) for k in keys], axis=1)
    uniq, inv = np.unique(stacked, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    out = []
    for g in range(len(uniq)):
        idx = np.nonzero(inv == g)[0]
        if idx[-1] - idx[0] + 1 == idx.size:
            out.append(slice(int(idx[0]), int(idx[-1]) + 1))
        else:
            out.append(idx)
    return out


def circular_shell_states(
    a, i, raan0, u0, t, raan_dot, u_dot, rotation=None, velocity: bool = False
):
    """Positions (and velocities) of circular orbits, fast path: returns (S, E, 3) arrays.

    For e = 0 the argument of latitude u = u0 + u_dot t and the node Ω = Ω0 + Ω_dot t are linear in
    time, so with A = u + Ω and B = u - Ω

        x = a/2 [(1 + cos i) cos A + (1 - cos i) cos B]
        y = a/2 [(1 + cos i) sin A - (1 - cos i) sin B]
        z = a sin i sin u

    and cos/sin of A, B, u follow from angle addition: every component is a sum of products
    (coefficient per satellite) x (function of time). Satellites sharing the same rates (a Walker
    shell) therefore share the time functions and the whole (S, E, 3) block is one matrix product
    ``(S, 10) @ (10, 3E)``. An optional per-epoch rotation ``rotation`` (E, 3, 3) (e.g. GCRS->ITRS)
    is folded into the time functions at no extra cost. Returns ``r`` or ``(r, v)``.
    """
    a, i, raan0, u0, raan_dot, u_dot = (
        np.atleast_1d(np.asarray(x, dtype=float)) for x in (a, i, raan0, u0, raan_dot, u_dot)
    )
    a, i, raan0, u0, raan_dot, u_dot = np.broadcast_arrays(a, i, raan0, u0, raan_dot, u_dot)
    t = np.atleast_1d(np.asarray(t, dtype=float))
    S, E = a.size, t.size
    ci, si = np.cos(i), np.sin(i)
    A0, B0 = u0 + raan0, u0 - raan0
    cA0, sA0, cB0, sB0 = np.cos(A0), np.sin(A0), np.cos(B0), np.sin(B0)
    cu0, su0 = np.cos(u0), np.sin(u0)
    p, m = 0.5 * (1.0 + ci), 0.5 * (1.0 - ci)
    # Coefficients of the 10 time functions [cA, sA, cB, sB] for x, the same for y, [cu, su] for z
    # (row order of the time-function matrix below).
    C = np.empty((S, 10))
    C[:, 0], C[:, 1], C[:, 2], C[:, 3] = p * cA0, -p * sA0, m * cB0, -m * sB0  # x
    C[:, 4], C[:, 5], C[:, 6], C[:, 7] = p * sA0, p * cA0, -m * sB0, -m * cB0  # y
    C[:, 8], C[:, 9] = si * su0, si * cu0  # z
    rC = C * a[:, None]
    vC = None
    if velocity:
        # v = sqrt(mu/a) * d/du of the unit position: cos -> -sin, sin -> cos in u (A and B alike)
        V = np.sqrt(MU_EARTH / a)
        vC = np.empty((S, 10))
        vC[:, 0], vC[:, 1], vC[:, 2], vC[:, 3] = -p * sA0, -p * cA0, -m * sB0, -m * cB0
        vC[:, 4], vC[:, 5], vC[:, 6], vC[:, 7] = p * cA0, -p * sA0, -m * cB0, m * sB0
        vC[:, 8], vC[:, 9] = si * cu0, -si * su0
        vC *= V[:, None]
    r_out = np.empty((S, E, 3))
    v_out = np.empty((S, E, 3)) if velocity else None
    comp = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
    for sel in _groups(raan_dot, u_dot):
        wu = u_dot[sel][0] if isinstance(sel, np.ndarray) else u_dot[sel.start]
        wO = raan_dot[sel][0] if isinstance(sel, np.ndarray) else raan_dot[sel.start]
        angA, angB, angU = (wu + wO) * t, (wu - wO) * t, wu * t
        f = np.empty((10, E))
        f[0], f[1] = np.cos(angA), np.sin(angA)
        f[2], f[3] = np.cos(angB), np.sin(angB)
        f[4:8] = f[0:4]
        f[8], f[9] = np.cos(angU), np.sin(angU)
        if rotation is None:
            F = np.zeros((10, E, 3))
            F[np.arange(10), :, comp] = f
        else:
            # F[k, e, c] = R[e, c, comp_k] * f_k[e]
            F = np.transpose(rotation[:, :, comp], (2, 0, 1)) * f[:, :, None]
        F = F.reshape(10, 3 * E)
        for coef, out in ((rC, r_out), (vC, v_out)):
            if coef is None:
                continue
            if isinstance(sel, slice):
                np.matmul(coef[sel], F, out=out[sel].reshape(-1, 3 * E))
            else:
                out[sel] = (coef[sel] @ F).reshape(-1, E, 3)
    return (r_out, v_out) if velocity else r_out


def general_states(a, e, i, raan0, argp0, M0, t, model: str = "j2", rotation=None,
                   velocity: bool = False, t_offset=None, block: int = 1 << 18):
    """Positions (and velocities) for arbitrary 0 <= e < 1: (S,) elements x (E,) times -> (S, E, 3).

    ``t`` are seconds from the common epoch; ``t_offset`` (S,) the epoch of each satellite's
    elements relative to it. ``rotation`` (E, 3, 3) is applied per epoch (e.g. GCRS->ITRS).
    Work is done in blocks of satellites (about ``block`` elements each) to stay in cache.
    """
    a, e, i, raan0, argp0, M0 = (np.atleast_1d(np.asarray(x, dtype=float))
                                  for x in (a, e, i, raan0, argp0, M0))
    a, e, i, raan0, argp0, M0 = np.broadcast_arrays(a, e, i, raan0, argp0, M0)
    t = np.atleast_1d(np.asarray(t, dtype=float))
    S, E = a.size, t.size
    off = None if t_offset is None else np.broadcast_to(np.asarray(t_offset, dtype=float), (S,))
    r_out = np.empty((S, E, 3))
    v_out = np.empty((S, E, 3)) if velocity else None
    rows = max(1, block // max(E, 1))
    for s0 in range(0, S, rows):
        sl = slice(s0, min(S, s0 + rows))
        _general_block(a[sl], e[sl], i[sl], raan0[sl], argp0[sl], M0[sl], t, model, rotation,
                       None if off is None else off[sl], r_out[sl],
                       None if v_out is None else v_out[sl])
    return (r_out, v_out) if velocity else r_out


def _linear_cos_sin(x0: np.ndarray, w: np.ndarray, t: np.ndarray, off):
    """cos and sin of x0 + w (t - off), (n,) x (E,) -> (n, E).

    Angles linear in time with rates shared by many satellites (a shell) are built by angle
    addition from cos/sin(w t) of the distinct rates: two multiplies and an add per element
    instead of a transcendental call.
    """
    if off is not None:
        x0 = x0 - w * off
    uw, inv = np.unique(w, return_inverse=True)
    if uw.size * 4 > w.size:
        ang = x0[:, None] + w[:, None] * t[None, :]
        return np.cos(ang), np.sin(ang)
    ang = uw[:, None] * t[None, :]
    cr, sr = np.cos(ang), np.sin(ang)
    if uw.size > 1:
        inv = inv.ravel()
        cr, sr = cr[inv], sr[inv]
    c0, s0 = np.cos(x0)[:, None], np.sin(x0)[:, None]
    return c0 * cr - s0 * sr, s0 * cr + c0 * sr


def _general_block(a, e, i, raan0, argp0, M0, t, model, rotation, off, r_out, v_out):
    raan_dot, argp_dot, m_dot = _rates(a, e, i, model)
    col = (slice(None), None)
    tt = t[None, :] if off is None else t[None, :] - off[col]
    M = M0[col] + m_dot[col] * tt
    cM, sM = _linear_cos_sin(M0, m_dot, t, off)
    _, sE, cE = solve_kepler_sincos(M, e[col], sincos_M=(sM, cM))
    del M, sM, cM
    a_, e_ = a[col], e[col]
    b = a_ * np.sqrt(1.0 - e_ * e_)
    cw, sw = _linear_cos_sin(argp0, argp_dot, t, off)
    cO, sO = _linear_cos_sin(raan0, raan_dot, t, off)
    ci, si = np.cos(i)[col], np.sin(i)[col]

    def rotate(xp, yp, out):
        # in-plane rotation by argp, then inclination and node
        xo = xp * cw - yp * sw
        yo = xp * sw + yp * cw
        yci = yo * ci
        if rotation is None:
            out[..., 0] = xo * cO - yci * sO
            out[..., 1] = xo * sO + yci * cO
            out[..., 2] = yo * si
        else:
            g = np.empty(out.shape)
            g[..., 0] = xo * cO - yci * sO
            g[..., 1] = xo * sO + yci * cO
            g[..., 2] = yo * si
            apply_rotation(rotation, g, out=out)

    rotate(a_ * (cE - e_), b * sE, r_out)
    if v_out is not None:
        edot = mean_motion(a)[col] / (1.0 - e_ * cE)  # dE/dt (two-body)
        rotate(-a_ * sE * edot, b * cE * edot, v_out)


def apply_rotation(R: np.ndarray, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Apply per-epoch rotations ``R`` (E, 3, 3) to vectors ``x`` (..., E, 3) -> (..., E, 3)."""
    x = np.asarray(x, dtype=float)
    res = np.empty(x.shape) if out is None else out
    x0, x1, x2 = x[..., 0], x[..., 1], x[..., 2]
    for c in range(3):
        res[..., c] = R[:, c, 0] * x0 + R[:, c, 1] * x1 + R[:, c, 2] * x2
    return res
