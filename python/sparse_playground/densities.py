"""Layer-wise densities and exact active counts (src/sparsity/densities.ts, docs/METHODS.md section 1.2).

uniform: every layer gets d (denseFirst / denseLast keep those layers at 1, RigL's way);
er: SET's d_l = min(1, eps (n_in + n_out) / (n_in n_out)) with a fixed eps, or RigL's loop on that raw score;
erk: RigL's Erdos-Renyi-Kernel, raw_l = (sum of dims / product of dims)^p, one global eps solved so
that sum d_l N_l = d sum N_l, saturated layers made dense and eps solved again.
Counts: N_l - floor((1 - d_l) N_l + 1e-9), RigL's floor(s_l N_l) zeros.
Shapes: dense (out, in), conv (cout, cin, kh, kw).
"""

from __future__ import annotations

import math


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def solve_erdos_renyi(sizes: list[int], raw: list[float], density: float) -> list[float]:
    dense: set[int] = set()
    while True:
        rhs = 0.0
        div = 0.0
        for l, n in enumerate(sizes):
            if l in dense:
                rhs -= n * (1 - density)
            else:
                rhs += n * density
                div += raw[l] * n
        if div == 0:
            return [1.0 for _ in sizes]
        eps = rhs / div
        max_prob = max(eps * raw[l] for l in range(len(sizes)) if l not in dense)
        if max_prob > 1:
            for l in range(len(sizes)):
                if l not in dense and eps * raw[l] == max_prob:
                    dense.add(l)
            continue
        return [1.0 if l in dense else eps * raw[l] for l in range(len(sizes))]


def er_raw(shape: tuple[int, ...]) -> float:
    n_out, n_in = shape[0], shape[1]
    return (n_in + n_out) / (n_in * n_out)


def erk_raw(shape: tuple[int, ...], power: float = 1.0) -> float:
    return (sum(shape) / _numel(shape)) ** power


def allocate(shapes: list[tuple[int, ...]], density: float, rule: dict) -> list[float]:
    """One density per maskable layer for overall density `density` under the config's distribution `rule`."""
    if density >= 1:
        return [1.0 for _ in shapes]
    kind = rule["kind"]
    if kind == "uniform":
        last = len(shapes) - 1
        return [1.0 if (rule.get("denseFirst") and l == 0) or (rule.get("denseLast") and l == last) else density for l in range(len(shapes))]
    sizes = [_numel(s) for s in shapes]
    if kind == "er":
        if rule.get("epsilon") is None:
            return solve_erdos_renyi(sizes, [er_raw(s) for s in shapes], density)
        return [min(1.0, rule["epsilon"] * er_raw(s)) for s in shapes]
    if kind == "erk":
        p = rule.get("powerScale", 1.0)
        return solve_erdos_renyi(sizes, [erk_raw(s, p) for s in shapes], density)
    raise ValueError(f'sparsity.distribution.kind "{kind}" is not known')


def active_count(n: int, density: float) -> int:
    zeros = math.floor((1 - density) * n + 1e-9)
    return min(n, max(0, n - zeros))


def active_counts(shapes: list[tuple[int, ...]], densities: list[float]) -> list[int]:
    return [active_count(_numel(s), d) for s, d in zip(shapes, densities)]
