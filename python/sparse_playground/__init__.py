"""Sparse Training Playground on PyTorch: the playground's experiment configs, trained with
DistributedDataParallel (docs/SCALE-OUT.md).

    from sparse_playground import load_config, train
    result = train(load_config("experiments/mnist-lenet300-rigl-90.json"), data_dir="public/data")
"""

from .config import ConfigError, ConfigInvalid, load_config, parse_config, set_field
from .export import load_model
from .train import RunResult, continue_browser_run, train

__version__ = "0.1.0"
__all__ = ["ConfigError", "ConfigInvalid", "RunResult", "load_config", "parse_config", "set_field", "train", "continue_browser_run", "load_model"]
