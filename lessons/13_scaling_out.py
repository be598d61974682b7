# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 13 · Scaling out
#
# Real NAS runs many candidates at once: Real et al. (2019) evolved their image classifiers on many
# machines, each worker training one candidate and asking for the next as soon as it was done. Buying N machines buys N times the **evaluations per second**. It does not buy
# N times faster **answers**, and this lesson measures why.
#
# **You will:**
# 1. see the two costs of parallel search: workers that **wait** for a slow one (you compute a
#    synchronous batch's **utilisation**), and a strategy that **learns from fewer results** per
#    wall-clock second;
# 2. simulate 1 to 256 workers, **synchronous** against **asynchronous**, for random search and
#    regularized evolution, and read their **speedup** curves (you compute a speedup);
# 3. find out what an asynchronous evolution knew when it asked for a candidate (you reconstruct it);
# 4. run the same search on a **Dask** cluster on this machine;
# 5. learn how to start a real cluster, and what changes there.

# %%
import importlib.util
import logging
from concurrent.futures import ThreadPoolExecutor

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

import nastutor as nt
from nastutor import plots
from nastutor.parallel import scaling, simulate, speedup
from nastutor.exercises.lesson13 import *
from nastutor.exercises.lesson13 import async_evolution_speedup, sync_utilisation

ev = nt.TabularEvaluator("cell-mnist1d")     # lookups in the cell benchmark, charged in simulated seconds
bench = ev.benchmark
FAST = nt.fast_mode()                         # the test suite runs this notebook with fewer seeds
# the protocol this lesson's text quotes
assert len(SEEDS) == 100 and WORKERS == (1, 2, 4, 8, 16, 32, 64, 128, 256) and TARGET == 0.5 / 100

# %% [markdown]
# ## 1. Why N workers are not N times faster
#
# A serial search asks the strategy for a candidate, trains it, tells the result, and asks again. With
# N workers there are two ways to keep them busy:
#
# - **synchronous**: ask N candidates, wait until all N are trained, tell the N results, repeat
#   (evolution in generations);
# - **asynchronous**: tell each result as soon as it finishes and ask a new candidate at once, for
#   the worker that just became free.
#
# A synchronous batch lasts as long as its slowest member, the **straggler**. Its **utilisation**, the
# share of the paid worker-seconds spent training, is
#
# $$
# U = \frac{\sum_{i=1}^{N} t_i}{N \cdot \max_i t_i}, \qquad
# S(N) = \frac{T_1}{T_N}.
# $$
#
# > **Math breakdown:**
# > - $t_i$: the training seconds of the batch's $i$-th candidate. The batch holds all N workers for
# >   $\max_i t_i$ seconds, $N \max_i t_i$ worker-seconds, of which $\sum_i t_i$ are spent training.
# > - $U = 1$ only if all $t_i$ are equal; an asynchronous search keeps $U$ close to $1$.
# > - $T_N$: the wall-clock seconds a search with N workers needs to find a good cell (here: within
# >   0.5 pp of the best one; the median over seeds). $S(N)$, the **speedup**, would be N if parallel
# >   search were free.
#
# How different are the training times on our benchmark?

# %%
seconds = bench.cumulative_seconds[:, :, -1].ravel()     # every cell and seed: its full training's seconds
print(f"{seconds.size} trainings: median {np.median(seconds):.2f} s, fastest {seconds.min():.2f} s, "
      f"slowest {seconds.max():.2f} s ({seconds.max() / seconds.min():.1f} times the fastest)")
plots.histogram(seconds, marks={"median": np.median(seconds)}, xlabel="seconds to train one cell",
                title="How long one evaluation takes on cell-mnist1d")

# %% [markdown]
# ### Try it yourself 1
#
# Write `batch_utilisation(times)`: the utilisation $U$ of one synchronous batch whose N evaluations
# take `times` seconds (a list, one per worker). The checker tries hand-made batches and the first
# batches of simulated searches, against the simulator's own measurement.

# %%
def batch_utilisation(times):
    ____  # your code here


q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# **Predict, then run (p1).** Random search on 8 synchronous workers, on this benchmark. What share of
# the workers' time goes to training: **(a)** above 90%, **(b)** between 50% and 90%, or **(c)** below 50%?

# %%
p1.check(____)   # your prediction: a, b or c
# p1.hint()

