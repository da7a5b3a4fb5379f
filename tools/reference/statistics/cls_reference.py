"""Independent reference values for darksens' counting statistics (src/limits/statistics.rs).

Expected CLs upper limits (n_obs = median of Poisson(b)), Poisson quantiles for the bands,
smeared (log-normal background) limits and discovery signals, computed with mpmath at 30 digits
and scipy.optimize.brentq, from the definitions only:
  CLs(s) = P(n <= n_obs | s + b) / P(n <= n_obs | b) = 1 - CL
  log-normal prior: b' = b exp(sigma z - sigma^2/2), sigma = sqrt(ln(1 + r^2)), z ~ N(0, 1),
                   averaged in both CLs probabilities; n_obs = median of Poisson(b) at nominal b
  Asimov: Z = sqrt(2((s + b) ln(1 + s/b) - s))
  exact discovery: n_crit = min n with P(N >= n | b) <= 1 - Phi(Z); s = mu* - b with
                   P(N <= n_crit - 1 | mu*) = 1/2 (the median of Poisson(s + b) reaches n_crit)
Run: python3 cls_reference.py  (writes cls_reference.json next to this file)
"""
import json, math, os
import mpmath as mp
from scipy.optimize import brentq

mp.mp.dps = 30

def cdf(k, mu):
    # P(N <= k | mu) for Poisson(mu), k >= 0 integer
    if mu == 0:
        return mp.mpf(1)
    return mp.gammainc(k + 1, mu, mp.inf, regularized=True)

def smeared_cdf(k, mu_signal, b, r):
    if r == 0:
        return cdf(k, mu_signal + b)
    sigma = mp.sqrt(mp.log(1 + r * r))
    f = lambda z: mp.npdf(z) * cdf(k, mu_signal + b * mp.exp(sigma * z - sigma ** 2 / 2))
    return mp.quad(f, [-12, -4, 0, 4, 12])

def median(b, r=0):
    n = 0
    while smeared_cdf(n, 0, b, r) < mp.mpf('0.5'):
        n += 1
    return n

def quantile(b, q, r=0):
    n = 0
    while smeared_cdf(n, 0, b, r) < q:
        n += 1
    return n

def cls_limit(n_obs, b, cl=0.9, r=0):
    denominator = smeared_cdf(n_obs, 0, b, r)
    f = lambda s: float(smeared_cdf(n_obs, s, b, r) / denominator - (1 - cl))
    hi = 1.0
    while f(hi) > 0:
        hi *= 2
    return brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-14)

def asimov(b, z):
    f = lambda s: math.sqrt(2 * ((s + b) * math.log(1 + s / b) - s)) - z
    hi = 1.0
    while f(hi) < 0:
        hi *= 2
    return brentq(f, 1e-12, hi, xtol=1e-14, rtol=1e-14)

def discovery_exact(b, z):
    p_z = mp.ncdf(-z)
    n = 1
    while not (b == 0 or 1 - cdf(n - 1, b) <= p_z):
        n += 1
    f = lambda mu: float(cdf(n - 1, mu) - mp.mpf('0.5'))
    mu = brentq(f, 1e-12, 10 * (n + 10), xtol=1e-14, rtol=1e-14)
    return mu - b, n

out = {"cls": [], "bands": [], "smeared": [], "asimov": [], "discovery_exact": []}
for b in [0.0, 1.0, 3.0, 94.0, 1000.0]:
    n = median(b)
    out["cls"].append({"b": b, "cl": 0.9, "n_obs": n, "s": cls_limit(n, b)})
out["cls"].append({"b": 3.0, "cl": 0.95, "n_obs": median(3.0), "s": cls_limit(median(3.0), 3.0, 0.95)})
for b in [1.0, 3.0, 94.0]:
    qs = [mp.ncdf(-2), mp.ncdf(-1), mp.ncdf(1), mp.ncdf(2)]
    ns = [quantile(b, q) for q in qs]
    out["bands"].append({"b": b, "n_obs": ns, "s": [cls_limit(k, b) for k in ns]})
for b, r in [(3.0, 0.3), (94.0, 0.1), (94.0, 0.5)]:
    n = median(b)  # the expected outcome is the median at the nominal background
    out["smeared"].append({"b": b, "relative_uncertainty": r, "n_obs": n, "s": cls_limit(n, b, 0.9, r)})
for b, z in [(1.0, 5.0), (94.0, 5.0), (1000.0, 3.0)]:
    out["asimov"].append({"b": b, "z": z, "s": asimov(b, z)})
for b, z in [(0.0, 5.0), (1.0, 5.0), (3.0, 3.0), (94.0, 5.0)]:
    s, n = discovery_exact(b, z)
    out["discovery_exact"].append({"b": b, "z": z, "n_crit": n, "s": s})
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cls_reference.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
print(json.dumps(out, indent=1))
