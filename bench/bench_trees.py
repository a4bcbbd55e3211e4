"""Networks, XGBoost members and mixed ensembles on the real HiggsML subset, on the same repeated stratified splits.

For each split r (seed r) the 22,889 events are split 60/20/20 (stratified by class x jet multiplicity), as in
`bench_vs_xgboost.py`. Four methods train on the same training events:

- `paper`: the network recipe of `hepnb higgs` (`EnsembleConfig.paper(seed=r)`, 10 members x 15 epochs, batched);
- `xgb members`: `EnsembleConfig.xgboost(seed=r)`: 10 XGBoost members (hepnb.models.trees defaults),
  each trained on nine folds and early-stopped on its own fold, weighted by 1/validation loss;
- `mixed`: `EnsembleConfig.paper(seed=r, members='net+xgboost')`: both, trained afresh, the kinds mixed with the weight
  chosen on the out-of-fold validation predictions (`hepnb.train.ensemble.mix_weights`);
- `xgb script`: the hand-written XGBoost of `bench_vs_xgboost.py` (`fit_xgb`: one model, early stopping on one tenth).

Every method is scored by `score_ensemble`: the cut chosen on validation with the paper's top-10 % rule, the test
AMS at that cut (KaggleWeight rescaled per class to the full training totals), the weighted test AUC; training
seconds are wall-clock in this process (one torch thread, XGBoost one thread). Reported: mean ± s.e. over the splits
and paired differences (same split) ± s.e.

    OMP_NUM_THREADS=1 python bench/bench_trees.py [--repeats 5] [--out bench/results/trees_vs_networks.json]
"""
import argparse, json, os, sys, time
from pathlib import Path
from types import SimpleNamespace
import numpy as np
from hepnb.higgs.dataset import load_higgs, prepare_higgs
from hepnb.train.ensemble import EnsembleConfig, train_ensemble, score_ensemble
from hepnb.metrics import format_mean_sem
sys.path.insert(0, str(Path(__file__).parent))
from bench_vs_xgboost import fit_xgb   # the hand-written XGBoost the earlier comparisons used

METHODS = ('paper', 'xgb members', 'mixed', 'xgb script')

def scores(predict, sets):
    sc, _ = score_ensemble(SimpleNamespace(predict=predict), sets)
    return {'auc': sc['auc_test'], 'ams': sc['ams_test']}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'trees_vs_networks.json'))
    a = ap.parse_args()
    df, rows, load0 = load_higgs(), [], os.getloadavg()
    for r in range(a.repeats):
        sets, scaler = prepare_higgs(df, embed_cats=True, seed=r)
        row, ens = {'split': r}, {}
        for name, cfg in (('paper', EnsembleConfig.paper(seed=r)), ('xgb members', EnsembleConfig.xgboost(seed=r)),
                          ('mixed', EnsembleConfig.paper(seed=r, members='net+xgboost'))):
            t0 = time.perf_counter(); ens[name] = train_ensemble(sets['train'], cfg, scaler, verbose=False)
            row[name] = {'train_s': time.perf_counter() - t0, **scores(ens[name].predict, sets)}
        t0 = time.perf_counter(); pred, n_trees = fit_xgb(sets['train'], r, 1)
        row['xgb script'] = {'train_s': time.perf_counter() - t0, **scores(pred, sets), 'trees': int(n_trees)}
        m = ens['mixed']
        nets_same = bool(np.array_equal(ens['paper'].val_losses, m.val_losses[:10]))   # the mixed ensemble's networks are the recipe's
        trees_same = bool(np.array_equal(ens['xgb members'].val_losses, m.val_losses[10:]))
        row['mix'] = m.info['mix']; row['oof_loss'] = m.info['oof_loss']; row['same_members'] = nets_same and trees_same
        row['tree_rounds'] = ens['xgb members'].info['member_epochs']
        rows.append(row)
        print(f"split {r}: " + " | ".join(f"{k} AUC {row[k]['auc']:.4f} AMS {row[k]['ams']:.3f} {row[k]['train_s']:.1f} s" for k in METHODS)
              + f" | mix net {row['mix']['net']:.3f}, oof loss net {row['oof_loss']['net']:.4f} trees {row['oof_loss']['xgboost']:.4f} "
              f"mixed {row['oof_loss']['mixed']:.4f}; members identical to the single-kind runs: {row['same_members']}", flush=True)
    load1 = os.getloadavg()
    ms = lambda v, f='.4f': format_mean_sem(v, f)
    col = lambda k, q: [x[k][q] for x in rows]
    lines = [f"HiggsML subset (22,889 events; {len(sets['train']):,} training events), 60/20/20 splits x {a.repeats} "
             f"(seed = split); mean ± s.e.; load average {load0[0]:.1f} at start, {load1[0]:.1f} at end ({os.cpu_count()} CPUs)",
             f"{'method':<46}{'weighted test AUC':>22}{'test AMS at val cut':>22}{'train s':>16}"]
    names = {'paper': 'paper recipe (10 nets x 15 epochs)', 'xgb members': 'XGBoost members (10, early-stopped per fold)',
             'mixed': 'mixed (10 nets + 10 trees, α on OOF val)', 'xgb script': 'hand-written XGBoost (1 model)'}
    for k in METHODS: lines.append(f"{names[k]:<46}{ms(col(k, 'auc')):>22}{ms(col(k, 'ams'), '.3f'):>22}{ms(col(k, 'train_s'), '.1f'):>16}")
    lines.append("paired differences (same split):")
    for x, y in (('mixed', 'paper'), ('mixed', 'xgb members'), ('mixed', 'xgb script'), ('paper', 'xgb members'), ('xgb members', 'xgb script')):
        d_auc = [u - v for u, v in zip(col(x, 'auc'), col(y, 'auc'))]; d_ams = [u - v for u, v in zip(col(x, 'ams'), col(y, 'ams'))]
        lines.append(f"  {x} - {y}: AUC {ms(d_auc)}, test AMS {ms(d_ams, '.3f')}")
    lines.append(f"mixing weight of the networks α: {ms([x['mix']['net'] for x in rows], '.3f')}; out-of-fold validation log loss: nets "
                 f"{ms([x['oof_loss']['net'] for x in rows])}, trees {ms([x['oof_loss']['xgboost'] for x in rows])}, mixed {ms([x['oof_loss']['mixed'] for x in rows])}")
    print('\n'.join(lines))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps({'rows': rows, 'table': lines, 'load_start': load0, 'load_end': load1}, indent=1))
    Path(a.out).with_suffix('.txt').write_text('\n'.join(lines) + '\n')

if __name__ == '__main__': main()
