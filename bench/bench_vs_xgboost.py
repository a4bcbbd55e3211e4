"""hepnb's baseline ensemble vs XGBoost on the real HiggsML subset, on the same repeated stratified splits.

For each repeat r (seed r) the 22,889 events are split 60/20/20 (stratified by class x jet multiplicity). Both
methods train on the same training events with per-class-normalised weights, the cut is chosen on validation with
the paper's top-10 % rule, and the test AMS is taken at that cut (AMS weights: KaggleWeight rescaled per class to the
full training totals). Reported: weighted test AUC, test AMS at the validation-chosen cut, validation MVAC, and
training time — mean ± standard error over the repeats, one table, one run.

    OMP_NUM_THREADS=1 python bench/bench_vs_xgboost.py [--repeats 5] [--models 10]

`--recipe paper` times the default recipe of `hepnb higgs` instead (`EnsembleConfig.paper()`: embedding, augmentation +
TTA, Swish, 1cycle, dense 6x33, 10 members x 15 epochs) against the issue's XGBoost anchor (400 trees, depth 5,
learning rate 0.1, hist, one thread, no early stopping) on the same training events, and trains the recipe both ways:
members batched (`batched=None`, the default) and one by one (`batched=False`, on the old default of worker
processes). It prints per split the training seconds and the ratio to XGBoost's, and the paired quality table (AUC,
test AMS of batched vs per-member, mean ± s.e. over the splits and their paired difference).

    OMP_NUM_THREADS=1 python bench/bench_vs_xgboost.py --recipe paper [--repeats 5] [--skip-member]

`--jobs N` sets the batched path's worker processes (by default hepnb chooses: one process on this subset). `--skip-member` times the batched path only (e.g. to compare two versions of hepnb, run with each on `PYTHONPATH`); the
batched training's CPU seconds in this process are printed too (less sensitive to a loaded machine than wall seconds).
"""
import argparse, os, time
from types import SimpleNamespace
import numpy as np
import xgboost as xgb
from hepnb.higgs.dataset import load_higgs
from hepnb.higgs.dataset import prepare_higgs
from hepnb.data.preprocess import stratified_folds
from hepnb.train.ensemble import EnsembleConfig, train_ensemble, score_ensemble
from hepnb.metrics import format_mean_sem

def fit_xgb(train, seed, n_jobs):
    "XGBoost with early stopping on one stratified tenth of the training events (as each hepnb member has)."
    folds = stratified_folds(train.strat_key(), 10, seed=seed)
    va = folds[0]; tr = np.setdiff1d(np.arange(len(train)), va)
    t, v = train.subset(tr).reweight(), train.subset(va).reweight()
    clf = xgb.XGBClassifier(n_estimators=2000, learning_rate=0.05, max_depth=6, subsample=0.9, colsample_bytree=0.9,
                            min_child_weight=1e-4, tree_method='hist', early_stopping_rounds=50, eval_metric='logloss',
                            random_state=seed, n_jobs=n_jobs)
    x = lambda s: np.concatenate([s.x_cont, s.x_cat], 1)
    clf.fit(x(t), t.y, sample_weight=t.w * len(t) / t.w.sum(), eval_set=[(x(v), v.y)],
            sample_weight_eval_set=[v.w * len(v) / v.w.sum()], verbose=False)
    return lambda s: clf.predict_proba(x(s))[:, 1], clf.best_iteration

def fit_xgb_fixed(train, seed, n_jobs=1):
    "The issue's anchor: 400 trees of depth 5, no early stopping, on all the training events."
    t = train.reweight()
    clf = xgb.XGBClassifier(n_estimators=400, max_depth=5, learning_rate=0.1, tree_method='hist', random_state=seed, n_jobs=n_jobs)
    x = lambda s: np.concatenate([s.x_cont, s.x_cat], 1)
    clf.fit(x(t), t.y, sample_weight=t.w * len(t) / t.w.sum(), verbose=False)
    return lambda s: clf.predict_proba(x(s))[:, 1]

