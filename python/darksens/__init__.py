"""darksens from Python: expected limits of light dark-matter searches.

The same library as the ``darksens`` command line, called the same way, so the numbers are the
command line's bit for bit::

    import darksens
    res = darksens.scan("configs/belle2_dp.toml", set={"model.alpha_d": 0.01}, threads=2)
    for c in res.curves:
        c.label, c.mass_mev, c.epsilon_limit, c.status
    res.best("computed background")          # (mass_mev, eps) of the refined best point
    d = darksens.explain("configs/belle2_dp.toml", mass_mev=70.0)
    grid = darksens.scan("configs/belle2_emulsion.toml")   # an emulsion scan: a Grid
    sc = darksens.Scenario.load("configs/belle2_dp.toml").with_set({"source.luminosity_ab": 10})
    darksens.scan(sc)
    darksens.limits.load("darkcast/NA64_NA642019imj")

Bad input raises :class:`ScenarioError` (a ``ValueError``) with the command line's message;
internal failures raise ``RuntimeError``. What the command line warns about (an override a
curve's own ``set`` replaces, points that missed the numerical tolerance, ...) is raised as a
:class:`DarksensWarning`, which ``warnings.simplefilter("error", darksens.DarksensWarning)``
turns into an error. Ctrl-C interrupts a scan between points (not while tables are built or
a Monte Carlo runs: those finish first); the computation runs without the GIL.
"""

from __future__ import annotations

import functools
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import numpy as np

from . import _darksens
from ._darksens import ScenarioError

# Pickled by its public name (a ScenarioError raised in a worker process of a
# ProcessPoolExecutor reaches the parent with its message), not as _darksens's.
ScenarioError.__module__ = "darksens"

__all__ = [
    "Curve",
    "DarksensWarning",
    "Grid",
    "Result",
    "Scenario",
    "ScenarioError",
    "explain",
    "limits",
    "scan",
    "__version__",
]

__version__ = _darksens.version()


class DarksensWarning(UserWarning):
    """What the command line prints as ``warning:``: a value that does not do what it seems to
    (an override a curve's own ``set`` replaces, one no limit method reads), or results to read
    with care (points that missed the numerical tolerance, a sqrt-nb rule below one event)."""


# The command line's words in the library's messages, as a Python caller spells them.
_PYTHON_WORDS = (
    (re.compile(r"`darksens explain SCENARIO --mass-mev M`"), "`darksens.explain(scenario, mass_mev=M)`"),
    (re.compile(r"darksens explain --mass-mev"), "darksens.explain(..., mass_mev=)"),
    (re.compile(r"--mass-mev (?=[-+.\d])"), "mass_mev="),
    (re.compile(r"--mass-mev"), "mass_mev="),
    (re.compile(r"--curve (\S)"), r"curve=\1"),
    (re.compile(r"--curve"), "curve="),
    (re.compile(r"the --set overrides"), "the set= overrides"),
    (re.compile(r"--set (\S)"), r"set: \1"),
    (re.compile(r"--set"), "set="),
)


def _python_words(text: str) -> str:
    """A message of the library with the command line's options named as this package's
    arguments (``--mass-mev 66.72`` as ``mass_mev=66.72``, ``--set KEY=VALUE`` as
    ``set: KEY=VALUE``)."""
    for pattern, replacement in _PYTHON_WORDS:
        text = pattern.sub(replacement, text)
    return text


def _native(function):
    """A native function whose ScenarioError speaks this package's words."""

    @functools.wraps(function)
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ScenarioError as error:
            raise ScenarioError(_python_words(str(error))) from None

    return call


def _warn(messages: List[str]) -> None:
    for message in messages:
        message = _python_words(message)
        text = message[len("warning: "):] if message.startswith("warning: ") else message
        # stacklevel 3: the caller of scan() or explain().
        warnings.warn(text, DarksensWarning, stacklevel=3)


