"""The paper's recipe against plain XGBoost on the HiggsML subset, through `hepnb.compare.compare`: the same 5 splits.

Split s (s = 0..4) is the 60/20/20 stratified split of the embedded 22,889-event subset with seed s
(`prepare_higgs(df, seed=s)`: AMS weights rescaled per class to the challenge's training totals in every part); each
recipe trains with seed s on its training events, the cut is chosen on its validation events with the paper's
top-10 % rule, and the weighted AUC and the AMS at that cut are measured on its test events. Recipes:
`network_recipe(EnsembleConfig.paper())` (10 members x 15 epochs, embedding, augmentation + TTA, Swish, 1cycle,
dense 6x33) and `xgboost_recipe()` (400 trees of depth 5, learning rate 0.1, hist, one thread, the anchor of
bench_vs_xgboost.py), and XGBoost as chapter 14 writes it by hand (depth 6, learning rate 0.05, subsample and
column sampling 0.9, early stopping after 50 trees without improvement on a stratified tenth of the training events);
all on the same inputs and class-balanced training weights.

    OMP_NUM_THREADS=1 python bench/bench_compare.py [--k 5] [--out bench/results/compare_higgs.txt]

Writes the table, the paired differences and the per-split rows to --out (and the per-split rows as JSON beside it,
so that `Comparison(pd.DataFrame(json.load(...)['per_split']))` shows them again without training).
"""
import argparse, json, os, platform, time
from pathlib import Path
import pandas as pd
import torch
from hepnb import __version__
from hepnb.higgs.dataset import load_higgs, prepare_higgs
from hepnb.train.ensemble import EnsembleConfig
from hepnb.compare import compare, network_recipe, xgboost_recipe

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--k', type=int, default=5)
    ap.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'compare_higgs.txt'))
    a = ap.parse_args()
    df = load_higgs()
    recipes = [network_recipe(EnsembleConfig.paper(), name='hepnb paper recipe (10 x dense 6x33)', embed=True),
               xgboost_recipe(name='XGBoost (400 trees, depth 5)'),
               xgboost_recipe(name='XGBoost (early stopping, depth 6)', n_estimators=2000, max_depth=6, learning_rate=0.05,
                              early_stopping_rounds=50, subsample=0.9, colsample_bytree=0.9)]
    load0, t0 = os.getloadavg(), time.time()
    comp = compare(recipes, lambda s: prepare_higgs(df, seed=s), k=a.k, verbose=True)
    wall, load1 = time.time() - t0, os.getloadavg()
    pd.set_option('display.width', 250); pd.set_option('display.max_columns', 20)
    d = comp.differences()
    lines = [f"HiggsML subset ({len(df):,} events), {a.k} stratified 60/20/20 splits (split s: seed s), "
             f"{comp.per_split['n_train'].iloc[0]:,} training / {comp.per_split['n_val'].iloc[0]:,} validation / "
             f"{comp.per_split['n_test'].iloc[0]:,} test events; AMS at the cut chosen on validation (top-10 % rule)",
             f"machine: {platform.machine()} CPU, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
             f"hepnb {__version__}; load average {load0[0]:.2f} before, {load1[0]:.2f} after; {wall/60:.1f} min in all", '',
             repr(comp), '', 'paired differences (row - reference), mean, s.e., mean/s.e.:', d.to_string(), '',
             'per split:', comp.per_split.to_string()]
    text = '\n'.join(lines) + '\n'
    print('\n' + text)
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    out.with_suffix('.json').write_text(json.dumps({'reference': comp.reference, 'significance': comp.significance,
                                                    'settings': comp.settings, 'per_split': comp.per_split.to_dict('records')}, indent=1) + '\n')

if __name__ == '__main__': main()
