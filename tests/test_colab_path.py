"""The Colab path (issues 14 and 25): a chapter opened on Colab, reproduced here as faithfully as this machine allows.

"Colab" is a fresh venv that already has torch (2.13.0, found by pip on this machine), a Jupyter kernel (ipykernel,
nbclient) and xgboost, nothing else, with
* hepnb installed by the chapters' own set-up cells from a wheel built here (its file:// URL in place of the public
  git URL, the only change to the cells' text), never from the checkout;
* a fresh, empty home folder (no hepnb cache, no ~/.config), the working folder outside the checkout, so no course
  `shared/` folder is reachable (asserted in the kernel);
* no `HEPNB_*` variable at all (asserted), no `IN_TEST`; quick mode is turned on as a student does it, by setting
  `HEPNB_QUICK = True` in the set-up cell;
* no network for hepnb: the kernels (and the probe script) get an HTTP(S) proxy that refuses every connection, so any
  download attempt by hepnb fails, as on a machine without network; pip, in the set-up cells, reaches its package
  sources as on Colab (here: this machine's local wheels and mirrors, and whatever registry pip may reach).

Checked: each distinct set-up cell (extras physics / physics,scale / physics,root) installs hepnb as on Colab (with
`google.colab` in `sys.modules`) and pip prints no `ERROR` line; torch is not replaced; fastai comes without
torchvision and spacy; every chapter's top-level imports work; every chapter's set-up cell and first code cell run in a
fresh kernel (quick mode on, the embedded data found); chapter 1 runs whole in quick mode (its `#| slow` cells left
out, as under the test suite) from the embedded 22,889-event HiggsML subset. Nothing is written into the checkout."""
import ast, json, os, re, subprocess, sys, time, venv
from pathlib import Path
import pytest
from conftest import ROOT, build_wheel

sys.path.insert(0, str(ROOT / 'tools'))
import course_cells as cc

CHAPTERS = sorted((ROOT / 'nbs' / 'course').glob('[0-9]*.ipynb'))
NO_NET = 'http://127.0.0.1:9'   # the discard port: nothing listens, every proxied connection is refused

def _nb(p: Path) -> dict: return json.loads(p.read_text(encoding='utf-8'))
def _src(c) -> str: return ''.join(c['source']) if isinstance(c['source'], list) else c['source']
def _code(nb) -> list[dict]: return [c for c in nb['cells'] if c['cell_type'] == 'code']

def run(*cmd, timeout=900, **kw) -> str:
    t0 = time.perf_counter()
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))[:300]}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    print(f'{time.perf_counter() - t0:6.1f} s  {" ".join(map(str, cmd))[:120]}')
    return r.stdout + r.stderr

