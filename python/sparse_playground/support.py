"""What this package trains, and the refusal, by field name, of everything else.

A config field the Python side cannot honour is refused, never substituted: a run that quietly
trained something else than the browser would would make every comparison wrong. The checks
here are (1) the playground's cross-field rules that matter to a run this package can train
(src/config/rules.ts: the browser refuses these configs too) and (2) what is not built here yet.
"""

from __future__ import annotations

from .config import ConfigError

IMAGE_TOTALS = {"mnist": 10000, "fashion-mnist": 69945}
CIFAR = ("cifar10", "cifar100")
CIFAR_MODELS = ("resnet18", "resnet32", "vgg16", "wrn-28-10")
CIFAR_TRAIN = 50000
NOT_YET = "is not in the Python package yet (docs/SCALE-OUT.md lists what is)"


def refusals(config: dict, world_size: int = 1) -> list[ConfigError]:
    """Every reason this package cannot train `config` on `world_size` processes (empty: it can)."""
    return not_built(config) + rule_errors(config, world_size)


def not_built(config: dict) -> list[ConfigError]:
    """What the config asks for that is not built here. src/config/python-support.ts says the same
    words to the playground's users (a test holds the two lists equal on reference configs)."""
    out: list[ConfigError] = []
    say = lambda path, message: out.append(ConfigError(path, message))  # noqa: E731
    d, m, s, dst, ens, tost = (config[k] for k in ("data", "model", "sparsity", "dst", "ensemble", "tost"))
    if d["dataset"] not in IMAGE_TOTALS and d["dataset"] not in CIFAR:
        say("data.dataset", f'"{d["dataset"]}" is generated or drawn in the browser: the Python package trains mnist, fashion-mnist, cifar10 and cifar100')
    if s["mask"]["kind"] == "lottery":
        say("sparsity.mask.kind", f'"lottery" {NOT_YET}: use random, magnitude, snip, grasp or synflow')
    if ens["mode"] == "prune-and-tune":
        say("ensemble.mode", f'"{ens["mode"]}" {NOT_YET}: use none, dst, edst or dense')
    if tost["smoothActivation"]["kind"] != "off" and m["kind"] in CIFAR_MODELS:
        say("tost.smoothActivation.kind", f'"{tost["smoothActivation"]["kind"]}" is built for the playground\'s models only, not {m["kind"]}: use off')
    if tost["ghostSkip"]["enabled"] and m["kind"] in CIFAR_MODELS:
        say("tost.ghostSkip.enabled", f"true is built for the playground's models only, not {m['kind']}: use false")
    if tost["layerRescaledInit"]["kind"] == "gradinit" and m["kind"] in CIFAR_MODELS:
        say("tost.layerRescaledInit.kind", f'"gradinit" is built for the playground\'s models only, not {m["kind"]}: use off or closed-form')
    return out


