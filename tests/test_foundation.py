"""The package's foundation: offline configuration, input validation, hardware profiles."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from astropy import units as u

import lab
from lab._validate import as_time, as_value, check_choice, check_int
from lab.hardware import PROFILES, HardwareProfile, get_profile


def test_import_configures_astropy_offline():
    from astropy.utils import iers

    assert iers.conf.auto_download is False
    assert iers.conf.auto_max_age is None


def test_gcrs_to_itrs_works_offline_in_a_fresh_process():
    """A frame transformation far from the bundled IERS tables must not try the network."""
    code = (
        "import lab\n"
        "from astropy.coordinates import GCRS, ITRS, CartesianRepresentation\n"
        "from astropy.time import Time\n"
        "import astropy.units as u\n"
        "t = Time(['2025-05-14T04:12:00', '2031-01-01T00:00:00'])\n"
        "c = GCRS(CartesianRepresentation([7000, 7000], [0, 0], [0, 0], unit=u.km), obstime=t)\n"
        "print(c.transform_to(ITRS(obstime=t)).cartesian.norm().to_value(u.km))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env={"PATH": "", "NO_PROXY": "*", "http_proxy": "http://0.0.0.0:9",
                                           "https_proxy": "http://0.0.0.0:9"})
    assert out.returncode == 0, out.stderr
    norms = np.array(out.stdout.strip().strip("[]").split(), dtype=float)
    np.testing.assert_allclose(norms, 7000.0, rtol=1e-9)


def test_lazy_submodules():
    assert lab.hardware.get_profile is get_profile
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        lab.nope  # noqa: B018


def test_as_value_reads_plain_numbers_in_the_default_unit():
    assert as_value(550, u.km, "alt") == 550.0
    assert as_value(0.55 * u.Mm, u.km, "alt") == pytest.approx(550.0)
    np.testing.assert_allclose(as_value([1, 2] * u.m, u.km, "x"), [0.001, 0.002])


@pytest.mark.parametrize(
    ("value", "kwargs", "exc", "match"),
    [
        (-1.0, {"lo": 0}, ValueError, r"alt must be ≥ 0 km \(got -1 km\)"),
        (200.0, {"lo": 0, "hi": 180}, ValueError, r"alt must be in \[0, 180\] km"),
        (float("nan"), {}, ValueError, "alt must be finite"),
        ("high", {}, TypeError, r"alt must be a number \(read in km\) or an astropy Quantity convertible to km"),
        (3 * u.s, {}, TypeError, "alt must be convertible to km"),
        (0.0, {"lo": 0, "lo_inclusive": False}, ValueError, r"alt must be > 0 km"),
    ],
)
def test_as_value_errors_name_parameter_and_range(value, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        as_value(value, u.km, "alt", **kwargs)


def test_check_helpers():
    assert check_int(12.0, "total", lo=1) == 12
    with pytest.raises(ValueError, match=r"total must be an integer ≥ 1 \(got 0\)"):
        check_int(0, "total", lo=1)
    with pytest.raises(TypeError, match="total must be an integer"):
        check_int(1.5, "total")
    with pytest.raises(ValueError, match="model must be one of 'kepler', 'j2'"):
        check_choice("sgp5", ["kepler", "j2"], "model")
    assert as_time("2025-05-14T04:12:00").scale == "utc"
    with pytest.raises(TypeError, match="time must be an astropy Time"):
        as_time("yesterday")


def test_hardware_profiles_are_documented_and_consistent():
    assert {"jetson-agx-orin", "three-body-744", "h100", "h100-pcie", "tpu-v6e"} <= set(PROFILES)
    for name, prof in PROFILES.items():
        assert prof.name == name
        assert prof.source, name
        assert prof.peak_power_w >= prof.idle_power_w
    assert PROFILES["h100"].peak_power_w == 700.0
    assert PROFILES["three-body-744"].peak_tops == 744.0
    assert "assum" in PROFILES["three-body-744"].assumptions.lower()


_NUMERIC = ("peak_tops", "dense_tops", "sparse_tops", "memory_bandwidth_gbs", "memory_gb",
            "idle_power_w", "peak_power_w")


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_profile_number_has_a_source_or_an_assumption_note(name):
    prof = PROFILES[name]
    for field in _NUMERIC:
        if field in ("dense_tops", "sparse_tops") and not getattr(prof, field):
            continue  # nothing published, nothing to source (e.g. TPU sparsity)
        src = prof.source_of(field)
        assert src.startswith("https://") or src.startswith("assumption"), (name, field, src)
    assert prof.formats, name  # every shipped profile gives per-format peaks


def test_dense_and_sparse_peaks_per_number_format():
    h100, orin = get_profile("h100"), get_profile("jetson-agx-orin")
    # NVIDIA: 2:4 structured sparsity doubles every tensor-core format ("specs 1/2 lower without")
    for prof in (h100, get_profile("h100-pcie"), orin):
        for fmt, sparse in prof.sparse_tops:
            assert sparse == pytest.approx(2 * prof.dense_peak_tops(fmt), rel=1e-3), (prof, fmt)
    assert h100.dense_peak_tops("bf16") == pytest.approx(989.4)
    assert h100.sparse_peak_tops("bf16") == pytest.approx(1978.9)
    assert h100.dense_peak_tops("int8") == pytest.approx(1978.9)  # = fp8 dense
    assert h100.dense_peak_tops("fp8") == pytest.approx(h100.dense_peak_tops("int8"))
    # Jetson AGX Orin: 275 = 170 (GPU) + 105 (DLAs) int8 sparse; an LLM's bf16 is far lower
    assert orin.peak_tops == pytest.approx(170 + 105) and "sparse" in orin.precision
    assert orin.sparse_peak_tops("int8") == pytest.approx(170.0)
    assert orin.dense_peak_tops("bf16") == pytest.approx(170.0 / 4)
    assert orin.peak_tops / orin.dense_peak_tops("bf16") > 6  # issue 15: "overstated ~6x"
    tpu = get_profile("tpu-v6e")
    assert (tpu.dense_peak_tops("bf16"), tpu.dense_peak_tops("int8")) == (918.0, 1836.0)
    # a format without a figure runs in the next wider one it has
    assert h100.compute_format("int4") == "int8" and tpu.compute_format("fp8") == "bf16"
    assert orin.compute_format("bf16") == "bf16"
    with pytest.raises(ValueError, match=r"three-body-744 has no peak for 'fp32'"):
        get_profile("three-body-744").dense_peak_tops("fp32")
    with pytest.raises(ValueError, match=r"tpu-v6e publishes no sparse peak for 'int8'"):
        tpu.sparse_peak_tops("int8")
    with pytest.raises(ValueError, match=r"number_format must be one of .* \(got 'int3'\)"):
        h100.dense_peak_tops("int3")
    assert [row["format"] for row in h100.peak_table()][:2] == ["bf16", "fp16"]


def test_power_cap_scales_compute_and_keeps_bandwidth():
    """Regression (issue 11/15): the cap scaled memory bandwidth with power, so a memory-bound
    decode slowed in proportion ("60 W -> 137 s"); memory clocks are not what DVFS throttles."""
    h100 = get_profile("h100")
    capped = h100.with_power_cap(385.0)  # half the dynamic range
    assert capped.peak_tops == pytest.approx(h100.peak_tops / 2)
    for fmt in h100.formats:
        assert capped.dense_peak_tops(fmt) == pytest.approx(h100.dense_peak_tops(fmt) / 2)
    assert capped.sparse_peak_tops("int8") == pytest.approx(h100.sparse_peak_tops("int8") / 2)
    assert capped.memory_bandwidth_gbs == h100.memory_bandwidth_gbs
    assert "memory bandwidth kept" in capped.assumptions
    assert "power-capped at 385 W" in capped.source_of("dense_tops")
    assert h100.power(0.5) == pytest.approx(385.0)
    assert h100.with_power_cap(1000.0) is h100
    assert hash(capped) != hash(h100) and capped == h100.with_power_cap(385.0)


@pytest.mark.parametrize("cap, match", [
    (50.0, r"cap_w must be > 70 W \(got 50 W\)"),
    (70.0, r"cap_w must be > 70 W \(got 70 W\)"),
    (-5.0, r"cap_w must be > 70 W \(got -5 W\)"),
])
def test_power_cap_below_idle_is_an_error(cap, match):
    with pytest.raises(ValueError, match=match):
        get_profile("h100").with_power_cap(cap)


def test_bad_hardware_profiles():
    with pytest.raises(ValueError, match="utilization must be in"):
        get_profile("h100").power(1.5)
    with pytest.raises(ValueError, match="profile must be one of"):
        get_profile("b200")
    with pytest.raises(ValueError, match="peak_power_w must be ≥ 10"):
        HardwareProfile("x", 1, 1, 1, idle_power_w=10, peak_power_w=5)
    with pytest.raises(ValueError, match=r"dense_tops number format must be one of .*'int9'"):
        HardwareProfile("x", 1, 1, 1, 1, 2, dense_tops={"int9": 1.0})
    with pytest.raises(ValueError, match=r"dense_tops\['bf16'\] must be > 0"):
        HardwareProfile("x", 1, 1, 1, 1, 2, dense_tops={"bf16": -1.0})
    with pytest.raises(ValueError, match=r"sparse_tops has formats without a dense figure"):
        HardwareProfile("x", 1, 1, 1, 1, 2, dense_tops={"bf16": 1.0}, sparse_tops={"int8": 2})
    with pytest.raises(ValueError, match=r"sources names unknown fields \['tops'\]"):
        HardwareProfile("x", 1, 1, 1, 1, 2, sources={"tops": "x"})
    with pytest.raises(ValueError, match="field must be one of"):
        get_profile("h100").source_of("colour")
    generic = HardwareProfile("x", 5.0, 1, 1, 1, 2)  # one peak for every format
    assert generic.dense_peak_tops("int4") == generic.dense_peak_tops("fp32") == 5.0


def test_one_memory_guard_for_the_whole_lab(monkeypatch):
    """lab._validate.check_memory: one limit (keyword > LAB_MAX_MEMORY_GB > 4 GB), one error
    type (a MemoryError and a ValueError), inf switches it off; mission and orbits share it."""
    from lab import mission
    from lab._validate import MemoryLimitError, check_memory, memory_limit_gb
    from lab.orbits import Constellation

    monkeypatch.delenv("LAB_MAX_MEMORY_GB", raising=False)
    assert memory_limit_gb() == (4.0, "default 4 GB")
    with pytest.raises(MemoryLimitError, match=r"5 GB of memory, above the limit of 4 GB"):
        check_memory(5e9, "a test")
    assert issubclass(MemoryLimitError, MemoryError) and issubclass(MemoryLimitError, ValueError)
    assert mission.MemoryLimitError is MemoryLimitError
    assert check_memory(5e9, "a test", float("inf")) == pytest.approx(5e9)
    monkeypatch.setenv("LAB_MAX_MEMORY_GB", "inf")
    assert check_memory(5e12, "a test") == pytest.approx(5e12)
    monkeypatch.setenv("LAB_MAX_MEMORY_GB", "0.001")
    shell = Constellation.walker_delta(100, 10, 1, alt=550, inc=53)
    with pytest.raises(MemoryLimitError, match="LAB_MAX_MEMORY_GB"):
        shell.positions(np.arange(0.0, 86400.0, 60.0))
    assert shell.positions(np.arange(0.0, 86400.0, 60.0), max_memory_gb=1).shape == (100, 1440, 3)
    with pytest.raises(ValueError, match="max_memory_gb must be"):
        check_memory(1.0, "a test", float("nan"))
