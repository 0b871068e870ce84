"""``python -m lab``: command groups, argument checks and the error convention (fast, no vLLM).

The ``node bench`` run against a real server is in test_node_vllm.py; ``build-model`` in
test_node_measure.py.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import types
from pathlib import Path

import pytest

import lab.cli
import lab.mission
from lab.cli import COMMAND_GROUPS, build_parser, main
from lab.node import find_free_port

REPO = Path(__file__).resolve().parent.parent
PREFIX = "python -m lab: error: "


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lab", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def test_help_of_the_lab_and_of_the_node_group():
    out = _run("--help")
    assert out.returncode == 0 and out.stderr == ""
    assert all(c in out.stdout for c in ("node", "respond", "sweep", "study"))
    out = _run("node", "--help")
    assert out.returncode == 0 and all(c in out.stdout for c in ("serve", "bench", "build-model"))


def test_every_group_registers_its_commands():
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(sub.choices) == ["node", "respond", "sweep", "cost", "study"]
    assert COMMAND_GROUPS == ("node", "mission", "cost", "study")


def test_adding_a_group_is_one_line(monkeypatch):
    demo = types.ModuleType("lab.cli.demo")

    def register(subparsers):
        subparsers.add_parser("demo").set_defaults(func=lambda args: 7)

    demo.register = register
    monkeypatch.setitem(sys.modules, "lab.cli.demo", demo)
    monkeypatch.setattr(lab.cli, "COMMAND_GROUPS", (*COMMAND_GROUPS, "demo"))
    assert main(["demo"]) == 7


def test_respond_json():
    out = _run("respond", "--preset", "three-body-12", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["scenario"] == "three-body-12" and data["n_satellites"] == 12
    s = data["summary_s"]
    assert 0 < s["p50"] <= s["p90"] <= s["p99"]
    assert data["dominant"] in data["terms_s"]
    # the ground segment's terms are columns like every other
    assert data["terms"] == list(lab.mission.TERMS)
    for term in ("operator", "booking", "acquisition", "isl_setup"):
        assert term in data["terms_s"]
    assert data["terms_s"]["operator"]["p50"] == 10.0


def test_respond_table_shows_every_term_and_options(capsys):
    assert main(["respond", "--preset", "three-body-12", "--requests", "200",
                 "--epoch", "2025-12-21T00:00:00", "--antennas", "2"]) == 0
    out = capsys.readouterr().out
    for term in lab.mission.TERMS:
        assert f"\n{term} " in out
    assert "from 2025-12-21T00:00:00.000 UTC" in out
    assert main(["respond", "--preset", "three-body-12", "--epoch", "someday"]) == 2
    assert "epoch must be a UTC date and time" in capsys.readouterr().err


def test_respond_sensitivity_json():
    out = _run("respond", "--preset", "three-body-12", "--sensitivity", "--requests", "300",
               "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["scenario"] == "three-body-12" and data["requests"] == 300
    assert 0 < data["in_pass_median_s"] < data["day_median_s"]
    names = [row["input"] for row in data["inputs"]]
    assert set(names) == set(lab.mission.SENSITIVITY_INPUTS)
    swings = [row["in_pass_swing_s"] for row in data["inputs"]]
    assert swings == sorted(swings, reverse=True)  # the largest first
    for row in data["inputs"]:
        assert row["low"] < row["high"] and row["source"] and "in_pass_low_s" in row


def test_a_lab_value_error_is_a_message_and_exit_code_2(capsys):
    # regression: a ValueError from the lab after argparse printed a traceback
    assert main(["sweep", "--preset", "three-body-12", "--sizes", "200000", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(PREFIX) and "n_satellites" in captured.err
    assert "200000" in captured.err and "Traceback" not in captured.err
    out = _run("sweep", "--preset", "three-body-12", "--sizes", "200000")  # the real entry point
    assert out.returncode == 2 and out.stderr.startswith(PREFIX)
    assert "Traceback" not in out.stderr


def test_a_lab_type_error_is_a_message_too(monkeypatch, capsys):
    def bad_parameter(*args, **kwargs):
        raise TypeError("requests must be an integer (got 2.5)")

    monkeypatch.setattr(lab.mission, "response_times", bad_parameter)
    assert main(["respond", "--preset", "three-body-12"]) == 2
    assert capsys.readouterr().err == PREFIX + "requests must be an integer (got 2.5)\n"


def test_unexpected_errors_keep_their_traceback(monkeypatch):
    def bug(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(lab.mission, "response_times", bug)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["respond", "--preset", "three-body-12"])


@pytest.mark.parametrize("value, message", [
    ("-1", "must be >= 0 s"), ("-0.5", "must be >= 0 s"), ("nan", "must be a finite number"),
    ("inf", "must be a finite number"), ("1e400", "must be a finite number"),
    ("abc", "expected a number of seconds"),
])
def test_bench_rejects_a_bad_link_delay(value, message, capsys):
    # regression: `node bench --link-delay -1` (or nan) ran without the emulator and reported
    # the bad delay; now argparse refuses it before anything starts
    with pytest.raises(SystemExit) as info:
        main(["node", "bench", "--link-delay", value])
    assert info.value.code == 2
    assert f"argument --link-delay: {message}" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["node", "bench", "-n", "0"], "must be >= 1"),
    (["node", "bench", "--max-tokens", "2.5"], "expected an integer"),
    (["node", "bench", "--concurrency", "-2"], "must be >= 1"),
    (["node", "serve", "--port", "70000"], r"TCP port in \[1, 65535\]"),
    (["node", "serve", "--startup-timeout", "0"], "must be > 0 s"),
    (["respond", "--preset", "no-such-preset"], "invalid choice"),
    (["sweep", "--preset", "three-body-12", "--sizes", "0"], "must be >= 1"),
])
def test_bad_arguments_exit_with_code_2(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "error: argument" in err
    assert re.search(message, err)


def test_node_start_failures_are_messages_without_starting_anything(capsys):
    with socket.socket() as taken:  # a port held by someone else
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["node", "bench", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.endswith("\n") and (PREFIX + f"port {port}") in err and "already in use" in err
    assert "Traceback" not in err
    dead = f"http://127.0.0.1:{find_free_port()}"
    assert main(["node", "bench", "--remote", dead, "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(PREFIX) and dead in err and "does not answer" in err
    assert main(["node", "bench", "--remote", "ftp://host:8000", "--json"]) == 2
    assert "remote must be an http(s) URL" in capsys.readouterr().err


def test_respond_load_sets_the_queues_requests_the_sample(capsys):
    """--load is the prompts per day (the queues), --requests only how many are reported."""
    args = ["respond", "--preset", "three-body-12", "--requests", "300", "--json"]
    means = {}
    for load in ("500", "4000"):
        assert main([*args, "--load", load]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["n_requests"] == 300 and data["load_per_day"] == int(load)
        means[load] = data["terms_s"]["queueing"]["mean"]
    assert means["4000"] > means["500"]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--load", "0"])
    assert exc.value.code == 2 and "--load: must be >= 1" in capsys.readouterr().err
