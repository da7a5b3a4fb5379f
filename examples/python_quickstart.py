# %% [markdown]
# # darksens from Python
#
# A scan of the default Belle II scenario, a library curve overlaid, the plot with
# matplotlib, and an emulsion grid. Run as a script (`python examples/python_quickstart.py`)
# or open it as a notebook with jupytext. Needs `pip install . matplotlib` at the repository root.

# %%
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import darksens

# The repository root: from the script's place, or (a notebook runs in examples/) the first
# directory upwards that holds configs/.
if "__file__" in globals():
    root = Path(__file__).resolve().parents[1]
else:
    root = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "configs").is_dir())
result = darksens.scan(root / "configs" / "belle2_dp.toml", set={"model.alpha_d": 0.001})
na64 = darksens.limits.load("darkcast/NA64_NA642019imj")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.fill_between(
    na64["mass_gev"] * 1e3, na64["epsilon"], 1.0, color="0.85", label="NA64 2019 (excluded)"
)
for curve in result.curves:
    ax.plot(curve.mass_mev, curve.epsilon_limit, label=curve.label)
mass, eps = result.best("computed background")
ax.plot([mass], [eps], "k*", label=f"best: ε = {eps:.3g} at {mass:.2f} MeV")
ax.set(xscale="log", yscale="log", xlim=(1, 1000), ylim=(1e-5, 1),
       xlabel="$m_{A'}$ [MeV]", ylabel="ε (expected 90% CL upper limit)", title=result.title)
ax.legend(fontsize=8)
out = Path("python_quickstart.png")
fig.savefig(out, dpi=120, bbox_inches="tight")
print(f"best eps {eps:.4e} at {mass:.3f} MeV; wrote {out}")

# %% [markdown]
# An emulsion scenario gives its grid: the expected signal events on (g_D, eps) and the
# excluded intervals of each column.

# %%
import numpy as np

grid = darksens.scan(root / "configs" / "belle2_emulsion.toml")
fig, ax = plt.subplots(figsize=(7, 4.5))
mesh = ax.pcolormesh(
    grid.x_values, grid.y_values, np.log10(np.maximum(grid.n_signal_total.T, 1e-3)),
    shading="nearest", cmap="viridis",
)
fig.colorbar(mesh, label="log10 expected signal events")
edges = [(x, lo, hi) for x, column in zip(grid.x_values, grid.excluded) for lo, hi in column]
ax.plot([e[0] for e in edges], [e[1] for e in edges], "w-", lw=1.5, label="excluded region")
ax.plot([e[0] for e in edges], [e[2] for e in edges], "w-", lw=1.5)
ax.set(xscale="log", yscale="log", xlabel="$g_D$", ylabel="ε", title=grid.title)
ax.legend(fontsize=8)
out = Path("python_quickstart_emulsion.png")
fig.savefig(out, dpi=120, bbox_inches="tight")
print(f"{int(grid.excluded_cells.sum())} of {grid.excluded_cells.size} cells excluded; wrote {out}")
