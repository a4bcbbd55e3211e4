"""Chapter 14's own analysis (H → ZZ* → 4ℓ against qq̄ → ZZ* → 4ℓ, Pythia 8): networks, boosted trees and their mix on
the same splits with `hepnb.compare` (issue 23: "on chapter 14's sample: the table of compare for paper recipe, XGBoost
and the mixed ensemble").

The sample, its selection and its spec come from the chapter itself: its code cells are run up to the cell that
prepares the data (events from hepnb's generation cache when the chapter ran before, else generated).

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_ch14_models.py [--k 3] [--out bench/results/ch14_models.txt]
"""
import argparse, json, os, sys, time
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument('--k', type=int, default=3)
ap.add_argument('--out', default='bench/results/ch14_models.txt')
a = ap.parse_args()
os.environ.setdefault('HEPNB_QUICK', '0')
root = Path(__file__).resolve().parents[1]
nb = json.loads((root / 'nbs/course/14_own_analysis.ipynb').read_text())
ns = {'__name__': '__main__'}   # the name the chapter's functions carry in a kernel: the generation cache key
t0 = time.time()
for c in nb['cells']:
    if c['cell_type'] != 'code': continue
    src = ''.join(c['source'])
    exec(compile(src, 'chapter 14', 'exec'), ns)
    if 'sets' in ns and 'spec' in ns: break
events, spec = ns['events'], ns['spec']
print(f'chapter 14 sample: {len(events):,} events ({time.time() - t0:.0f} s to prepare)', flush=True)

from hepnb.compare import compare, network_recipe, xgboost_recipe
from hepnb.train.ensemble import EnsembleConfig
recipes = [network_recipe(EnsembleConfig.paper(), name='paper recipe (10 networks)', embed=True),
           network_recipe(EnsembleConfig.xgboost(), name='10 XGBoost members', embed=True),
           network_recipe(EnsembleConfig.paper(members='net+xgboost'), name='mixed (10 networks + 10 XGBoost)', embed=True),
           xgboost_recipe('hand-written XGBoost (early stopping)', n_estimators=2000, max_depth=6, learning_rate=0.05,
                          subsample=0.9, colsample_bytree=0.9, early_stopping_rounds=50)]
t1 = time.time()
comp = compare(recipes, events, spec=spec, k=a.k, significance='asimov', rel_sigma_b=0.1)
head = (f'# OMP_NUM_THREADS=1 python bench/bench_ch14_models.py --k {a.k}   ({time.strftime("%Y-%m-%d")}, 2-core machine shared '
        f'with other jobs, load average {os.getloadavg()[0]:.1f} at the end; compare took {time.time() - t1:.0f} s)\n'
        f'chapter 14 sample: {len(events):,} events; {a.k} splits 60/20/20 (seed = split); Asimov Z with sigma_b = 10 % at the '
        'cut chosen on validation; mean ± s.e.; paired differences to the paper recipe\n')
import pandas as pd
with pd.option_context('display.width', 250, 'display.max_columns', 30):
    text = head + comp.table.to_string() + '\n\nper split:\n' + comp.per_split.to_string()
Path(a.out).write_text(text + '\n'); print(text)
