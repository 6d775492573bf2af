"""The PyTorch CPU peer of the training benchmark (scripts/bench.mjs runs it after the browser part).

LeNet-300-100 on MNIST at batch 128 with masked weights, the way PyTorch DST code trains (W * mask
in the forward pass, a dense matmul whatever the density): SGD lr 0.1, momentum 0.9, no weight
decay, on the CPU with the thread count given (2 on the reference machine). Layer densities come
from the command line (the benchmark passes the ERK densities of its RigL rows), masks are random
at those densities. Prints one JSON line: {"density": [...], "msPerStep": ..., "examplesPerSecond": ...}.

usage: python3 bench/torch_cpu_peer.py DATA_DIR THREADS D1,D2,D3 [SECONDS]
"""
import json
import sys
import time

import numpy as np
import torch


def main() -> None:
    data_dir, threads, densities = sys.argv[1], int(sys.argv[2]), [float(d) for d in sys.argv[3].split(",")]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    meta = next(d for d in json.load(open(f"{data_dir}/datasets.json"))["datasets"] if d["name"] == "mnist")
    images = np.fromfile(f"{data_dir}/mnist.images.bin", dtype=np.uint8).reshape(-1, 784)
    labels = np.fromfile(f"{data_dir}/mnist.labels.bin", dtype=np.uint8).astype(np.int64)
    x_all = (torch.from_numpy(images).float() / 255 - meta["pixelMean"]) / meta["pixelStd"]
    y_all = torch.from_numpy(labels)
    sizes = [784, 300, 100, 10]
    weights, masks, biases = [], [], []
    for i, d in enumerate(densities):
        w = torch.randn(sizes[i + 1], sizes[i]) * (2 / sizes[i]) ** 0.5
        m = (torch.rand_like(w) < d).float()
        weights.append((w * m).requires_grad_())
        masks.append(m)
        biases.append(torch.zeros(sizes[i + 1], requires_grad=True))
    opt = torch.optim.SGD(weights + biases, lr=0.1, momentum=0.9)
    gen = torch.Generator().manual_seed(1)

    def step() -> float:
        idx = torch.randint(0, x_all.shape[0], (128,), generator=gen)
        h = x_all[idx]
        for i in range(3):
            h = torch.nn.functional.linear(h, weights[i] * masks[i], biases[i])
            if i < 2:
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, y_all[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for w, m in zip(weights, masks):
                w.mul_(m)
        return float(loss)

    for _ in range(5):
        step()
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        step()
        steps += 1
    ms = (time.perf_counter() - t0) * 1000 / steps
    print(json.dumps({"torch": torch.__version__, "threads": threads, "density": densities, "steps": steps, "msPerStep": ms, "examplesPerSecond": 128 * 1000 / ms}))


if __name__ == "__main__":
    main()
