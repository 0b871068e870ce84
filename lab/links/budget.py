"""Link budgets: free-space path loss, C/N0 and the data rate a link supports at a given range.

    FSPL = 20 log10(4 pi d f / c)                                  [dB]
    C/N0 = P_tx + G_tx - L + G_rx - FSPL - 10 log10(k T_sys)       [dB-Hz]
    C/N  = C/N0 - 10 log10(R_s),   R_s = B / (1 + rolloff)          [dB]
    rate = B log2(1 + C/N / margin)  (Shannon, capped by the modem)  or
    rate = R_s * eta(best DVB-S2 MODCOD with Es/N0 <= C/N - margin)   [bit/s]

The DVB-S2 spectral efficiencies and ideal Es/N0 thresholds are ETSI EN 302 307-1 V1.4.1,
Table 13 (AWGN, normal 64,800-bit FECFRAME, no pilots).

Every budget has a ``band`` (:data:`BANDS`: "uhf", "s", "x", "ku", "ka", "optical") and an
``acquisition_s``: the time from "the antenna points at the satellite" to "data flows" (carrier
acquisition, symbol and frame lock), by default the band's value in :data:`BANDS`, each with its
source or marked as an assumption. The antenna's slew is the station's
(:attr:`lab.links.GroundStation.slew_s`).

Rates by band (the presets below): S-band telecommand uplinks carry kbit/s to a few Mbit/s,
X-band Earth-observation downlinks hundreds of Mbit/s, Ka-band a few Gbit/s, optical ground
links tens of Gbit/s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from astropy import units as u

from lab._validate import as_value, check_choice
from lab.constants import BOLTZMANN, C_LIGHT

__all__ = ["BANDS", "DVBS2_MODCODS", "LINK_PRESETS", "LinkBudget", "format_frequency",
           "free_space_path_loss", "link_table"]

#: Bands of the lab's links -> (default acquisition time in s once the antenna points, source).
BANDS: dict[str, tuple[float, str]] = {
    "uhf": (5.0, "assumption: a narrow-band UHF modem locks in seconds"),
    "s": (10.0, "assumption: the station sweeps the uplink carrier over the LEO Doppler "
          "(about ±50 kHz at 2 GHz) until the on-board transponder locks, then the telecommand "
          "frames synchronise: seconds to tens of seconds (the NASA Space Network Users' Guide "
          "expects a reacquisition within 10 s)"),
    "x": (3.0, "assumption: a DVB-S2 receiver acquires carrier, symbols and frames of a "
          "satellite the antenna already tracks in seconds"),
    "ku": (5.0, "assumption: as Ka band"),
    "ka": (5.0, "assumption: a narrower beam adds a search from program track to autotrack"),
    "optical": (15.0, "pointing, acquisition and tracking of laser terminals: ~15 s reported "
                "for the Three-Body laser terminals (DESIGN.md; the primary source was not "
                "found); the SDA optical terminal standard requires < 100 s with a 10 s goal "
                "(Tournear, Sep 2024), 'of the order of seconds' (arXiv 2301.05285)"),
}

# (name, ideal Es/N0 dB, spectral efficiency bit/symbol) -- EN 302 307-1 Table 13.
DVBS2_MODCODS: tuple[tuple[str, float, float], ...] = (
    ("QPSK 1/4", -2.35, 0.490243),
    ("QPSK 1/3", -1.24, 0.656448),
    ("QPSK 2/5", -0.30, 0.789412),
    ("QPSK 1/2", 1.00, 0.988858),
    ("QPSK 3/5", 2.23, 1.188304),
    ("QPSK 2/3", 3.10, 1.322253),
    ("QPSK 3/4", 4.03, 1.487473),
    ("QPSK 4/5", 4.68, 1.587196),
    ("QPSK 5/6", 5.18, 1.654663),
    ("8PSK 3/5", 5.50, 1.779991),
    ("QPSK 8/9", 6.20, 1.766451),
    ("QPSK 9/10", 6.42, 1.788612),
    ("8PSK 2/3", 6.62, 1.980636),
    ("8PSK 3/4", 7.91, 2.228124),
    ("16APSK 2/3", 8.97, 2.637201),
    ("8PSK 5/6", 9.35, 2.478562),
    ("16APSK 3/4", 10.21, 2.966728),
    ("8PSK 8/9", 10.69, 2.646012),
    ("8PSK 9/10", 10.98, 2.679207),
    ("16APSK 4/5", 11.03, 3.165623),
    ("16APSK 5/6", 11.61, 3.300184),
    ("32APSK 3/4", 12.73, 3.703295),
    ("16APSK 8/9", 12.89, 3.523143),
    ("16APSK 9/10", 13.13, 3.567342),
    ("32APSK 4/5", 13.64, 3.951571),
    ("32APSK 5/6", 14.28, 4.119540),
    ("32APSK 8/9", 15.69, 4.397854),
    ("32APSK 9/10", 16.05, 4.453027),
)
_MC_ESN0 = np.array([m[1] for m in DVBS2_MODCODS])
_order = np.argsort(_MC_ESN0, kind="stable")
_MC_ESN0 = _MC_ESN0[_order]
_MC_ETA = np.maximum.accumulate(np.array([m[2] for m in DVBS2_MODCODS])[_order])

_K_DB = 10.0 * np.log10(BOLTZMANN)  # -228.6 dBW/(K Hz)


def format_frequency(frequency: Any, digits: int = 4) -> str:
    """A frequency (Hz, or a Quantity) as display text with ``digits`` significant digits in
    Hz, MHz, GHz or THz (the largest unit >= 1): ``8.2 GHz``, ``2.05 GHz``, ``193.4 THz``.
    A wavelength Quantity works too."""
    f = float(_as_frequency(frequency))
    for unit, scale in (("THz", 1e12), ("GHz", 1e9), ("MHz", 1e6)):
        if f >= scale:
            return f"{f / scale:.{digits}g} {unit}"
    return f"{f:.{digits}g} Hz"


def free_space_path_loss(distance: Any, frequency: Any) -> np.ndarray:
    """Free-space path loss in dB for ``distance`` (km) and ``frequency`` (Hz, or any spectral Quantity)."""
    d = as_value(distance, "km", "distance", lo=0, lo_inclusive=False)
    f = _as_frequency(frequency)
    return 20.0 * np.log10(4.0 * np.pi * d * f / C_LIGHT)


def _as_frequency(frequency: Any) -> float:
    if isinstance(frequency, u.Quantity):
        frequency = frequency.to(u.Hz, equivalencies=u.spectral())
    return as_value(frequency, "Hz", "frequency", lo=0, lo_inclusive=False)


@dataclass(frozen=True)
class LinkBudget:
    """A radio or optical link between two terminals.

    Parameters (plain numbers in the units shown, or Quantities):
    ``frequency`` Hz (a wavelength Quantity works too), ``tx_power`` W, ``tx_gain`` / ``rx_gain``
    dBi, ``losses`` dB (pointing, atmosphere, polarization, cables), ``noise_temperature`` K
    (system noise temperature of the receiver; for an optical receiver an equivalent
    h f / k x noise factor), ``bandwidth`` Hz, ``implementation_margin`` dB (gap to the ideal
    curve), ``rolloff`` (symbol rate = bandwidth / (1 + rolloff)), ``model`` "shannon" or
    "dvb-s2", ``max_spectral_efficiency`` bit/s/Hz (modem cap for "shannon"; None = no cap),
    ``band`` (a :data:`BANDS` name, or None), ``acquisition_s`` s from pointing to locked (None:
    the band's default of :data:`BANDS`, 0 without a band).
    """

    frequency: float
    tx_power: float
    tx_gain: float
    rx_gain: float
    losses: float = 0.0
    noise_temperature: float = 290.0
    bandwidth: float = 1e6
    implementation_margin: float = 3.0
    rolloff: float = 0.0
    model: str = "shannon"
    max_spectral_efficiency: float | None = None
    name: str = "custom"
    band: str | None = None
    acquisition_s: float | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "frequency", _as_frequency(self.frequency))
        set_(self, "tx_power", as_value(self.tx_power, "W", "tx_power", lo=0, lo_inclusive=False))
        set_(self, "tx_gain", as_value(self.tx_gain, "", "tx_gain", lo=-50, hi=200))
        set_(self, "rx_gain", as_value(self.rx_gain, "", "rx_gain", lo=-50, hi=200))
        set_(self, "losses", as_value(self.losses, "", "losses", lo=0, hi=300))
        set_(self, "noise_temperature",
             as_value(self.noise_temperature, "K", "noise_temperature", lo=0, lo_inclusive=False))
        set_(self, "bandwidth", as_value(self.bandwidth, "Hz", "bandwidth", lo=0, lo_inclusive=False))
        set_(self, "implementation_margin",
             as_value(self.implementation_margin, "", "implementation_margin", lo=0, hi=50))
        set_(self, "rolloff", as_value(self.rolloff, "", "rolloff", lo=0, hi=1))
        check_choice(self.model, ("shannon", "dvb-s2"), "model")
        if self.max_spectral_efficiency is not None:
            set_(self, "max_spectral_efficiency",
                 as_value(self.max_spectral_efficiency, "", "max_spectral_efficiency",
                          lo=0, lo_inclusive=False))
        if self.band is not None:
            check_choice(self.band, BANDS, "band")
        if self.acquisition_s is None:
            set_(self, "acquisition_s", BANDS[self.band][0] if self.band is not None else 0.0)
        set_(self, "acquisition_s", float(as_value(self.acquisition_s, "s", "acquisition_s",
                                                   lo=0.0, hi=3600.0)))

    # ------------------------------------------------------------------ presets
    @classmethod
    def preset(cls, name: str, **changes: Any) -> LinkBudget:
        """A copy of ``LINK_PRESETS[name]`` with optional field ``changes``."""
        check_choice(name, LINK_PRESETS, "preset")
        return replace(LINK_PRESETS[name], **changes) if changes else LINK_PRESETS[name]

    def replace(self, **changes: Any) -> LinkBudget:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ physics
    @property
    def eirp(self) -> float:
        """Effective isotropic radiated power, dBW (tx power + tx gain - losses)."""
        return 10.0 * np.log10(self.tx_power) + self.tx_gain - self.losses

    @property
    def symbol_rate(self) -> float:
        """Symbol rate in symbols/s: bandwidth / (1 + rolloff)."""
        return self.bandwidth / (1.0 + self.rolloff)

    def fspl(self, range: Any) -> np.ndarray:  # noqa: A002 - the physical name
        """Free-space path loss (dB) at ``range`` (km)."""
        return free_space_path_loss(range, self.frequency)

    def cn0(self, range: Any) -> np.ndarray:  # noqa: A002
        """Carrier-to-noise-density ratio C/N0 (dB-Hz) at ``range`` (km)."""
        return self.eirp + self.rx_gain - self.fspl(range) - _K_DB - 10.0 * np.log10(self.noise_temperature)

    def cn(self, range: Any) -> np.ndarray:  # noqa: A002
        """Carrier-to-noise ratio C/N = Es/N0 (dB) in the symbol-rate bandwidth at ``range`` (km)."""
        return self.cn0(range) - 10.0 * np.log10(self.symbol_rate)

    def spectral_efficiency(self, range: Any) -> np.ndarray:  # noqa: A002
        """Information bits per symbol the link supports at ``range`` (km)."""
        snr_db = self.cn(range) - self.implementation_margin
        if self.model == "dvb-s2":
            idx = np.searchsorted(_MC_ESN0, snr_db, side="right") - 1
            return np.where(idx >= 0, _MC_ETA[np.clip(idx, 0, None)], 0.0)
        eta = np.log2(1.0 + 10.0 ** (snr_db / 10.0))
        if self.max_spectral_efficiency is not None:
            eta = np.minimum(eta, self.max_spectral_efficiency)
        return eta

    def data_rate(self, range: Any) -> u.Quantity:  # noqa: A002
        """Data rate (bit/s Quantity) at ``range`` (km), vectorized; 0 when the link closes no MODCOD."""
        return self.data_rate_value(range) * (u.bit / u.s)

    def data_rate_value(self, range: Any) -> np.ndarray:  # noqa: A002
        """:meth:`data_rate` as plain float(s) in bit/s (for vectorized callers)."""
        return self.spectral_efficiency(range) * self.symbol_rate

    def max_range(self, rate: Any) -> u.Quantity:
        """Longest range (km) at which the link still carries ``rate`` bit/s (bisection on range)."""
        want = as_value(rate, u.bit / u.s, "rate", lo=0, lo_inclusive=False)
        lo, hi = 1e-3, 1e7
        if self.data_rate_value(lo) < want:
            return 0.0 * u.km
        for _ in range(80):
            mid = np.sqrt(lo * hi)
            if self.data_rate_value(mid) >= want:
                lo = mid
            else:
                hi = mid
        return lo * u.km


_OPTICAL_F = C_LIGHT * 1e3 / 1550e-9  # Hz at 1550 nm
_H_PLANCK = 6.62607015e-34
_T_QUANTUM = _H_PLANCK * _OPTICAL_F / BOLTZMANN  # ~9,300 K: one photon of noise per mode


def _aperture_gain_dbi(diameter_m: float, frequency_hz: float, efficiency: float = 0.8) -> float:
    lam = C_LIGHT * 1e3 / frequency_hz
    return 10.0 * np.log10(efficiency * (np.pi * diameter_m / lam) ** 2)


LINK_PRESETS: dict[str, LinkBudget] = {
    # Earth-observation class X-band downlink (8.2 GHz): 10 W, 6 dBi isoflux antenna on board,
    # 5.4 m dish (~50 dBi) and 150 K system noise on the ground (G/T ~ 28 dB/K), 150 MHz,
    # DVB-S2 ACM. ~410 Mbit/s at 1,500 km, ~250 Mbit/s at 2,500 km: an upper bound over a pass (no
    # symbol-rate or MODCOD cap of a real modem; cf. ~220 Mbit/s published EO peaks, notebook 00).
    "x-band-downlink": LinkBudget(
        frequency=8.2e9, tx_power=10.0, tx_gain=6.0, rx_gain=50.0, losses=3.0,
        noise_temperature=150.0, bandwidth=150e6, implementation_margin=3.0, rolloff=0.2,
        model="dvb-s2", name="x-band-downlink", band="x",
    ),
    # Ka-band downlink (26 GHz, the EESS band): 5 W, 24 dBi steered antenna, 2.4 m dish, 1.5 GHz:
    # ~2-5 Gbit/s (RSGS Lijiang receives up to 2,000 Mbit/s, AIRCAS 2024).
    "ka-band-downlink": LinkBudget(
        frequency=26e9, tx_power=5.0, tx_gain=24.0, rx_gain=54.0, losses=6.0,
        noise_temperature=200.0, bandwidth=1.5e9, implementation_margin=3.0, rolloff=0.1,
        model="dvb-s2", name="ka-band-downlink", band="ka",
    ),
    # S-band telecommand (TC) uplink, the link that carries a prompt up (2.05 GHz): 20 W into a
    # 3.7 m dish (35 dBi), 3 dBi patch on board, 500 K satellite receiver. Telecommand runs at
    # kbit/s to a few Mbit/s, not at the tens of Mbit/s such a budget could close: the CCSDS /
    # ECSS telecommand recommendations (CCSDS 401.0-B, ECSS-E-ST-50-05C) give bit rates of a
    # few kbit/s up to 256 kbit/s on a subcarrier. 256 ksymbol/s of uncoded BPSK (1 bit/s/Hz):
    # 256 kbit/s wherever the link closes.
    "s-band-uplink": LinkBudget(
        frequency=2.05e9, tx_power=20.0, tx_gain=35.0, rx_gain=3.0, losses=2.0,
        noise_temperature=500.0, bandwidth=256e3, implementation_margin=3.0, rolloff=0.0,
        model="shannon", max_spectral_efficiency=1.0, name="s-band-uplink", band="s",
    ),
    # High-rate S-band telecommand: the same terminals at 2 Msymbol/s (the upper end of direct
    # carrier modulation for telecommand, "a few Mbit/s"): 2 Mbit/s.
    "s-band-uplink-2m": LinkBudget(
        frequency=2.05e9, tx_power=20.0, tx_gain=35.0, rx_gain=3.0, losses=2.0,
        noise_temperature=500.0, bandwidth=2.048e6, implementation_margin=3.0, rolloff=0.0,
        model="shannon", max_spectral_efficiency=1.0, name="s-band-uplink-2m", band="s",
    ),
    # Optical ground link, 1550 nm: 1 W, 10 cm terminal on board, 50 cm ground telescope, 10 dB
    # of atmosphere, turbulence and pointing loss, capped at 60 Gbit/s: the AIRCAS laser ground
    # station on the Pamir plateau (500 mm aperture, up to 60 Gbit/s satellite-to-ground, 2024).
    "optical-downlink": LinkBudget(
        frequency=_OPTICAL_F, tx_power=1.0, tx_gain=_aperture_gain_dbi(0.10, _OPTICAL_F),
        rx_gain=_aperture_gain_dbi(0.50, _OPTICAL_F), losses=10.0,
        noise_temperature=10.0 * _T_QUANTUM, bandwidth=30e9, implementation_margin=3.0,
        model="shannon", max_spectral_efficiency=2.0, name="optical-downlink", band="optical",
    ),
    # Optical inter-satellite link, 1550 nm: 2 W, 10 cm telescopes (~105 dBi each), 3 dB of
    # pointing/optics loss, coherent receiver 10x above the quantum limit, 50 GHz of electrical
    # bandwidth, modem capped at 2 bit/s/Hz -> 100 Gbit/s out to ~6,500 km, then falling
    # (Starlink-class: 100-200 Gbit/s, links to ~5,400 km; ADA Space: 100 Gbit/s). Acquisition:
    # the ~15 s link set-up of the optical band (BANDS["optical"]).
    "optical-isl": LinkBudget(
        frequency=_OPTICAL_F, tx_power=2.0, tx_gain=_aperture_gain_dbi(0.10, _OPTICAL_F),
        rx_gain=_aperture_gain_dbi(0.10, _OPTICAL_F), losses=3.0,
        noise_temperature=10.0 * _T_QUANTUM, bandwidth=50e9, implementation_margin=3.0,
        model="shannon", max_spectral_efficiency=2.0, name="optical-isl", band="optical",
    ),
}
LINK_PRESETS["uplink"] = replace(LINK_PRESETS["s-band-uplink"], name="uplink")
LINK_PRESETS["downlink"] = replace(LINK_PRESETS["x-band-downlink"], name="downlink")


def link_table(budgets: Sequence[LinkBudget], range_km: float = 1000.0) -> pd.DataFrame:
    """One row per link budget: frequency (MHz/GHz/THz text), EIRP, path loss, C/N0 and the
    data rate at ``range_km``."""
    d = float(as_value(range_km, "km", "range_km", lo=0.0, lo_inclusive=False))
    tag = f"{d:.0f}km"
    return pd.DataFrame([{
        "preset": b.name, "frequency": format_frequency(b.frequency), "EIRP_dBW": round(b.eirp, 1),
        f"FSPL_{tag}_dB": round(float(b.fspl(d)), 1), f"CN0_{tag}_dBHz": round(float(b.cn0(d)), 1),
        f"rate_{tag}": f"{b.data_rate(d).to(u.Mbit / u.s):.0f}"} for b in budgets])
