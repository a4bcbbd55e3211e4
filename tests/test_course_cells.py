"""The chapters' generated set-up cells agree with settings.ini (issue 25, item 2): the Colab badge in each chapter's
first cell and its first code cell (quick-mode switch, Colab install, device line) are what `tools/course_cells.py`
makes from the public URL in settings.ini; `--check` fails on drift and `--write` repairs only those cells."""
import configparser, json, re, shutil, subprocess, sys
from pathlib import Path
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / 'tools'))
import course_cells as cc

CHAPTERS = sorted((ROOT / 'nbs' / 'course').glob('[0-9]*.ipynb'))

def _ini() -> dict:
    cp = configparser.ConfigParser(interpolation=None); cp.read(ROOT / 'settings.ini'); return dict(cp['DEFAULT'])

def _nb(p: Path) -> dict: return json.loads(p.read_text(encoding='utf-8'))
def _src(c) -> str: return ''.join(c['source'])

@pytest.mark.parametrize('path', CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_agrees_with_settings(path):
    ini, nb = _ini(), _nb(path)
    _, changed = cc.generate(nb, cc.settings(), path)
    assert not changed, f'{path.name}: {changed}; run python tools/course_cells.py --write'
    # spelled out independently of the generator: the badge opens this very chapter on GitHub, pip installs the public URL
    url = (f"https://colab.research.google.com/github/{ini['user']}/{ini['repo']}/blob/{ini['branch']}/"
           f"{ini['nbs_path']}/course/{path.name}")
    assert f'[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})' in _src(nb['cells'][0])
    code = [c for c in nb['cells'] if c['cell_type'] == 'code']
    first = _src(code[0])
    assert f" @ git+{ini['git_url']}'" in first and "'google.colab' in sys.modules" in first
    assert re.search(r'^HEPNB_QUICK = False\b.*# True: quick mode', first, re.M), 'no visible quick-mode switch'
    assert first.index('hepnb[') < first.index("'fastai==2.8.7'"), 'fastai must come last (else pip prints an ERROR line)'
    assert "print(f'quick mode: {quick_mode()}, device: {default_device()}')" in first
    assert sum("'google.colab' in sys.modules" in _src(c) for c in code) == 1

def test_readme_installs_from_the_public_url():
    "The README's install command names the same repository (the README is written by hand)."
    assert f"git+{_ini()['git_url']}" in (ROOT / 'README.md').read_text()

def _copy(tmp_path) -> Path:
    "settings.ini, the tool and the chapters, in a scratch tree."
    (tmp_path / 'tools').mkdir(); (tmp_path / 'nbs' / 'course').mkdir(parents=True)
    shutil.copy(ROOT / 'settings.ini', tmp_path); shutil.copy(ROOT / 'tools' / 'course_cells.py', tmp_path / 'tools')
    for p in CHAPTERS[:3] + [p for p in CHAPTERS if p.stem.startswith('14_')]:
        shutil.copy(p, tmp_path / 'nbs' / 'course')
    return tmp_path

def _tool(root, *args):
    return subprocess.run([sys.executable, str(root / 'tools' / 'course_cells.py'), *args], capture_output=True, text=True)

def test_check_and_write(tmp_path):
    root = _copy(tmp_path)
    course = sorted((root / 'nbs' / 'course').glob('*.ipynb'))
    r = _tool(root, '--check'); assert r.returncode == 0, r.stdout + r.stderr
    before = {p.name: p.read_bytes() for p in course}
    # drift: an old badge in one chapter, an edited set-up cell in another, a cell inserted after a set-up cell (allowed)
    a, b, c = course[0], course[1], course[-1]
    nb = _nb(a); nb['cells'][0]['source'] = [_src(nb['cells'][0]).replace('/hepnb/hepnb/blob/main/', '/someone/old/blob/master/')]
    cc.write_nb(nb, a)
    nb = _nb(b); i = cc.setup_index(nb); nb['cells'][i]['source'] = [_src(nb['cells'][i]).replace('HEPNB_QUICK = False', 'HEPNB_QUICK = True')]
    cc.write_nb(nb, b)
    nb = _nb(c); i = cc.setup_index(nb)
    nb['cells'].insert(i + 1, {'cell_type': 'markdown', 'id': 'added01', 'metadata': {}, 'source': ['## What you will learn\n', 'text']})
    cc.write_nb(nb, c); with_added = c.read_bytes()
    r = _tool(root, '--check')
    assert r.returncode == 1 and f'{a.name}: badge' in r.stdout and f'{b.name}: set-up cell differs' in r.stdout, r.stdout
    assert c.name not in r.stdout, 'an added markdown cell is not drift'
    r = _tool(root, '--write'); assert r.returncode == 0, r.stderr
    assert a.read_bytes() == before[a.name] and b.read_bytes() == before[b.name]   # exactly the committed text again
    assert c.read_bytes() == with_added                                           # untouched
    assert _tool(root, '--write').stdout == ''                                    # idempotent: nothing more to write
    # the URL lives in settings.ini: a new owner there makes every chapter drift, and --write follows it
    ini = (root / 'settings.ini').read_text()
    (root / 'settings.ini').write_text(ini.replace('git_url = https://github.com/hepnb/hepnb', 'git_url = https://github.com/neworg/hepnb')
                                       .replace('\nuser = hepnb\n', '\nuser = neworg\n'))
    r = _tool(root, '--check'); assert r.returncode == 1 and r.stdout.count(': badge differs') == len(course), r.stdout
    _tool(root, '--write')
    for p in course:
        text = p.read_text()
        assert 'colab.research.google.com/github/neworg/hepnb/blob/main/nbs/course/' + p.name in text
        assert 'git+https://github.com/neworg/hepnb' in text and 'github.com/hepnb/hepnb' not in text
        n0 = _nb(p); nb_before = json.loads(before[p.name]) if p != c else json.loads(with_added)
        assert [x['id'] for x in n0['cells']] == [x['id'] for x in nb_before['cells']]
        assert [x.get('outputs') for x in n0['cells']] == [x.get('outputs') for x in nb_before['cells']]  # outputs kept
    # a git_url that disagrees with user/repo is refused
    (root / 'settings.ini').write_text(ini.replace('\nuser = hepnb\n', '\nuser = other\n'))
    r = _tool(root, '--check'); assert r.returncode != 0 and 'make them agree' in r.stderr

def test_missing_cells_are_added(tmp_path):
    "A new chapter without badge or set-up cell gets both, after its title."
    root = _copy(tmp_path)
    p = root / 'nbs' / 'course' / '99_new.ipynb'
    cc.write_nb({'cells': [{'cell_type': 'markdown', 'id': 't', 'metadata': {}, 'source': ['# 99. New\n', '\n', 'Text.']},
                           {'cell_type': 'code', 'id': 'c', 'metadata': {}, 'outputs': [], 'execution_count': None,
                            'source': ['import hepnb']}], 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}, p)
    assert _tool(root, '--check').returncode == 1
    _tool(root, '--write')
    nb = _nb(p)
    assert _src(nb['cells'][0]).startswith('# 99. New\n\n[![Open In Colab]') and _src(nb['cells'][0]).endswith('Text.')
    assert "'google.colab' in sys.modules" in _src(nb['cells'][1]) and _src(nb['cells'][2]) == 'import hepnb'
    assert "hepnb[physics] @" in _src(nb['cells'][1])
    assert _tool(root, '--check').returncode == 0