def _override(key: str, value: Any) -> str:
    """One ``--set KEY=VALUE`` override, the value written as TOML.

    NumPy scalars and arrays count as the Python numbers and lists they hold."""
    if not isinstance(value, (bool, int, float, str, list, tuple)) and hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = repr(int(value))
    elif isinstance(value, float):
        # float() first: a NumPy float64 is a float whose repr names NumPy.
        text = repr(float(value))
    elif isinstance(value, str):
        # As UTF-8 (TOML takes it), not as \u escapes: TOML refuses escaped surrogate pairs.
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_override("x", v).split("=", 1)[1] for v in value) + "]"
    else:
        raise TypeError(f"{key}: cannot write a {type(value).__name__} as a scenario value")
    return f"{key}={text}"


def _overrides(values: Mapping[str, Any], prefix: str = "") -> Tuple[str, ...]:
    """The overrides of ``values``: a nested mapping sets the keys inside it one by one
    (``{"background.neutron": {"ecl_lambda": 0.7}}`` is ``background.neutron.ecl_lambda=0.7``),
    so the table's other keys keep their values."""
    out: Tuple[str, ...] = ()
    for key, value in values.items():
        if not isinstance(key, str):
            raise TypeError(f"scenario keys are strings (dotted, e.g. 'model.alpha_d'), not {key!r}")
        if isinstance(value, Mapping):
            out += _overrides(value, f"{prefix}{key}.")
        else:
            out += (_override(prefix + key, value),)
    return out


@dataclass(frozen=True)
class Scenario:
    """A scenario file with overrides (``--set`` on the command line), checked when made.

    ``Scenario.load(path)`` reads and validates it; ``with_set({...})`` returns a new scenario
    with more overrides. A scenario works wherever a path does. It holds the file's path, not
    its contents: every scan reads the file again, so an edit made since ``load`` counts (and
    an invalid one raises there), and two scenarios are equal when their paths and overrides
    are.
    """

    path: str
    overrides: Tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Scenario":
        """The scenario at ``path``; raises ScenarioError if it does not validate."""
        # Absolute, so that the scenario still works after the notebook changes directory.
        scenario = cls(os.path.abspath(os.fspath(path)))
        _native(_darksens.check)(scenario.path, list(scenario.overrides))
        return scenario

    def with_set(self, values: Mapping[str, Any]) -> "Scenario":
        """This scenario with ``values`` (dotted keys; a nested dict sets the keys inside it) set;
        raises ScenarioError if invalid."""
        scenario = Scenario(
            self.path, self.overrides + _overrides(values)
        )
        _native(_darksens.check)(scenario.path, list(scenario.overrides))
        return scenario


def _scenario(
    source: Union[str, "os.PathLike[str]", Scenario], values: Optional[Mapping[str, Any]]
) -> Scenario:
    scenario = source if isinstance(source, Scenario) else Scenario(os.fspath(source))
    if values:
        scenario = Scenario(
            scenario.path,
            scenario.overrides + _overrides(values),
        )
    return scenario


def _summary(values: Optional[np.ndarray]) -> str:
    """An array as its length and range (the whole array would fill a notebook cell)."""
    if values is None:
        return "None"
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return f"<{values.size} values, none finite>"
    return f"<{values.size} values, {finite.min():.4g} to {finite.max():.4g}>"


# eq=False: results hold arrays, whose == is elementwise; two results are the same object or
# not (compare their arrays with numpy for equal numbers).
_MASS_KEY = "model.mass_mev"
_BAND_COLUMNS = (
    "epsilon_limit_minus2sigma",
    "epsilon_limit_minus1sigma",
    "epsilon_limit_plus1sigma",
    "epsilon_limit_plus2sigma",
)


