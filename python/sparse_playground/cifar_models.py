"""The CIFAR models of the sparse-training papers, with BatchNorm (Python package only).

- resnet18: the CIFAR ResNet-18 of the DST papers' code (e.g. ITOP, GraNet): 3x3 stem conv
  (64), no max-pool, four stages of two basic blocks (64, 128, 256, 512; stride 2 from the second),
  global average pool, fc 512 -> classes. 11.2 M weights.
- resnet32: He et al. 2016's CIFAR ResNet-32: 3x3 stem (16), three stages of five basic blocks
  (16, 32, 64), 1x1 conv + BN shortcuts where the shape changes, average pool, fc 64 -> classes. 0.46 M.
- vgg16: VGG-16 with BatchNorm after every conv (13 convs, max-pools after blocks 2, 4, 7, 10, 13),
  then fc 512 -> 512 -> classes with ReLU (the CIFAR variant of SNIP / GraSP / RigL-style code). 15 M.
- wrn-28-10: Zagoruyko & Komodakis's Wide ResNet, depth 28 (four pre-activation blocks per
  stage), widening 10 (160, 320, 640), no dropout, as in FreeTickets. 36.5 M.

Convolutions have no bias (BatchNorm follows); every conv and linear weight is maskable, the
shortcut convs included; BatchNorm scales and shifts are never masked (docs/METHODS.md section 0).
"""

from __future__ import annotations

import torch
from torch import nn


def _conv(cin: int, cout: int, k: int = 3, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False)


class BasicBlock(nn.Module):
    """conv-BN-ReLU-conv-BN plus the (projected) input, then ReLU."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1, self.bn1 = _conv(cin, cout, 3, stride), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = _conv(cout, cout), nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(_conv(cin, cout, 1, stride), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class WideBlock(nn.Module):
    """Pre-activation: BN-ReLU-conv-BN-ReLU-conv plus the (projected) input."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), _conv(cin, cout, 3, stride)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), _conv(cout, cout)
        self.shortcut = None if stride == 1 and cin == cout else _conv(cin, cout, 1, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        o = torch.relu(self.bn1(x))
        y = self.conv2(torch.relu(self.bn2(self.conv1(o))))
        return y + (x if self.shortcut is None else self.shortcut(o))


class ResNet(nn.Module):
    def __init__(self, block: type[nn.Module], stem: int, widths: list[int], blocks: int, classes: int, pre_activation: bool = False) -> None:
        super().__init__()
        self.stem = _conv(3, stem)
        self.stem_bn = None if pre_activation else nn.BatchNorm2d(stem)
        layers: list[nn.Module] = []
        cin = stem
        for i, w in enumerate(widths):
            for b in range(blocks):
                layers.append(block(cin, w, 2 if b == 0 and i > 0 else 1))
                cin = w
        self.blocks = nn.Sequential(*layers)
        self.final_bn = nn.BatchNorm2d(cin) if pre_activation else None
        self.fc = nn.Linear(cin, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        if self.stem_bn is not None:
            x = torch.relu(self.stem_bn(x))
        x = self.blocks(x)
        if self.final_bn is not None:
            x = torch.relu(self.final_bn(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def vgg16(classes: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    cin = 3
    for v in VGG16:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [_conv(cin, int(v)), nn.BatchNorm2d(int(v)), nn.ReLU()]
            cin = int(v)
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, classes))


def build_cifar_model(kind: str, classes: int) -> nn.Module:
    if kind == "resnet18":
        return ResNet(BasicBlock, 64, [64, 128, 256, 512], 2, classes)
    if kind == "resnet32":
        return ResNet(BasicBlock, 16, [16, 32, 64], 5, classes)
    if kind == "vgg16":
        return vgg16(classes)
    if kind == "wrn-28-10":
        return ResNet(WideBlock, 16, [160, 320, 640], 4, classes, pre_activation=True)
    raise ValueError(f'model.kind "{kind}" is not a CIFAR model')
