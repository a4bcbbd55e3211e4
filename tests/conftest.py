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
    from hepnb.data.higgs import find_higgs_file
    return Path(find_higgs_file())
