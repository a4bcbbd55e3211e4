"""The library is pip-installable as exported: build the wheel, install it into a clean venv with the constraints,
import hepnb and run `hepnb --help`."""
import os, shutil, subprocess, sys, venv
from pathlib import Path
import pytest
from conftest import ROOT, build_wheel

@pytest.fixture(scope='module')
def wheel(tmp_path_factory): return build_wheel(tmp_path_factory.mktemp('wheel'))

def run(*cmd, no_error_lines=False, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    if no_error_lines:  # what a student reads as a failed install (pip's red dependency-resolver ERROR)
        bad = [l for l in (r.stdout + r.stderr).splitlines() if l.lstrip().startswith('ERROR')]
        assert not bad, f"{' '.join(map(str, cmd))} printed {bad}"
    return r.stdout

def test_wheel_installs_in_clean_venv(tmp_path, wheel):
    env_dir = tmp_path / 'venv'
    venv.create(env_dir, with_pip=True)
    py = env_dir / 'bin' / 'python'
    pip = [py, '-m', 'pip', 'install', '-q', '-c', ROOT / 'constraints.txt']
    env = {**os.environ, 'PIP_DISABLE_PIP_VERSION_CHECK': '1'}
    run(*pip, wheel, env=env, no_error_lines=True)
    run(*pip, '--no-deps', 'fastai==2.8.7', env=env, no_error_lines=True)   # last: no pip ERROR about its missing spacy
    out = run(py, '-c', 'import hepnb, hepnb.cli, hepnb.train.ensemble, hepnb.metrics; print(hepnb.__version__)', env=env,
              cwd=tmp_path)
    assert out.strip() == run(sys.executable, '-c', 'import hepnb; print(hepnb.__version__)').strip()
    assert 'higgs' in run(env_dir / 'bin' / 'hepnb', '--help', env=env, cwd=tmp_path)
    # the embedded default data: found and checked with no shared/ folder, no $HEPNB_DATA, an empty cache, no network
    bare = {**env, 'HEPNB_SHARED': 'none', 'HEPNB_CACHE': str(tmp_path / 'cache'), 'OMP_NUM_THREADS': '1'}
    bare.pop('HEPNB_DATA', None)
    where = run(py, '-c', 'from hepnb.higgs.dataset import load_higgs, find_higgs_file; print(find_higgs_file()); print(len(load_higgs()))',
                env=bare, cwd=tmp_path).split()
    assert Path(where[0]).is_relative_to(env_dir) and where[0].endswith('hepnb/higgs/higgsml/atlas-higgs-challenge-2014-v2_first22889.csv.gz'), where
    assert where[1] == '22889', where
    # torchvision and spacy must never come in (fastai is installed --no-deps)
    listing = run(py, '-m', 'pip', 'list', '--format=freeze', env=env).lower()
    assert 'torchvision' not in listing and 'spacy' not in listing
    assert 'torch==' in listing

TOY = '''
import numpy as np, pandas as pd
def table(n, seed):
    r = np.random.default_rng(seed); y = r.integers(0, 2, n)
    t = pd.DataFrame({'run': 1, 'event': np.arange(n), 'mu_pt': r.exponential(30, n) + 25 + 20*y, 'mu_eta': r.normal(0, 1.3, n),
                      'mu_phi': r.uniform(-np.pi, np.pi, n), 'jet_px': r.normal(0, 60, n), 'jet_py': r.normal(0, 60, n),
                      'jet_pz': r.normal(0, 90, n) * (1 + y), 'ht': r.exponential(150, n) + 60*y,
                      'channel': r.choice(['ee', 'mm', 'em', 'me', 'et', 'mt'], n), 'process': np.where(y == 1, 'ttH', 'ttbar'),
                      'weight': r.uniform(0.5, 1.5, n) * np.where(r.uniform(size=n) < 0.1, -1, 1)})
    t.loc[r.uniform(size=n) < 0.3, ['jet_px', 'jet_py', 'jet_pz']] = np.nan
    return t
df, new_df = table(2000, 0), table(300, 1).drop(columns=['process', 'weight'])
'''

def _readme_section(title):
    text = (ROOT / 'README.md').read_text()
    sec = text.split(f'## {title}', 1)[1].split('\n## ', 1)[0]
    blocks = sec.split('```')
    bash = [b for b in blocks[1::2] if b.startswith('bash')][0]
    py = [b for b in blocks[1::2] if b.startswith('python')][0]
    return [l for l in bash.splitlines()[1:] if l.strip()], py[len('python'):]

def test_library_user_install(tmp_path, wheel):
    "The README's 'Use hepnb in your own project': its pip commands in a clean venv (a local wheel for the git URL), then its recipe."
    cmds, recipe = _readme_section('Use hepnb in your own project')
    assert cmds[0].startswith('pip install torch') and cmds[-1].endswith('--no-deps fastai==2.8.7')
    env_dir = tmp_path / 'venv'
    venv.create(env_dir, with_pip=True)
    env = {**os.environ, 'PIP_DISABLE_PIP_VERSION_CHECK': '1'}
    for c in cmds:
        c = c.replace('git+https://github.com/hepnb/hepnb', wheel.as_uri())
        assert c.startswith('pip install'), c
        run('bash', '-c', f"{env_dir / 'bin' / 'python'} -m {c}", env=env, cwd=tmp_path, no_error_lines=True)
    py = env_dir / 'bin' / 'python'
    listing = run(py, '-m', 'pip', 'list', '--format=freeze', env=env).lower()
    assert 'torchvision' not in listing and 'spacy' not in listing and 'uproot' in listing
    script = TOY + recipe + '''
print('AUC', scores['auc_test'], 'Z', scores['asimov_test'], 'n', len(pred))
assert scores['auc_test'] > 0.6 and len(pred) == 300 and ((pred > 0) & (pred < 1)).all()
assert (pred == ens.predict(new_df)).all()
'''
    out = run(py, '-c', script, env={**env, 'OMP_NUM_THREADS': '1'}, cwd=tmp_path)
    assert 'AUC' in out

def test_missing_fastai_is_a_clear_error(tmp_path):
    "Without fastai, `import hepnb` works and importing the training code names the command that fixes it."
    code = ("import sys; sys.modules['fastai'] = None\n"  # as if fastai were not installed
            "import hepnb, hepnb.metrics\n"
            "try: import hepnb.train.learner\n"
            "except ModuleNotFoundError as e: print(e)\n")
    out = run(sys.executable, '-c', code, cwd=tmp_path)
    assert 'pip install --no-deps fastai==2.8.7' in out

def test_trees_extra(wheel):
    "`hepnb[trees]` installs XGBoost: the CPU-only xgboost-cpu on Linux (PyPI's Linux xgboost is the CUDA build with NCCL), xgboost elsewhere."
    import zipfile
    from packaging.requirements import Requirement
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))).decode()
    assert 'Provides-Extra: trees' in meta.splitlines()
    reqs = [Requirement(l.split(':', 1)[1]) for l in meta.splitlines() if l.startswith('Requires-Dist:')]
    trees = [r for r in reqs if r.marker is not None and 'trees' in str(r.marker)]
    def pick(platform): return sorted(r.name for r in trees if r.marker.evaluate({'extra': 'trees', 'sys_platform': platform}))
    assert pick('linux') == ['xgboost-cpu'] and pick('darwin') == ['xgboost'] and pick('win32') == ['xgboost'], trees
    assert not [r for r in reqs if r.name.startswith('xgboost') and r.marker is None]   # not a core requirement
    pins = {l.split('==')[0]: l.split('==')[1] for l in (ROOT / 'constraints.txt').read_text().splitlines() if '==' in l and not l.startswith('#')}
    assert pins['xgboost-cpu'] == pins['xgboost']          # the same version on every platform
