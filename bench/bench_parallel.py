"""Ensemble members and event generation in parallel: the same work sequentially (the anchor) and on all local cores,
measured in the same run.

* Training: the full-size default recipe (`EnsembleConfig.paper()`: 10 members x 15 epochs of 1cycle, dense 6x33,
  augmentation; TTA not timed) on 200,001 training events bootstrapped from the real HiggsML subset, with
  `n_jobs=1` (members one after the other in this process) and `n_jobs=N` (N worker processes, one torch thread
  each). The two ensembles must be identical (checked). Target on the 2-core project machine: parallel <= 2.5 min,
  i.e. >= 1.7x the sequential speed.
* Generation: jets per second with `make_jets` (top + QCD, particle and detector level; Pythia 8 + FastJet, cache
  off) on 1 and N workers through the new path (`run_pythia`'s chunks as tasks of `hepnb.parallel.map_ordered`),
  against the old path as the anchor: the plain ProcessPoolExecutor loop `run_pythia` had before (a minimal copy kept
  in this script only, `old_run_pythia`), running the same chunk function. All four runs must give identical jets
  (checked). Rates are also given per CPU-second (this process and its workers), less sensitive to other load;
  `--repeat` runs the four setups in turn several times (median reported). The load average is printed.

    OMP_NUM_THREADS=1 python bench/bench_parallel.py [--n-train 200001] [--jobs 2] [--jets 300] [--repeat 1] [--skip-train]
"""
import argparse, contextlib, math, multiprocessing as mp, os, platform, tempfile, time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from unittest import mock
import numpy as np, pandas as pd, torch

def bootstrap_sets(n_train, seed=0):
    from hepnb.higgs.dataset import load_higgs, prepare_higgs
    df = load_higgs()
    sets, scaler = prepare_higgs(df, seed=seed)
    tr = sets['train']
    idx = np.random.default_rng(seed).integers(0, len(tr), n_train)
    return tr.subset(idx), scaler

def time_training(train, scaler, jobs):
    from hepnb.train.ensemble import EnsembleConfig, train_ensemble
    t0 = time.perf_counter()
    ens = train_ensemble(train, EnsembleConfig.paper(), scaler, verbose=False, n_jobs=jobs)
    return time.perf_counter() - t0, ens

