"""Weight sharing on cell-mnist1d, measured against the benchmark's ground truth (issue 15, lesson 09).

    python benchmarks/weight_sharing.py [--fast] [--seeds 0 1 2] [--log results.jsonl]

For every seed it trains, on this CPU (one thread, as the benchmark was built):

- `spos`: a single-path supernet (one uniformly drawn cell per batch), then reads every distinct cell's
  validation accuracy off it, with the path's batch-norm statistics recomputed (`recal`) and without
  (`no-recal`): Kendall tau and Spearman rho against the benchmark's mean final validation accuracy,
  the top-k overlap, and the true rank and regret of the supernet's favourite cell;
- `spos-distinct` (a remedy for single-path training: fair sampling): the same, each batch's cell drawn
  uniformly among the 941 distinct cells instead of each edge uniformly (which over-samples the many raw
  cells with dead edges, all the same few functions);
- `few-shot` (another remedy): the same number of epochs, half of them in a shared parent and the rest
  split among 4 sub-supernets, one per operation of edge 3<-0;
- `darts`: first-order DARTS; its derived cell's true mean validation/test accuracy and rank among
  the 941 distinct cells, after every epoch;
- `darts-es` (the remedy for DARTS): the cell of the same run at its early-stopping epoch, the first
  epoch after which the derived cell has stayed the same for `--patience` epochs (DARTS+'s stability
  criterion), or the last.

Seconds are wall seconds and CPU seconds (this machine may be shared; CPU seconds are the steadier).
The cost ratio divides the benchmark's recorded seconds for training every distinct cell once by the
supernet's training seconds. Every finished (part, seed) is appended to `--log` and skipped when the
same command runs again, so an interrupted run resumes. `--fast` is the lesson's fast mode
(NASTUTOR_FAST=1): fewer epochs and a sample of the cells.
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from nastutor.benchmark import Benchmark
from nastutor.data import load_dataset
from nastutor.oneshot import estimate_all, rank_agreement, train_darts, train_single_path
from nastutor.oneshot.few_shot import train_few_shot
from nastutor.spaces.cell import OPS

#: The settings of the lesson's default mode and of its fast mode.
SETTINGS = {
    "default": {"spos_epochs": 96, "darts_epochs": 24, "cells": None, "bn_samples": 256, "alpha_lr": 0.03},
    "fast": {"spos_epochs": 12, "darts_epochs": 6, "cells": 150, "bn_samples": 256, "alpha_lr": 0.03},
}
TOP = (10, 50, 100)
#: The settings each job depends on (a result is reused while these stay the same).
USES = {"spos": ("spos_epochs", "cells", "bn_samples"), "spos-distinct": ("spos_epochs", "cells", "bn_samples"),
        "few-shot": ("spos_epochs", "cells", "bn_samples"), "darts": ("darts_epochs", "alpha_lr", "patience")}
PARTS = ["spos", "spos no-recal", "spos-distinct", "few-shot", "darts", "darts-es"]


class Clock:
    """Wall and CPU seconds since it started."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> dict[str, float]:
        return {"wall_s": time.perf_counter() - self.wall, "cpu_s": time.process_time() - self.cpu}


def cells_of(bench: Benchmark, n: int | None) -> list:
    """All distinct cells, or `n` of them drawn with a fixed seed (fast mode)."""
    if n is None or n >= len(bench.archs):
        return list(bench.archs)
    pick = np.sort(np.random.default_rng(0).choice(len(bench.archs), size=n, replace=False))
    return [bench.archs[i] for i in pick]


def ranks(truth: np.ndarray) -> np.ndarray:
    """1 + the number of cells strictly better, for every cell."""
    return np.array([1 + int((truth > t).sum()) for t in truth])


