"""The paper's ablation on the real HiggsML subset: Strong 2022 Table 4 (techniques added in order, 10-model
ensembles) and Table 9 (each technique alone on a single baseline model), with the paper's numbers beside ours.
The setups live in `hepnb.higgs.ablation` (the course's chapter 8 shows the same tables).

Every repeat r splits the 22,889 events 60/20/20 with seed r (stratified by class x jet multiplicity); all setups
train on the same events, choose their cut on validation (top-10 % rule) and are scored on test. Times are fractional
increases over the first setup measured in the same repeat.

    OMP_NUM_THREADS=1 python bench/bench_ablation.py --table 4 --repeats 5    # ~30 min on one core
    OMP_NUM_THREADS=1 python bench/bench_ablation.py --table 9 --repeats 5    # ~5 min
    python bench/bench_ablation.py --show                                      # print the saved results
"""
import argparse, os, platform
from pathlib import Path
import pandas as pd
from hepnb.higgs.dataset import load_higgs
from hepnb.higgs.ablation import run_ablation, ablation_table, save_results, load_results

OUT = Path(__file__).parent / 'results'

def show(table):
    f = OUT / f'ablation_table{table}.json'
    if not f.exists(): print(f"no results in {f}"); return
    res = load_results(f)
    print(f"\nStrong 2022 Table {table} on the HiggsML subset: {res['repeats']} repeated 60/20/20 splits, mean ± s.e. "
          f"({res.get('machine', '')})")
    with pd.option_context('display.width', 250, 'display.max_columns', 20): print(ablation_table(res).to_string())

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--table', type=int, choices=[4, 9], default=4)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--show', action='store_true', help='only print the saved results')
    a = ap.parse_args()
    if not a.show:
        import torch
        res = run_ablation(load_higgs(), a.table, a.repeats)
        res['machine'] = f"{platform.machine()} CPU, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} thread(s)"
        save_results(res, OUT / f'ablation_table{a.table}.json')
    for t in ((4, 9) if a.show else (a.table,)): show(t)

if __name__ == '__main__': main()