# %%
print(f"random search, 8 synchronous workers: mean utilisation {sync_utilisation(8):.0%} over {len(SEEDS)} seeds")

# %% [markdown]
# ## 2. A simulator of N workers
#
# Renting 256 machines to find out is expensive; a tabular benchmark records every training's
# seconds, so we can **simulate** them. `simulate(strategy, ev, workers, mode, budget, seed=...)` runs
# the real strategy; each evaluation occupies a simulated worker for its recorded seconds, and a
# queue of events says which worker finishes next. It returns the history, a `frame` with each
# evaluation's worker, start, finish and the moment it was told (`time`), the `utilisation`, and
# `seconds_to(0.005)`, the wall-clock seconds until the incumbent came within 0.5 pp.
#
# Below: one evolution on N workers in both modes, each bar one evaluation (coloured by the order it
# was asked, dark first); on the right, the regret of the incumbent against wall-clock time. Move N.

# %%
def draw_workers(ax, run, until):
    """One row per worker, one bar per evaluation (coloured by the order it was asked)."""
    frame = run.frame[run.frame["start"] < until]
    ax.barh(frame["worker"], frame["finish"] - frame["start"], left=frame["start"], height=0.8,
            color=plt.cm.viridis(frame["ask"] / max(1, run.frame["ask"].max())), edgecolor="white", lw=0.3)
    ax.set(xlim=(0, until), ylim=(-0.6, run.workers - 0.4), xlabel="wall-clock seconds", ylabel="worker",
           title=f"{run.mode}: utilisation {run.utilisation:.0%}")
    ax.set_yticks(range(0, run.workers, max(1, run.workers // 8)))


def show_workers(workers=8):
    runs = {mode: simulate(nt.RegularizedEvolution(), ev, workers, mode, budget=max(200, 4 * workers), seed=0)
            for mode in ("sync", "async")}
    until = min(run.wall_clock for run in runs.values())
    fig = Figure(figsize=(12, 3.8), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, run in zip(axes, runs.values()):
        draw_workers(ax, run, until)
    for (mode, run), width in zip(runs.items(), (3, 1.5)):     # a thick sync line: with N = 1 they coincide
        axes[2].step(run.frame["time"], 100 * run.frame["val_regret"], where="post", label=mode, lw=width)
    axes[2].axhline(100 * TARGET, color="black", ls="--", lw=1, label="within 0.5 pp")
    axes[2].set(xlim=(0, until), ylim=(0, 3), xlabel="wall-clock seconds", ylabel="regret of the incumbent (pp)",
                title="regularized evolution, seed 0")
    axes[2].legend(frameon=False)
    axes[2].grid(alpha=0.3)
    return fig


widgets.interact(show_workers, workers=widgets.SelectionSlider(
    options=list(WORKERS), value=8, description="workers N", continuous_update=False));

# %% [markdown]
# In synchronous mode the white gaps are workers waiting for their batch's straggler. Asynchronous
# workers never wait, but each new candidate is chosen while the other workers' candidates are still
# training, without their results: the more workers, the less the strategy knows when it chooses.
#
# Now the whole picture: `scaling` simulates both strategies on every N in both modes, one run per
# seed, each until it comes within 0.5 pp; `speedup` takes the median time per N.

# %%
seeds = range(20) if FAST else SEEDS[:50]           # 50 seeds keep this cell under a minute on 2 cores
runs = scaling_grid(seeds, processes=1 if FAST else 2)   # scaling(strategies(), ev, WORKERS, seeds=seeds)
table = speedup(runs)
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
series = {f"{s}, {m}": table.query("strategy == @s and mode == @m")["speedup"].to_numpy()
          for s in ("random", "evolution") for m in ("sync", "async")}
plots.curves(WORKERS, {**series, "N times (free parallelism)": np.array(WORKERS, dtype=float)}, xscale="log",
             yscale="log", xlabel="workers N", ylabel="speedup to within 0.5 pp",
             title=f"Speedup (median of {len(seeds)} seeds)", ax=left)
plots.curves(WORKERS, {f"{s}, {m}": table.query("strategy == @s and mode == @m")["utilisation"].to_numpy()
                       for s in ("random", "evolution") for m in ("sync", "async")},
             xscale="log", ylim=(0, 1.05), xlabel="workers N", ylabel="share of worker time spent training",
             title="Utilisation", ax=right)
plt.show()
table.pivot(index="workers", columns=["strategy", "mode"], values="speedup").round(1)

# %% [markdown]
# ### Try it yourself 2
#
# Write `speedup_at(runs, strategy, mode, workers)`: from `scaling`'s runs (one row per run, with its
# `seconds` to the target, NaN if it never got there), the median time with one worker over the median
# time with `workers`, in `mode`. Mind the runs that missed: they are slower than any that arrived.
# The checker compares with `speedup` on the lesson's runs and on a small table with misses.

# %%
def speedup_at(runs, strategy, mode, workers):
    ____  # your code here


q2.check()

# %%
# q2.hint()
# q2.solution()

# %% [markdown]
# **Predict, then run (p2).** Regularized evolution on 256 asynchronous workers, against one worker
# (100 seeds each). To come within 0.5 pp of the best cell, it is **(a)** more than 150 times faster,
# **(b)** between 30 and 150 times faster, or **(c)** less than 30 times faster?

# %%
p2.check(____)   # your prediction: a, b or c
# p2.hint()

# %%
one = runs.query("strategy == 'evolution' and mode == 'async' and workers == 1")
print(f"evolution, 256 asynchronous workers: {async_evolution_speedup(256):.1f} times faster than one worker")
print(f"one worker needs a median of {one['evaluations'].median():.0f} evaluations "
      f"({one['seconds'].median():.0f} s) to come within 0.5 pp; one evaluation takes {np.median(seconds):.1f} s")

# %% [markdown]
# A search that needs as few evaluations as the cell above prints cannot keep 256 workers usefully
# busy: its first round of results already ends it, and no number of workers makes one evaluation
# shorter. Parallel search
# pays off when the search needs many more evaluations than there are workers (a larger space, a
# harder target), and asynchronous mode recovers the time synchronous workers spend waiting.
#
# > **Common pitfall:** reporting **throughput** (evaluations per second), which does grow N times, as
# > the speedup. What matters is the time to a good architecture, measured over many seeds.

# %% [markdown]
# ## 3. What did the asynchronous strategy know?
#
# In asynchronous mode the strategy is told results in the order they **finish**, not the order they
# were asked. The history records that order (`frame["ask"]` is each evaluation's ask number, in
# the order told):

# %%
run = simulate(nt.RegularizedEvolution(), ev, workers=4, mode="async", budget=40, seed=0)
print("ask numbers in the order told:", run.frame["ask"].tolist()[:16], "...")
run.frame[["ask", "worker", "start", "finish", "time"]].head(8).round(2)

# %% [markdown]
# ### Try it yourself 3
#
# Write `seen_when_asked(told, workers, k)`: the ask numbers of the results an asynchronous search on
# `workers` workers had been told when it asked for candidate `k`; `told` lists the ask numbers in the
# order told, as above. The checker runs asynchronous evolutions that record, at every ask, what they
# had been told.

# %%
def seen_when_asked(told, workers, k):
    ____  # your code here


q3.check()

# %%
# q3.hint()
# q3.solution()

# %% [markdown]
# `run_search` has both behaviours. With an `executor` it keeps as many candidates in flight as the
# executor has workers and tells results in the order **asked**: the same seed gives the same search,
# whatever the timing. `run_search(..., asynchronous=True)` tells them as they **finish**, so no
# worker waits for an older, slower candidate; the log records the real order, and a search resumes
# from it.
#
# > **Common pitfall:** expecting an asynchronous search to repeat from its seed. Its order depends on
# > how long each training took on that day's machines; keep its log instead.

# %% [markdown]
# ## 4. The same search on a Dask cluster
#
# **Dask**'s `distributed` runs Python functions on workers: on this machine as a `LocalCluster`, on
# many machines the same way. Its client hands out a `concurrent.futures` executor, which `run_search`
# takes as it is. Two worker processes, one thread each:

# %%
from distributed import Client, LocalCluster

has_bokeh = importlib.util.find_spec("bokeh") is not None      # the dashboard needs bokeh
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                       dashboard_address=":0" if has_bokeh else None, silence_logs=logging.ERROR)
client = Client(cluster)
client.wait_for_workers(2, timeout=120)                        # fails with a message rather than waiting forever
print(f"scheduler at {cluster.scheduler_address}, {len(client.nthreads())} workers")
print(f"dashboard: {client.dashboard_link}" if has_bokeh else
      "no dashboard: `pip install bokeh` and restart the kernel to watch the workers live")

# %% [markdown]
# First, a tabular evolution through the cluster. In the default mode (results told in the order
# asked) it is the same search as one on a local pool with the same number of workers:

# %%
on_dask = nt.run_search(nt.RegularizedEvolution(), ev, 60, seed=3, executor=client.get_executor(), progress=False)
with ThreadPoolExecutor(2) as pool:                       # two local threads: two evaluations in flight too
    local = nt.run_search(nt.RegularizedEvolution(), ev, 60, seed=3, executor=pool, progress=False)
assert on_dask.evaluations == local.evaluations          # the same search, evaluation for evaluation
print(f"the same {len(on_dask)} evaluations on Dask and on a local pool; best found: "
      f"{on_dask.best.val_accuracy:.3f}")

# %% [markdown]
# Now real training: an asynchronous random search over MLPs on MNIST-1D, trained by the two workers
# (a few seconds each; the cell warms the workers up first, as their first training imports PyTorch).
# If two evaluations are always in flight, the seconds of training add up to about twice the wall clock:

# %%
import time

from nastutor.spaces import MLPSpace

live = nt.LiveEvaluator(MLPSpace(), "mnist1d")
budget = 4 if FAST else 8
client.run(importlib.import_module, "nastutor.training")          # warm-up: every worker imports it
start = time.perf_counter()
history = nt.run_search(nt.RandomSearch(), live, budget, seed=0, executor=client.get_executor(), asynchronous=True)
wall = time.perf_counter() - start
print(f"{len(history)} trainings, told in the order {[e.step for e in history]}")
print(f"{history.total_cost:.1f} s of training in {wall:.1f} s of wall clock: "
      f"{history.total_cost / wall:.2f} evaluations in flight on average, of 2 workers")

# %%
client.close()
cluster.close(timeout=60)

# %% [markdown]
# ## 5. A real cluster
#
# On several machines, start one **scheduler**, then a **worker** on every machine that trains,
# pointed at the scheduler's address, then the search:
#
# ```bash
# dask scheduler                              # on one machine: prints tcp://HOST:8786
# dask worker tcp://HOST:8786 --nthreads 1    # on every machine that trains
# nastutor search --strategy evolution --budget 200 --async --scheduler tcp://HOST:8786
# ```
#
# In Python, `nt.dask_executor("tcp://HOST:8786")` is the executor to pass to `run_search`. What
# changes from a laptop:
#
# - **Code and data on every worker.** A worker imports nastutor and reads `data/` itself: install the
#   same version everywhere, with the same data files (only the candidate and its result travel).
# - **One thread per training.** `--nthreads 1` per worker process, and no more processes than cores:
#   otherwise trainings share cores and every measured second is inflated.
# - **Failures.** If a worker dies, the scheduler runs its task again on another: nothing is lost,
#   and each result is told once (the test suite kills a worker mid-search to check).
# - **Security.** The scheduler accepts any client that reaches its port. Keep it on a private network,
#   reach it through an SSH tunnel, or turn on Dask's TLS (`--tls-ca-file`, `--tls-cert`, `--tls-key`).
#
# > **Common pitfall:** comparing a cluster run with a laptop run by evaluations. A cluster's machines
# > differ in speed, so budgets belong in seconds of wall clock, and training times in the log.

# %% [markdown]
# ## Recap
#
# - N workers give N times the evaluations per second, not N times faster answers: synchronous
#   workers **wait** for stragglers ($U = \sum t_i / (N \max t_i)$), and every worker's candidate is
#   chosen **without the results still in flight**.
# - The **speedup** $T_1 / T_N$, measured by a **simulator** over many seeds, flattens once there are
#   about as many workers as the search needs evaluations; **asynchronous** mode removes the waiting.
# - `run_search(executor=...)` tells results in the order asked (reproducible);
#   `asynchronous=True` tells them as they finish, and the log keeps that order.
# - The same code runs on a **Dask** cluster: `client.get_executor()`, `nt.dask_executor(address)`,
#   or `--scheduler` on the command line; every worker needs the code and the data.

# %% [markdown]
# [← Previous: 12 · Transferability](12_transferability.ipynb) ·
# [Back to the course map: 00 · Welcome to nastutor](00_welcome.ipynb) ·
# [Next: 14 · Your own NAS study →](14_capstone.ipynb)
