"""The Colab path (issue 14): what a chapter's install cell does on Colab, reproduced here.

A fresh venv stands in for Colab's runtime: it already has torch (2.13.0, found by pip on this machine), a Jupyter
kernel (ipykernel, nbclient) and xgboost, nothing else. The chapters' install cells (chapter 1's, then each other
distinct one) are run as on Colab (with `google.colab` in `sys.modules`), with hepnb's source pointed at a wheel built here (`HEPNB_PIP_SOURCE`, a file://
URL, instead of the git URL) and no constraints file — Colab has none. Then: torch was not replaced (same version,
same files), `import hepnb` and every chapter's imports work, and chapter 1 runs in quick mode in that venv's kernel
(nbclient; its `#| slow` cells left out, as under the test suite).
Every chapter's install cell is the same text, up to extras added to `physics` (9: `scale` for Ray, 14: `root`).
Nothing is written into the checkout: the wheel is built from a copy of the tree, everything else lives in tmp_path."""
import ast, json, os, re, shutil, subprocess, sys, time, venv
from pathlib import Path
import pytest
from conftest import ROOT, shared_subset, build_wheel

CHAPTERS = sorted((ROOT / 'nbs' / 'course').glob('[0-9]*.ipynb'))
COLAB_MARK = "'google.colab' in sys.modules"
# extras a chapter's cell may add to `physics` (chapter 9: Ray for its search; chapter 14: ROOT files)
EXTRAS = {'scale', 'root'}

def cells(p: Path) -> list[str]:
    nb = json.loads(p.read_text(encoding='utf-8'))
    return [''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'code']

def install_cell(p: Path) -> str:
    found = [c for c in cells(p) if COLAB_MARK in c]
    assert len(found) == 1, f'{p.name}: {len(found)} Colab install cells'
    return found[0]

def run(*cmd, timeout=900, **kw) -> str:
    t0 = time.perf_counter()
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))[:300]}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    print(f'{time.perf_counter() - t0:6.1f} s  {" ".join(map(str, cmd))[:120]}')
    return r.stdout

def test_install_cells_identical():
    "One install cell text in every chapter (up to the extras), honouring HEPNB_PIP_SOURCE, no CUDA torch pulled in."
    ref = install_cell(CHAPTERS[0]).replace('hepnb[physics]', 'hepnb[EXTRAS]')
    assert 'HEPNB_PIP_SOURCE' in ref and "'--no-deps', 'fastai==2.8.7'" in ref and 'torch' not in ref
    for p in CHAPTERS:
        src = install_cell(p)
        m = re.search(r"hepnb\[([a-z,]+)\] @", src)
        assert m, f'{p.name}: its install cell installs no hepnb[...]'
        extras = m.group(1)
        assert extras.split(',')[0] == 'physics' and set(extras.split(',')[1:]) <= EXTRAS, f'{p.name}: extras {extras}'
        assert src == ref.replace('EXTRAS', extras), f'{p.name}: its install cell differs from chapter 1\'s'
        assert cells(p).index(src) == 0, f'{p.name}: the install cell is not the first code cell'

def _imports(p: Path) -> list[str]:
    "The top-level import statements of a chapter's code cells."
    out = []
    for src in cells(p):
        src = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!')))
        try: tree = ast.parse(src)
        except SyntaxError: continue
        out += [ast.unparse(s) for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
    return out

def test_colab_path(tmp_path):
    data = shared_subset()   # chapter 1 reads the HiggsML subset from shared/
    t_start = time.perf_counter()
    # 1. the wheel, built from a copy of the tree (nothing written into the checkout)
    wheel = build_wheel(tmp_path)
    # 2. "Colab": a fresh venv with torch and a Jupyter kernel already installed
    env_dir = tmp_path / 'colab'
    venv.create(env_dir, with_pip=True)
    py = env_dir / 'bin' / 'python'
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTHON', 'VIRTUAL_ENV', 'PIP_CONSTRAINT'))}
    # PIP_NO_COMPILE: no .pyc pass over torch & co (a minute on 2 cores); what gets installed is the same
    env.update(PIP_DISABLE_PIP_VERSION_CHECK='1', PIP_NO_COMPILE='1', HEPNB_CACHE=str(tmp_path / 'cache'), HEPNB_DATA=str(data),
               OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', MPLBACKEND='Agg')
    # Colab also has xgboost, which chapter 14 imports without installing it (the CPU build here: 5 MB, not 300)
    run(py, '-m', 'pip', 'install', '-q', 'torch==2.13.0', 'ipykernel', 'nbclient', 'xgboost-cpu', env=env)
    torch_probe = [py, '-c', 'import torch; print(torch.__version__, torch.__file__)']
    torch_before = run(*torch_probe, env=env).strip()
    # 3. the install cells, as Colab runs them, from the local wheel: chapter 1's, then each other distinct one (the
    # same text with other extras: Ray for chapter 9, ROOT I/O for chapter 14)
    distinct = list(dict.fromkeys(install_cell(p) for p in CHAPTERS))
    for i, src in enumerate(distinct):
        cell = tmp_path / f'install_cell_{i}.py'
        cell.write_text("import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')  # as on Colab\n"
                        + src + '\n')
        run(py, cell, env={**env, 'HEPNB_PIP_SOURCE': wheel.as_uri()}, cwd=tmp_path)
    # 4. torch untouched; fastai without torchvision/spacy
    assert run(*torch_probe, env=env).strip() == torch_before, 'the install cell replaced torch'
    listing = run(py, '-m', 'pip', 'list', '--format=freeze', env=env).lower()
    assert 'hepnb==' in listing and 'fastai==2.8.7' in listing
    assert 'torchvision' not in listing and 'spacy' not in listing
    # 5. import hepnb and every chapter's imports (chapter 9's Ray is optional: it runs its trials in turn without)
    imports = sorted({s for p in CHAPTERS for s in _imports(p)})
    probe = tmp_path / 'imports.py'
    probe.write_text('import hepnb\n' + '\n'.join(imports) + "\nprint('imports ok', hepnb.__version__)\n")
    assert 'imports ok' in run(py, probe, env=env, cwd=tmp_path)
    # 6. chapter 1 in quick mode, in that venv's kernel (on a copy: the committed notebook stays as it is)
    # `#| slow` cells are left out, as under the test suite (nbdev_test): they are the full-run-only studies
    work = tmp_path / 'run'; work.mkdir()
    nb = json.loads(CHAPTERS[0].read_text(encoding='utf-8'))
    nb['cells'] = [c for c in nb['cells'] if not (c['cell_type'] == 'code' and
                   re.match(r'\s*#\|\s*slow\b', ''.join(c['source'])))]
    (work / CHAPTERS[0].name).write_text(json.dumps(nb), encoding='utf-8')
    t0 = time.perf_counter()
    run(py, '-c', "import sys, nbformat; from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, timeout=900, kernel_name='python3', resources={'metadata': {'path': '.'}}).execute()\n"
        "nbformat.write(nb, sys.argv[1])\n", work / CHAPTERS[0].name,
        env={**env, 'HEPNB_QUICK': '1'}, cwd=work, timeout=1200)
    t_ch1 = time.perf_counter() - t0
    nb = json.loads((work / CHAPTERS[0].name).read_text())
    outs = [o for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])]
    assert not [o for o in outs if o.get('output_type') == 'error']
    assert any('quick mode: True' in ''.join(o.get('text', '')) for o in outs), 'chapter 1 did not run in quick mode'
    print(f'chapter 1 (quick) ran in {t_ch1:.0f} s; the whole Colab-path test took {time.perf_counter() - t_start:.0f} s')
