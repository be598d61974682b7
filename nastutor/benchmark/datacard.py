"""Data cards: a Markdown page beside each shipped benchmark, computed from the table itself.

Taught in lesson 03. Regenerate with `python -m nastutor benchmark card --space cell --dataset mnist1d`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..checks import check_path
from ..data import DATASETS as DATASETS_TEXT, PROCEDURES, data_dir, load_dataset
from ..files import atomic_write
from ..manifest import read_manifest
from .names import rebuild_command
from .table import Benchmark

__all__ = ["write_card", "card_text"]


def _histogram(values: np.ndarray, bins: int = 10, width: int = 40) -> str:
    counts, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    lines = []
    for count, lo, hi in zip(counts, edges[:-1], edges[1:]):
        bar = "#" * int(round(width * count / max(counts.max(), 1)))
        lines.append(f"{lo:4.1f}-{hi:4.1f} | {bar} {count}")
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Escape a table cell's pipes (cell architectures are written with them)."""
    return text.replace("|", "\\|")


def _pilot(name: str, folder: Path) -> str:
    """The pilot that chose this benchmark's task, when one was run: `<name>.pilot.md` beside it,
    written by benchmarks/second_task_pilot.py."""
    path = folder / f"{name}.pilot.md"
    return f"\n### Why this task: the pilot\n{path.read_text().strip()}\n" if path.exists() else ""


def _latency_how(meta: dict) -> str:
    lat = meta.get("latency")
    if lat is None:
        return "batch of 256, one thread, median of 15, measured during the build"
    return (f"batch of 256 and batch 1, one thread, {lat['warmup']} warm-up runs, then the median of "
            f"{lat['repeats']}, in a separate quiet pass repeated twice")


def _latency_section(meta: dict, final) -> str:
    """How the latencies were measured (`nastutor.benchmark.latency`), and how repeatable they are."""
    lat = meta.get("latency")
    if lat is None:
        return ("\nLatency was measured once per architecture during the build, beside other training "
                "workers; `python -m nastutor benchmark latency NAME` measures it again, quietly.\n")
    rho, diff = lat["spearman_between_passes"], lat["median_relative_difference_between_passes"]
    return f"""
## Latency
Measured by `python -m nastutor benchmark latency {meta['name']}` in one process with nothing else
running: every architecture at batch 256 (`latency_ms`) and batch 1 (`latency1_ms`), on {lat['threads']}
thread, {lat['warmup']} warm-up runs then the median of {lat['repeats']} timed runs; the whole pass done
twice (the second in reverse order) and the two medians averaged.
- CPU: {lat['cpu']}; {lat['platform']}; PyTorch {lat['torch']}; {lat['seconds'] / 60:.1f} minutes.
- Repeatability, Spearman correlation between the two passes: {rho['latency_ms']:.3f} at batch 256,
  {rho['latency1_ms']:.3f} at batch 1; median relative difference {100 * diff['latency_ms']:.1f}% and
  {100 * diff['latency1_ms']:.1f}%.
- Batch 1 latency from {final['latency1_ms'].min():.3f} to {final['latency1_ms'].max():.3f} ms.
"""


