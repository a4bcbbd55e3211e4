"""Several backgrounds on the documented toy: multi-class (softmax network, XGBoost multi:softprob) against binary
training (signal against all backgrounds summed), the same events, the same cut rule.

For each seed s the toy of `hepnb.data.processes.toy_processes(n, seed=s)` (tt̄H against tt̄ and tt̄V, 20 % of tt̄V's
weights negative) is split 60/20/20 (stratified per process, seed s). Each model trains on the training events, the cut
maximises the Asimov Z (σ_b = 10 % of b) on the validation events, and the test events give the per-process yields at
that cut (expected events of the whole table), s, b summed over processes, the AMS and the Asimov Z. Rows: the
multi-class models with the likelihood-ratio discriminant (default) and with the summed signal probability, the binary
models (their signal probability), and the best single input. Paired differences multi-class − binary over seeds.

    OMP_NUM_THREADS=1 python bench/bench_multiclass.py [--n 10000] [--seeds 5] [--epochs 15] [--out bench/results/multiclass_toy]
"""
import argparse, json, time
import numpy as np
from hepnb.data.spec import EventSpec
from hepnb.data.processes import toy_processes, prepare_processes
from hepnb.train.multiclass import MulticlassConfig, train_multiclass
from hepnb.metrics_multiclass import score_processes
from hepnb.metrics import weighted_auc, format_mean_sem, mean_sem

def one_input(sets):
    v = sets['val']; aucs = np.array([weighted_auc(v.x_cont[:, j], v.y, v.w_eval) for j in range(v.x_cont.shape[1])])
    j = int(np.argmax(np.abs(aucs - .5))); sign = 1 if aucs[j] > .5 else -1
    return lambda ts: sign * ts.x_cont[:, j]

def run(seed, n, epochs):
    toy = toy_processes(n, seed=seed)
    spec = EventSpec(cont=['x1', 'x2', 'x3', 'x4'], label='process', signal=('ttH',), weight='weight', ids=['event'])
    sets, _, procs, codes = prepare_processes(toy, spec, seed=seed)
    bcodes = {k: procs.binary_codes(c) for k, c in codes.items()}
    score = lambda f: score_processes(*[(f(sets[k]), codes[k], sets[k].w_eval) for k in ('val', 'test')], procs.names)
    out, secs = {}, {}
    for model in ('net', 'trees'):
        cfg = MulticlassConfig(model=model, epochs=epochs, seed=seed)
        m = train_multiclass(sets, codes, procs, cfg); b = train_multiclass(sets, bcodes, procs.binary(), cfg)
        out[f'{model}, multi-class (ratio)'] = score(m.predict)
        out[f'{model}, multi-class (signal prob.)'] = score(lambda ts: m.predict(ts, kind='signal'))
        out[f'{model}, binary'] = score(b.predict)
        secs[f'{model}, multi-class (ratio)'], secs[f'{model}, binary'] = m.info['train_s'], b.info['train_s']
    out['one input'] = score(one_input(sets))
    return out, secs, list(procs.names)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=10000); ap.add_argument('--seeds', type=int, default=5)
    ap.add_argument('--epochs', type=int, default=15); ap.add_argument('--out', default='bench/results/multiclass_toy')
    a = ap.parse_args()
    t0 = time.time(); runs = [run(s, a.n, a.epochs) for s in range(a.seeds)]
    names = runs[0][2]; rows = list(runs[0][0])
    lines = [f"toy_processes(n={a.n} per process), seeds 0..{a.seeds - 1}, 60/20/20, net 3x64 1cycle {a.epochs} epochs, "
             f"XGBoost depth 4 eta 0.1 early-stopped; cut: max Asimov Z (σ_b = 10 % b) on validation; test numbers, mean ± s.e.",
             f"{'method':32s} {'Z_A':>14s} {'AMS':>14s} {'AUC':>16s} " + ' '.join(f'{p + " yield":>16s}' for p in names)]
    for r in rows:
        g = lambda f: [f(run_[0][r]) for run_ in runs]
        lines.append(f"{r:32s} {format_mean_sem(g(lambda x: x['test']['z'])):>14s} {format_mean_sem(g(lambda x: x['test']['ams'])):>14s} "
                     f"{format_mean_sem(g(lambda x: x['test']['auc']), '.4f'):>16s} "
                     + ' '.join(f"{format_mean_sem(g(lambda x, p=p: x['test']['yields'][p]), '.1f'):>16s}" for p in names))
    lines.append("paired differences on the test events over seeds (mean ± s.e.):")
    for model in ('net', 'trees'):
        for kind in ('ratio', 'signal prob.'):
            d = [run_[0][f'{model}, multi-class ({kind})']['test']['z'] - run_[0][f'{model}, binary']['test']['z'] for run_ in runs]
            da = [run_[0][f'{model}, multi-class ({kind})']['test']['auc'] - run_[0][f'{model}, binary']['test']['auc'] for run_ in runs]
            lines.append(f"  {model}: multi-class ({kind}) - binary: Z_A {format_mean_sem(d)}, AUC {format_mean_sem(da, '.4f')}")
    for k in runs[0][1]: lines.append(f"training seconds, {k}: {format_mean_sem([run_[1][k] for run_ in runs], '.1f')}")
    lines.append(f"total {time.time() - t0:.0f} s")
    txt = '\n'.join(lines); print(txt)
    open(a.out + '.txt', 'w').write(txt + '\n')
    json.dump({'args': vars(a), 'processes': names, 'runs': [r[0] for r in runs], 'train_s': [r[1] for r in runs]},
              open(a.out + '.json', 'w'), indent=1)

if __name__ == '__main__': main()
