"""Interval estimates used by summaries and experiments, with no SciPy.

* :func:`wilson` — the Wilson score interval for a proportion: unlike the Wald
  interval it stays inside [0, 1] and behaves at 0 and n successes, which matter
  for rarely won roles.
* :func:`t_ppf` — Student's t quantile, by bisection on the CDF written through the
  regularised incomplete beta function (Lentz continued fraction). Exact to ~1e-10,
  so paired t-intervals are right for small pilot runs too, not only n >= 30.
* :func:`mean_ci` — mean with a t-interval (used for paired differences).
* :func:`paired_means` / :func:`paired_rates` — the paired comparisons of experiments
  and balance reports, built from the two above and Wilson intervals.
* :func:`paired_proportion_ci` — Newcombe's hybrid score interval (method 10,
  Newcombe 1998) for the difference of two proportions measured on the same
  units (game i of A and game i of B share a seed). It uses the Wilson interval of
  each margin and the correlation of the pairs; it stays inside [-1, 1] and always
  contains the estimate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

Z95 = NormalDist().inv_cdf(0.975)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for successes / n (the whole [0, 1] when n = 0)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo, hi = max(0.0, centre - half), min(1.0, centre + half)
    # Guard the end points against rounding so the interval always contains p.
    return min(lo, p), max(hi, p)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(ln)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    x = df / (df + t * t)
    tail = 0.5 * betainc(df / 2.0, 0.5, x)
    return 1.0 - tail if t > 0 else tail


def t_ppf(p: float, df: float) -> float:
    """Quantile of Student's t with `df` degrees of freedom (0 < p < 1)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be strictly between 0 and 1")
    if df <= 0:
        raise ValueError("df must be positive")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_ppf(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2.0
        if hi > 1e12:
            return math.inf
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * max(1.0, hi):
            break
    return (lo + hi) / 2.0


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) with a t-interval on n - 1 degrees of freedom.

    With a single value there is no spread to estimate; the interval collapses to the
    mean rather than (-inf, inf), which JSON cannot hold."""
    n = len(values)
    if n == 0:
        return 0.0, 0.0, 0.0
    mean = math.fsum(values) / n
    if n == 1:
        return mean, mean, mean
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_ppf(0.5 + level / 2.0, n - 1) * math.sqrt(var / n)
    return mean, mean - half, mean + half


def paired_proportion_ci(a: Sequence[bool], b: Sequence[bool], z: float = Z95) -> tuple[float, float, float]:
    """(p_a - p_b, low, high): Newcombe's method 10 for paired binary outcomes."""
    n = len(a)
    if n != len(b):
        raise ValueError("paired samples must have the same length")
    if n == 0:
        return 0.0, -1.0, 1.0
    both = sum(1 for x, y in zip(a, b) if x and y)
    only_a = sum(1 for x, y in zip(a, b) if x and not y)
    only_b = sum(1 for x, y in zip(a, b) if y and not x)
    neither = n - both - only_a - only_b
    p1, p2 = (both + only_a) / n, (both + only_b) / n
    l1, u1 = wilson(both + only_a, n, z)
    l2, u2 = wilson(both + only_b, n, z)
    denom = (both + only_a) * (neither + only_b) * (both + only_b) * (neither + only_a)
    phi = (both * neither - only_a * only_b) / math.sqrt(denom) if denom > 0 else 0.0
    delta = p1 - p2
    low = delta - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = delta + math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return delta, max(-1.0, low), min(1.0, high)


def paired_means(a: Sequence[float], b: Sequence[float]) -> dict[str, Any]:
    """Means of two paired samples (game i of A with game i of B), each with its t-interval,
    and the mean paired difference A − B with its t-interval."""
    ma, la, ha = mean_ci(a)
    mb, lb, hb = mean_ci(b)
    d, lo, hi = mean_ci([x - y for x, y in zip(a, b)])
    return {"a": ma, "a_ci95": [la, ha], "b": mb, "b_ci95": [lb, hb], "diff": d, "diff_ci95": [lo, hi]}


def paired_rates(a: Sequence[bool], b: Sequence[bool]) -> dict[str, Any]:
    """Rates of two paired binary samples with Wilson intervals, and the paired difference
    A − B with Newcombe's hybrid score interval."""
    n = len(a)
    ka, kb = sum(a), sum(b)
    d, lo, hi = paired_proportion_ci(a, b)
    return {
        "a": ka / n if n else 0.0,
        "a_ci95": list(wilson(ka, n)),
        "b": kb / n if n else 0.0,
        "b_ci95": list(wilson(kb, n)),
        "diff": d,
        "diff_ci95": [lo, hi],
    }


def quantiles(values: Sequence[float]) -> dict[str, float]:
    """mean, median, quartiles, IQR, min and max (numpy's linear interpolation)."""
    import numpy as np

    if not values:
        return {"mean": 0.0, "median": 0.0, "q1": 0.0, "q3": 0.0, "iqr": 0.0, "min": 0.0, "max": 0.0}
    arr = np.asarray(values, dtype=float)
    q1, med, q3 = (float(x) for x in np.percentile(arr, [25, 50, 75]))
    return {
        "mean": float(arr.mean()),
        "median": med,
        "q1": q1,
        "q3": q3,
        "iqr": q3 - q1,
        "min": float(arr.min()),
        "max": float(arr.max()),
    }