def rule_errors(config: dict, world_size: int = 1) -> list[ConfigError]:
    """The playground's cross-field rules that matter to the runs built here (a config the browser
    accepted passes them), and what a distributed run needs."""
    out: list[ConfigError] = []
    say = lambda path, message: out.append(ConfigError(path, message))  # noqa: E731
    d, m, s, dst, tr, ens = (config[k] for k in ("data", "model", "sparsity", "dst", "training", "ensemble"))
    if m["kind"] in ("lenet-300-100", "lenet5-caffe") and d["dataset"] not in IMAGE_TOTALS:
        say("model.kind", f"{m['kind']} takes 28x28 images: choose data.dataset mnist or fashion-mnist, or use an mlp")
    if m["kind"] in CIFAR_MODELS and d["dataset"] not in CIFAR:
        say("model.kind", f"{m['kind']} takes 32x32 colour images: choose data.dataset cifar10 or cifar100")
    if ens["mode"] == "none" and ens["members"] > 1:
        say("ensemble.members", f"{ens['members']} members need an ensemble mode")
    if ens["mode"] == "dst" and dst["method"] == "dense":
        say("dst.method", "a DST ensemble trains sparse members: choose static, set or rigl, or ensemble.mode dense")
    if ens["mode"] == "dense" and (dst["method"] != "dense" or s["target"] != 0):
        say("dst.method", "a dense ensemble trains dense members: set dst.method to dense and sparsity.target to 0")
    if ens["mode"] != "none" and ens["members"] < 2:
        say("ensemble.members", f"a {ens['mode']} ensemble needs at least 2 members")
    if ens["mode"] != "dense" and dst["method"] == "dense" and s["target"] > 0:
        say("sparsity.target", "dst.method dense trains every weight: set sparsity.target to 0, or choose a sparse method")
    if ens["mode"] != "dense" and dst["method"] != "dense" and s["target"] == 0:
        say("dst.method", f"{dst['method']} needs a sparse network: raise sparsity.target above 0, or set dst.method to dense")
    out += edst_errors(config)
    o = tr["optimizer"]
    if dst["method"] == "snfs" and ((o["kind"] == "sgd" and o["momentum"] == 0) or (o["kind"] == "adam" and o["beta1"] == 0)):
        say("training.optimizer.momentum" if o["kind"] == "sgd" else "training.optimizer.beta1", "snfs regrows where |momentum| is largest: it must be above 0")
    if o["kind"] == "sgd" and o["nesterov"] and o["momentum"] == 0:
        say("training.optimizer.nesterov", "Nesterov needs training.optimizer.momentum above 0")
    if d["dataset"] in IMAGE_TOTALS or d["dataset"] in CIFAR:
        rest = CIFAR_TRAIN - d["validationSize"] if d["dataset"] in CIFAR else IMAGE_TOTALS[d["dataset"]] - d["validationSize"] - d["testSize"]
        train = rest if d["trainLimit"] == 0 else min(rest, d["trainLimit"])
        if rest < 1:
            say("data.validationSize", "the held-out images leave none for training")
        elif d["trainLimit"] > rest:
            say("data.trainLimit", f"only {rest} images remain for training after validationSize and testSize")
        elif tr["batchSize"] > train:
            say("training.batchSize", f"{tr['batchSize']} is larger than the {train} training examples")
        else:
            steps = train // tr["batchSize"] * tr["epochs"]
            sch = tr["schedule"]
            if sch["kind"] == "cosine" and sch["warmupSteps"] >= steps:
                say("training.schedule.warmupSteps", f"must be below the {steps} steps of the run")
    if tr["schedule"]["kind"] == "cosine" and tr["schedule"]["minLr"] > o["lr"]:
        say("training.schedule.minLr", f"must not exceed training.optimizer.lr ({o['lr']})")

    # distributed: the global batch is split evenly over the processes
    if world_size > 1 and tr["batchSize"] % world_size != 0:
        say("training.batchSize", f"{tr['batchSize']} does not split evenly over {world_size} processes: use a multiple of {world_size}")
    return out


def edst_errors(config: dict) -> list[ConfigError]:
    """src/config/rules.ts `edst`: the shape of an EDST run (edst.py)."""
    e, d, tr = config["ensemble"], config["data"], config["training"]
    if e["mode"] != "edst":
        return []
    out: list[ConfigError] = []
    say = lambda path, message: out.append(ConfigError(path, message))  # noqa: E731
    if config["dst"]["method"] not in ("set", "rigl", "snfs"):
        say("dst.method", "EDST explores by pruning and regrowing: choose set, rigl or snfs")
    if tr["schedule"]["kind"] != "constant":
        say("training.schedule.kind", "EDST sets its own learning rates (lr while exploring; lr/10 then lr/100 in each refinement): use constant")
    if d["validationSize"] == 0:
        say("ensemble.mode", "EDST picks each member as the best validation checkpoint of its phase: hold out a validation split")
    rest = tr["epochs"] - e["explorationEpochs"]
    refine = e["refineEpochs"] if e.get("refineEpochs") is not None else rest / e["members"]
    if rest <= 0:
        say("ensemble.explorationEpochs", f"must be below training.epochs ({tr['epochs']}) to leave room for the refinement phases")
    elif e["explorationEpochs"] + e["members"] * refine != tr["epochs"] or refine != int(refine):
        say("ensemble.refineEpochs", f"exploration and {e['members']} equal refinement phases must fill training.epochs ({tr['epochs']}) exactly")
    elif refine < 2:
        say("ensemble.members", f"each refinement phase needs at least 2 epochs (lr/10, then lr/100); {e['members']} members get {int(refine)}")
    return out