@dataclass(frozen=True, eq=False)
class Curve:
    """One curve of a scan: arrays in scan order (float64; ``status`` a NumPy array of strings,
    so that ``c.epsilon_limit[c.status == "ok"]`` selects).

    ``epsilon_limit`` is NaN where no signal is possible (status ``closed``). ``best`` is the
    refined best point (scanned value, eps) and ``best_note`` what the command line's summary
    says of it (refined between grid points, at an end of the scan, or no constraint). The expected bands
    (``limit.bands``) are an array of shape (n, 4): -2, -1, +1, +2 sigma, or None. The other
    arrays are the CSV's columns of the same names: the yields per eps^2 (annihilation,
    bremsstrahlung), the expected background and the signal events the criterion needs; with
    ``model.g_ve`` also the signal events at that coupling and, for a beam, the signal per
    particle on target (PADME's line shape), else None.
    """

    label: str
    parameter: str
    values: np.ndarray
    mass_mev: np.ndarray
    epsilon_limit: np.ndarray
    status: np.ndarray
    epsilon_bands: Optional[np.ndarray]
    best: Tuple[float, float]
    best_note: str
    n_ann_per_eps2: np.ndarray
    n_brem_per_eps2: np.ndarray
    n_background: np.ndarray
    n_required: np.ndarray
    n_signal_at_g_ve: Optional[np.ndarray]
    signal_per_pot_at_g_ve: Optional[np.ndarray]

    def rows(self) -> List[Dict[str, Any]]:
        """The curve as the command line's CSV rows, one dict per point with its column names
        (``pandas.DataFrame(curve.rows())``); a closed point's limit is NaN, not empty."""
        columns: List[Tuple[str, Any]] = [("curve", None)]
        if self.parameter != _MASS_KEY:
            columns.append((self.parameter, self.values))
        columns += [
            ("mass_mev", self.mass_mev),
            ("epsilon_limit", self.epsilon_limit),
            ("n_ann_per_eps2", self.n_ann_per_eps2),
            ("n_brem_per_eps2", self.n_brem_per_eps2),
            ("n_background", self.n_background),
            ("n_required", self.n_required),
            ("status", self.status),
        ]
        if self.epsilon_bands is not None:
            columns += [(name, self.epsilon_bands[:, k]) for k, name in enumerate(_BAND_COLUMNS)]
        for name in ("n_signal_at_g_ve", "signal_per_pot_at_g_ve"):
            if getattr(self, name) is not None:
                columns.append((name, getattr(self, name)))
        return [
            {name: self.label if values is None else values[i].item() for name, values in columns}
            for i in range(len(self.mass_mev))
        ]

    def __repr__(self) -> str:
        return (
            f"Curve(label={self.label!r}, parameter={self.parameter!r}, "
            f"values={_summary(self.values)}, epsilon_limit={_summary(self.epsilon_limit)}, "
            f"best={self.best}, best_note={self.best_note!r})"
        )


@dataclass(frozen=True, eq=False)
class Result:
    """The curves of a scan, as the command line's CSV holds them.

    ``meta`` records what was run, as the command line's ``<name>.meta.json`` does (without
    its output files and best points): ``darksens_version``, ``scenario_file``, ``overrides``,
    ``inputs`` (the SHA-256 of every file the scenario read), ``curves`` (each curve's label
    and resolved scenario: the file with the overrides and defaults applied), ``numerics``,
    ``threads`` and ``wall_time_s``. Keep it beside numbers you save
    (``json.dump(res.meta, f)``)."""

    title: str
    curves: List[Curve]
    meta: Dict[str, Any] = field(default_factory=dict, repr=False)

    def curve(self, label: str) -> Curve:
        """The curve named ``label``."""
        for c in self.curves:
            if c.label == label:
                return c
        names = ", ".join(repr(c.label) for c in self.curves)
        raise KeyError(f"no curve {label!r}; the scan has {names}")

    def best(self, label: Optional[str] = None) -> Tuple[float, float]:
        """(scanned value, eps) of the curve's refined best point (the first curve by default);
        for a mass scan, the mass in MeV. A best point at an end of the scan (the limit may be
        stronger beyond it), at eps >= 1 (no constraint) or unconverged (a number missed its
        tolerance) raises a DarksensWarning, as the command line's summary says it;
        ``Curve.best_note`` always has the note."""
        chosen = self.curve(label) if label is not None else self.curves[0]
        note = chosen.best_note
        if "may be stronger" in note or note.startswith("eps >= 1") or "do not quote" in note:
            warnings.warn(f"curve {chosen.label!r}: best point: {note}", DarksensWarning, stacklevel=2)
        return chosen.best

    def rows(self) -> List[Dict[str, Any]]:
        """Every curve's rows (:meth:`Curve.rows`), as the command line's CSV:
        ``pandas.DataFrame(res.rows())`` is the CSV as a table."""
        return [row for c in self.curves for row in c.rows()]

    def __repr__(self) -> str:
        curves = ", ".join(repr(c) for c in self.curves)
        return f"Result(title={self.title!r}, curves=[{curves}])"


