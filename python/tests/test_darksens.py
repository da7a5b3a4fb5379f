"""The Python package against the command line: the same numbers bit for bit, the same errors
as the exceptions the package promises, scenarios with overrides, the limit library, and
Ctrl-C. Run from the repository root after `pip install .`: `pytest python/tests`.
The command line is the release build of this checkout (`cargo build --release`), or
$DARKSENS_BIN."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import darksens

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs" / "belle2_dp.toml")


def cli() -> str:
    binary = os.environ.get("DARKSENS_BIN", str(ROOT / "target" / "release" / "darksens"))
    assert Path(binary).is_file(), f"build the command line first (cargo build --release): {binary}"
    return binary


def cli_scan(tmp_path, *sets):
    args = [cli(), "scan", CONFIG, "--quiet", "--no-checkpoint", "--out", str(tmp_path)]
    for s in sets:
        args += ["--set", s]
    subprocess.run(args, check=True)
    with open(tmp_path / "belle2_dp.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_scan_equals_the_command_line_bit_for_bit(tmp_path):
    res = darksens.scan(CONFIG, set={"model.alpha_d": 0.01}, threads=2)
    rows = cli_scan(tmp_path, "model.alpha_d=0.01")
    assert [c.label for c in res.curves] == ["computed background", "N_b = 1000", "bound electrons + ISR"]
    for curve in res.curves:
        mine = [r for r in rows if r["curve"] == curve.label]
        eps = np.array([float(r["epsilon_limit"]) if r["epsilon_limit"] else np.nan for r in mine])
        mass = np.array([float(r["mass_mev"]) for r in mine])
        assert curve.epsilon_limit.dtype == np.float64
        assert np.array_equal(curve.epsilon_limit, eps, equal_nan=True)
        assert np.array_equal(curve.mass_mev, mass)
        assert curve.status.tolist() == [r["status"] for r in mine]
        assert np.array_equal(curve.epsilon_limit[curve.status == "ok"], eps[[r["status"] == "ok" for r in mine]])
        for column in ["n_ann_per_eps2", "n_brem_per_eps2", "n_background", "n_required"]:
            assert np.array_equal(getattr(curve, column), [float(r[column]) for r in mine]), column
        assert curve.n_signal_at_g_ve is None and curve.signal_per_pot_at_g_ve is None
    mass, eps = res.best("computed background")
    assert 60.0 < mass < 75.0 and eps <= np.nanmin(res.curve("computed background").epsilon_limit)
    # rows() is the CSV, column for column (a closed point's empty limit is NaN).
    ours = res.rows()
    assert [list(r) for r in ours] == [list(r) for r in rows]
    for mine, theirs in zip(ours, rows):
        for name, value in theirs.items():
            if name in ("curve", "status"):
                assert mine[name] == value
            elif value == "":
                assert np.isnan(mine[name]), name
            else:
                assert mine[name] == float(value), name
    # meta is the command line's sidecar without its output files, best points and timing.
    with open(tmp_path / "belle2_dp.meta.json") as f:
        sidecar = json.load(f)
    assert res.meta["darksens_version"] == darksens.__version__ == sidecar["darksens_version"]
    assert res.meta["overrides"] == sidecar["overrides"] == ["model.alpha_d=0.01"]
    assert res.meta["threads"] == 2 and res.meta["wall_time_s"] > 0.0
    for key in ["curves", "numerics", "inputs"]:
        assert res.meta.get(key) == sidecar.get(key), key
    assert res.meta["curves"][0]["resolved_scenario"]["model"]["alpha_d"] == 0.01
    assert set(sidecar) - set(res.meta) == {"outputs", "best"}


def test_the_line_shape_of_a_beam_equals_the_command_line(tmp_path):
    # PADME's natural plot, the X17 per positron on target against the beam energy.
    config = str(ROOT / "configs" / "padme_x17.toml")
    sets = ["scan.points=12"]
    res = darksens.scan(config, set={"scan.points": 12}, threads=2)
    args = [cli(), "scan", config, "--quiet", "--no-checkpoint", "--out", str(tmp_path)]
    for s in sets:
        args += ["--set", s]
    subprocess.run(args, check=True)
    with open(tmp_path / "padme_x17.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for curve in res.curves:
        mine = [r for r in rows if r["curve"] == curve.label]
        for column in ["signal_per_pot_at_g_ve", "n_signal_at_g_ve", "n_ann_per_eps2"]:
            assert np.array_equal(getattr(curve, column), [float(r[column]) for r in mine]), column
        assert np.nanmax(curve.signal_per_pot_at_g_ve) > 0


def test_a_scenario_object_works_where_a_path_does():
    scenario = darksens.Scenario.load(CONFIG).with_set({"source.luminosity_ab": 10})
    by_object = darksens.scan(scenario, threads=1)
    by_path = darksens.scan(CONFIG, set={"source.luminosity_ab": 10}, threads=1)
    for a, b in zip(by_object.curves, by_path.curves):
        assert np.array_equal(a.epsilon_limit, b.epsilon_limit, equal_nan=True)
    # More luminosity, a stronger limit: eps ~ L^(-1/2) without background, L^(-1/4) with.
    default = darksens.scan(CONFIG, threads=2)
    assert by_path.best()[1] > default.best()[1]


def test_a_nested_dict_sets_the_keys_inside_it():
    nested = darksens.Scenario.load(CONFIG).with_set(
        {"background.neutron": {"ecl_lambda": 0.7}, "model": {"alpha_d": 0.01}}
    )
    assert nested.overrides == ("background.neutron.ecl_lambda=0.7", "model.alpha_d=0.01")
    with pytest.raises(darksens.ScenarioError):
        darksens.Scenario.load(CONFIG).with_set({"model": {"alpah_d": 0.01}})


def test_bad_input_raises_scenario_error_with_the_cli_message():
    with pytest.raises(darksens.ScenarioError) as error:
        darksens.scan(CONFIG, set={"model.alpah_d": 0.1})
    assert isinstance(error.value, ValueError)
    cli_run = subprocess.run(
        [cli(), "check", CONFIG, "--set", "model.alpah_d=0.1"], capture_output=True, text=True
    )
    assert cli_run.returncode == 2
    # The same message, with the command line's option spelt as this package's argument.
    assert "(from set: model.alpah_d=0.1)" in str(error.value)
    as_cli = str(error.value).replace("(from set: ", "(from --set ")
    assert cli_run.stderr.startswith(f"error: {as_cli}\n")
    assert "model.alpah_d" in str(error.value) and "hint:" in str(error.value)
    with pytest.raises(darksens.ScenarioError, match=r"mass_mev= is required .*e\.g\. mass_mev=66\.72") as error:
        darksens.explain(CONFIG)
    assert "--mass-mev" not in str(error.value)
    with pytest.raises(darksens.ScenarioError):
        darksens.Scenario.load(CONFIG).with_set({"model.alpha_d": -1.0})
    with pytest.raises(darksens.ScenarioError):
        darksens.Scenario.load("no/such/file.toml")
    with pytest.raises(darksens.ScenarioError):
        darksens.limits.load("darkcast/none")
    # It survives pickling (a worker process of a ProcessPoolExecutor hands it back).
    import pickle

    again = pickle.loads(pickle.dumps(error.value))
    assert type(again) is darksens.ScenarioError and str(again) == str(error.value)
    # Threads are checked as --threads is.
    for threads in (0, -1):
        with pytest.raises(darksens.ScenarioError, match="threads"):
            darksens.scan(CONFIG, threads=threads)
    with pytest.raises(TypeError, match="threads"):
        darksens.scan(CONFIG, threads=2.5)


def test_text_beyond_the_basic_plane_reaches_the_scenario_as_written():
    assert darksens.Scenario.load(CONFIG).with_set({"title": "dark \U0001F600"}).overrides[-1] == (
        'title="dark \U0001F600"'
    )
    assert darksens.scan(CONFIG, set={"title": "dark \U0001F600", "scan.points": 5}).title == (
        "dark \U0001F600"
    )


def test_numpy_values_and_a_loaded_scenario_after_a_change_of_directory(tmp_path, monkeypatch):
    # NumPy numbers, as a loop over np.logspace gives them, set what Python numbers set.
    sets = {"model.alpha_d": np.logspace(-2, -1, 2)[0], "scan.points": np.int64(20)}
    a = darksens.scan(CONFIG, set=sets, threads=1)
    b = darksens.scan(CONFIG, set={"model.alpha_d": 0.01, "scan.points": 20}, threads=1)
    for x, y in zip(a.curves, b.curves):
        assert np.array_equal(x.epsilon_limit, y.epsilon_limit, equal_nan=True)
    # A loaded scenario keeps working where the notebook goes next (0.25 is exact in float32).
    scenario = darksens.Scenario.load(CONFIG).with_set(
        {"model.alpha_d": np.float32(0.25), "scan.points": np.int32(20)}
    )
    d = darksens.scan(CONFIG, set={"model.alpha_d": 0.25, "scan.points": 20}, threads=1)
    monkeypatch.chdir(tmp_path)
    c = darksens.scan(scenario, threads=1)
    assert np.array_equal(c.curves[0].epsilon_limit, d.curves[0].epsilon_limit, equal_nan=True)


def test_explain_gives_the_keys_of_explain_json():
    d = darksens.explain(CONFIG, mass_mev=70.0)
    out = subprocess.run(
        [cli(), "explain", CONFIG, "--mass-mev", "70", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    import json

    assert d == json.loads(out)
    assert d["epsilon_limit"] > 0
    # Another curve, by position or label, as --curve chooses it.
    second = darksens.explain(CONFIG, mass_mev=70.0, curve=2)
    out = subprocess.run(
        [cli(), "explain", CONFIG, "--mass-mev", "70", "--json", "--curve", "2"],
        check=True, capture_output=True, text=True,
    ).stdout
    assert second == json.loads(out)
    assert second["curve"] != d["curve"]
    assert darksens.explain(CONFIG, mass_mev=70.0, curve=second["curve"]) == second


def test_library_curves_load_with_their_provenance():
    curve = darksens.limits.load("darkcast/NA64_NA642019imj")
    assert curve["mass_gev"].dtype == np.float64 and len(curve["mass_gev"]) > 10
    assert np.all(np.diff(curve["mass_gev"]) > 0)
    assert curve["provenance"]["experiment"] == "NA64"


def test_a_library_curve_keeps_its_gaps(tmp_path, monkeypatch):
    # A row "mass -" means no value there: nothing is excluded between the pieces, so the flat
    # arrays hold a NaN inside the gap (plots break, np.interp gives NaN) and "pieces" has both.
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "gap.csv").write_text(
        "mass_gev,epsilon\n0.01,1e-3\n0.02,2e-3\n0.03,-\n0.05,3e-3\n0.08,4e-3\n"
    )
    provenance = (ROOT / "limits" / "darkcast" / "LEP_Fox2011fx.toml").read_text()
    (tmp_path / "test" / "gap.toml").write_text(provenance)
    monkeypatch.setenv("DARKSENS_LIMITS", str(tmp_path))
    curve = darksens.limits.load("test/gap")
    assert [p[0].tolist() for p in curve["pieces"]] == [[0.01, 0.02], [0.05, 0.08]]
    assert [p[1].tolist() for p in curve["pieces"]] == [[1e-3, 2e-3], [3e-3, 4e-3]]
    assert np.all(np.diff(curve["mass_gev"]) > 0)
    assert np.isnan(curve["epsilon"]).sum() == 1
    assert np.isnan(np.interp(0.04, curve["mass_gev"], curve["epsilon"]))
    assert np.interp(0.015, curve["mass_gev"], curve["epsilon"]) == pytest.approx(1.5e-3)


def test_a_closed_column_has_no_flight_length():
    # The splitting scan's first column is kinematically closed (the CLI's summary says so).
    grid = darksens.scan(
        str(ROOT / "configs" / "belle2_emulsion_splitting.toml"),
        set={"scan.x.points": 6, "scan.y.points": 5, "monte_carlo.events": 100000},
    )
    assert not grid.open.all() and grid.open.any()
    assert np.all(np.isnan(grid.flight_length_m[~grid.open]))
    assert np.all(np.isfinite(grid.flight_length_m[grid.open]))
    assert np.all(grid.n_signal[~grid.open] == 0)


def test_the_best_point_says_where_it_lies():
    # NA64's best limit is at the scan's lowest mass: the command line's summary says the limit
    # may be stronger below the scan, and so do best_note and a warning from best().
    na64 = darksens.scan(str(ROOT / "configs" / "na64_dp.toml"), set={"scan.points": 20, "scan.dense_points": 4})
    assert "may be stronger below the scan" in na64.curves[0].best_note
    with pytest.warns(darksens.DarksensWarning, match="may be stronger below the scan"):
        na64.best()
    belle = darksens.scan(CONFIG, set={"scan.points": 40, "scan.dense_points": 9})
    assert belle.curves[0].best_note.startswith("refined; best grid point")
    assert "best_note" in repr(belle.curves[0])
    # Eight flux intervals leave every at-rest point unconverged: their best one says so.
    with pytest.warns(darksens.DarksensWarning, match="missed the numerical tolerance"):
        coarse = darksens.scan(
            CONFIG, set={"scan.points": 8, "scan.dense_points": 3, "numerics.flux_intervals": 8}
        )
    assert "do not quote it" in coarse.curves[0].best_note
    with pytest.warns(darksens.DarksensWarning, match="status unconverged"):
        coarse.best()


def test_explain_warns_when_not_converged():
    with pytest.warns(darksens.DarksensWarning, match="radiative tail"):
        d = darksens.explain(CONFIG, mass_mev=0.01, curve=3)
    assert d["converged"] is False
    with pytest.raises(TypeError, match="curve"):
        darksens.explain(CONFIG, mass_mev=70.0, curve=True)


def test_ctrl_c_interrupts_a_long_scan():
    # The signal goes 0.5 s after the scan has begun (it says so on stderr): a fixed wait from
    # the start raced the scan itself (2e5 masses take about 2 s on CI's machine).
    code = (
        "import sys, darksens\n"
        "print('scanning', file=sys.stderr, flush=True)\n"
        f"darksens.scan({CONFIG!r}, set={{'scan.points': 200000}}, threads=2)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
    assert process.stderr.readline().strip() == "scanning"
    time.sleep(0.5)
    started = time.time()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "KeyboardInterrupt" in stderr, stderr
    assert time.time() - started < 10


def test_an_emulsion_grid_equals_the_command_line_bit_for_bit(tmp_path):
    config = str(ROOT / "configs" / "belle2_emulsion.toml")
    sets = {"scan.x.points": 7, "scan.y.points": 15}
    grid = darksens.scan(config, set=sets, threads=2)
    assert isinstance(grid, darksens.Grid)
    args = [cli(), "scan", config, "--quiet", "--no-checkpoint", "--out", str(tmp_path)]
    for key, value in sets.items():
        args += ["--set", f"{key}={value}"]
    subprocess.run(args, check=True)
    with open(tmp_path / "belle2_emulsion.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert (grid.x_parameter, grid.y_parameter, grid.detectors) == ("g_d", "epsilon", ["A", "B"])
    assert (grid.x_key, grid.y_key) == ("model.g_d", "model.epsilon")
    assert grid.n_signal.shape == (7, 15, 2)
    assert grid.acceptance_error.shape == grid.acceptance.shape
    assert np.all((grid.acceptance_error > 0) & (grid.acceptance_error < grid.acceptance))
    # rows() is the CSV, column for column (the CSV writes every double exactly).
    mine = grid.rows()
    assert [list(r) for r in mine] == [list(r) for r in rows]
    for ours, theirs in zip(mine, rows):
        for name, value in theirs.items():
            if name == "excluded":
                assert ours[name] == (value == "true")
            else:
                assert ours[name] == float(value), name
    # The CSV runs over y within each x.
    for name, values in [
        ("g_d", np.repeat(grid.x_values, 15)),
        ("epsilon", np.tile(grid.y_values, 7)),
        ("n_signal_A", grid.n_signal[:, :, 0].ravel()),
        ("n_signal_B", grid.n_signal[:, :, 1].ravel()),
        ("n_signal_total", grid.n_signal_total.ravel()),
    ]:
        assert np.array_equal(values, [float(r[name]) for r in rows]), name
    assert list(grid.excluded_cells.ravel()) == [r["excluded"] == "true" for r in rows]
    with open(tmp_path / "belle2_emulsion.boundary.csv", newline="") as f:
        edges = [r for r in csv.DictReader(f) if r["region"] == "signal"]
    mine = [(x, lo, hi) for x, column in zip(grid.x_values, grid.excluded) for lo, hi in column]
    rows = [(float(r["g_d"]), float(r["epsilon_lower"]), float(r["epsilon_upper"])) for r in edges]
    # The region's tips between columns are the rows at an x off the grid, with equal edges.
    tips = [r for r in rows if r[0] not in set(grid.x_values)]
    assert all(lo == hi for _, lo, hi in tips)
    assert [(x, y) for x, y, _ in tips] == grid.tips
    assert mine == [r for r in rows if r not in tips]
    assert mine, "the grid excludes a region"
    with open(tmp_path / "belle2_emulsion.meta.json") as f:
        sidecar = json.load(f)
    for key in ["darksens_version", "overrides", "resolved_scenario", "numerics", "r_ratio", "off_shell_normalisation"]:
        assert grid.meta[key] == sidecar[key], key
    assert set(sidecar) - set(grid.meta) == {"outputs"}


def test_the_command_lines_warnings_are_python_warnings():
    # A --set that one curve's own set replaces: the command line warns, and so does Python.
    with pytest.warns(darksens.DarksensWarning, match='does not reach curve 2 "N_b = 1000"'):
        darksens.scan(CONFIG, set={"background.total": 50.0, "scan.points": 20, "scan.dense_points": 2})
    # A key no curve's limit method reads.
    with pytest.warns(darksens.DarksensWarning, match="limit.cl=0.95 changes no limit"):
        darksens.explain(CONFIG, mass_mev=70.0, set={"limit.cl": 0.95})
    # A scan's own finding: a sqrt-nb rule below one signal event (one curve, none to miss).
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        darksens.scan(
            CONFIG,
            set={"background.total": 0.1, "scan.points": 20, "scan.dense_points": 2, "curve": []},
        )
    messages = [str(w.message) for w in caught if issubclass(w.category, darksens.DarksensWarning)]
    assert any("fewer than one" in m for m in messages), messages
    assert not any("does not reach" in m for m in messages), messages
    # explain warns about its point as the scan does.
    with pytest.warns(darksens.DarksensWarning, match="fewer than one"):
        darksens.explain(CONFIG, mass_mev=70.0, set={"source.luminosity_ab": 1e-6})
    # Made an error on request, as any Python warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", darksens.DarksensWarning)
        with pytest.raises(darksens.DarksensWarning):
            darksens.explain(CONFIG, mass_mev=70.0, set={"limit.cl": 0.95})


def test_a_result_prints_short_and_compares_by_identity():
    res = darksens.scan(CONFIG, set={"scan.points": 50})
    text = repr(res)
    assert len(text) < 1500, text
    assert "computed background" in text and "values" in text
    assert res == res and res != darksens.scan(CONFIG, set={"scan.points": 50})