def judge_estimates(estimate, bench: Benchmark, cells: list) -> dict:
    """Agreement of supernet estimates with the truth, and where the supernet's favourite lands."""
    truth = bench.truth().loc[estimate.index]
    agreement = rank_agreement(estimate, truth, top=[k for k in TOP if k <= len(cells)])
    full = bench.truth().to_numpy()
    favourite = bench.space.parse(estimate.idxmax())
    row = bench.index(favourite)
    return {**agreement, "favourite": estimate.idxmax(), "favourite_rank": int(ranks(full)[row]),
            "favourite_regret": float(full.max() - full[row])}


def judge_cell(cell, bench: Benchmark) -> dict:
    """A derived cell's canonical form, true mean final validation / test accuracy and rank."""
    row = bench.index(cell)
    full = bench.truth().to_numpy()
    canonical = bench.space.canonical(cell)
    return {"cell": bench.space.to_string(canonical), "val": float(full[row]),
            "test": float(bench.truth("test_accuracy").to_numpy()[row]), "rank": int(ranks(full)[row]),
            "regret": float(full.max() - full[row]), "parameter_free": sum(op in ("skip", "avgpool3") for op in canonical),
            "conv3": sum(op == "conv3" for op in canonical)}


def stable_epoch(cells: tuple, patience: int) -> int:
    """The first epoch t >= 1 after which the derived cell stayed the same for `patience` epochs
    (the cells of epochs t, ..., t + patience are equal); the last epoch if none."""
    last = len(cells) - 1
    for t in range(1, last - patience + 1):
        if all(cells[t + k] == cells[t] for k in range(1, patience + 1)):
            return t + patience   # it is known to be stable only then
    return last


def run_seed(part: str, seed: int, s: dict, bench: Benchmark, data, patience: int) -> list[dict]:
    space, cells = bench.space, cells_of(bench, s["cells"])
    options = {"bn_samples": s["bn_samples"], "progress": False}
    out = []
    if part in ("spos", "spos-distinct"):
        clock = Clock()
        run = train_single_path(space, data, replace(space.default_config(), epochs=s["spos_epochs"]), seed=seed,
                                sampling="uniform" if part == "spos" else "distinct", progress=False)
        trained = clock.read()
        for recal in ((True, False) if part == "spos" else (True,)):
            clock = Clock()
            estimate = estimate_all(run.supernet, cells, data, recalibrate=recal, **options)
            out.append({"part": part if recal else "spos no-recal", "train": trained,
                        "estimate": clock.read(), **judge_estimates(estimate, bench, cells)})
    elif part == "few-shot":
        clock = Clock()
        run = train_few_shot(space, data, replace(space.default_config(), epochs=s["spos_epochs"]), seed=seed,
                             progress=False)
        trained = clock.read()
        clock = Clock()
        estimate = run.estimate_all(cells, data, **options)
        out.append({"part": "few-shot", "train": trained, "estimate": clock.read(),
                    **judge_estimates(estimate, bench, cells)})
    elif part == "darts":
        clock = Clock()
        run = train_darts(space, data, replace(space.default_config(), epochs=s["darts_epochs"]), seed=seed,
                          alpha_lr=s["alpha_lr"], progress=False)
        trained = clock.read()
        trajectory = [judge_cell(c, bench)["rank"] for c in run.cells]
        stop = stable_epoch(run.cells, patience)
        weights = run.weights()
        out.append({"part": "darts", "train": trained, "epoch": len(run.cells) - 1, **judge_cell(run.cell, bench),
                    "rank_by_epoch": trajectory,
                    "final_weight": {op: float(weights[:, k].mean()) for k, op in enumerate(OPS)}})
        out.append({"part": "darts-es", "train": trained, "epoch": stop, **judge_cell(run.cells[stop], bench)})
    return out


def spread(values: list[float]) -> str:
    v = np.asarray(values, dtype=float)
    return f"{v.mean():.3f} ± {v.std(ddof=1) if len(v) > 1 else 0.0:.3f} [{v.min():.3f}, {v.max():.3f}]"