def _imports(p: Path) -> list[str]:
    "The top-level import statements of a chapter's code cells."
    out = []
    for c in _code(_nb(p)):
        src = '\n'.join(l for l in _src(c).splitlines() if not l.lstrip().startswith(('%', '!')))
        try: tree = ast.parse(src)
        except SyntaxError: continue
        out += [ast.unparse(s) for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
    return out

def _colab_env(tmp_path) -> dict:
    home = tmp_path / 'home'; home.mkdir()
    drop = ('PYTHON', 'VIRTUAL_ENV', 'PIP_CONSTRAINT', 'HEPNB_', 'IN_TEST', 'JUPYTER', 'XDG_', 'MPLCONFIGDIR')
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(HOME=str(home), PIP_DISABLE_PIP_VERSION_CHECK='1', OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', MPLBACKEND='Agg',
               # PIP_NO_COMPILE: no .pyc pass over torch & co (a minute on 2 cores); what gets installed is the same
               PIP_NO_COMPILE='1')
    # this machine's package mirror (its pip.conf lives in the real home) stands in for PyPI
    user_conf = Path(os.path.expanduser('~/.config/pip/pip.conf'))
    if 'PIP_CONFIG_FILE' not in env and user_conf.is_file(): env['PIP_CONFIG_FILE'] = str(user_conf)
    assert not [k for k in env if k.startswith('HEPNB_')]
    return env

def _offline(env: dict) -> dict:
    "The environment of hepnb's own code (probe, kernels): every HTTP(S) connection goes to a proxy that refuses it."
    return {**env, 'http_proxy': NO_NET, 'https_proxy': NO_NET, 'HTTP_PROXY': NO_NET, 'HTTPS_PROXY': NO_NET,
            'no_proxy': '', 'NO_PROXY': ''}

def _as_colab(src: str, wheel: Path, quick: bool = False) -> str:
    "A set-up cell as the test runs it: the wheel's URL for the public one; quick mode switched on as a student would."
    git = cc.pip_source(cc.settings())
    assert src.count(f' @ {git}') == 1, 'the set-up cell does not install from settings.ini\'s git_url'
    src = src.replace(f' @ {git}', f' @ {wheel.as_uri()}')
    if quick:
        assert src.count('\nHEPNB_QUICK = False') == 1
        src = src.replace('\nHEPNB_QUICK = False', '\nHEPNB_QUICK = True')
    return src

# run notebooks in the venv's kernels, one fresh kernel per notebook; prints one JSON line per notebook
DRIVER = r'''
import json, sys, time, nbformat
from nbclient import NotebookClient
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=900, kernel_name='python3', resources={'metadata': {'path': '.'}}).execute()
    nbformat.write(nb, path)
    print(json.dumps({'path': path, 'seconds': round(time.perf_counter() - t0, 1)}), flush=True)
'''

PROBE = '''import hepnb, hepnb.core, hepnb.higgs.dataset as H, os
assert hepnb.core.shared_dir() is None, f'a shared/ folder is reachable: {hepnb.core.shared_dir()}'
assert not [k for k in os.environ if k.startswith('HEPNB_') and k != 'HEPNB_QUICK'], sorted(os.environ)
assert H.find_higgs_file(download=False) == H.higgs_subset_path(), H.find_higgs_file(download=False)
assert 'site-packages' in hepnb.__file__, hepnb.__file__
print('colab probe ok')'''

def test_colab_path(tmp_path):
    t_start = time.perf_counter()
    # 1. the wheel, built from a copy of the tree (nothing written into the checkout)
    wheel = build_wheel(tmp_path)
    # 2. "Colab": a fresh venv with torch and a Jupyter kernel already installed, a fresh home, no HEPNB_* variables
    env_dir = tmp_path / 'colab'
    venv.create(env_dir, with_pip=True)
    py = env_dir / 'bin' / 'python'
    env = _colab_env(tmp_path)
    work = tmp_path / 'work'; work.mkdir()
    # Colab also has xgboost, which chapter 14 imports without installing it (the CPU build here: 5 MB, not 300)
    run(py, '-m', 'pip', 'install', '-q', 'torch==2.13.0', 'ipykernel', 'nbclient', 'xgboost-cpu', env=env)
    torch_probe = [py, '-c', 'import torch; print(torch.__version__, torch.__file__)']
    torch_before = run(*torch_probe, env=env).strip()
    t_venv = time.perf_counter() - t_start
    # 3. the set-up cells, as Colab runs them: each distinct one (the same text with other extras: Ray for chapter 9,
    # ROOT I/O for chapter 14), chapter 1's first
    setups = {p: _src(_nb(p)['cells'][cc.setup_index(_nb(p), p.name)]) for p in CHAPTERS}
    for i, src in enumerate(dict.fromkeys(setups.values())):
        cell = work / f'setup_cell_{i}.py'
        cell.write_text("import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')  # as on Colab\n"
                        + _as_colab(src, wheel) + '\n')
        out = run(py, cell, env=env, cwd=work)
        errors = [l for l in out.splitlines() if l.lstrip().startswith('ERROR')]
        assert not errors, f'the set-up cell made pip print {errors}'
        assert re.search(r'quick mode: False, device: (cpu|cuda)', out), out[-2000:]
    # 4. torch untouched; fastai without torchvision/spacy
    assert run(*torch_probe, env=env).strip() == torch_before, 'the set-up cell replaced torch'
    listing = run(py, '-m', 'pip', 'list', '--format=freeze', env=env).lower()
    assert 'hepnb==' in listing and 'fastai==2.8.7' in listing
    assert 'torchvision' not in listing and 'spacy' not in listing
    t_install = time.perf_counter() - t_start
    # 5. hepnb from the wheel, no shared/, the embedded data, and every chapter's imports (chapter 9's Ray is optional)
    probe = work / 'imports.py'
    imports = sorted({s for p in CHAPTERS for s in _imports(p)})
    probe.write_text(PROBE + '\n' + '\n'.join(imports) + "\nprint('imports ok')\n")
    out = run(py, probe, env=_offline(env), cwd=work)
    assert 'colab probe ok' in out and 'imports ok' in out
    # 6. in fresh kernels: chapter 1 whole (quick, `#| slow` cells left out as under the test suite), and every other
    # chapter's set-up cell and first code cell after it (imports, settings, data), quick mode switched on in the cell
    books = []
    for p in CHAPTERS:
        nb = _nb(p)
        i = cc.setup_index(nb, p.name)
        nb['cells'][i]['source'] = _as_colab(_src(nb['cells'][i]), wheel, quick=True)
        code = [c for c in nb['cells'] if c['cell_type'] == 'code' and not re.match(r'\s*#\|\s*slow\b', _src(c))]
        if p != CHAPTERS[0]: code = code[:2]
        for c in code: c['outputs'], c['execution_count'] = [], None
        nb['cells'] = code
        (work / p.name).write_text(json.dumps(nb), encoding='utf-8'); books.append(work / p.name)
    # two drivers at a time (CI has two cores): chapter 1 with half of the others, the rest beside it
    t0 = time.perf_counter()
    groups = [books[:7], books[7:]]   # chapter 1 whole (~2 kernels' time) and 6 first cells; 8 first cells
    procs = [subprocess.Popen([str(py), '-c', DRIVER, *map(str, g)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=_offline(env), cwd=work) for g in groups]
    outs = [p.communicate(timeout=1800) for p in procs]
    for p, (o, e) in zip(procs, outs): assert p.returncode == 0, f'{o[-3000:]}\n{e[-3000:]}'
    lines = [l for o, _ in outs for l in o.splitlines() if l.startswith('{')]
    times = {Path(d['path']).stem: d['seconds'] for d in map(json.loads, lines)}
    t_kernels = time.perf_counter() - t0
    for b in books:
        outs = [o for c in _code(_nb(b)) for o in c.get('outputs', [])]
        assert not [o for o in outs if o.get('output_type') == 'error'], b.name
        text = ''.join(''.join(o.get('text', '')) for o in outs)
        assert re.search(r'quick mode: True, device: (cpu|cuda)', text), f'{b.name}: the set-up cell did not turn quick mode on'
    assert len(times) == len(CHAPTERS)
    ch1 = times.pop(CHAPTERS[0].stem)
    print(f'Colab path: venv with torch {t_venv:.0f} s, set-up cells {t_install - t_venv:.0f} s, chapter 1 (quick) {ch1:.0f} s, '
          f'first cells of {len(times)} chapters {sum(times.values()):.0f} s (kernels: {t_kernels:.0f} s on two at a time); '
          f'the whole test {time.perf_counter() - t_start:.0f} s')