@dataclass(frozen=True, eq=False)
class Grid:
    """The grid of an emulsion scan: signal events on (x, y), as the command line's CSV.

    ``n_signal`` has shape (len(x_values), len(y_values), len(detectors)) and ``n_signal_total``
    the sum over the boxes; ``excluded_cells`` is ``n_signal_total >= n_signal_required``.
    ``excluded[i]`` lists the excluded intervals (lower, upper) of ``y`` at ``x_values[i]``,
    bisected between grid values (the ``.boundary.csv`` of the command line); an end at the
    first or last y value means the region goes on beyond the scan (unless it is the largest
    value the coupling may take, eps = 1 or g_D = sqrt(4 pi), where it ends). ``tips`` lists the points
    (x, y) where the region closes between two columns (bisected in x; the ``.boundary.csv``
    has them as rows with equal edges). A column whose masses do not allow the
    production (``open`` False) has no signal, and its ``flight_length_m`` is NaN.
    ``x_parameter`` and ``y_parameter`` are the CSV's column names (``g_d``); ``x_key`` and
    ``y_key`` the scenario keys they scan (``model.g_d``, what ``set=`` takes).
    ``acceptance`` and ``acceptance_error`` (shape (len(x_values), len(detectors))) are each
    box's acceptance and its Monte Carlo error (one standard deviation). ``meta`` records what
    was run, as the command line's ``<name>.meta.json`` does without its output files
    (``darksens_version``, ``scenario_file``, ``overrides``, ``inputs``, ``resolved_scenario``,
    the Monte Carlo record in ``numerics``, ``threads``, ``wall_time_s``, ...).
    """

    title: str
    x_parameter: str
    y_parameter: str
    x_key: str
    y_key: str
    x_values: np.ndarray
    y_values: np.ndarray
    detectors: List[str]
    n_signal_required: float
    open: np.ndarray
    acceptance: np.ndarray
    acceptance_error: np.ndarray
    n_signal: np.ndarray
    flight_length_m: np.ndarray
    excluded: List[List[Tuple[float, float]]]
    babar_excluded: List[List[Tuple[float, float]]]
    tips: List[Tuple[float, float]]
    meta: Dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (
            f"Grid(title={self.title!r}, x_parameter={self.x_parameter!r}, "
            f"x_values={_summary(self.x_values)}, y_parameter={self.y_parameter!r}, "
            f"y_values={_summary(self.y_values)}, detectors={self.detectors!r})"
        )

    @property
    def n_signal_total(self) -> np.ndarray:
        """Signal events summed over the boxes, shape (len(x_values), len(y_values))."""
        return self.n_signal.sum(axis=2)

    @property
    def excluded_cells(self) -> np.ndarray:
        """Whether each cell expects at least ``n_signal_required`` events."""
        return self.n_signal_total >= self.n_signal_required

    def rows(self) -> List[Dict[str, Any]]:
        """The grid as the command line's CSV rows, one dict per cell with its column names
        (``pandas.DataFrame(grid.rows())``); a closed column's flight length is NaN."""
        total = self.n_signal_total
        excluded = self.excluded_cells
        rows = []
        for i, x in enumerate(self.x_values):
            for j, y in enumerate(self.y_values):
                row: Dict[str, Any] = {self.x_parameter: x.item(), self.y_parameter: y.item()}
                for k, name in enumerate(self.detectors):
                    row[f"n_signal_{name}"] = self.n_signal[i, j, k].item()
                row["n_signal_total"] = total[i, j].item()
                row["flight_length_m"] = self.flight_length_m[i, j].item()
                row["excluded"] = bool(excluded[i, j])
                rows.append(row)
        return rows


