"""The playground's models as torch modules (src/engine/layers.ts, docs/METHODS.md).

mlp: input -> hidden widths (activation: relu, tanh, swish, pswish; tost.py) -> classes (no activation on the logits);
lenet-300-100: the MLP 784-300-100-10 with ReLU;
lenet5-caffe: conv 1->20 5x5 valid, max-pool 2, conv 20->50 5x5, max-pool 2, fc 800->500 ReLU, fc 500->10.
Weights are torch's own layouts, which are the engine's: dense (out, in), conv (cout, cin, kh, kw),
and a conv output flattens as (channels, H, W), as the engine's NCHW features do.
`weight_layers(model)` lists the maskable layers in the engine's order, with the engine's names
(dense1, dense2, ..., conv1, conv2, dense3, dense4: kind and 1-based index among weight layers).
"""

from __future__ import annotations

import torch
from torch import nn

from .cifar_models import build_cifar_model
from .tost import Activation

CIFAR_MODELS = ("resnet18", "resnet32", "vgg16", "wrn-28-10")

def build_model(config: dict, input_dim: int, classes: int) -> nn.Sequential:
    m = config["model"]
    if m["kind"] == "mlp":
        return mlp(input_dim, m["hidden"], classes, m["activation"])
    if m["kind"] == "lenet-300-100":
        return mlp(input_dim, [300, 100], classes, "relu")
    if m["kind"] == "lenet5-caffe":
        if input_dim != 28 * 28:
            raise ValueError("LeNet-5-Caffe needs 28x28 images")
        return lenet5_caffe(classes)
    if m["kind"] in CIFAR_MODELS:
        return build_cifar_model(m["kind"], classes)
    raise ValueError(f'model.kind "{m["kind"]}" is not known')


def mlp(input_dim: int, hidden: list[int], classes: int, activation: str) -> nn.Sequential:
    widths = [input_dim, *hidden, classes]
    layers: list[nn.Module] = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(hidden):
            layers.append(Activation(activation))
    return nn.Sequential(*layers)


def lenet5_caffe(classes: int = 10) -> nn.Sequential:
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 20, 5),
        Activation("relu"),
        nn.MaxPool2d(2),
        nn.Conv2d(20, 50, 5),
        Activation("relu"),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(800, 500),
        Activation("relu"),
        nn.Linear(500, classes),
    )


def weight_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """(engine name, module) of every Linear / Conv2d, in network order."""
    out: list[tuple[str, nn.Module]] = []
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            kind = "dense" if isinstance(module, nn.Linear) else "conv"
            out.append((f"{kind}{len(out) + 1}", module))
    return out


def fans(module: nn.Module) -> tuple[int, int]:
    w = module.weight
    taps = w[0, 0].numel() if w.dim() == 4 else 1
    return w.shape[1] * taps, w.shape[0] * taps


