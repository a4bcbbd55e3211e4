"""Batched members at full size: the default recipe (`EnsembleConfig.paper()`: 10 members x 15 epochs of 1cycle, dense
6x33, Swish, augmentation; TTA not timed) on 200,001 training events bootstrapped from the real HiggsML subset (as
`bench_parallel.py`), trained

* members batched (`train_ensemble`'s default for `TabularNet` members): two batched groups of 5 members, on the
  default number of worker processes (all local cores above `BATCHED_PARALLEL_MIN_WORK`) and in this process alone;
* members one by one (`batched=False`) on `--jobs` worker processes: the anchor, the old default path, timed in the
  same run (and, with `--sequential`, one by one in this process).

Reported: wall seconds, the speed-up against the anchor, whether the batched ensembles are identical for 1 and N
workers (bit for bit), the largest difference of a member's validation loss between the batched and per-member paths,
and the load average. `--repeat` runs the setups in turn several times (median reported). Target on the 2-core
project machine: the batched run <= 60 s.

    OMP_NUM_THREADS=1 python bench/bench_batched.py [--n-train 200001] [--jobs 2] [--repeat 1] [--sequential]
"""
import argparse, os, platform, sys, time
import numpy as np, pandas as pd, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_parallel import bootstrap_sets, load

def timed(train, scaler, **kw):
    from hepnb.train.ensemble import EnsembleConfig, train_ensemble
    t0 = time.perf_counter()
    ens = train_ensemble(train, EnsembleConfig.paper(), scaler, verbose=False, **kw)
    return time.perf_counter() - t0, ens

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n-train', type=int, default=200_001)
    ap.add_argument('--jobs', type=int, default=None, help='worker processes (default: all local cores)')
    ap.add_argument('--repeat', type=int, default=1)
    ap.add_argument('--sequential', action='store_true', help='also time the per-member path in this process')
    ap.add_argument('--skip-anchor', action='store_true', help='do not time the per-member path (the anchor)')
    a = ap.parse_args()
    from hepnb.parallel import local_cores
    jobs = a.jobs or local_cores()
    print(f"machine: {platform.processor() or platform.machine()}, {local_cores()} cores, torch {torch.__version__}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, load {load()}")
    train, scaler = bootstrap_sets(a.n_train)
    setups = [('batched, default workers', dict()), ('batched, 1 process', dict(n_jobs=1))]
    if not a.skip_anchor: setups.append((f'one by one, {jobs} workers (anchor)', dict(batched=False, n_jobs=jobs)))
    if a.sequential: setups.append(('one by one, 1 process', dict(batched=False, n_jobs=1)))
    secs, ens = {s: [] for s, _ in setups}, {}
    for r in range(a.repeat):
        for name, kw in setups:
            dt, ens[name] = timed(train, scaler, **kw)
            secs[name].append(dt)
            print(f"  round {r + 1}: {name}: {dt:.1f} s ({ens[name].info['n_jobs']} process(es), batched={ens[name].info['batched']}), "
                  f"load {load()}", flush=True)
    e_def, e_one = ens[setups[0][0]], ens[setups[1][0]]
    same = all(torch.equal(v, m2.state_dict()[k]) for m1, m2 in zip(e_def.models, e_one.models) for k, v in m1.state_dict().items())
    print(f"batched ensembles identical ({e_def.info['n_jobs']} vs 1 process): {same}")
    anchor = f'one by one, {jobs} workers (anchor)'
    if anchor in ens:
        print(f"largest |validation loss, batched - per-member| over the members: {np.abs(e_def.val_losses - ens[anchor].val_losses).max():.2e} "
              f"(validation losses {e_def.val_losses.mean():.5f} vs {ens[anchor].val_losses.mean():.5f} on average)")
    ref = float(np.median(secs[anchor])) if anchor in secs else np.nan
    rows = [dict(setup=n, seconds=float(np.median(v)), speedup_vs_anchor=ref / float(np.median(v)), target_60s=float(np.median(v)) <= 60)
            for n, v in secs.items()]
    print(f"train 10 x 15 epochs, {len(train):,} events (median of {a.repeat})")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
