"""The command line: `python -m nastutor search ...` runs a real search; `python -m nastutor
data build` regenerates the shipped MNIST-1D file. Run with `--help` for every flag.

    python -m nastutor search --space mlp --dataset mnist1d --strategy random --budget 10 --seed 0
    python -m nastutor search --strategy evolution --param population_size=20 --param aging=false
    python -m nastutor search --strategy evolution --budget 200 --scheduler tcp://HOST:8786 --async

The strategies and their parameters come from the strategy registry (`nastutor.strategies.REGISTRY`).

Errors are one line, `nastutor: error: ...`, with exit code 2 for bad input and 1 for a file
problem; set NASTUTOR_DEBUG=1 to see the traceback instead.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import BrokenExecutor
from typing import Sequence

from .data import DATASETS, build_mnist1d, data_dir
from .evaluators import LiveEvaluator
from .executors import dask_executor
from .search import History, make_executor, run_search, usable_cores
from .spaces import SPACES, get_space
from .strategies import REGISTRY, get_strategy
from .strategies.registry import parse_value


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: what is wrong and what is allowed."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


class _Formatter(argparse.HelpFormatter):
    """Wraps prose; keeps text that has its own line breaks (the list of strategies) as it is."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _strategies_help() -> str:
    """Every registered strategy, with its parameters: name, what it is, default and range."""
    lines = ["strategies (--strategy) and their parameters (--param NAME=VALUE):"]
    for name, entry in REGISTRY.items():
        lines.append(f"  {name:<11} {entry.label}" + (f" (lesson {entry.lesson})" if entry.lesson else ""))
        for p in entry.params:
            if p.choices is not None or p.kind is bool:
                options = "|".join(map(str, p.choices)) if p.choices is not None else "true|false"
                shown = f"{options}, default {str(p.default).lower()}"
            else:
                shown = f"default {p.default}" + (f" (typical: {p.low:g} to {p.high:g})" if p.low is not None else "")
            lines.append(f"      {p.name:<18} {p.label}: {shown}")
    return "\n".join(lines) + "\n"


