"""Cross-training vs the usual test split on the real HiggsML subset (issue 24 item 3).

For each seed: (a) the usual recipe: 60/20/20 split, the ensemble trained on the 60 %, the cut chosen on the
validation 20 % (the paper's top-10 % rule), AMS and weighted AUC on the test 20 % (`score_ensemble`); (b)
cross-training: k random stratified folds of all events (`cross_train`), every event scored by the model that never
saw it, AUC on all events, AMS with each fold's cut chosen on the other folds' out-of-fold scores (`score_cross`).
Both use the same ensemble configuration and the challenge's weight totals. The spread over seeds (a new split, new
folds and new members each) is the number that matters: how much the quoted AMS moves with the choice of the split.

    OMP_NUM_THREADS=1 python bench/bench_crossval.py [--seeds 5] [--k 5] [--models 5] [--epochs 15] [--out bench/results/crossval.json]
"""
import argparse, json, os, platform, time
import numpy as np, torch
from hepnb.core import version_stamp
from hepnb.higgs.dataset import load_higgs, higgs_splits, higgs_spec, HIGGS_TRAIN_TOTALS
from hepnb.train.ensemble import EnsembleConfig, train_ensemble, score_ensemble
from hepnb.train.crossval import cross_train, score_cross

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seeds', type=int, default=5); ap.add_argument('--k', type=int, default=5)
    ap.add_argument('--models', type=int, default=5); ap.add_argument('--epochs', type=int, default=15)
    ap.add_argument('--out', default='bench/results/crossval.json')
    a = ap.parse_args()
    torch.set_num_threads(1)
    df = load_higgs()
    base = EnsembleConfig.paper(n_models=a.models, max_epochs=a.epochs)
    runs = []
    def summary():
        out = {'what': 'cross-training vs the usual 60/20/20 test split, HiggsML embedded subset', 'n_events': len(df),
               'k': a.k, 'config': base.to_dict(), 'runs': runs, 'machine': f"{platform.machine()}, {os.cpu_count()} cores, "
               f"load average at the end {os.getloadavg()}", **{k: str(v) for k, v in version_stamp().items()}}
        for name in ('split', 'cross'):
            for m in ('ams', 'auc', 'seconds'):
                v = np.array([r[name][m] for r in runs])
                out[f'{name}_{m}'] = {'mean': float(v.mean()), 'std': float(v.std(ddof=1)) if len(v) > 1 else None, 'n': len(v)}
        return out
    for seed in range(a.seeds):
        cfg = base.replace(seed=seed)
        t0 = time.perf_counter()
        sets, scaler, _ = higgs_splits(df, embed=True, seed=seed)
        ens = train_ensemble(sets['train'], cfg, scaler, verbose=False)
        sc, _ = score_ensemble(ens, sets)
        t_split = time.perf_counter() - t0
        t0 = time.perf_counter()
        cv = cross_train(df, higgs_spec(embed=True), cfg, k=a.k, eval_totals=HIGGS_TRAIN_TOTALS, verbose=False)
        cs = score_cross(cv)
        t_cross = time.perf_counter() - t0
        runs.append({'seed': seed,
                     'split': {'ams': sc['ams_test'], 'auc': sc['auc_test'], 'cut': sc['cut'], 'n_test': len(sets['test']), 'seconds': t_split},
                     'cross': {'ams': cs['ams'], 'auc': cs['auc'], 'cuts': cs['cuts'], 's': cs['s'], 'b': cs['b'],
                               'n_scored': cs['n_events'], 'seconds': t_cross}})
        print(f"seed {seed}: split AMS {sc['ams_test']:.3f} AUC {sc['auc_test']:.4f} ({t_split:.0f} s) | "
              f"cross AMS {cs['ams']:.3f} AUC {cs['auc']:.4f} ({t_cross:.0f} s)", flush=True)
        os.makedirs(os.path.dirname(a.out) or '.', exist_ok=True)
        with open(a.out + '.tmp', 'w') as f: json.dump(summary(), f, indent=1)
        os.replace(a.out + '.tmp', a.out)
    s = summary()
    for name in ('split', 'cross'):
        print(f"{name:5s}: AMS {s[f'{name}_ams']['mean']:.3f} ± {s[f'{name}_ams']['std'] or 0:.3f} (std over {len(runs)} seeds), "
              f"AUC {s[f'{name}_auc']['mean']:.4f} ± {s[f'{name}_auc']['std'] or 0:.4f}, {s[f'{name}_seconds']['mean']:.0f} s per run")

if __name__ == '__main__': main()
