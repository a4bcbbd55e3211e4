import os, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault('OMP_NUM_THREADS', '1')

def console_script(name: str) -> str:
    "Path of a console script installed beside the running interpreter."
    p = Path(sys.executable).parent / name
    if not p.exists(): pytest.skip(f"{name} is not installed beside {sys.executable}")
    return str(p)

def shared_subset() -> Path:
    from hepnb.higgs.dataset import find_higgs_file
    return Path(find_higgs_file())

def build_wheel(tmp_path) -> Path:
    "The hepnb wheel, built from a copy of the tree (so nothing is written into the checkout)."
    import shutil, subprocess
    src = tmp_path / 'src'
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns('.venv', '.git', 'build', 'dist', '*.egg-info', 'nbs',
                                                             '__pycache__', 'node_modules', '.hepnb_cache', '_docs',
                                                             '_proc', '.whl', '.gl', 'shared'))
    r = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w',
                        str(tmp_path / 'dist'), str(src)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    wheels = list((tmp_path / 'dist').glob('hepnb-*.whl'))
    assert len(wheels) == 1, wheels
    assert not (src / 'build').exists() and not list(src.glob('*.egg-info')), 'building the wheel wrote into the tree'
    return wheels[0]