def _positive(kind: type, label: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0:
            raise argparse.ArgumentTypeError(f"must be a positive {label}, got {text!r}")
        return value
    parse.__name__ = f"positive {label}"
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nastutor", description="Neural Architecture Search, for real, on a laptop CPU.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{search,benchmark,data}")

    search = commands.add_parser(
        "search", help="run a search that trains every candidate for real", formatter_class=_Formatter,
        description="Run a search: ask a strategy for architectures, train each for real on the "
                    "dataset, score it on validation data, report the best one's test accuracy.",
        epilog=_strategies_help())
    search.add_argument("--space", choices=sorted(SPACES), default="mlp",
                        help="search space: mlp (1-3 hidden layers, 819 architectures) or cell "
                             "(NAS-Bench-201-style cell, 4096 cells) (default: mlp)")
    search.add_argument("--dataset", choices=list(DATASETS), default="mnist1d",
                        help="dataset to train on (default: mnist1d)")
    search.add_argument("--strategy", choices=list(REGISTRY), default="random",
                        help="search strategy, listed below (default: random)")
    search.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="set a parameter of the strategy, listed below, e.g. --param population_size=20 "
                             "(repeat for several; the others keep their defaults)")
    search.add_argument("--budget", type=_positive(int, "integer"), default=None,
                        help="number of architectures to evaluate (default: 10 unless --seconds is given)")
    search.add_argument("--seconds", type=_positive(float, "number"), default=None,
                        help="stop once the training time spent reaches this many seconds")
    search.add_argument("--seed", type=int, default=0, help="seed of the search and its trainings (default: 0)")
    search.add_argument("--epochs", type=_positive(int, "integer"), default=None,
                        help="training epochs per candidate, a lower fidelity than the space's "
                             "protocol (default: the full protocol, 50 for mlp, 12 for cell)")
    search.add_argument("--workers", type=_positive(int, "integer"), default=1,
                        help=f"candidates trained in parallel, one process each: at most {usable_cores()}, "
                             "the CPU cores of this machine (default: 1)")
    search.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="train on a Dask cluster: the address `dask scheduler` prints (each worker "
                             "needs nastutor and the data); instead of --workers (default: no Dask)")
    search.add_argument("--async", dest="asynchronous", action="store_true",
                        help="with --workers or --scheduler: tell the strategy each result as it finishes "
                             "and ask for the next at once (default: tell in the order asked, reproducibly)")
    search.add_argument("--log", default=None, metavar="FILE",
                        help="append every evaluation to this JSON-lines file; rerun with the same "
                             "file to resume an interrupted search")
    search.add_argument("--json", action="store_true",
                        help="print one JSON object per evaluation, then a summary object")
    search.add_argument("--progress", action="store_true", help="show a progress bar on stderr")

    bench = commands.add_parser(
        "benchmark", help="build a tabular benchmark, rewrite its data card, or measure its latency",
        description="build: train every distinct architecture of a space for every seed "
                    "(resumable: kill it and run it again to continue). card: rewrite the data card. "
                    "latency NAME: measure every architecture's latency again, in one quiet process "
                    "(batch 256 and 1, one thread, median of 30, two passes), and rewrite the table.")
    bench.add_argument("action", choices=["build", "card", "latency"],
                       help="build the table, rewrite its card, or measure its latencies again (quietly)")
    bench.add_argument("name", nargs="?", default=None,
                       help="latency: the benchmark's name, e.g. cell-mnist1d (build and card take --space, --dataset)")
    bench.add_argument("--space", choices=sorted(SPACES), default="cell", help="search space (default: cell)")
    bench.add_argument("--dataset", choices=list(DATASETS), default="mnist1d", help="dataset (default: mnist1d)")
    bench.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                       help="training seeds (default: 0 1 2; other seeds build under another name)")
    bench.add_argument("--workers", type=_positive(int, "integer"), default=1,
                       help="training processes, one per core (default: 1)")
    bench.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                       help="build: train on a Dask cluster (the address `dask scheduler` prints) instead "
                            "of --workers local processes (default: no Dask)")
    bench.add_argument("--limit", type=_positive(int, "integer"), default=None,
                       help="stop after this many new runs (the build resumes later)")
    bench.add_argument("--folder", default=None, metavar="DIR",
                       help="where the benchmark's files go (default: the shipped data folder)")

    data = commands.add_parser("data", help="manage the shipped datasets",
                               description="Regenerate data/mnist1d.npz from the mnist1d package.")
    data.add_argument("action", choices=["build"], help="build: regenerate MNIST-1D and its checksum")
    return parser


def _json_line(step: int, history: History) -> str:
    e = history.evaluations[step]
    return json.dumps({"step": step, "arch": history.space.to_string(e.arch),
                       "val_accuracy": e.val_accuracy, "test_accuracy": e.test_accuracy,
                       "seconds": round(e.cost, 4), "epochs": e.epochs, "seed": e.seed,
                       "params": e.params, "failed": e.failed})


def _strategy_params(name: str, given: list[str]) -> dict[str, object]:
    """The `--param NAME=VALUE` texts as the strategy's parameters, each checked against its spec."""
    params: dict[str, object] = {}
    for text in given:
        key, sep, value = text.partition("=")
        if not sep or not key:
            raise ValueError(f"--param must be NAME=VALUE, e.g. population_size=20, got {text!r}")
        if key in params:
            raise ValueError(f"--param {key} is given twice")
        params[key] = parse_value(REGISTRY[name].param(key), value)
    return params


