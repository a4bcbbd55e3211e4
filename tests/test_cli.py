"""The `hepnb` console script, and an independent recomputation of every number `hepnb higgs --out` reports."""
import json, subprocess, sys
import numpy as np, pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from conftest import console_script, shared_subset

TOTALS = {'s': 691.988608, 'b': 410999.847322}   # full Kaggle training-set sums (data README)

def ams(s, b, br=10.):
    "The challenge's AMS, written out again here on purpose (not imported from hepnb)."
    return np.sqrt(2 * ((s + b + br) * np.log(1 + s / (b + br)) - s))

def test_help():
    out = subprocess.run([console_script('hepnb'), '--help'], capture_output=True, text=True, check=True).stdout
    assert 'higgs' in out
    out = subprocess.run([console_script('hepnb'), 'higgs', '--help'], capture_output=True, text=True, check=True).stdout
    for flag in ('--data', '--out', '--models', '--quick', '--seed'): assert flag in out

def test_bad_path_is_a_clear_error(tmp_path):
    r = subprocess.run([console_script('hepnb'), 'higgs', '--quick', '--data', str(tmp_path / 'nope.csv')],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert 'nope.csv' in r.stderr and 'Traceback' not in r.stderr

@pytest.fixture(scope='module')
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp('higgs')
    r = subprocess.run([console_script('hepnb'), 'higgs', '--quick', '--models', '2', '--out', str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return out, r.stdout

def test_table_printed(run):
    _, stdout = run
    for key in ('MMVA', 'MVAC', 'weighted AUC', 'test AMS', 'models', 'training seconds', 'inference seconds'):
        assert key in stdout

def test_outputs_reproduce_summary(run):
    "From the data file and the two written files alone, recompute MMVA, MVAC, test AMS and AUCs."
    out, _ = run
    s = json.loads((out / 'summary.json').read_text())
    pr = pd.read_csv(out / 'predictions.csv')
    assert list(pr.columns[:3]) == ['EventId', 'split', 'pred']
    assert s['hepnb_version'] and s['config']['n_models'] == 2
    data = pd.read_csv(shared_subset(), usecols=['EventId', 'Label', 'KaggleWeight'])
    m = pr.merge(data, on='EventId', how='left', validate='one_to_one')
    assert m['Label'].notna().all() and len(m) == len(data)        # every event predicted exactly once
    assert pr.groupby('split').size().to_dict() == {'train': s['n_train'], 'val': s['n_val'], 'test': s['n_test']}
    def split(name):
        d = m[m.split == name]
        y = (d.Label == 's').to_numpy()
        w = d.KaggleWeight.to_numpy().copy()
        w[y] *= TOTALS['s'] / w[y].sum(); w[~y] *= TOTALS['b'] / w[~y].sum()
        return d.pred.to_numpy(), y, w
    def ams_at(p, y, w, cut):
        sel = p >= cut
        return ams(w[sel & y].sum(), w[sel & ~y].sum())
    pv, yv, wv = split('val'); pt, yt, wt = split('test')
    cut = s['cut']
    assert ams_at(pv, yv, wv, cut) == pytest.approx(s['mvac'], rel=1e-6)
    assert ams_at(pt, yt, wt, cut) == pytest.approx(s['ams_test'], rel=1e-6)
    # MMVA: brute force over every distinct validation prediction as the cut
    assert max(ams_at(pv, yv, wv, c) for c in np.unique(pv)) == pytest.approx(s['mmva'], rel=1e-6)
    # the top-10 % rule: mean prediction of the best 10 % of candidate cuts
    cuts = np.unique(pv); a = np.array([ams_at(pv, yv, wv, c) for c in cuts])
    top = cuts[np.argsort(-a, kind='stable')[:max(1, int(round(0.1 * len(cuts))))]]
    assert top.mean() == pytest.approx(cut, rel=1e-3)
    assert roc_auc_score(yv, pv, sample_weight=wv) == pytest.approx(s['auc_val'], abs=1e-6)
    assert roc_auc_score(yt, pt, sample_weight=wt) == pytest.approx(s['auc_test'], abs=1e-6)
    assert 0.85 < s['auc_test'] < 1.0   # a trained classifier, not a constant

def test_same_seed_same_predictions(run, tmp_path):
    out, _ = run
    r = subprocess.run([console_script('hepnb'), 'higgs', '--quick', '--models', '2', '--out', str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    a, b = pd.read_csv(out / 'predictions.csv'), pd.read_csv(tmp_path / 'predictions.csv')
    pd.testing.assert_frame_equal(a, b)

def test_kaggle_test_sets(tmp_path):
    "A v2 file with labelled public ('b') and private ('v') test events: public/private AMS and MAPA, recomputed here."
    raw = pd.read_csv(shared_subset())
    rng = np.random.default_rng(0)
    ks = rng.choice(['t', 't', 'b', 'v'], size=len(raw))   # half training, a quarter public, a quarter private
    raw['KaggleSet'] = ks
    f = tmp_path / 'atlas-higgs-challenge-2014-v2.csv.gz'
    raw.to_csv(f, index=False)
    out = tmp_path / 'out'
    r = subprocess.run([console_script('hepnb'), 'higgs', '--quick', '--recipe', 'baseline', '--models', '2',
                        '--data', str(f), '--out', str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    s = json.loads((out / 'summary.json').read_text())
    assert s['split'] == 'kaggle' and {'mapa', 'public', 'private'} <= set(s)
    for k in ('MAPA', 'public AMS', 'private AMS'): assert k in r.stdout
    pr = pd.read_csv(out / 'predictions.csv').merge(raw[['EventId', 'Label', 'KaggleWeight', 'KaggleSet']], on='EventId')
    test = pr[pr.split == 'test']
    assert set(test.KaggleSet) == {'b', 'v'} and (pr[pr.split != 'test'].KaggleSet == 't').all()
    for name, code in (('public', 'b'), ('private', 'v')):
        d = test[test.KaggleSet == code]
        y = (d.Label == 's').to_numpy(); w = d.KaggleWeight.to_numpy().copy()
        w[y] *= TOTALS['s'] / w[y].sum(); w[~y] *= TOTALS['b'] / w[~y].sum()
        sel = d.pred.to_numpy() >= s['cut']
        assert ams(w[sel & y].sum(), w[sel & ~y].sum()) == pytest.approx(s[name], rel=1e-6)
    assert 0.5 * s['public'] < s['mapa'] < 2 * s['public']

def _consistent(out):
    "A complete output set: the summary's sha256 of each file matches it; returns the summary's seed."
    import hashlib
    s = json.loads((out / 'summary.json').read_text())
    for name, rec in s['files'].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == rec['sha256'], f"{name} is not the one summary.json describes"
    return s['config']['seed']

def test_outputs_all_or_nothing_under_kill(tmp_path):
    "SIGKILL `hepnb higgs --out` at every stage of writing its results: the folder always holds one complete set."
    import os, signal, time
    out = tmp_path / 'res'
    cmd = lambda seed: [console_script('hepnb'), 'higgs', '--quick', '--recipe', 'baseline', '--models', '2', '--epochs', '1',
                        '--seed', str(seed), '--out', str(out)]
    r = subprocess.run(cmd(0), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert _consistent(out) == 0
    stages = {'folder made': lambda d: True, 'predictions written': lambda d: (d / 'predictions.csv').exists(),
              'ensemble written': lambda d: (d / 'ensemble.pt').exists()}
    hit = []
    for seed, (stage, reached) in enumerate(stages.items(), start=1):
        p = subprocess.Popen(cmd(seed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t0 = time.time()
        while p.poll() is None and time.time() - t0 < 300:
            tmp = [d for d in tmp_path.glob('.res.new-*')]
            if tmp and reached(tmp[0]): p.send_signal(signal.SIGKILL); hit.append(stage); break
            time.sleep(0.002)
        p.wait()
        assert out.exists() and _consistent(out) in (0, seed), stage   # the previous set, or a complete new one
    assert hit, 'no stage was interrupted'
    # the next run cleans up what the killed runs left and writes a complete set
    r = subprocess.run(cmd(9), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert _consistent(out) == 9 and not list(tmp_path.glob('.res.*'))

def test_bad_out_and_flags_before_any_work(tmp_path):
    f = tmp_path / 'a_file'; f.write_text('x')
    for args, words in ((['--out', str(f)], ['not a folder']), (['--out', str(f / 'sub')], ['is a file']),
                        (['--lr', 'nan'], ['--lr']), (['--lr', '0'], ['--lr']), (['--epochs', '0'], ['--epochs']),
                        (['--seed', str(2**64)], ['--seed'])):
        t0 = __import__('time').time()
        r = subprocess.run([console_script('hepnb'), 'higgs', '--quick'] + args, capture_output=True, text=True)
        assert r.returncode == 2 and 'Traceback' not in r.stderr and all(w in r.stderr for w in words), r.stderr
        assert __import__('time').time() - t0 < 20      # refused before the data is read or anything trains

@pytest.mark.parametrize('members', ['xgboost', 'net+xgboost'])
def test_tree_members(members, tmp_path):
    "`--members xgboost` / `net+xgboost`: predictions written, the members named, and the saved ensemble predicts the same."
    from hepnb.higgs.dataset import load_higgs
    from hepnb.train.ensemble import Ensemble
    from hepnb.models.trees import BoostedTrees
    extra = ['--recipe', 'baseline', '--epochs', '2'] if members == 'net+xgboost' else []
    r = subprocess.run([console_script('hepnb'), 'higgs', '--quick', '--members', members, '--models', '2', '--out', str(tmp_path)] + extra,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    s = json.loads((tmp_path / 'summary.json').read_text())
    kinds = members.split('+')
    assert s['members'] == s['config']['members'] == members and s['member_counts'] == {k: 2 for k in kinds}
    assert s['n_models'] == 2 * len(kinds) and ('mix' in s) == (len(kinds) == 2)
    assert f"{members}: " in r.stdout and 'XGBoost' in r.stdout
    pr = pd.read_csv(tmp_path / 'predictions.csv')
    assert len(pr) == s['n_train'] + s['n_val'] + s['n_test'] and pr.pred.between(0, 1).all()
    assert 0.8 < s['auc_test'] < 1.0
    ens = Ensemble.load(tmp_path / 'ensemble.pt')
    assert sum(isinstance(m, BoostedTrees) for m in ens.models) == 2 and len(ens) == s['n_models']
    df = load_higgs(s['data']['path'])
    p = pd.Series(ens.predict(df), index=df.EventId.to_numpy())
    np.testing.assert_allclose(p.loc[pr.EventId].to_numpy(), pr.pred.to_numpy(), rtol=1e-6, atol=1e-7)

def test_tree_members_refuse_network_flags():
    for flags, named in ((['--act', 'relu'], '--act'), (['--dense', '--schedule', 'sgdr'], '--schedule, --dense'),
                         (['--augment'], '--augment'), (['--recipe', 'baseline'], '--recipe')):
        r = subprocess.run([console_script('hepnb'), 'higgs', '--members', 'xgboost'] + flags, capture_output=True, text=True)
        assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
        assert f"{named}: " in r.stderr and '--members xgboost trains no network' in r.stderr, r.stderr
