"""hepnb's baseline ensemble vs XGBoost on the real HiggsML subset, on the same repeated stratified splits.

For each repeat r (seed r) the 22,889 events are split 60/20/20 (stratified by class x jet multiplicity). Both
methods train on the same training events with per-class-normalised weights, the cut is chosen on validation with
the paper's top-10 % rule, and the test AMS is taken at that cut (AMS weights: KaggleWeight rescaled per class to the
full training totals). Reported: weighted test AUC, test AMS at the validation-chosen cut, validation MVAC, and
training time — mean ± standard error over the repeats, one table, one run.

    OMP_NUM_THREADS=1 python bench/bench_vs_xgboost.py [--repeats 5] [--models 10]
"""
import argparse, time
from types import SimpleNamespace
import numpy as np
import xgboost as xgb
from hepnb.data.higgs import load_higgs
from hepnb.data.higgs import prepare_higgs
from hepnb.data.preprocess import stratified_folds
from hepnb.train.ensemble import HiggsConfig, train_ensemble, score_ensemble
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

def evaluate(pred_fn, sets):
    "hepnb's scoring (cut on validation, top-10 % rule) for any predictor."
    sc, _ = score_ensemble(SimpleNamespace(predict=pred_fn), sets)
    return {'auc': sc['auc_test'], 'ams_test': sc['ams_test'], 'mvac': sc['mvac']}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--repeats', type=int, default=5); ap.add_argument('--models', type=int, default=10)
    ap.add_argument('--xgb-threads', type=int, default=1)
    a = ap.parse_args()
    df = load_higgs()
    res = {'hepnb': [], 'xgb': []}
    for r in range(a.repeats):
        sets, scaler = prepare_higgs(df, embed_cats=False, seed=r)
        t0 = time.perf_counter()
        ens = train_ensemble(sets['train'], HiggsConfig(seed=r, n_models=a.models), scaler, verbose=False)
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
