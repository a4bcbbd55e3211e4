"""nbdev is the source of truth: exporting nbs/ again must reproduce hepnb/ exactly."""
import filecmp, shutil, subprocess, sys
from pathlib import Path
from conftest import ROOT, console_script

def test_library_matches_notebooks(tmp_path):
    for p in ('nbs', 'hepnb'): shutil.copytree(ROOT / p, tmp_path / p, ignore=shutil.ignore_patterns('__pycache__'))
    for p in ('settings.ini', 'setup.py', 'README.md'): shutil.copy(ROOT / p, tmp_path / p)
    r = subprocess.run([console_script('nbdev_export')], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    def files(root): return sorted(p.relative_to(root) for p in root.rglob('*.py') if '__pycache__' not in p.parts)
    assert files(tmp_path / 'hepnb') == files(ROOT / 'hepnb'), "exported modules differ from the committed ones"
    diff = [str(f) for f in files(ROOT / 'hepnb') if not filecmp.cmp(ROOT / 'hepnb' / f, tmp_path / 'hepnb' / f, shallow=False)]
    assert not diff, f"hepnb/ is out of step with nbs/ (run nbdev_export): {diff}"
