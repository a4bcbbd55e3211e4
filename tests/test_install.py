"""The library is pip-installable as exported: build the wheel, install it into a clean venv with the constraints,
import hepnb and run `hepnb --help`."""
import os, shutil, subprocess, sys, venv
from pathlib import Path
import pytest
from conftest import ROOT

def run(*cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout

def test_wheel_installs_in_clean_venv(tmp_path):
    src = tmp_path / 'src'
    # build from a copy so the test never writes build/ or *.egg-info into the checkout
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns('.venv', '.git', 'build', 'dist', '*.egg-info', 'nbs',
                                                             '__pycache__', 'node_modules', '.hepnb_cache'))
    run(sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', tmp_path / 'dist', src)
    wheels = list((tmp_path / 'dist').glob('hepnb-*.whl'))
    assert len(wheels) == 1, wheels
    env_dir = tmp_path / 'venv'
    venv.create(env_dir, with_pip=True)
    py = env_dir / 'bin' / 'python'
    pip = [py, '-m', 'pip', 'install', '-q', '-c', ROOT / 'constraints.txt']
    env = {**os.environ, 'PIP_DISABLE_PIP_VERSION_CHECK': '1'}
    run(*pip, '--no-deps', 'fastai==2.8.7', env=env)
    run(*pip, wheels[0], env=env)
    out = run(py, '-c', 'import hepnb, hepnb.cli, hepnb.train.ensemble, hepnb.metrics; print(hepnb.__version__)', env=env,
              cwd=tmp_path)
    assert out.strip() == run(sys.executable, '-c', 'import hepnb; print(hepnb.__version__)').strip()
    assert 'higgs' in run(env_dir / 'bin' / 'hepnb', '--help', env=env, cwd=tmp_path)
    # torchvision and spacy must never come in (fastai is installed --no-deps)
    listing = run(py, '-m', 'pip', 'list', '--format=freeze', env=env).lower()
    assert 'torchvision' not in listing and 'spacy' not in listing
    assert 'torch==' in listing