def _grid(data: Dict[str, Any]) -> Grid:
    columns = data["columns"]
    is_open = np.array([c["open"] for c in columns], dtype=bool)
    flight = np.array(
        [[np.nan if v is None else v for v in c["flight_length_m"]] for c in columns],
        dtype=np.float64,
    )
    # A closed column has no phi1 to fly (the command line's CSV writes 0 there).
    flight[~is_open] = np.nan
    return Grid(
        title=data["title"],
        x_parameter=data["x_parameter"],
        y_parameter=data["y_parameter"],
        x_key=data["x_key"],
        y_key=data["y_key"],
        x_values=np.array([c["x"] for c in columns], dtype=np.float64),
        y_values=np.array(data["y_values"], dtype=np.float64),
        detectors=list(data["detectors"]),
        n_signal_required=float(data["n_signal_required"]),
        open=is_open,
        acceptance=np.array([c["acceptance"] for c in columns], dtype=np.float64),
        acceptance_error=np.array([c["acceptance_error"] for c in columns], dtype=np.float64),
        n_signal=np.array([c["n_signal"] for c in columns], dtype=np.float64),
        flight_length_m=flight,
        excluded=[[(lo, hi) for lo, hi in c["excluded"]] for c in columns],
        babar_excluded=[[(lo, hi) for lo, hi in c["babar_excluded"]] for c in columns],
        tips=[(x, y) for x, y in data["tips"]],
        meta=data["meta"],
    )


def _array(values: List[Optional[float]]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _optional_array(values: List[Optional[float]]) -> Optional[np.ndarray]:
    """A column that only some scenarios have (None when no point has it)."""
    return None if all(v is None for v in values) else _array(values)


def _threads(threads: Optional[int]) -> Optional[int]:
    """The number of threads checked as the command line's --threads is: at least 1, at most
    4 per core or 16, whichever is more (more only slows the run; a warning says so)."""
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)):
        raise TypeError(f"threads: must be a whole number of threads (an int), got {threads!r}")
    if threads < 1:
        raise ScenarioError(f"threads: must be at least 1, got {threads} (None: all cores)")
    cap = max(4 * (os.cpu_count() or 1), 16)
    if threads > cap:
        warnings.warn(
            f"threads = {threads}: using {cap} (4 per core, at least 16): more only slows the run",
            DarksensWarning,
            stacklevel=3,
        )
        return cap
    return int(threads)


def scan(
    scenario: Union[str, "os.PathLike[str]", Scenario],
    set: Optional[Mapping[str, Any]] = None,  # noqa: A002 (the command line's name)
    threads: Optional[int] = None,
) -> Union[Result, Grid]:
    """Scans a scenario (a path or a Scenario): the curves of a thick-target scenario
    (:class:`Result`), or the grid of an emulsion scenario (:class:`Grid`).

    ``set`` overrides scenario keys as ``--set`` does (``{"model.alpha_d": 0.01}``);
    ``threads`` is the number of threads (default: all cores). The numbers are those of
    ``darksens scan``. Raises ScenarioError for bad input, RuntimeError for a numerical
    failure, KeyboardInterrupt on Ctrl-C.
    """
    chosen = _scenario(scenario, set)
    data = json.loads(_native(_darksens.scan)(chosen.path, list(chosen.overrides), _threads(threads)))
    _warn(data["warnings"])
    if data.get("kind") == "emulsion":
        return _grid(data)
    curves = []
    for c in data["curves"]:
        bands = c["epsilon_bands"]
        curves.append(
            Curve(
                label=c["label"],
                parameter=c["parameter"],
                values=np.array(c["values"], dtype=np.float64),
                mass_mev=np.array(c["mass_mev"], dtype=np.float64),
                epsilon_limit=_array(c["epsilon_limit"]),
                status=np.array(c["status"], dtype=str),
                epsilon_bands=(
                    None
                    if all(b is None for b in bands)
                    else np.array(
                        [[np.nan if v is None else v for v in (b or [None] * 4)] for b in bands],
                        dtype=np.float64,
                    )
                ),
                best=(float(c["best"][0]), float(c["best"][1])),
                best_note=c["best_note"],
                n_ann_per_eps2=_array(c["n_ann_per_eps2"]),
                n_brem_per_eps2=_array(c["n_brem_per_eps2"]),
                n_background=_array(c["n_background"]),
                n_required=_array(c["n_required"]),
                n_signal_at_g_ve=_optional_array(c["n_signal_at_g_ve"]),
                signal_per_pot_at_g_ve=_optional_array(c["signal_per_pot_at_g_ve"]),
            )
        )
    return Result(title=data["title"], curves=curves, meta=data["meta"])