def main_paper(a):
    df = load_higgs()
    rows = []
    for r in range(a.repeats):
        sets, scaler = prepare_higgs(df, embed_cats=True, seed=r)
        cfg = EnsembleConfig.paper(seed=r, n_models=a.models)
        row = {'n_train': len(sets['train'])}
        t0 = time.perf_counter(); pred = fit_xgb_fixed(sets['train'], r, a.xgb_threads); row['t_xgb'] = time.perf_counter() - t0
        row.update({f'{k}_xgb': v for k, v in evaluate(pred, sets).items()})
        for name, kw in (('batched', {'n_jobs': a.jobs}), ('member', {'batched': False}))[:1 if a.skip_member else 2]:
            t0, c0 = time.perf_counter(), time.process_time()
            ens = train_ensemble(sets['train'], cfg, scaler, verbose=False, **kw)
            row[f't_{name}'], row[f'cpu_{name}'] = time.perf_counter() - t0, time.process_time() - c0
            row[f'jobs_{name}'] = ens.info['n_jobs']
            row.update({f'{k}_{name}': v for k, v in evaluate(ens.predict, sets).items()})
        rows.append(row)
        member = '' if a.skip_member else (f"| per-member {row['t_member']:.1f} s ({row['t_member']/row['t_xgb']:.1f}x, {row['jobs_member']} "
                                           f"workers) AUC {row['auc_member']:.4f} AMS {row['ams_test_member']:.3f} ")
        print(f"split {r}: XGBoost {row['t_xgb']:.2f} s | batched {row['t_batched']:.1f} s ({row['t_batched']/row['t_xgb']:.1f}x, "
              f"{row['jobs_batched']} process) AUC {row['auc_batched']:.4f} AMS {row['ams_test_batched']:.3f} {member}"
              f"| XGBoost AUC {row['auc_xgb']:.4f} AMS {row['ams_test_xgb']:.3f} | load {os.getloadavg()[0]:.1f}", flush=True)
    ms = lambda v, f='.4f': format_mean_sem(v, f)
    col = lambda k: [x[k] for x in rows]
    print(f"\nHiggsML subset, default recipe (EnsembleConfig.paper(), {a.models} members x 15 epochs, {rows[0]['n_train']:,} training "
          f"events), 60/20/20 splits x {a.repeats}; mean ± s.e.")
    print(f"{'method':<40}{'train s':>18}{'x XGBoost':>16}{'weighted test AUC':>22}{'test AMS at val cut':>22}")
    for k, name in (('xgb', 'XGBoost 400 trees, depth 5, 1 thread'), ('batched', 'hepnb, members batched (default)'),
                    ('member', 'hepnb, members one by one (old)'))[:2 if a.skip_member else 3]:
        ratio = [x[f't_{k}'] / x['t_xgb'] for x in rows]
        print(f"{name:<40}{ms(col(f't_{k}'), '.2f'):>18}{ms(ratio, '.2f'):>16}{ms(col(f'auc_{k}')):>22}{ms(col(f'ams_test_{k}'), '.3f'):>22}")
    print(f"batched train CPU seconds (this process): {ms(col('cpu_batched'), '.2f')}")
    if a.skip_member: return
    d_auc = [x['auc_batched'] - x['auc_member'] for x in rows]; d_ams = [x['ams_test_batched'] - x['ams_test_member'] for x in rows]
    print(f"paired difference batched - per-member: AUC {ms(d_auc)}, test AMS {ms(d_ams, '.3f')}; "
          f"speed-up of training {ms([x['t_member'] / x['t_batched'] for x in rows], '.2f')}x")

def evaluate(pred_fn, sets):
    "hepnb's scoring (cut on validation, top-10 % rule) for any predictor."
    sc, _ = score_ensemble(SimpleNamespace(predict=pred_fn), sets)
    return {'auc': sc['auc_test'], 'ams_test': sc['ams_test'], 'mvac': sc['mvac']}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--repeats', type=int, default=5); ap.add_argument('--models', type=int, default=10)
    ap.add_argument('--xgb-threads', type=int, default=1)
    ap.add_argument('--recipe', choices=['baseline', 'paper'], default='baseline')
    ap.add_argument('--jobs', type=int, default=None, help='--recipe paper: worker processes for the batched path (default: chosen by hepnb)')
    ap.add_argument('--skip-member', action='store_true', help='--recipe paper: time the batched path only (no per-member training)')
    a = ap.parse_args()
    if a.recipe == 'paper': return main_paper(a)
    df = load_higgs()
    res = {'hepnb': [], 'xgb': []}
    for r in range(a.repeats):
        sets, scaler = prepare_higgs(df, embed_cats=False, seed=r)
        t0 = time.perf_counter()
        ens = train_ensemble(sets['train'], EnsembleConfig(seed=r, n_models=a.models), scaler, verbose=False)
        th = time.perf_counter() - t0
        res['hepnb'].append({**evaluate(ens.predict, sets), 'time': th})
        t0 = time.perf_counter()
        pred, n_trees = fit_xgb(sets['train'], r, a.xgb_threads)
        tx = time.perf_counter() - t0
        res['xgb'].append({**evaluate(pred, sets), 'time': tx, 'trees': n_trees})
        print(f"repeat {r}: hepnb AUC {res['hepnb'][-1]['auc']:.4f} AMS {res['hepnb'][-1]['ams_test']:.3f} ({th:.0f} s) | "
              f"XGBoost AUC {res['xgb'][-1]['auc']:.4f} AMS {res['xgb'][-1]['ams_test']:.3f} ({tx:.0f} s, {n_trees} trees)", flush=True)
    ms = lambda v: format_mean_sem(v, '.4f')
    print(f"\nHiggsML subset (22,889 events), 60/20/20 stratified splits x {a.repeats} repeats; mean ± s.e.")
    print(f"{'method':<34}{'weighted test AUC':>20}{'test AMS at val cut':>22}{'MVAC':>20}{'train s':>18}")
    for k, name in (('hepnb', f'hepnb baseline ensemble ({a.models})'), ('xgb', 'XGBoost (hist, early stop)')):
        rr = res[k]
        print(f"{name:<34}{ms([x['auc'] for x in rr]):>20}{ms([x['ams_test'] for x in rr]):>22}{ms([x['mvac'] for x in rr]):>20}"
              f"{ms([x['time'] for x in rr]):>18}")
    d = [h['ams_test'] - x['ams_test'] for h, x in zip(res['hepnb'], res['xgb'])]
    da = [h['auc'] - x['auc'] for h, x in zip(res['hepnb'], res['xgb'])]
    print(f"paired difference hepnb - XGBoost: AUC {ms(da)}, test AMS {ms(d)}")

if __name__ == '__main__': main()