def _search(args: argparse.Namespace) -> int:
    space = get_space(args.space)
    evaluator = LiveEvaluator(space, args.dataset)
    strategy = get_strategy(args.strategy, **_strategy_params(args.strategy, args.param))
    budget = args.budget if args.budget is not None or args.seconds is not None else 10
    on_step = (lambda h: print(_json_line(len(h) - 1, h), flush=True)) if args.json else None
    executor = _executor(args.workers, args.scheduler)
    try:
        history = run_search(strategy, evaluator, budget, seconds=args.seconds, seed=args.seed,
                             epochs=args.epochs, executor=executor, asynchronous=args.asynchronous,
                             log=args.log, progress=args.progress, callback=on_step)
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    if not len(history):
        print("nastutor: the search stopped before any evaluation finished", file=sys.stderr)
        return 130 if history.interrupted else 1
    best = history.best
    if args.json:
        print(json.dumps({"summary": True, "evaluations": len(history),
                          "best_arch": space.to_string(best.arch),
                          "best_val_accuracy": best.val_accuracy, "best_test_accuracy": best.test_accuracy,
                          "total_seconds": round(history.total_cost, 4), "interrupted": history.interrupted}))
    else:
        frame = history.to_frame()[["step", "arch", "val_accuracy", "test_accuracy", "params", "cost"]]
        print(frame.rename(columns={"cost": "seconds"}).to_string(index=False, float_format="%.3f"))
        print(f"\nBest architecture (chosen on validation): {space.to_string(best.arch)}")
        print(f"  validation accuracy {best.val_accuracy:.3f}, test accuracy {best.test_accuracy:.3f}, "
              f"{best.params} parameters")
        print(f"{len(history)} evaluations, {history.total_cost:.1f} s of training"
              + (" (interrupted: these are the evaluations that finished)" if history.interrupted else ""))
    return 130 if history.interrupted else 0


def _executor(workers: int, scheduler: str | None):
    """Where candidates train: a Dask cluster (`--scheduler`), `workers` local processes, or here."""
    if scheduler is not None and workers > 1:
        raise ValueError("give --workers (local processes) or --scheduler (a Dask cluster), not both")
    if scheduler is not None:
        return dask_executor(scheduler)
    return make_executor(workers) if workers > 1 else None


def _benchmark(args: argparse.Namespace) -> int:
    import warnings

    from .benchmark import BuildInterrupted, BuildLocked, benchmark_name, build_benchmark, write_card

    try:
        if args.action == "latency":
            from .benchmark.latency import measure_benchmark_latency

            if args.name is None:
                raise ValueError("benchmark latency needs the benchmark's name, e.g. "
                                 "`python -m nastutor benchmark latency cell-mnist1d`")
            record = measure_benchmark_latency(args.name, args.folder)
            print(json.dumps(record, indent=1))
            return 0
        if args.action == "card":
            print(f"wrote {write_card(benchmark_name(args.space, args.dataset, args.seeds), args.folder)}")
            return 0
        with warnings.catch_warnings():  # a repair of the progress file: one line, not a traceback
            warnings.showwarning = lambda message, *rest, **kw: print(f"nastutor: warning: {message}",
                                                                      file=sys.stderr)
            if args.scheduler is not None and args.workers > 1:
                raise ValueError("give --workers (local processes) or --scheduler (a Dask cluster), not both")
            executor = dask_executor(args.scheduler) if args.scheduler is not None else None
            try:
                table = build_benchmark(args.space, args.dataset, args.seeds, workers=args.workers,
                                        folder=args.folder, limit=args.limit, executor=executor)
            finally:
                if executor is not None:
                    executor.shutdown(cancel_futures=True)
    except BuildInterrupted as stop:
        print(f"nastutor: interrupted: {stop}", file=sys.stderr)
        return 130
    except (BuildLocked, FileNotFoundError) as exc:
        print(f"nastutor: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {table} and its data card" if table else
          f"{benchmark_name(args.space, args.dataset, args.seeds)}: stopped with runs still to do; "
          "run the same command again to continue")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "search":
            return _search(args)
        if args.command == "benchmark":
            return _benchmark(args)
        path = build_mnist1d(data_dir())
        print(f"wrote {path}")
        return 0
    except KeyboardInterrupt:  # Ctrl-C outside a search (a search returns what it has)
        print("nastutor: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, BrokenExecutor, ImportError) as exc:  # one line, never a traceback
        if os.environ.get("NASTUTOR_DEBUG", "") not in ("", "0"):
            raise
        print(f"nastutor: error: {_one_line(exc)}", file=sys.stderr)
        return 2 if isinstance(exc, (ValueError, TypeError)) else 1


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line (its kind when it has none)."""
    if isinstance(exc, BrokenExecutor):
        return f"a worker process died ({exc}); run the same command again to retry"
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
