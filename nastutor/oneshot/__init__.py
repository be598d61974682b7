"""Weight sharing: one supernet for every cell, single-path training, DARTS, and how far to trust them.

Taught in lesson 09. One idea per module:

- `supernet`: the network that holds every cell of `CellSpace` (`Supernet`, `MixedEdge`);
- `single_path`: training it one random cell per batch (`train_single_path`, SPOS);
- `estimate`: a cell's accuracy read off the shared weights (`shared_accuracy`, `estimate_all`)
  and its agreement with the ground truth (`rank_agreement`);
- `darts`: the continuous relaxation and first-order DARTS (`train_darts`, `derive`);
- `few_shot`: the remedy for single-path training, sub-supernets split on one edge (`train_few_shot`);
- `evaluator`: `OneShotEvaluator`, so any strategy searches on supernet estimates via `run_search`.

    >>> from nastutor.spaces import CellSpace
    >>> from nastutor.data import load_dataset
    >>> from nastutor.training import TrainConfig
    >>> data = load_dataset("mnist1d")
    >>> run = train_single_path(CellSpace(), data, TrainConfig(epochs=2), seed=0, progress=False)
    >>> estimates = estimate_all(run.supernet, CellSpace().unique[:20], data, progress=False)
    >>> len(estimates), bool(estimates.between(0, 1).all())
    (20, True)
"""
from __future__ import annotations

from .supernet import EDGES, OPS, MixedEdge, SuperCell, Supernet
from .single_path import SAMPLINGS, SupernetRun, sample_cell, train_single_path
from .estimate import SPLITS, estimate_all, rank_agreement, recalibrate_bn, shared_accuracy
from .darts import ALPHA_LR, DartsRun, derive, train_darts
from .few_shot import FewShotRun, train_few_shot
from .evaluator import OneShotEvaluator

__all__ = ["EDGES", "OPS", "MixedEdge", "SuperCell", "Supernet",
           "SAMPLINGS", "SupernetRun", "sample_cell", "train_single_path",
           "SPLITS", "estimate_all", "rank_agreement", "recalibrate_bn", "shared_accuracy",
           "ALPHA_LR", "DartsRun", "derive", "train_darts", "FewShotRun", "train_few_shot", "OneShotEvaluator"]
