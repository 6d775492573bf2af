"""Ensembles of independent members (docs/METHODS.md section 2): ensemble.mode "dst" (FreeTickets'
DST ensemble: M sparse runs from different seeds) and "dense" (M dense runs). Member m draws every
random stream from the config's member m (initial network, batch order, regrowth keys), as the
browser's members do, and the members train one after another (each with DDP when there are
several processes). The ensemble predicts the mean of the members' softmax probabilities.

Metrics (src/ensemble/metrics.ts): accuracy, NLL = -mean ln max(p[label], 1e-12), ECE over 15
equal-width bins of the top probability ((lower, upper], bin 0 also takes 0), and the mean pairwise
disagreement (share of test examples whose predicted class differs between two members).
"""

from __future__ import annotations

import torch

PROB_FLOOR = 1e-12
ECE_BINS = 15


def metrics(probs: torch.Tensor, labels: torch.Tensor, bins: int = ECE_BINS) -> dict:
    p = probs.double()
    conf, pred = p.max(1)
    correct = (pred == labels).double()
    nll = float(-torch.log(p[torch.arange(len(labels)), labels].clamp_min(PROB_FLOOR)).mean())
    b = torch.clamp(torch.ceil(conf * bins).long() - 1, 0, bins - 1)
    gap = sum(abs(float(correct[b == k].sum() - conf[b == k].sum())) for k in range(bins))
    return {"accuracy": float(correct.mean()), "nll": nll, "ece": gap / len(labels)}


def disagreement(members: list[torch.Tensor]) -> float | None:
    if len(members) < 2:
        return None
    preds = [m.argmax(1) for m in members]
    pairs = [(i, j) for i in range(len(preds)) for j in range(len(preds)) if i != j]
    return sum(float((preds[i] != preds[j]).double().mean()) for i, j in pairs) / len(pairs)


def report(member_probs: list[torch.Tensor], labels: torch.Tensor) -> dict:
    mean = torch.stack([p.double() for p in member_probs]).mean(0)
    return {"ensemble": metrics(mean, labels), "members": [metrics(p, labels) for p in member_probs], "disagreement": disagreement(member_probs)}
