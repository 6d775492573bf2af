"""Seeded random streams, bit for bit those of the TypeScript engine (src/util/rng.ts, src/config/seeds.ts).

Why replicate rather than use numpy's or torch's generators: a config names one seed, and the
browser draws its masks, initial weights, batch order and random regrowth from streams derived
from it. Drawing the same streams here makes a Python run of a config start from the very network
the browser starts from (tests/python/test_reference.py checks it against values the TypeScript
code computed).

mulberry32's state after i draws is seed + i * 0x6D2B79F5 (mod 2^32), so a whole stream is computed
as numpy arrays; Fisher-Yates swaps stay a Python loop (they are sequential by nature).
"""

from __future__ import annotations

import math

import numpy as np

_U32 = 0xFFFFFFFF
MEMBER_TAG = 0x6D656D62  # 'memb'
STREAM_TAG = 0x7374726D  # 'strm'
STREAMS = {"init": 1, "mask": 2, "data-order": 3, "regrow": 4, "reinit": 5}


def pcg_hash(x: int) -> int:
    """PCG hash (Jarzynski & Olano 2020); the WGSL kernels' `pcg_hash`."""
    state = ((x & _U32) * 747796405 + 2891336453) & _U32
    word = (((state >> ((state >> 28) + 4)) ^ state) * 277803737) & _U32
    return ((word >> 22) ^ word) & _U32


def pcg_hash_array(x: np.ndarray) -> np.ndarray:
    """pcg_hash over a uint32 array (wrapping arithmetic in uint64, masked back)."""
    s = (x.astype(np.uint64) * np.uint64(747796405) + np.uint64(2891336453)) & np.uint64(_U32)
    w = (((s >> ((s >> np.uint64(28)) + np.uint64(4))) ^ s) * np.uint64(277803737)) & np.uint64(_U32)
    return ((w >> np.uint64(22)) ^ w).astype(np.uint32)


def _mix(a: int, b: int) -> int:
    return pcg_hash((pcg_hash(a) ^ b) & _U32)


def member_seed(seed: int, member: int) -> int:
    return _mix(_mix(seed, MEMBER_TAG), member)


def stream_seed(seed: int, member: int, stream: str) -> int:
    return _mix(_mix(member_seed(seed, member), STREAM_TAG), STREAMS[stream])


def layer_seed(seed: int, member: int, stream: str, layer: int) -> int:
    """One layer's seed of a member's stream (src/engine/init.ts layerSeed)."""
    return pcg_hash((stream_seed(seed, member, stream) ^ layer) & _U32)


def random_key(seed: int, step: int, member: int, layer: int, n: int) -> np.ndarray:
    """The random regrowth keys of shaders/mask.wgsl random_key for positions 0..n-1 (uint32, < 2^31)."""
    h = pcg_hash(seed)
    h = pcg_hash(h ^ (step & _U32))
    h = pcg_hash(h ^ member)
    h = pcg_hash(h ^ layer)
    keys = pcg_hash_array(np.uint32(h) ^ np.arange(n, dtype=np.uint32))
    return keys >> np.uint32(1)


def mulberry32_uniform(seed: int, n: int, skip: int = 0) -> np.ndarray:
    """Draws skip .. skip+n-1 of mulberry32(seed).next() as float64 in [0, 1)."""
    i = np.arange(skip + 1, skip + n + 1, dtype=np.uint64)
    s = ((np.uint64(seed & _U32) + i * np.uint64(0x6D2B79F5)) & np.uint64(_U32)).astype(np.uint64)
    m = np.uint64(_U32)
    t = s
    t = ((t ^ (t >> np.uint64(15))) * (t | np.uint64(1))) & m
    t = (t ^ ((t + (((t ^ (t >> np.uint64(7))) * (t | np.uint64(61))) & m)) & m)) & m
    return ((t ^ (t >> np.uint64(14))) & m).astype(np.float64) / 4294967296.0


class Mulberry32:
    """A mulberry32 stream drawn in blocks: next(), int(n), normals(n)."""

    _BLOCK = 4096

    def __init__(self, seed: int) -> None:
        self.seed = seed & _U32
        self.drawn = 0
        self._buf = np.empty(0)
        self._pos = 0

    def next(self) -> float:
        if self._pos >= len(self._buf):
            self._buf = mulberry32_uniform(self.seed, self._BLOCK, self.drawn)
            self.drawn += self._BLOCK
            self._pos = 0
        v = self._buf[self._pos]
        self._pos += 1
        return float(v)

    def uniforms(self, n: int) -> np.ndarray:
        """The next n draws as an array (continues the stream exactly)."""
        rest = self._buf[self._pos :]
        take = min(n, len(rest))
        out = [rest[:take]]
        self._pos += take
        if n > take:
            start = self.drawn - len(self._buf) + self._pos
            out.append(mulberry32_uniform(self.seed, n - take, start))
            self._buf, self._pos, self.drawn = np.empty(0), 0, start + n - take
        return np.concatenate(out)

    def int(self, n: int) -> int:
        return math.floor(self.next() * n)


def normals(seed: int, n: int) -> np.ndarray:
    """The first n values of mulberry32(seed).normal() (Box-Muller, cos then the spare sin).

    The uniforms are drawn as arrays; log, sqrt, cos and sin go through Python's math module, one
    value at a time, because numpy's vectorised versions differ from V8's in the last float64 bit.
    """
    pairs = (n + 1) // 2
    u = mulberry32_uniform(seed, 2 * pairs)
    if np.any(u[0::2] == 0.0):  # the TypeScript loop redraws u = 0 (p = 2^-32): follow it exactly
        return _normals_scalar(seed, n)
    out = np.empty(2 * pairs)
    two_pi = 2 * math.pi
    sqrt, log, cos, sin = math.sqrt, math.log, math.cos, math.sin
    r = [sqrt(-2.0 * log(x)) for x in u[0::2].tolist()]
    ang = [two_pi * x for x in u[1::2].tolist()]
    out[0::2] = [a * cos(b) for a, b in zip(r, ang)]
    out[1::2] = [a * sin(b) for a, b in zip(r, ang)]
    return out[:n]


def _normals_scalar(seed: int, n: int) -> np.ndarray:
    rng = Mulberry32(seed)
    out: list[float] = []
    while len(out) < n:
        u = 0.0
        while u == 0.0:
            u = rng.next()
        v = rng.next()
        r = math.sqrt(-2.0 * math.log(u))
        out += [r * math.cos(2 * math.pi * v), r * math.sin(2 * math.pi * v)]
    return np.array(out[:n])


def permutation(n: int, rng: Mulberry32) -> np.ndarray:
    """Fisher-Yates shuffle of 0..n-1 (src/util/rng.ts permutation: from the top down)."""
    p = list(range(n))
    u = rng.uniforms(max(n - 1, 0))
    for step, i in enumerate(range(n - 1, 0, -1)):
        j = math.floor(u[step] * (i + 1))
        p[i], p[j] = p[j], p[i]
    return np.array(p, dtype=np.int64)


def partial_shuffle(values: np.ndarray, count: int, rng: Mulberry32) -> np.ndarray:
    """Forward Fisher-Yates stopped after `count` draws; returns the first `count` entries."""
    a = values.tolist()
    n = len(a)
    u = rng.uniforms(count)
    for i in range(count):
        j = i + math.floor(u[i] * (n - i))
        a[i], a[j] = a[j], a[i]
    return np.array(a[:count], dtype=np.int64)
