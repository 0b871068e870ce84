"""The steps of the response model, each a function of the whole batch of requests.

:func:`lab.mission.response_times` runs them in order on one :class:`RequestState` (a record of
per-request arrays, filled in step by step) with one :class:`Context` (what does not depend on the
request: scenario, geometry, bits, battery). Every step is vectorized over requests; the only
loops are over shells (a few).

1. :func:`wait_for_contact`: the operator's mission control turns the prompt into an uplink
   job (``operator_s``), then it waits until the best satellite of any shell is in view of a
   station;
2. :func:`uplink`: backhaul + slant range / c + request bits / uplink rate(range), after an
   antenna of that station is booked and has slewed and locked
   (:func:`lab.mission.contact.book_and_acquire`);
3. :func:`choose_computer`: the nearest satellite (in +Grid hops) of the contact shell with an
   accelerator and power, and the ISLs to it (plus their set-up if a link is not kept up);
4. :func:`wait_for_power` when that satellite has none (shadow, battery empty);
5. :func:`queue_and_infer`: FIFO per serving satellite, then prefill + decode of this request's
   answer length (power-capped on battery);
6. :func:`back_to_view`: ISLs back to the shell's best satellite in view of a station, or
   store-and-forward until one is;
7. :func:`downlink`: acquisition of the downlink + slant range / c + answer bits / downlink
   rate(range) + backhaul.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from astropy import units as u

from lab.constants import C_LIGHT, R_EARTH
from lab.links import LinkBudget, geodetic_to_itrs, great_circle_distance, slant_range
from lab.mission.budget import HOP_CHUNK_PAIRS, Estimate
from lab.mission.compact import Runs
from lab.mission.contact import (
    book_and_acquire,
    choose_contacts,
    downlink_acquisition,
    track_of,
)
from lab.mission.grid import Geometry, ShellGeometry, scenario_stations
from lab.mission.queueing import NEVER, fifo_wait, next_contact, next_true_index
from lab.mission.routing import route
from lab.mission.scenario import Scenario
from lab.node import predict_latency
from lab.power import Battery

__all__ = [
    "FIBER_SPEED",
    "Context",
    "RequestState",
    "back_to_view",
    "choose_computer",
    "downlink",
    "queue_and_infer",
    "uplink",
    "wait_for_contact",
    "wait_for_power",
]

FIBER_SPEED = 0.67 * C_LIGHT  # km/s, light in optical fibre (refractive index ~1.5)


@dataclass(frozen=True, eq=False)
class Context:
    """What every step needs and no request changes."""

    sc: Scenario
    g: Geometry
    dt: float  # s, grid step
    up_bits: float  # request size (bits)
    backhaul: np.ndarray  # (St,) s of fibre from the user to each station
    unpowered: Runs  # samples without power: in the shadow longer than the battery lasts
    estimate: Estimate  # memory of the geometry and the requests (hop matrices come on top)
    antennas: np.ndarray  # (St,) antennas of each station
    slew: np.ndarray  # (St,) s for an antenna of each station to point at a satellite
    up: LinkBudget  # the uplink's budget (rate by range, acquisition_s by band)
    down: LinkBudget
    max_memory_gb: float | None = None

    @property
    def n_epochs(self) -> int:
        return int(self.g.t.size)

    @classmethod
    def build(cls, sc: Scenario, g: Geometry, dt: float, estimate: Estimate,
              max_memory_gb: float | None = None) -> Context:
        overhead = sc.request_overhead_bytes
        endurance = battery_endurance_s(sc)
        stations = scenario_stations(sc)
        return cls(sc, g, dt, 8 * (sc.prompt_tokens * sc.bytes_per_token + overhead),
                   _backhaul(sc.user, g), g.unpowered(endurance), estimate,
                   np.array([st.antennas for st in stations]),
                   np.array([st.slew_s for st in stations]), sc.uplink_budget,
                   sc.downlink_budget, max_memory_gb)

    def powered_at(self, sat: np.ndarray, e: np.ndarray) -> np.ndarray:
        """bool: satellite ``sat`` has power at epoch ``e`` (sunlit, or battery left)."""
        return ~self.unpowered.contains(sat, e)

    def powered_rows(self, sats: np.ndarray) -> np.ndarray:
        """Dense (k, E) bool power of satellites ``sats`` (k,) over the day."""
        return ~self.unpowered.rows(sats)

    def down_bits(self, output_tokens: np.ndarray) -> np.ndarray:
        """Answer size (bits) of answers of ``output_tokens`` tokens."""
        sc = self.sc
        return 8 * (output_tokens * sc.bytes_per_token + sc.request_overhead_bytes)


def _unset() -> np.ndarray:
    return field(default_factory=lambda: np.empty(0))  # type: ignore[return-value]


@dataclass(eq=False)
class RequestState:
    """Per-request arrays (N,), filled in by the steps (times in s after the epoch; a grid
    index is unwrapped: it may pass the end of the day)."""

    arrival: np.ndarray
    output_tokens: np.ndarray  # this request's answer length (tokens)
    # 1. the operator's chain, then wait for a contact
    operator: np.ndarray = _unset()  # s
    contact_time: np.ndarray = _unset()
    contact_index: np.ndarray = _unset()  # grid index of the first sample of the pass
    contact_sat: np.ndarray = _unset()
    shell: np.ndarray = _unset()  # shell of the contact satellite (the request stays in it)
    # 2. booking an antenna, acquisition, uplink
    station: np.ndarray = _unset()  # the contact's station
    track: np.ndarray = _unset()  # contact key: satellite and first sample of its contact
    track_end: np.ndarray = _unset()  # s, when that contact ends
    booking: np.ndarray = _unset()  # s waiting for a free antenna
    acquisition_up: np.ndarray = _unset()  # s slew + acquire + lock before the uplink
    uplink: np.ndarray = _unset()  # s
    uplink_rate: np.ndarray = _unset()  # bit/s
    at_contact_sat: np.ndarray = _unset()
    # 3. serving satellite
    compute_sat: np.ndarray = _unset()
    reachable: np.ndarray = _unset()  # bool: the serving satellite has an accelerator
    hops_up: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))  # in-plane, cross
    isl_setup_up: np.ndarray = _unset()  # s setting up laser links that are not kept up
    isl_to_compute: np.ndarray = _unset()  # s
    at_compute_sat: np.ndarray = _unset()
    # 4. power
    power_wait: np.ndarray = _unset()  # s
    powered_at: np.ndarray = _unset()
    # 5. queue and inference
    on_battery: np.ndarray = _unset()
    queue: np.ndarray = _unset()  # s
    inference: np.ndarray = _unset()  # s
    answered_at: np.ndarray = _unset()  # inference done
    # 6. back to a satellite in view
    downlink_sat: np.ndarray = _unset()
    hops_back: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))
    isl_setup_back: np.ndarray = _unset()  # s
    isl_back: np.ndarray = _unset()  # s
    downlink_time: np.ndarray = _unset()  # the answer starts down
    downlink_index: np.ndarray = _unset()
    # 7. downlink
    acquisition_down: np.ndarray = _unset()  # s (slew if a new contact) + acquire + lock
    downlink: np.ndarray = _unset()  # s

    @property
    def size(self) -> int:
        return int(self.arrival.size)


# ------------------------------------------------------------------------------ helpers
def battery_endurance_s(sc: Scenario) -> float:
    """Seconds the usable battery (:class:`lab.power.Battery`: depth of discharge, discharge
    efficiency) feeds the bus and the accelerator at its eclipse power
    (:attr:`Scenario.eclipse_power_w`) after the satellite enters the shadow.

    The fast model of :func:`lab.power.simulate`: "sunlit, or in the shadow while the battery
    lasts" assumes the array refills the battery in every sunlit arc and the load is constant
    (bus + eclipse-capped accelerator). The full simulation (state of charge across orbits, the
    same load, compute shed at the depth-of-discharge floor) switches the accelerator off at the
    same sample (tests/test_mission_ground.py)."""
    usable_wh = float(Battery(sc.battery_wh, max_depth_of_discharge=sc.depth_of_discharge)
                      .usable_energy)
    return usable_wh * 3600.0 / (sc.bus_power_w + sc.eclipse_power_w)


def _backhaul(user: tuple[float, float], g: Geometry) -> np.ndarray:
    """Fibre delay (s) from the user to each station: great-circle distance / FIBER_SPEED."""
    return great_circle_distance(geodetic_to_itrs(*user), np.array([s.itrs for s in g.stations]),
                                 radius=R_EARTH) / FIBER_SPEED


def _rate(budget: LinkBudget, rng: np.ndarray) -> np.ndarray:
    """Data rate (bit/s) of the lab.links link ``budget`` at slant range ``rng`` km."""
    return np.asarray(budget.data_rate_value(np.maximum(rng, 1e-3)), dtype=float)


def _slant(ctx: Context, sat: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray | float]:
    """Slant range (km) of satellites ``sat`` at epochs ``e`` from their best station (at
    that station's elevation), and the backhaul (s) to that station (0 with direct access)."""
    g = ctx.g
    st = g.station_at(sat, e).astype(int)
    el = np.clip(np.maximum(g.margin_at(sat, e).astype(float), 0.0) + g.mask[st], 0.0, 90.0)
    rng_km = slant_range(g.alt[sat], el).to_value(u.km)
    return rng_km, (0.0 if ctx.sc.direct_user_access else ctx.backhaul[st])


def _isl_setup(ctx: Context, shell: np.ndarray, h: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Set-up time (s) of a route of ``h`` = (in-plane, cross-plane) hops: ``isl_setup_s`` once
    if the route needs a link that is not kept up (``persistent_links``: "all" -> never,
    "in-plane" -> when it crosses planes, "none" -> when it has any hop); the terminals along
    the route set up at the same time. 0 in shells whose +Grid is not usable."""
    sc = ctx.sc
    k_in, k_x = h
    if sc.persistent_links == "all" or sc.isl_bps <= 0:
        return np.zeros(np.shape(k_in))
    needs = (k_x > 0) if sc.persistent_links == "in-plane" else (k_in + k_x > 0)
    return np.where(needs & _has_isl(ctx.g)[shell], sc.isl_setup_s, 0.0)


def _isl_delay(ctx: Context, shell: np.ndarray, h: tuple[np.ndarray, np.ndarray],
               bits: float | np.ndarray) -> np.ndarray:
    """Laser-link delay (s) of ``h`` = (in-plane, cross-plane) hops carrying ``bits``:
    hops x (hop length / c + bits / ISL rate); 0 in shells whose +Grid is not usable."""
    k_in, k_x = h
    g, sc = ctx.g, ctx.sc
    delay = (k_in * g.per_shell("hop_in")[shell] / C_LIGHT
             + k_x * g.per_shell("hop_cross")[shell] / C_LIGHT
             + (k_in + k_x) * (bits / sc.isl_bps if sc.isl_bps > 0 else 0.0))
    return np.where(_has_isl(g)[shell], delay, 0.0)


def _has_isl(g: Geometry) -> np.ndarray:
    """(G,) bool: the shell can route over some of its laser links."""
    return g.per_shell("routing_code") < 3


def _grid_index(t: np.ndarray, dt: float) -> np.ndarray:
    """Unwrapped grid index of times ``t`` (s; inf -> 0)."""
    return np.floor(np.where(np.isfinite(t), t, 0) / dt).astype(np.int64)


def inference_latency(sc: Scenario, cap_w: float | None, batch: int | np.ndarray,
                      output_tokens: float | np.ndarray | None = None) -> float | np.ndarray:
    """E2E latency (s) of one request in a batch of ``batch`` on the scenario's accelerator
    capped at ``cap_w`` W (None: uncapped), for answers of ``output_tokens`` tokens (an array:
    one per request; default the median ``sc.output_tokens``): :func:`lab.node.predict_latency`
    at the scenario's efficiency (:attr:`Scenario.roofline_efficiency`) with the KV cache of
    :attr:`Scenario.kv_bytes_per_token`."""
    prof = sc.profile
    p = prof if cap_w is None or cap_w >= prof.peak_power_w else prof.with_power_cap(cap_w)
    n_out = sc.output_tokens if output_tokens is None else output_tokens
    e2el = predict_latency(p, sc.model_params, sc.bytes_per_param, sc.prompt_tokens, n_out,
                           batch, kv_bytes_per_token=sc.kv_bytes_per_token,
                           efficiency=sc.roofline_efficiency).e2el
    return float(e2el) if np.ndim(e2el) == 0 else np.asarray(e2el, dtype=float)


# ------------------------------------------------------------------------------ the steps
def wait_for_contact(ctx: Context, req: RequestState) -> list[str]:
    """1. The operator's chain (``operator_s``: mission control turns the prompt into an uplink
    job), then until the best satellite over all shells and stations is in view (interpolated;
    inf if none ever is: the margins are periodic, so then no request gets one)."""
    best_sat, best_margin = ctx.g.best_in_view()
    best_shell = np.argmax(best_margin, axis=0)
    E = ctx.n_epochs
    req.operator = np.full(req.size, ctx.sc.operator_s)
    t_c, j_c = next_contact(best_margin[best_shell, np.arange(E)], req.arrival + req.operator,
                            ctx.dt)
    je = j_c % E
    req.contact_time, req.contact_index = t_c, j_c
    req.contact_sat = best_sat[best_shell[je], je]
    req.shell = ctx.g.shell[req.contact_sat]
    return []  # never in view: no request is answered (response_times says so)


def uplink(ctx: Context, req: RequestState) -> list[str]:
    """2. The contact's station keeps tracking its satellite while that one is in view
    (:func:`lab.mission.contact.choose_contacts`); an antenna is booked and, for a new contact,
    slewed, acquired and locked (:func:`lab.mission.contact.book_and_acquire`); then backhaul +
    light time + serialization at the contact satellite's slant range."""
    g, n = ctx.g, req.size
    e = req.contact_index % ctx.n_epochs
    req.station = g.station_at(req.contact_sat, e).astype(np.int64)
    req.booking, req.acquisition_up = np.zeros(n), np.zeros(n)
    ok = np.flatnonzero(np.isfinite(req.contact_time))
    sat, head = choose_contacts(g, req.station[ok], req.contact_time[ok], req.contact_sat[ok],
                                req.contact_index[ok])
    req.contact_sat[ok] = sat
    req.shell = g.shell[req.contact_sat]
    rng_up, back_up = _slant(ctx, req.contact_sat, e)
    req.uplink_rate = _rate(ctx.up, rng_up)
    serial = ctx.up_bits / req.uplink_rate
    req.uplink = back_up + rng_up / C_LIGHT + serial
    req.booking[ok], req.acquisition_up[ok] = book_and_acquire(
        req.station[ok], req.contact_time[ok], head, serial[ok], ctx.antennas, ctx.slew,
        ctx.up.acquisition_s)
    req.track, req.track_end = track_of(g, req.contact_sat, req.contact_index, with_end=True)
    req.at_contact_sat = req.contact_time + req.booking + req.acquisition_up + req.uplink
    return []


def _nearest_computer(ctx: Context, shell: ShellGeometry, c_sat: np.ndarray,
                      e: np.ndarray) -> np.ndarray:
    """For contact satellites ``c_sat`` at epochs ``e`` in ``shell``: the nearest satellite
    (hops over the usable links, :func:`lab.mission.grid.route`) with an accelerator and power,
    else the nearest with an accelerator (it then waits for power), else the contact satellite
    itself (no accelerator within reach). Builds (requests x shell satellites) hop matrices, a
    chunk of :data:`lab.mission.budget.HOP_CHUNK_PAIRS` pairs at a time."""
    cand = np.arange(shell.start, shell.stop)
    (ctx.estimate + Estimate.hop_matrix(c_sat.size * cand.size)).check(
        f"response_times of {ctx.sc.name!r}", ctx.max_memory_gb)
    packed = ctx.unpowered.packed_rows(cand) if ctx.unpowered.start.size else None
    out = np.empty(c_sat.size, dtype=np.int64)
    step = max(1, HOP_CHUNK_PAIRS // cand.size)
    for i in range(0, c_sat.size, step):  # loop over chunks of requests (bounded memory)
        out[i:i + step] = _nearest_in_chunk(ctx, cand, packed, c_sat[i:i + step], e[i:i + step])
    return out


def _nearest_in_chunk(ctx: Context, cand: np.ndarray, packed: np.ndarray | None,
                      c_sat: np.ndarray, e: np.ndarray) -> np.ndarray:
    """:func:`_nearest_computer` for one chunk of requests (``packed``: the candidates' samples
    without power, :meth:`lab.mission.compact.Runs.packed_rows`, or None: always powered)."""
    g = ctx.g
    dk, dp, reach = route(g, c_sat[:, None], cand[None, :])
    n_hops = np.where(reach, dk + dp, NEVER)
    computes = g.has_compute[cand][None, :]
    ok = computes if packed is None else computes & ~Runs.packed_at(
        packed, np.arange(cand.size)[None, :], e[:, None])
    rows = np.arange(c_sat.size)
    cost = np.where(ok, n_hops, NEVER)
    best = np.argmin(cost, axis=1)
    fallback = cost[rows, best] >= NEVER
    out = cand[best]
    if fallback.any():  # nobody powered: nearest computer, wait for its power
        cost2 = np.where(computes, n_hops, NEVER)
        best2 = np.argmin(cost2, axis=1)
        none = cost2[rows, best2] >= NEVER  # no accelerator within reach: stays unanswered
        out = np.where(fallback, np.where(none, c_sat, cand[best2]), out)
    return out


def choose_computer(ctx: Context, req: RequestState) -> list[str]:
    """3. The serving satellite (same shell, nearest with compute and power over the usable
    laser links) and the ISLs."""
    g = ctx.g
    e1 = _grid_index(req.at_contact_sat, ctx.dt) % ctx.n_epochs
    k_sat = req.contact_sat.copy()
    for gi, shell in enumerate(g.shells):  # loop over shells (a few)
        rows = np.nonzero(req.shell == gi)[0]
        if rows.size == 0 or shell.routing == "none":  # the contact satellite or nobody
            continue
        # Most requests are served by the contact satellite itself (0 hops); only the others
        # need the (rows x satellites) hop matrix.
        c = req.contact_sat[rows]
        rows = rows[~(g.has_compute[c] & ctx.powered_at(c, e1[rows]))]
        if rows.size:
            k_sat[rows] = _nearest_computer(ctx, shell, req.contact_sat[rows], e1[rows])
    req.compute_sat = k_sat
    req.reachable = g.has_compute[k_sat]
    req.hops_up = route(g, req.contact_sat, k_sat)[:2]
    req.isl_setup_up = _isl_setup(ctx, req.shell, req.hops_up)
    req.isl_to_compute = _isl_delay(ctx, req.shell, req.hops_up, ctx.up_bits)
    req.at_compute_sat = req.at_contact_sat + req.isl_setup_up + req.isl_to_compute
    if req.reachable.all():
        return []
    return ["some requests reach no satellite with an accelerator: unanswered"]


def wait_for_power(ctx: Context, req: RequestState) -> list[str]:
    """4. Until the serving satellite has power (sunlight, or battery left), if it has none."""
    E, dt = ctx.n_epochs, ctx.dt
    t2, k_sat = req.at_compute_sat, req.compute_sat
    e2 = _grid_index(t2, dt)
    req.power_wait = np.zeros(req.size)
    rows = np.nonzero(~ctx.powered_at(k_sat, e2 % E))[0]
    if rows.size:
        sats, inv = np.unique(k_sat[rows], return_inverse=True)
        nxt = next_true_index(ctx.powered_rows(sats))  # one row per satellite, not per request
        jn = nxt[inv, np.minimum(e2[rows] % E + 1, 2 * E - 1)]
        tn = np.where(jn >= NEVER, np.inf, jn * dt + np.floor(e2[rows] / E) * E * dt)
        req.power_wait[rows] = np.maximum(tn - t2[rows], 0.0)
    req.powered_at = t2 + req.power_wait
    return []


def queue_and_infer(ctx: Context, req: RequestState) -> list[str]:
    """5. FIFO queue per serving satellite (batches of ``max_batch``), then prefill + decode of
    this request's answer at the sunlight cap, or at the eclipse cap on battery."""
    sc, t3, n_out = ctx.sc, req.powered_at, req.output_tokens
    e3 = _grid_index(t3, ctx.dt) % ctx.n_epochs
    req.on_battery = ~ctx.g.sunlit_at(req.compute_sat, e3)
    B = sc.max_batch
    sizes = np.array([[1], [B]])  # alone and in a full batch, one roofline call per power cap
    sun = inference_latency(sc, sc.power_cap_w, sizes, n_out[None, :])
    eclipse = (inference_latency(sc, sc.eclipse_power_w, sizes, n_out[None, :])
               if req.on_battery.any() else sun)
    alone, batched = np.where(req.on_battery, eclipse, sun)
    finite = np.isfinite(t3)
    req.queue = np.zeros(req.size)
    req.queue[finite] = fifo_wait(req.compute_sat[finite], t3[finite], (batched / B)[finite])
    req.inference = np.where(req.queue > 0, batched, alone)
    req.answered_at = t3 + req.queue + req.inference
    return []


def back_to_view(ctx: Context, req: RequestState) -> list[str]:
    """6. ISLs back to the best satellite in view of a station that the usable links reach
    (the shell's, or its plane's / slot line's when only one kind of link is usable), waiting
    for the next pass if none is in view (store-and-forward); without ISLs the serving
    satellite itself."""
    g, t4 = ctx.g, req.answered_at
    d_sat = req.compute_sat.copy()
    t5 = np.full(req.size, np.inf)
    j5 = np.zeros(req.size, dtype=np.int64)
    # the prompt's contact still runs (its antenna tracks the satellite): down the same way
    keep = np.isfinite(t4) & (t4 <= req.track_end) & (
        _has_isl(g)[req.shell] | (req.compute_sat == req.contact_sat))
    d_sat[keep], t5[keep] = req.contact_sat[keep], t4[keep]
    j5[keep] = np.clip(np.rint(t4[keep] / ctx.dt).astype(np.int64), req.contact_index[keep],
                       np.floor(req.track_end[keep] / ctx.dt).astype(np.int64))
    for gi, shell in enumerate(g.shells):  # loop over shells (a few)
        rows = np.nonzero((req.shell == gi) & np.isfinite(t4) & ~keep)[0]
        if rows.size == 0:
            continue
        if shell.routing == "grid":
            t5[rows], j5[rows] = next_contact(shell.best_margin.astype(float), t4[rows], ctx.dt)
            d_sat[rows] = shell.best_sat[j5[rows] % ctx.n_epochs]
        elif shell.routing == "none":  # the serving satellite itself must pass over a station
            sats, inv = np.unique(req.compute_sat[rows], return_inverse=True)
            t5[rows], j5[rows] = next_contact(g.margin_rows(sats), t4[rows], ctx.dt, rows=inv)
        else:  # around the plane's ring, or along the slot line: that group's best in view
            members = shell.members(req.compute_sat[rows])
            _, first, inv = np.unique(members[:, 0], return_index=True, return_inverse=True)
            best_sat, best_margin = g.best_in_groups(members[first])
            t5[rows], j5[rows] = next_contact(best_margin.astype(float), t4[rows], ctx.dt,
                                              rows=inv)
            d_sat[rows] = best_sat[inv, j5[rows] % ctx.n_epochs]
    req.downlink_sat, req.downlink_time, req.downlink_index = d_sat, t5, j5
    req.hops_back = route(g, req.compute_sat, d_sat)[:2]
    req.isl_setup_back = _isl_setup(ctx, req.shell, req.hops_back)
    req.isl_back = _isl_delay(ctx, req.shell, req.hops_back, ctx.down_bits(req.output_tokens))
    return []


def downlink(ctx: Context, req: RequestState) -> list[str]:
    """7. Acquisition (:func:`lab.mission.contact.downlink_acquisition`), then light time +
    serialization at the slant range of the downlink satellite + backhaul."""
    e = req.downlink_index % ctx.n_epochs
    rng_dn, back_dn = _slant(ctx, req.downlink_sat, e)
    req.acquisition_down = downlink_acquisition(ctx, req)
    bits = ctx.down_bits(req.output_tokens)
    req.downlink = rng_dn / C_LIGHT + bits / _rate(ctx.down, rng_dn) + back_dn
    return []
