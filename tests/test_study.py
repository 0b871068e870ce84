"""lab.study in process: spaces, Latin hypercubes, metrics, the Zarr store and resume, bad specs,
the YAML spec and the ``study`` CLI. The real Dask processes are in test_study_distributed.py.

Studies are small (requests 200, dt 120 s, a few points): the module runs in ~15 s.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from astropy import units as u

import lab.economics
import lab.mission
from lab import study
from lab.cli import main
from lab.study.store import _chunks

REPO = Path(__file__).resolve().parent.parent
FIXED = {"requests": 200, "dt": 120}
GRID = {"n_satellites": [12, 48], "hardware": ["three-body-744", "h100"]}


@pytest.fixture(scope="module")
def grid_result():
    return study.run(GRID, fixed=FIXED, progress=False)


# ---------------------------------------------------------------------------------------------
# The registry, the space and the metrics
# ---------------------------------------------------------------------------------------------

def test_registry_names_real_arguments():
    """Every registered parameter is an argument of the function its group calls."""
    groups = {g.name: {p.name for p in g.parameters} for g in study.GROUPS}
    assert groups["configure"] - {"preset"} <= set(inspect.signature(lab.mission.configure)
                                                   .parameters)
    assert groups["shells"] <= {f.name for f in fields(lab.mission.Shell)}
    assert groups["scenario"] <= {f.name for f in fields(lab.mission.Scenario)}
    assert groups["run"] <= set(inspect.signature(lab.mission.response_times).parameters)
    assert groups["economics"] <= (set(inspect.signature(lab.economics.evaluate).parameters)
                                   | set(lab.economics.DEFAULTS))
    assert len(study.PARAMETERS) == sum(len(g.parameters) for g in study.GROUPS)


def test_every_term_of_the_model_has_a_mean_metric():
    assert {f"mean_{t}" for t in lab.mission.TERMS} <= set(study.RESPONSE_METRICS)
    assert {"p50", "p90", "mean", "in_view_share"} <= set(study.RESPONSE_METRICS)
    assert {"usd_per_mtok", "fleet_usd_per_year"} <= set(study.DEFAULT_METRICS)
    assert set(study.DEFAULT_METRICS) <= set(study.METRICS)


@pytest.mark.parametrize("preset", ["starcloud-1", "three-body-12"])
def test_costs_are_lab_economics_for_the_same_design(preset):
    """An unchanged preset costs what lab.economics says (fleet cost exactly; per token with
    the Scenario's model as a parameter count, as lab.mission's inference term uses it)."""
    from dataclasses import replace

    point = study.evaluate({"preset": preset, "launch_price": 500.0, **FIXED},
                           ["usd_per_mtok", "fleet_usd_per_year", "usd_per_mtok_ground",
                            "breakeven_launch_usd_per_kg"])
    mission_model = lab.mission.PRESETS[preset].model_params
    cost = lab.economics.evaluate(replace(lab.economics.PRESETS[preset], model=mission_model),
                                  launch_price=500.0)
    assert point["fleet_usd_per_year"] == pytest.approx(float(cost.raw["orbit"]["total"]),
                                                        rel=1e-12)
    assert point["usd_per_mtok"] == pytest.approx(float(cost.raw["orbit"]["usd_per_mtok"]),
                                                  rel=1e-12)
    assert point["usd_per_mtok_ground"] == pytest.approx(
        float(cost.raw["ground"]["usd_per_mtok"]), rel=1e-12)
    assert point["breakeven_launch_usd_per_kg"] == pytest.approx(cost.breakeven_launch_price,
                                                                 rel=1e-12)


def test_cost_follows_the_design():
    """More satellites cost more per year; a cheaper launch and a faster accelerator make a
    token cheaper; a longer life changes the cost; a bad economics value is refused."""
    metrics = ["usd_per_mtok", "fleet_usd_per_year"]
    ds = study.run({"n_satellites": [12, 120], "launch_price": [200.0, 3600.0],
                    "hardware": ["three-body-744", "h100"]}, fixed=FIXED, metrics=metrics,
                   progress=False)
    fleet = ds.fleet_usd_per_year
    assert (fleet.sel(n_satellites=120) > fleet.sel(n_satellites=12)).all()
    per_token = ds.usd_per_mtok
    assert (per_token.sel(launch_price=200.0) < per_token.sel(launch_price=3600.0)).all()
    assert (per_token.sel(hardware="h100") < per_token.sel(hardware="three-body-744")).all()
    longer = study.evaluate({"lifetime_y": 10.0, "baseline": "gas-backed", **FIXED}, metrics)
    assert longer["fleet_usd_per_year"] != pytest.approx(
        study.evaluate(FIXED, metrics)["fleet_usd_per_year"], rel=1e-3)
    with pytest.raises(ValueError, match="baseline must be one of"):
        study.run({"baseline": ["hyperscale", "coal"]}, progress=False)
    with pytest.raises(ValueError, match=r"launch_price \(USD/kg\) must be"):
        study.run({"launch_price": [200.0, -1.0]}, progress=False)


def test_grid_has_one_dimension_per_varied_parameter(grid_result):
    ds = grid_result
    assert ds.p50.dims == ("n_satellites", "hardware")
    assert ds.n_satellites.values.tolist() == [12, 48]
    assert ds.hardware.values.tolist() == ["three-body-744", "h100"]
    assert ds.attrs["requests"] == 200 and ds.attrs["dt"] == 120.0
    assert set(study.DEFAULT_METRICS) <= set(ds.data_vars)
    assert ds.p50.attrs["units"] == "s"
    assert np.isfinite(ds.finished_at.values).all()


def test_a_point_equals_the_mission_model(grid_result):
    """The study's numbers are lab.mission's for the same design (the same computation)."""
    r = lab.mission.response_times("three-body-12", n_satellites=48, requests=200, dt=120,
                                   seed=0)
    sc, _ = lab.mission.configure("three-body-12", n_satellites=48, hardware="h100")
    r_h100 = lab.mission.response_times(sc, requests=200, dt=120)
    point = grid_result.sel(n_satellites=48)
    assert point.p50.sel(hardware="three-body-744") == pytest.approx(r.summary["p50"], rel=1e-12)
    assert point.p90.sel(hardware="h100") == pytest.approx(r_h100.summary["p90"], rel=1e-12)
    assert point.mean_inference.sel(hardware="h100") == pytest.approx(
        r_h100.table.loc["inference", "mean"], rel=1e-12)
    assert point.in_view_share.sel(hardware="h100") == pytest.approx(
        r_h100.summary["in_view_share"], abs=1e-12)
    # the H100 runs the 8B model faster than the 744-TOPS computer (roofline)
    assert point.mean_inference.sel(hardware="h100") < point.mean_inference.sel(
        hardware="three-body-744")


def test_results_do_not_depend_on_the_geometry_cache(grid_result):
    """Determinism in one process: a cold cache gives the same numbers to the last bit."""
    lab.mission.clear_geometry_cache()
    again = study.run(GRID, fixed=FIXED, progress=False)
    for m in study.DEFAULT_METRICS:
        assert np.array_equal(again[m].values, grid_result[m].values, equal_nan=True), m


def test_table_of_points_has_a_point_dimension():
    table = pd.DataFrame({"n_satellites": [12, 96, 12], "alt": [500.0, 700.0, 500.0]})
    ds = study.run(table, fixed=FIXED, metrics=["p50", "n_used"], progress=False)
    assert ds.p50.dims == ("point",)
    assert ds.n_satellites.dims == ("point",) and ds.alt.values.tolist() == [500.0, 700.0, 500.0]
    assert ds.n_used.values.tolist() == [12.0, 96.0, 12.0]
    assert ds.p50.values[0] == ds.p50.values[2]  # the same point twice: the same numbers
    one = study.evaluate({"n_satellites": 96, "alt": 700.0, **FIXED}, ["p50"])
    assert ds.p50.values[1] == pytest.approx(one["p50"], rel=1e-12)


def test_quantities_and_single_values():
    sp = study.make_space({"alt": [500, 600] * u.km, "dt": 2 * u.min, "preset": "starcloud-1"})
    assert sp.dims == ("alt",) and sp.coords["alt"].tolist() == [500.0, 600.0]
    assert sp.fixed == {"dt": 120.0, "preset": "starcloud-1"}
    assert sp.point(1) == {"dt": 120.0, "preset": "starcloud-1", "alt": 600.0}
    assert study.make_space({}).size == 1  # no varied parameter: one point


def test_dask_tasks_group_points_along_the_last_dimension():
    from lab.study.execute import task_groups

    grid = study.make_space({"n_satellites": [12, 48], "hardware": ["h100", "tpu-v6e", "jetson-agx-orin"]})
    assert task_groups(grid, np.arange(6)) == [[0, 1, 2], [3, 4, 5]]
    assert task_groups(grid, np.array([1, 2, 3, 5])) == [[1, 2], [3, 5]]  # 4 is done
    assert task_groups(grid, np.arange(6), limit=2) == [[0, 1], [2], [3, 4], [5]]
    table = study.make_space(pd.DataFrame({"alt": [500.0, 600.0]}))
    assert task_groups(table, np.arange(2)) == [[0], [1]]


def test_a_failing_point_in_a_task_stops_it_and_says_why(monkeypatch):
    from lab.study.metrics import evaluate_many

    monkeypatch.setenv("LAB_MAX_MEMORY_GB", "0.05")
    points = [{"n_satellites": n, **FIXED} for n in (12, 2800, 48)]
    done, failure = evaluate_many(points, ["p50"])
    assert len(done) == 1 and failure[0] == 1 and failure[1].startswith("MemoryLimitError: ")


def test_chunks_hold_a_bounded_number_of_points():
    assert _chunks((3, 4), 4096) == (3, 4)
    assert _chunks((100, 100, 10), 4096) == (4, 100, 10)
    assert _chunks((10000,), 4096) == (4096,)
    assert _chunks((), 4096) == ()
    assert np.prod(_chunks((50, 50, 50, 50), 4096)) <= 4096


# ---------------------------------------------------------------------------------------------
# Latin hypercube
# ---------------------------------------------------------------------------------------------

def test_latin_hypercube_has_one_sample_per_stratum():
    n = 40
    df = study.latin_hypercube({"alt": (400, 1200), "n_satellites": (10, 10000, "log"),
                                "hardware": ["h100", "tpu-v6e"]}, n, seed=3)
    assert list(df.columns) == ["alt", "n_satellites", "hardware"] and len(df) == n
    strata = np.floor((df["alt"].to_numpy() - 400) / 800 * n)
    assert sorted(strata.tolist()) == list(range(n))
    assert df["n_satellites"].dtype == np.int64
    assert df["n_satellites"].between(10, 10000).all()
    log_strata = np.floor(np.log(df["n_satellites"].to_numpy() / 10) / np.log(1000) * n)
    assert len(np.unique(log_strata)) >= n - 4  # rounding to integers moves a few at the edges
    assert (df["hardware"].value_counts() == n // 2).all()
    pd.testing.assert_frame_equal(df, study.latin_hypercube(
        {"alt": (400, 1200), "n_satellites": (10, 10000, "log"),
         "hardware": ["h100", "tpu-v6e"]}, n, seed=3))


@pytest.mark.parametrize("ranges, match", [
    ({"altitude": (400, 500)}, "unknown study parameter 'altitude'"),
    ({"alt": (500, 400)}, "lo < hi"),
    ({"alt": (0, 400, "log")}, "lo > 0"),
    ({"alt": (1, 2, 3, 4)}, "must be \\(lo, hi\\)"),
    ({"hardware": {"choices": []}}, "empty"),
    ({}, "at least one parameter"),
])
def test_latin_hypercube_refuses_bad_ranges(ranges, match):
    with pytest.raises(ValueError, match=match):
        study.latin_hypercube(ranges, 8)


# ---------------------------------------------------------------------------------------------
# Bad specs fail fast: before any point is computed and before the store is written
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("space, kwargs, error, match", [
    ({"n_satelites": [12]}, {}, ValueError, "unknown study parameter 'n_satelites'"),
    ({"n_satellites": []}, {}, ValueError, "'n_satellites' are an empty list"),
    ({"n_satellites": [12, 12]}, {}, ValueError, "repeat"),
    ({"n_satellites": [12, 0]}, {}, ValueError, r"point 1 .*n_satellites must be an integer in "
     r"\[1, 100000\] \(got 0\)"),
    ({"alt": [500, 100]}, {}, ValueError, r"point 1 .*alt must be in \[150, 40000\] km"),
    ({"hardware": ["h100", "h200"]}, {}, ValueError, "point 1 .*hardware"),
    ({"network": ["china", "mars"]}, {}, ValueError, "point 1 .*network must be one of"),
    ({"epoch": ["2025-06-21T00:00:00", "midsummer"]}, {}, TypeError, "point 1 .*epoch"),
    ({"n_satellites": ["many"]}, {}, TypeError, "n_satellites must be an integer"),
    ({"dt": [60, 1000]}, {}, ValueError, r"point 1 .*dt must be in \[1, 600\] s"),
    ({"n_satellites": [12]}, {"metrics": ["p50", "p95"]}, ValueError, "unknown metric.*'p95'"),
    ({"n_satellites": [12]}, {"metrics": []}, ValueError, "at least one metric"),
    ({"n_satellites": [12]}, {"fixed": {"n_satellites": 48}}, ValueError, "both varied and fixed"),
    ({"n_satellites": [12]}, {"scheduler": 0}, ValueError, "scheduler"),
    ({"n_satellites": [12]}, {"scheduler": 2.5}, TypeError, "scheduler must be None"),
    ({"n_satellites": [12]}, {"progress": "yes"}, TypeError, "progress must be"),
    ([("n_satellites", 12)], {}, TypeError, "space must be a mapping"),
    (pd.DataFrame(), {}, ValueError, "table of points is empty"),
])
def test_bad_specs_fail_before_any_work(space, kwargs, error, match, count_points, tmp_path):
    store = tmp_path / "s.zarr"
    with pytest.raises(error, match=match):
        study.run(space, store=store, **{"progress": False, **kwargs})
    assert count_points == [] and not store.exists()


def test_unreachable_scheduler_fails_fast(count_points, tmp_path):
    import time

    from lab.node import find_free_port

    t0 = time.perf_counter()
    with pytest.raises(study.SchedulerError, match="cannot reach the Dask scheduler"):
        study.run(GRID, fixed=FIXED, scheduler=f"tcp://127.0.0.1:{find_free_port()}",
                  store=tmp_path / "s.zarr", progress=False, connect_timeout=1.0)
    assert time.perf_counter() - t0 < 10
    assert count_points == [] and not (tmp_path / "s.zarr").exists()


def test_scheduler_without_workers_fails_fast(count_points):
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster, \
            pytest.raises(study.SchedulerError, match="has no workers"):
        study.run(GRID, fixed=FIXED, scheduler=cluster.scheduler_address, progress=False,
                  connect_timeout=1.0)
    assert count_points == []


@pytest.mark.parametrize("memory_gb, cpus, workers", [(2.0, 2, 1), (25.0, 2, 2), (2.4, 8, 1),
                                                     (4.5, 8, 4), (0.5, 4, 1)])
def test_local_workers_fit_the_memory_and_cpus(memory_gb, cpus, workers, monkeypatch):
    """One worker per CPU while each gets 1 GB after 0.5 GB for the notebook: Binder (2 GB)
    gets one; never zero."""
    import dask.system
    import distributed.system

    monkeypatch.setattr(distributed.system, "MEMORY_LIMIT", int(memory_gb * 1e9))
    monkeypatch.setattr(dask.system, "CPU_COUNT", cpus)
    assert study.local_workers(memory_per_worker_gb=1.0) == workers


def test_import_does_not_import_dask():
    code = "import sys, lab.study; print('dask' in sys.modules, 'distributed' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=120, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------------------------------------
# The Zarr store: layout, resume, a different study, crash in the middle
# ---------------------------------------------------------------------------------------------

def test_store_is_the_result_dataset(grid_result, tmp_path):
    ds = study.run(GRID, fixed=FIXED, store=tmp_path / "s.zarr", progress=False)
    with xr.open_zarr(tmp_path / "s.zarr") as stored:
        for m in (*study.DEFAULT_METRICS, "finished_at"):
            assert np.array_equal(stored[m].values, ds[m].values, equal_nan=True)
        assert stored.hardware.values.tolist() == ["three-body-744", "h100"]
        assert json.loads(stored.attrs["lab_study"])["fixed"] == FIXED
    for m in study.DEFAULT_METRICS:  # a store changes nothing in the numbers
        assert np.array_equal(ds[m].values, grid_result[m].values, equal_nan=True)


def test_interrupted_study_resumes_without_recomputing(count_points, tmp_path):
    """An exception after 3 points leaves them in the store; the re-run computes only the
    other 3 and keeps the first ones' timestamps."""
    space = {"n_satellites": [12, 48, 96], "hardware": ["three-body-744", "h100"]}

    def stop_after_three(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        study.run(space, fixed=FIXED, store=tmp_path / "s.zarr", progress=stop_after_three)
    assert len(count_points) == 3
    with xr.open_zarr(tmp_path / "s.zarr") as partial:
        before = partial.finished_at.values.copy()
    assert np.isfinite(before).sum() == 3
    full = study.run(space, fixed=FIXED, store=tmp_path / "s.zarr", progress=False)
    assert len(count_points) == 6  # 3 more, not 6
    assert {(c["n_satellites"], c["hardware"]) for c in count_points} == {
        (n, h) for n in (12, 48, 96) for h in ("three-body-744", "h100")}
    done_before = np.isfinite(before)
    assert np.array_equal(full.finished_at.values[done_before], before[done_before])
    assert np.isfinite(full.p50.values).all()
    again = study.run(space, fixed=FIXED, store=tmp_path / "s.zarr", progress=False)
    assert len(count_points) == 6  # complete: nothing to do
    assert np.array_equal(again.p50.values, full.p50.values)


@pytest.mark.parametrize("other, match", [
    ({"space": {"n_satellites": [12, 96]}}, "values of 'n_satellites'"),
    ({"space": {"alt": [500.0, 600.0]}}, "dims"),
    ({"fixed": {"requests": 300, "dt": 120}}, "fixed"),
    ({"metrics": ["p50"]}, "metrics"),
])
def test_a_different_study_in_the_same_store_is_refused(other, match, tmp_path, count_points):
    store = tmp_path / "s.zarr"
    study.run({"n_satellites": [12, 48]}, fixed=FIXED, store=store, progress=False)
    n = len(count_points)
    kw = {"fixed": FIXED, **other}
    with pytest.raises(ValueError, match=f"holds a different study \\(.*{match}"):
        study.run(kw.pop("space", {"n_satellites": [12, 48]}), store=store, progress=False,
                  **kw)
    assert len(count_points) == n


def test_a_store_that_is_not_a_study_is_refused(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("not zarr")
    with pytest.raises(ValueError, match="not a Zarr store of a lab.study study"):
        study.run({"n_satellites": [12]}, store=tmp_path / "notes", progress=False)
    xr.Dataset({"x": ("a", [1.0])}).to_zarr(tmp_path / "other.zarr", zarr_format=2)
    with pytest.raises(ValueError, match="no 'lab_study' attribute"):
        study.run({"n_satellites": [12]}, store=tmp_path / "other.zarr", progress=False)


def test_progress_callback_counts_points_including_resumed(tmp_path):
    seen = []
    study.run({"n_satellites": [12, 48]}, fixed=FIXED, store=tmp_path / "s.zarr",
              progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]


def test_a_failing_point_names_itself(monkeypatch, tmp_path):
    """A point that fails while running (here: the memory guard) stops the study with an error
    naming the point; the points before it are stored."""
    monkeypatch.setenv("LAB_MAX_MEMORY_GB", "0.05")
    with pytest.raises(study.PointError, match=r"point 1 .*'n_satellites': 2800.*MemoryLimit"):
        study.run({"n_satellites": [12, 2800]}, fixed=FIXED, store=tmp_path / "s.zarr",
                  progress=False)
    with xr.open_zarr(tmp_path / "s.zarr") as partial:
        assert np.isfinite(partial.finished_at.values).tolist() == [True, False]


# ---------------------------------------------------------------------------------------------
# The YAML spec and the CLI
# ---------------------------------------------------------------------------------------------

def test_example_spec_is_valid():
    spec = study.load_spec(REPO / "studies" / "example.yaml")
    sp = study.make_space(spec.space, spec.fixed)
    assert sp.kind == "grid" and sp.size == 18
    study.validate_points(sp)
    assert spec.fixed["preset"] == "three-body-12"


def test_spec_sample_and_yaml_numbers():
    spec = study.parse_spec({"sample": {"n": 6, "seed": 2, "ranges": {
        "model_params": ["1e9", "7e10", "log"], "hardware": {"choices": ["h100", "tpu-v6e"]}}},
        "fixed": {"requests": "200"}})
    assert isinstance(spec.space, pd.DataFrame) and len(spec.space) == 6
    assert spec.space["model_params"].between(1e9, 7e10).all()
    assert spec.fixed == {"requests": 200.0}


@pytest.mark.parametrize("raw, error, match", [
    ({"grid": {"alt": [500]}, "sample": {}}, ValueError, "exactly one of 'grid'"),
    ({"fixed": {}}, ValueError, "exactly one of 'grid'"),
    ({"grid": {"alt": [500]}, "metric": ["p50"]}, ValueError, "unknown key"),
    ({"grid": [500]}, TypeError, "'grid' must be a mapping"),
    ({"sample": {"n": 4}}, ValueError, "'sample' must be a mapping with n, ranges"),
    ({"grid": {"altitude": [500]}}, ValueError, "unknown study parameter"),
    (["grid"], TypeError, "must be a mapping"),
])
def test_bad_spec_files(raw, error, match):
    with pytest.raises(error, match=match):
        study.parse_spec(raw)


def _write_spec(path: Path, grid: dict) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({"fixed": FIXED, "grid": grid, "metrics": ["p50", "n_used"]}))
    return path


def test_cli_runs_and_resumes_a_study(tmp_path, capsys):
    spec = _write_spec(tmp_path / "s.yaml", {"n_satellites": [12, 48]})
    out = tmp_path / "s.zarr"
    assert main(["study", str(spec), "--out", str(out), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["points"] == 2 and first["computed"] == 2 and first["resumed"] == 0
    assert [r["n_satellites"] for r in first["rows"]] == [12, 48]
    assert main(["study", str(spec), "--out", str(out), "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["computed"] == 0 and second["resumed"] == 2
    assert second["rows"] == first["rows"]
    assert main(["study", str(spec), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "grid n_satellites 2 = 2 points" in text and "best designs by p50" in text


@pytest.mark.parametrize("args, match", [
    (["--workers", "0"], "must be >= 1"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not allowed with"),
])
def test_cli_argument_errors(args, match, tmp_path, capsys):
    spec = _write_spec(tmp_path / "s.yaml", {"n_satellites": [12]})
    with pytest.raises(SystemExit) as exc:
        main(["study", str(spec), "--out", str(tmp_path / "o.zarr"), *args])
    assert exc.value.code == 2 and match in capsys.readouterr().err


def test_cli_user_errors_exit_2(tmp_path, capsys):
    from lab.node import find_free_port

    assert main(["study", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = _write_spec(tmp_path / "bad.yaml", {"n_satellites": [0]})
    assert main(["study", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "n_satellites must be an integer in [1, 100000]" in capsys.readouterr().err
    spec = _write_spec(tmp_path / "s.yaml", {"n_satellites": [12]})
    assert main(["study", str(spec), "--out", str(tmp_path / "o"), "--connect-timeout", "1",
                 "--scheduler", f"tcp://127.0.0.1:{find_free_port()}"]) == 2
    assert "error: cannot reach the Dask scheduler" in capsys.readouterr().err


def test_requests_per_day_is_the_load_of_a_point():
    """A study point's load is the scenario's requests_per_day (lab.mission.response_times)."""
    ds = study.run({"requests_per_day": [500, 4000]}, fixed=FIXED,
                   metrics=["mean_queueing", "p50"], progress=False)
    for load in (500, 4000):
        sc = lab.mission.get_preset("three-body-12")
        r = lab.mission.response_times(replace(sc, requests_per_day=load), requests=200, dt=120)
        assert ds.mean_queueing.sel(requests_per_day=load) == pytest.approx(
            r.table.loc["queueing", "mean"], rel=1e-12, abs=1e-12)
    assert ds.mean_queueing.sel(requests_per_day=4000) > ds.mean_queueing.sel(
        requests_per_day=500)
