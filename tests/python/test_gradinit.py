"""ToST's GradInit layer scales in the Python package (gradinit.py): the objective's
finite-difference gradient is the exact one (double backprop through the normalised step), and a
run from a gradinit config starts from α_l·W_l under its masks with scales that lower the loss
after one step, the browser's claim (tests/gpu/engine/gradinit.gpu.test.ts)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from sparse_playground import parse_config
from sparse_playground.gradinit import DELTA, Objective, apply_grad_init
from sparse_playground.train import Run, smoothed_cross_entropy
from test_train import SMALL


def _tiny():
    g = torch.Generator().manual_seed(5)
    model = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3)).double()
    layers = [("dense1", model[0]), ("dense2", model[2])]
    dense = [torch.randn(5, 6, generator=g, dtype=torch.float64), torch.randn(3, 5, generator=g, dtype=torch.float64)]
    masks = [(torch.rand(5, 6, generator=g) < 0.6).double(), (torch.rand(3, 5, generator=g) < 0.6).double()]
    with torch.no_grad():
        for (_, mod) in layers:
            mod.bias.copy_(torch.randn(mod.bias.shape, generator=g, dtype=torch.float64) * 0.1)
    batch = lambda: (torch.randn(16, 6, generator=g, dtype=torch.float64), torch.randint(0, 3, (16,), generator=g))  # noqa: E731
    return model, layers, dense, masks, batch(), batch()


def _exact_j(scales: torch.Tensor, dense, masks, biases, a, b, eta: float) -> torch.Tensor:
    """J of the step branch, differentiable in the scales (the same network, written out)."""
    def forward(ws, bs, x):
        return F.linear(torch.tanh(F.linear(x, ws[0], bs[0])), ws[1], bs[1])

    theta = [s * d * m for s, d, m in zip(scales, dense, masks)]
    bs = [b_.clone().requires_grad_(True) for b_ in biases]
    loss = F.cross_entropy(forward(theta, bs, a[0]), a[1])
    grads = torch.autograd.grad(loss, theta + bs, create_graph=True)
    gw = [g * m for g, m in zip(grads[:2], masks)]
    gb = list(grads[2:])
    norm = torch.sqrt(sum((g**2).sum() for g in gw + gb))
    stepped_w = [w - eta * g / norm for w, g in zip(theta, gw)]
    stepped_b = [bb - eta * g / norm for bb, g in zip(bs, gb)]
    return F.cross_entropy(forward(stepped_w, stepped_b, b[0]), b[1]) / eta


def test_the_finite_difference_gradient_is_the_exact_one():
    model, layers, dense, masks, a, b = _tiny()
    eta = 0.1
    objective = Objective(model, layers, dense, masks, F.cross_entropy, eta=eta, gamma=1e9)  # gamma high: the step branch
    scales = [1.3, 0.7]
    j, branch = objective(scales, a, b, None)
    assert branch == "step"
    alpha = torch.tensor(scales, dtype=torch.float64, requires_grad=True)
    exact = _exact_j(alpha, dense, masks, objective.biases, a, b, eta)
    assert abs(float(exact) - j) < 1e-12
    (grad,) = torch.autograd.grad(exact, alpha)
    for li in range(2):
        up = objective([v + DELTA if i == li else v for i, v in enumerate(scales)], a, b, branch)[0]
        down = objective([v - DELTA if i == li else v for i, v in enumerate(scales)], a, b, branch)[0]
        assert abs((up - down) / (2 * DELTA) - float(grad[li])) < 1e-3 * max(1.0, abs(float(grad[li])))
    # The norm branch: J is ‖g‖ over weights (masked) and biases.
    by_norm = Objective(model, layers, dense, masks, F.cross_entropy, eta=eta, gamma=0.0)
    norm, branch = by_norm(scales, a, b, None)
    assert branch == "norm"
    theta = [s * d * m for s, d, m in zip(scales, dense, masks)]
    for (_, mod), w in zip(layers, theta):
        mod.weight.data.copy_(w)
    for (_, mod), bb in zip(layers, by_norm.biases):
        mod.bias.data.copy_(bb)
    model.zero_grad()
    F.cross_entropy(model(a[0]), a[1]).backward()
    want = torch.sqrt(sum(((mod.weight.grad * m) ** 2).sum() + (mod.bias.grad**2).sum() for (_, mod), m in zip(layers, masks)))
    assert abs(norm - float(want)) < 1e-10


def test_a_gradinit_run_starts_from_scaled_masked_weights_that_step_better(data_dir):
    config = parse_config({**SMALL, "tost": {"layerRescaledInit": {"kind": "gradinit", "iters": 12, "eta": 0.5, "gamma": 100, "lr": 0.05}}})
    run = Run(config, data_dir)
    dense = [d.clone() for d in run.dense_init]
    before = [mod.weight.detach().clone() for _, mod in run.layers]
    x, y = run.data.x(run.split.train[:256]), run.data.y(run.split.train[:256])

    def loss_after_one_step() -> float:
        """The loss on a fixed batch after one normalised SGD step of η = 0.5 from the current weights
        (GradInit's objective in its step branch, γ = 100 keeps it there, as the browser's test)."""
        saved = [p.detach().clone() for p in run.model.parameters()]
        run.model.zero_grad()
        smoothed_cross_entropy(run.model(x), y, 0.0).backward()
        grads = [p.grad.detach().clone() for p in run.model.parameters()]
        norm = torch.sqrt(sum((g**2).sum() for g in grads))
        with torch.no_grad():
            for p, g in zip(run.model.parameters(), grads):
                p.sub_(0.5 * g / norm)
            out = float(smoothed_cross_entropy(run.model(x), y, 0.0))
            for p, s in zip(run.model.parameters(), saved):
                p.copy_(s)
        return out

    unscaled = loss_after_one_step()
    messages: list[str] = []
    scales = apply_grad_init(run, dense, messages.append)
    assert len(scales) == 2 and all(s != 1.0 and s >= 0.01 for s in scales)
    assert messages and messages[0].startswith("GradInit: 12 iterations")
    for (_, mod), s, d, m, w0 in zip(run.layers, scales, dense, run.masks, before):
        assert torch.equal(mod.weight.detach(), s * d * m.to(d.dtype))
        assert torch.equal(mod.weight.detach() == 0, w0 == 0)  # the same connections: masked entries stay 0
        assert bool((mod.bias == 0).all())
    assert loss_after_one_step() < unscaled, messages
    assert [int(m.sum()) for m in run.masks] == [4674, 408]