def card_text(name: str, folder: Path | None = None) -> str:
    """The data card of benchmark `name`, as Markdown. Taught in lesson 03."""
    folder = check_path(folder, "folder", directory=True) if folder is not None else data_dir()
    bench = Benchmark.load(name, folder)
    meta, data = bench.meta, load_dataset(bench.dataset)
    manifest = read_manifest(folder)
    final = bench.final_frame().sort_values("val_accuracy", ascending=False)
    best_val, best_test = final.iloc[0], final.sort_values("test_accuracy").iloc[-1]
    median, worst = final["test_accuracy"].median(), final.sort_values("test_accuracy").iloc[0]
    t, space = meta["training"], bench.space
    protocol = (f"{t['optimizer'].capitalize()} (peak learning rate {t['lr']}, weight decay "
                f"{t['weight_decay']}), {t['schedule']} schedule, {t['epochs']} epochs, batch size "
                f"{t['batch_size']}, {t['threads']} CPU thread per run")
    spread = float(np.mean(final["test_std"]))
    chance = int((final["test_accuracy"] < 0.15).sum())
    chance_why = (": " + ("its cell cuts" if chance == 1 else "their cells cut") + " the input off from the output"
                  if chance else "")
    splits = f"{len(data.y_train)} train / {len(data.y_val)} validation / {len(data.y_test)} test"
    return f"""# Data card: `{name}`

Every distinct architecture of `{space!r}` ({len(bench)} of its {space.size} architectures:
ones that compute the same function share a row, found with `space.canonical`), trained on `{bench.dataset}` for each of the seeds {', '.join(map(str, bench.seeds))} by nastutor's own
training code (`nastutor.training.train`), and scored after every epoch.

## Task
{DATASETS_TEXT.get(bench.dataset, '')} How it is made: {PROCEDURES.get(bench.dataset, 'see nastutor.data.')}
{_pilot(name, folder)}
## Protocol
- Space: `{space!r}`; dataset `{bench.dataset}` ({splits}).
- Training: {protocol}.
- Recorded per architecture, seed and epoch: training loss, validation accuracy, test accuracy,
  seconds of that epoch. Per architecture: parameters, multiply-accumulates of one input (MACs,
  convolutions and linear layers), CPU inference latency ({_latency_how(meta)}).
- Search on `val_accuracy`; report `test_accuracy`.

## Summary (final epoch, mean over seeds)
| | architecture | validation | test |
|---|---|---|---|
| best on validation | `{_cell(best_val['arch'])}` | {best_val['val_accuracy']:.4f} | {best_val['test_accuracy']:.4f} |
| best on test | `{_cell(best_test['arch'])}` | {best_test['val_accuracy']:.4f} | {best_test['test_accuracy']:.4f} |
| median test accuracy | | | {median:.4f} |
| worst on test | `{_cell(worst['arch'])}` | {worst['val_accuracy']:.4f} | {worst['test_accuracy']:.4f} |

Test accuracy spans {worst['test_accuracy']:.4f} to {best_test['test_accuracy']:.4f}; {chance} {'architecture scores' if chance == 1 else 'architectures score'}
near chance (test accuracy below 0.15){chance_why}.
Mean standard deviation of test accuracy across seeds: {spread:.4f}. Failed (diverged) runs:
{meta['failed_runs']}. Parameters range from {final['params'].min():,} to {final['params'].max():,};
latency from {final['latency_ms'].min():.2f} to {final['latency_ms'].max():.2f} ms.
{_latency_section(meta, final)}

Histogram of final test accuracy (architectures per bin):

```
{_histogram(final['test_accuracy'].to_numpy())}
```

## Provenance
- Runs: {meta['rows']} (architecture, seed) pairs; total CPU time {meta['cpu_seconds'] / 3600:.2f} h
  ({meta['cpu_seconds']:.0f} s, training and measuring, summed over workers).
- Machine: {meta['machine']['processor']}, {meta['machine']['cpu_count']} cores, {meta['machine']['platform']}.
- Versions: Python {meta['versions']['python']}, PyTorch {meta['versions']['torch']},
  NumPy {meta['versions']['numpy']}, pandas {meta['versions']['pandas']}.
- Files: `{name}.csv.gz` (sha256 `{manifest.get(name + '.csv.gz', '?')}`) and
  `{name}.json` (sha256 `{manifest.get(name + '.json', '?')}`); both checked on load.
- Rebuild: `{rebuild_command(meta, folder)}` (resumable; kill it and run it again to continue).
"""


def write_card(name: str, folder: Path | None = None) -> Path:
    """Write `<name>.md` beside the benchmark."""
    folder = check_path(folder, "folder", directory=True) if folder is not None else data_dir()
    path = folder / f"{name}.md"
    atomic_write(path, card_text(name, folder))
    return path