def old_run_pythia(settings, n_events, analysis, seed=0, n_workers=1, cache_key=None, progress=True, *, n_records=None,
                   chunk_size=500, batch_size=None, return_info=False, **_):
    "The anchor: run_pythia's generation loop before hepnb.parallel (own fork pool, adaptive window, in chunk order); no cache."
    import cloudpickle
    from hepnb.physics import generate as gen
    from hepnb.parallel import die_with_parent
    sizes = [chunk_size] * (n_events // chunk_size) + ([n_events % chunk_size] if n_events % chunk_size else [])
    shared = cloudpickle.dumps((list(settings), int(seed), analysis, batch_size))
    payloads = ((k, s, False) for k, s in enumerate(sizes))
    results, n_rec = [], 0
    def done(res):
        nonlocal n_rec
        results.append(res); n_rec += len(res['records'])
        return n_records is not None and n_rec >= n_records
    if n_workers == 1 or len(sizes) <= 1:
        for p in payloads:
            if done(gen._run_chunk(shared, p)): break
    else:
        def wanted():
            if n_records is None or not results or n_rec == 0: return 2 * n_workers if n_records is None or results else n_workers
            return min(2 * n_workers, max(1, math.ceil(1.1 * (n_records - n_rec) * len(results) / n_rec)))
        ex = ProcessPoolExecutor(max_workers=n_workers, mp_context=mp.get_context('fork'), initializer=die_with_parent,
                                 initargs=(os.getpid(),))
        futures, stop = deque(), False
        try:
            while not stop:
                while len(futures) < wanted() and (p := next(payloads, None)) is not None:
                    futures.append(ex.submit(gen._run_chunk, shared, p))
                if not futures: break
                stop = done(futures.popleft().result())
        finally:
            for f in futures: f.cancel()
            if futures:
                for proc in list(getattr(ex, '_processes', {}).values()): proc.terminate()
            ex.shutdown(wait=True, cancel_futures=True)
    records = [r for res in results for r in res['records']]
    out = pd.DataFrame(records[:n_records] if n_records is not None else records)
    return (out, dict(n_chunks=len(results))) if return_info else out

def _cpu():
    t = os.times()  # this process and its finished (joined) worker processes
    return t.user + t.system + t.children_user + t.children_system

def time_jets(n, workers, path):
    "Wall seconds, CPU seconds and the jets of `make_jets(n)` (both levels, cache off) through the 'new' or 'old' path."
    from hepnb.datasets import jets as J
    old = lambda *a, **k: old_run_pythia(*a, return_info=True, **k)  # generate_jets takes (records, info)
    with (mock.patch.object(J, 'run_pythia_with_info', old) if path == 'old' else contextlib.nullcontext()):
        t0, c0 = time.perf_counter(), _cpu()
        jets = J.make_jets(n, seed=1, n_workers=workers, cache=False, progress=False)   # no cache: generate for real
        return time.perf_counter() - t0, _cpu() - c0, jets

def load() -> str: return ' '.join(f'{x:.2f}' for x in os.getloadavg())

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n-train', type=int, default=200_001)
    ap.add_argument('--jobs', type=int, default=None, help='parallel workers (default: all local cores)')
    ap.add_argument('--jets', type=int, default=300, help='jets per class for the generation timing (0: skip)')
    ap.add_argument('--repeat', type=int, default=1, help='rounds of the four generation setups (median reported)')
    ap.add_argument('--skip-train', action='store_true')
    a = ap.parse_args()
    from hepnb.parallel import local_cores
    jobs = a.jobs or local_cores()
    print(f"machine: {platform.processor() or platform.machine()}, {local_cores()} cores, torch {torch.__version__}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    rows = []
    if not a.skip_train:
        train, scaler = bootstrap_sets(a.n_train)
        t1, e1 = time_training(train, scaler, 1)
        tn, en = time_training(train, scaler, jobs)
        same = all(torch.equal(v, m2.state_dict()[k]) for m1, m2 in zip(e1.models, en.models) for k, v in m1.state_dict().items())
        rows += [dict(what=f'train 10x15 epochs, {len(train):,} events', setup='sequential (anchor)', seconds=t1, rate=np.nan, speedup=1.0),
                 dict(what=f'train 10x15 epochs, {len(train):,} events', setup=f'{jobs} workers', seconds=tn, rate=np.nan, speedup=t1 / tn)]
        print(f"ensembles identical (1 vs {jobs} workers): {same}")
    if a.jets:
        time_jets(5, 1, 'new')   # warm-up: imports, FastJet banner
        setups = [('old', 1), ('old', jobs), ('new', 1), ('new', jobs)]
        wall, cpu, out = {s: [] for s in setups}, {s: [] for s in setups}, {}
        print(f"load average before generation: {load()}")
        for r in range(a.repeat):
            for s in setups:
                dt, c, out[s] = time_jets(a.jets, s[1], s[0])
                wall[s].append(dt); cpu[s].append(c)
                print(f"  round {r + 1}: {s[0]} path, {s[1]} worker(s): {dt:.2f} s wall, {c:.2f} CPU-s, load {load()}", flush=True)
        print(f"load average after generation: {load()}")
        ref = out[setups[0]]
        same = all(all(out[s][lv].equals(ref[lv]) for lv in ref) for s in setups)
        n_jets = len(ref['particle'])
        for s in setups:
            dt, c = float(np.median(wall[s])), float(np.median(cpu[s]))
            anchor = float(np.median(wall[('old', s[1])]))
            rows.append(dict(what=f'make_jets({a.jets}) per class, {n_jets} jets', setup=f"{s[0]} path, {s[1]} worker{'s' * (s[1] > 1)}" + (' (anchor)' if s[0] == 'old' else ''),
                             seconds=dt, rate=n_jets / dt, jets_per_cpu_s=n_jets / c, speedup=float(np.median(wall[('old', 1)])) / dt,
                             vs_old=anchor / dt))
        print(f"jets identical (old/new path, 1 vs {jobs} workers): {same}")
    t = pd.DataFrame(rows)
    print(t.to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
