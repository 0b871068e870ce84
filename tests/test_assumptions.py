"""lab.assumptions: one table of every outside number, generated from the package (issue 15)."""

from __future__ import annotations

import doctest

import pytest

import lab.assumptions
from lab import examples, hardware
from lab.assumptions import ANCHOR, COLUMNS, TOPICS, assumptions_table
from lab.economics import presets as cost
from lab.mission import PRESETS
from lab.mission.presets import FLEET_SOURCES, FLEETS


@pytest.fixture(scope="module")
def table():
    return assumptions_table()


def test_docstring_examples_run():
    assert doctest.testmod(lab.assumptions).failed == 0


def test_every_source_of_the_package_has_a_row(table):
    assert tuple(table.columns) == COLUMNS and set(table.topic) == set(TOPICS)
    orbits = table[table.topic == "orbits"]
    assert list(orbits.source) == list(examples.SOURCES.values())
    for name, profile in hardware.PROFILES.items():
        rows = table[(table.topic == "hardware") & (table.system == name)]
        assert set(dict(profile.sources)) <= set(rows.parameter)
    mission = table[table.topic == "mission"]
    for name, scenario in PRESETS.items():
        for field, source in scenario.sources:
            hits = mission[(mission.parameter == field) & (mission.source == source)]
            assert set(hits.system) & {name, "all mission presets"}, (name, field)
    for name, shells in FLEETS.items():  # fleets configure() can use: their shells, sourced
        row = mission[mission.system == name].iloc[0]
        assert row.source == FLEET_SOURCES[name]
        assert row.value.count(" + ") == len(shells) - 1
        assert all(f"{s.total} at {s.alt:g} km" in row.value for s in shells)
    econ = table[table.topic == "economics"]
    assert set(cost.DEFAULTS) <= set(econ[econ.system == "all cost presets"].parameter)
    for name, preset in cost.PRESETS.items():
        assert set(preset.sources) <= set(econ[econ.system == name].parameter)


def test_values_come_from_the_objects_not_from_text(table):
    tb = table[table.system == "three-body"].iloc[0]
    assert tb.value == "12/1/0 at 535 km, SSO, LTAN 22:30"
    h100 = table[(table.system == "h100") & (table.parameter == "peak_power_w")].iloc[0]
    assert h100.value == f"{hardware.PROFILES['h100'].peak_power_w:g} W"
    shared = table[(table.system == "all mission presets") & (table.parameter == "isl_max_range")]
    assert list(shared.value) == [f"{PRESETS['three-body-12'].isl_max_range:,g} km"]
    cap = table[(table.system == "starcloud-1") & (table.parameter == "power_cap_w")
                & (table.topic == "mission")].iloc[0]
    assert cap.value == "300 W" and cap.assumed


def test_assumed_means_the_source_says_so(table):
    assert table.assumed.any() and not table.assumed.all()
    assert all(("assumption" in s.lower()) == a for s, a in zip(table.source, table.assumed,
                                                                 strict=True))
    only = assumptions_table(assumed_only=True)
    assert len(only) == int(table.assumed.sum()) and only.assumed.all()
    hw = assumptions_table("hardware")
    assert set(hw.topic) == {"hardware"} and len(hw) == int((table.topic == "hardware").sum())
    with pytest.raises(ValueError, match="topic must be one of 'orbits', 'hardware'"):
        assumptions_table("launch")


def test_the_anchor_is_in_notebook_00():
    from pathlib import Path

    import nbformat

    notebook, anchor = ANCHOR.split("#")
    nb = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / notebook, 4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert f'<a id="{anchor}"></a>' in text
