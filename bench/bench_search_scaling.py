"""Scaling of the Ray Tune architecture search (hepnb.train.search): N trials on 1 versus 2 workers.

    OMP_NUM_THREADS=1 python bench/bench_search_scaling.py [--trials 6] [--n-train 12000] [--epochs 8] [--models 3]

Each run starts a private local Ray instance with 1 or 2 CPUs (one trial per CPU, so 1 or 2 trials at a time), runs
the same N architectures with the same data, and stops Ray. Printed: one table with the wall time of the Tune run
(excluding Ray's start-up, shown separately), trials per minute and the ratio to one worker. On a shared machine the
ratio is bounded by the free cores, not by Ray.
"""
import argparse, os, tempfile, time
os.environ.setdefault('OMP_NUM_THREADS', '1')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--trials', type=int, default=6)
    p.add_argument('--n-train', type=int, default=12000)
    p.add_argument('--epochs', type=int, default=8)
    p.add_argument('--models', type=int, default=3)
    p.add_argument('--workers', type=int, nargs='+', default=[1, 2])
    a = p.parse_args(argv)
    import ray
    from hepnb.higgs.dataset import load_higgs
    from hepnb.higgs.search import higgs_search_data, HIGGS_SEARCH_SPACE
    from hepnb.train.search import run_search, search_config, sample_architectures
    data = higgs_search_data(load_higgs(), n_train=a.n_train)
    base = search_config(quick=True, max_epochs=a.epochs, n_models=a.models, n_folds=max(2, a.models))
    archs = sample_architectures(a.trials, HIGGS_SEARCH_SPACE, seed=0)
    rows = []
    for w in a.workers:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            ray.init(address='local', num_cpus=w, include_dashboard=False, log_to_driver=False, logging_level='ERROR')
            t_init = time.perf_counter() - t0
            try:
                res = run_search(data, archs, base, storage=tmp, name=f'w{w}', verbose=False)  # uses the Ray instance started above
            finally:
                ray.shutdown()
        assert not res.errors and len(res.df) == a.trials, res.errors
        rows.append(dict(workers=w, trials=a.trials, init_s=t_init, wall_s=res.wall_s,
                         per_min=60 * a.trials / res.wall_s, train_s=res.df['train_s'].mean(), pids=res.df['pid'].nunique()))
    ref = rows[0]['wall_s']
    print(f"\nsearch scaling: {a.trials} trials, {len(data['train'])} training events, {a.epochs} epochs x {a.models} model(s), "
          f"{os.cpu_count()} cores on this machine")
    print(f"{'workers':>7} {'trials':>6} {'ray init s':>10} {'wall s':>8} {'trials/min':>10} {'speed-up':>8} {'mean trial train s':>18} {'worker pids':>11}")
    for r in rows:
        print(f"{r['workers']:>7} {r['trials']:>6} {r['init_s']:>10.1f} {r['wall_s']:>8.1f} {r['per_min']:>10.1f} "
              f"{ref / r['wall_s']:>8.2f} {r['train_s']:>18.1f} {r['pids']:>11}")


if __name__ == '__main__':
    main()