def explain(
    scenario: Union[str, "os.PathLike[str]", Scenario],
    mass_mev: Optional[float] = None,
    set: Optional[Mapping[str, Any]] = None,  # noqa: A002
    curve: Optional[Union[str, int]] = None,
) -> Dict[str, Any]:
    """Every intermediate number at one mass, as ``darksens explain --json``: of the curve
    ``curve`` names (its label, or its position from 1), else the first."""
    if curve is not None and (
        isinstance(curve, bool) or not isinstance(curve, (str, int, np.integer))
    ):
        raise TypeError(f"curve: a label (str) or a position from 1 (int), got {curve!r}")
    chosen = _scenario(scenario, set)
    _warn(_native(_darksens.warnings)(chosen.path, list(chosen.overrides)))
    wanted = None if curve is None else str(curve)
    text, messages = _native(_darksens.explain)(chosen.path, list(chosen.overrides), mass_mev, wanted)
    _warn(messages)
    data = json.loads(text)
    if data.get("converged") is False:
        why = (
            "the resonance lies at or below the floor of the pair's radiative tail (sqrt(s) = "
            "0.1 MeV), whose radiative return is not computed: the yield is too small and the "
            "limit too weak"
            if data.get("misses_radiative_return")
            else "an integral or table missed its tolerance (numerics.relative_tolerance, "
            "numerics.table_tolerance); treat the numbers as approximate"
        )
        _warn([f"curve {data.get('curve')!r}, m = {data.get('mass_mev')} MeV: not converged: {why}"])
    return data


class limits:  # noqa: N801 (a namespace: darksens.limits.load)
    """The limit library (built in, plus $DARKSENS_LIMITS and ./limits)."""

    @staticmethod
    def load(name: str) -> Dict[str, Any]:
        """A library curve as eps against the mediator mass: ``mass_gev`` and ``epsilon``
        arrays, ``closed`` (a band or contour outline), and its ``provenance``.

        Where the curve has no value (a ``-`` in its file: nothing is excluded there),
        ``epsilon`` holds a NaN at a mass halfway (geometrically) across the gap, so that
        matplotlib's ``plot`` and ``fill_between`` break there and ``np.interp`` gives NaN
        inside it; ``pieces`` lists the stretches with values as (mass_gev, epsilon) pairs of
        arrays."""
        data = json.loads(_native(_darksens.load_limit)(name))
        pieces = [
            (np.array(p["mass_gev"], dtype=np.float64), np.array(p["epsilon"], dtype=np.float64))
            for p in data["pieces"]
        ]
        masses: List[np.ndarray] = []
        epsilons: List[np.ndarray] = []
        for k, (mass, eps) in enumerate(pieces):
            if k > 0:
                masses.append(np.array([np.sqrt(pieces[k - 1][0][-1] * mass[0])]))
                epsilons.append(np.array([np.nan]))
            masses.append(mass)
            epsilons.append(eps)
        data["mass_gev"] = np.concatenate(masses)
        data["epsilon"] = np.concatenate(epsilons)
        data["pieces"] = pieces
        return data
