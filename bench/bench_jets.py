"""Throughput of hepnb's top/QCD jet generation (hepnb.datasets.jets.make_jets): jets/s with 1 and 2 worker processes.

    OMP_NUM_THREADS=1 python bench/bench_jets.py              # 300 jets per class, particle level
    OMP_NUM_THREADS=1 python bench/bench_jets.py --level both --n 200 --workers 1 2

Generation is Pythia 8 (14 TeV, no MPI, hadronisation on) + FastJet anti-kT R=0.8, 550 < pT < 650 GeV, |eta| < 2,
top jets matched; the cache is bypassed. Target: >= 100 jets/s per core at particle level.
Prints one row per (level, workers): jets, wall seconds, jets/s, jets/s per worker, jets per CPU-second (CPU time of
this process and its workers: the per-core rate, less sensitive to other load), speed-up over 1 worker.
"""
import argparse, os, time
os.environ.setdefault('OMP_NUM_THREADS', '1')
from hepnb.datasets.jets import make_jets


def _cpu():
    t = os.times()  # this process + its finished worker processes
    return t.user + t.system + t.children_user + t.children_system


def run(n, level, workers, seed):
    t, c = time.perf_counter(), _cpu()
    out = make_jets(n, seed=seed, level=level, n_workers=workers, cache=False, progress=False)
    return len(next(iter(out.values()))), time.perf_counter() - t, _cpu() - c


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=300, help='jets per class (top and QCD)')
    ap.add_argument('--level', choices=['particle', 'both'], default='particle')
    ap.add_argument('--workers', type=int, nargs='+', default=[1, 2])
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args(argv)
    level = ('particle',) if a.level == 'particle' else ('particle', 'detector')
    run(10, level, 1, a.seed + 1)  # warm-up: imports, FastJet banner
    rows, base = [], None
    for w in a.workers:
        n_jets, dt, cpu = run(a.n, level, w, a.seed)
        rate = n_jets / dt
        base = base or rate
        rows.append((a.level, w, n_jets, dt, rate, rate / w, n_jets / cpu, rate / base))
    print(f"{'level':>9} {'workers':>7} {'jets':>6} {'wall s':>7} {'jets/s':>7} {'jets/s/worker':>13} "
          f"{'jets/CPU-s':>10} {'speed-up':>8}")
    for r in rows: print(f"{r[0]:>9} {r[1]:>7d} {r[2]:>6d} {r[3]:>7.2f} {r[4]:>7.1f} {r[5]:>13.1f} {r[6]:>10.1f} {r[7]:>8.2f}")
    print(f"cores available: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()}; "
          f"load average: {os.getloadavg()[0]:.2f} (a shared machine slows every number)")
    return rows


if __name__ == '__main__':
    main()