def report(rows: list[dict], bench: Benchmark, mode: str, s: dict) -> None:
    every_cell = float(bench.cumulative_seconds[:, :, -1].mean(axis=1).sum())
    print(f"\nmode {mode}: {s}; cells scored: {len(cells_of(bench, s['cells']))} of {len(bench.archs)}")
    print(f"benchmark: training every distinct cell once took {every_cell:.0f} recorded seconds "
          f"(all {len(bench.seeds)} seeds: {float(bench.cumulative_seconds[:, :, -1].sum()):.0f})")
    print("(mean ± std [min, max] over seeds)")
    parts = sorted({r["part"] for r in rows}, key=PARTS.index)
    for part in parts:
        mine = [r for r in rows if r["part"] == part]
        seeds = [r["seed"] for r in mine]
        print(f"\n== {part} (seeds {seeds})")
        print(f"  train wall s {spread([r['train']['wall_s'] for r in mine])}   "
              f"cpu s {spread([r['train']['cpu_s'] for r in mine])}")
        print(f"  cost ratio (every cell's recorded seconds / supernet cpu s) "
              f"{spread([every_cell / r['train']['cpu_s'] for r in mine])}")
        if "kendall" in mine[0]:
            print(f"  estimate all: wall s {spread([r['estimate']['wall_s'] for r in mine])}   "
                  f"cpu s {spread([r['estimate']['cpu_s'] for r in mine])}")
            for key in ["kendall", "spearman", *[f"top{k}" for k in TOP if f"top{k}" in mine[0]],
                        "favourite_rank", "favourite_regret"]:
                print(f"  {key:16} {spread([r[key] for r in mine])}")
        else:
            for key in ["epoch", "val", "test", "rank", "regret", "parameter_free", "conv3"]:
                print(f"  {key:16} {spread([r[key] for r in mine])}")
            for r in mine:
                extra = f"   rank by epoch {r['rank_by_epoch']}" if "rank_by_epoch" in r else ""
                print(f"  seed {r['seed']}: epoch {r['epoch']} {r['cell']} val {r['val']:.4f} rank {r['rank']}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="the lesson's fast mode: fewer epochs and cells")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--parts", nargs="+", default=list(USES), choices=list(USES))
    parser.add_argument("--spos-epochs", type=int, help="override the mode's supernet epochs")
    parser.add_argument("--darts-epochs", type=int, help="override the mode's DARTS epochs")
    parser.add_argument("--alpha-lr", type=float, help="override DARTS' alpha learning rate")
    parser.add_argument("--patience", type=int, default=4, help="epochs of an unchanged cell that stop DARTS early")
    parser.add_argument("--log", type=Path, default=Path("/tmp/weight_sharing/results.jsonl"))
    args = parser.parse_args()
    mode = "fast" if args.fast else "default"
    s = dict(SETTINGS[mode])
    for key in ("spos_epochs", "darts_epochs", "alpha_lr"):
        if getattr(args, key) is not None:
            s[key] = getattr(args, key)
    bench, data = Benchmark.load("cell-mnist1d"), load_dataset("mnist1d")
    args.log.parent.mkdir(parents=True, exist_ok=True)
    s["patience"] = args.patience

    def key(job: str) -> str:
        return json.dumps({name: s[name] for name in USES[job]}, sort_keys=True)

    rows = [json.loads(line) for line in args.log.read_text().splitlines()] if args.log.exists() else []
    rows = [r for r in rows if r["job"] in USES and r["settings"] == key(r["job"])]
    done = {(r["job"], r["seed"]) for r in rows}
    for part in args.parts:
        for seed in args.seeds:
            if (part, seed) in done:
                continue
            start = time.perf_counter()
            for row in run_seed(part, seed, s, bench, data, args.patience):
                row.update(job=part, seed=seed, settings=key(part))
                rows.append(row)
                with args.log.open("a") as f:
                    f.write(json.dumps(row) + "\n")
            print(f"{part} seed {seed}: {time.perf_counter() - start:.0f} s", flush=True)
    report([r for r in rows if r["job"] in args.parts and r["seed"] in args.seeds], bench, mode, s)


if __name__ == "__main__":
    main()
