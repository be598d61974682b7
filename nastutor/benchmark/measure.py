"""What an architecture costs to run: multiply-accumulates and CPU latency of one forward pass.

Taught in the lesson on hardware-aware NAS; a benchmark records both for every architecture.

    >>> import torch.nn as nn
    >>> count_macs(nn.Sequential(nn.Linear(40, 16), nn.ReLU(), nn.Linear(16, 10)), 40)
    800
"""
from __future__ import annotations

import torch
import torch.nn as nn

from ..hardware import measure_latency as _timed

__all__ = ["count_macs", "measure_latency"]


def count_macs(model: nn.Module, num_features: int) -> int:
    """Multiply-accumulates of one forward pass of one input, counted over the convolutions
    and linear layers (the rest is negligible). Taught in the lesson on hardware-aware NAS."""
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv1d):
            total += output.numel() * module.in_channels // module.groups * module.kernel_size[0]
        elif isinstance(module, nn.Linear):
            total += output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Linear))]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, num_features))
    model.train(was_training)
    for h in handles:
        h.remove()
    return int(total)


def measure_latency(model: nn.Module, num_features: int, batch: int = 256, repeats: int = 15,
                    warmup: int = 3) -> float:
    """Median milliseconds of one forward pass of a batch of `batch` inputs, on one CPU thread,
    after `warmup` untimed passes: `nastutor.hardware.measure_latency` with the benchmark's
    defaults, so that the benchmark and the learner time networks with the same loop.
    Taught in lesson 11."""
    return _timed(model, num_features, batch=batch, warmup=warmup, repeats=repeats, threads=1)
