"""Generate the course chapters' set-up cells from settings.ini: the Colab badge and the first code cell.

    python tools/course_cells.py --check     # exit 1 and list the chapters whose generated cells drifted
    python tools/course_cells.py --write     # rewrite those cells (nothing else in the notebooks changes)

The repository's public URL lives in one place, settings.ini (`git_url`, `user`, `repo`, `branch`, `nbs_path`); every
chapter (nbs/course/NN_*.ipynb) carries two things made from it:

* in its first (markdown) cell, the "Open in Colab" badge linking to the chapter on GitHub;
* its first code cell, the set-up cell: a visible quick-mode switch (`HEPNB_QUICK = False`; set it to True for the
  small version of the chapter), the install commands that run only on Colab (hepnb from the public URL with the
  chapter's extras, then fastai without its dependencies: in this order pip prints no `ERROR` line), and one line
  saying whether quick mode is on and which device hepnb computes on (`hepnb.core.default_device`: the GPU when there
  is one).

Only those two things are written: the rest of the first cell (title, provenance line, text), every other cell and
every stored output stay as they are, so the writer can run after other edits of the chapters (cells added after the
set-up cell, for instance). A chapter's extras (`physics`, plus `scale` or `root`) are read from its current set-up
cell (default: `physics`). Run from anywhere; it finds the repository from its own location."""
from __future__ import annotations
import argparse, configparser, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLAB_MARK = "'google.colab' in sys.modules"
BADGE_IMG = 'https://colab.research.google.com/assets/colab-badge.svg'
_re_badge = re.compile(r'\[!\[Open In Colab\]\([^)\s]*\)\]\([^)\s]*\)')
_re_extras = re.compile(r"hepnb\[([a-z0-9_,\- ]+)\] @")
EXTRAS_ALLOWED = ('physics', 'scale', 'root')   # settings.ini's extras a chapter may ask for (`physics` always)

def settings(root: Path = ROOT) -> dict:
    "settings.ini's [DEFAULT] section, with the public URL checked against `user` and `repo`."
    cp = configparser.ConfigParser(interpolation=None)
    if not cp.read(root / 'settings.ini'): raise SystemExit(f'{root / "settings.ini"}: not found')
    s = dict(cp['DEFAULT'])
    for k in ('git_url', 'user', 'repo', 'branch', 'nbs_path'):
        if not s.get(k): raise SystemExit(f'settings.ini: `{k}` is missing or empty')
    want = f"https://github.com/{s['user']}/{s['repo']}"
    if s['git_url'].rstrip('/') != want:
        raise SystemExit(f"settings.ini: git_url = {s['git_url']} but user/repo say {want}; make them agree")
    return s

def chapters(root: Path = ROOT) -> list[Path]:
    s = settings(root)
    return sorted((root / s['nbs_path'] / 'course').glob('[0-9]*.ipynb'))

def colab_url(s: dict, nb: Path, root: Path = ROOT) -> str:
    rel = nb.resolve().relative_to(root.resolve()).as_posix()
    return f"https://colab.research.google.com/github/{s['user']}/{s['repo']}/blob/{s['branch']}/{rel}"

def badge(s: dict, nb: Path, root: Path = ROOT) -> str:
    return f'[![Open In Colab]({BADGE_IMG})]({colab_url(s, nb, root)})'

def pip_source(s: dict) -> str:
    "What pip installs hepnb from on Colab (tests/test_colab_path.py puts a local wheel's file:// URL in its place)."
    return f"git+{s['git_url'].rstrip('/')}"

def setup_cell(s: dict, extras: str = 'physics') -> str:
    "The set-up cell's source for a chapter with these extras."
    return f'''# Set-up (generated from settings.ini by tools/course_cells.py: edit the generator, not this cell).
# Quick mode: less data, fewer epochs and seeds, so that the chapter runs in minutes on a CPU (Colab's free runtime).
HEPNB_QUICK = False   # True: quick mode (then run the chapter from the top); the test suite turns it on itself
# hepnb computes on a GPU when there is one (on Colab: Runtime > Change runtime type > GPU), else on the CPU.
import os, sys, subprocess
if HEPNB_QUICK: os.environ['HEPNB_QUICK'] = '1'
if {COLAB_MARK}:  # on your own machine, install hepnb as the README says
    pip = [sys.executable, '-m', 'pip', 'install', '-q']
    subprocess.run(pip + ['hepnb[{extras}] @ {pip_source(s)}'], check=True)
    subprocess.run(pip + ['--no-deps', 'fastai==2.8.7'], check=True)  # last, so that pip prints no ERROR line
    import importlib; importlib.invalidate_caches()                   # what was just installed is importable now
from hepnb.core import quick_mode, default_device
print(f'quick mode: {{quick_mode()}}, device: {{default_device()}}')'''

def _src(c) -> str: return ''.join(c['source']) if isinstance(c['source'], list) else c['source']
def _lines(s: str) -> list[str]: return s.splitlines(keepends=True)

def setup_index(nb: dict, name: str = '') -> int | None:
    "Index of the set-up cell: the first code cell, if it is the Colab install cell; None when the chapter has none."
    code = [i for i, c in enumerate(nb['cells']) if c['cell_type'] == 'code']
    marked = [i for i in code if COLAB_MARK in _src(nb['cells'][i])]
    if len(marked) > 1: raise SystemExit(f'{name}: {len(marked)} code cells install hepnb on Colab; keep one')
    if marked and code and marked[0] != code[0]:
        raise SystemExit(f'{name}: the Colab install cell is code cell {code.index(marked[0])}, not the first code cell')
    return marked[0] if marked else None

def chapter_extras(nb: dict, name: str = '') -> str:
    i = setup_index(nb, name)
    if i is None: return 'physics'
    m = _re_extras.search(_src(nb['cells'][i]))
    if not m: raise SystemExit(f'{name}: its set-up cell installs no hepnb[...]')
    extras = [e.strip() for e in m.group(1).split(',') if e.strip()]
    bad = [e for e in extras if e not in EXTRAS_ALLOWED]
    if bad or not extras or extras[0] != 'physics':
        raise SystemExit(f"{name}: extras {m.group(1)!r}: start with physics, then any of {EXTRAS_ALLOWED[1:]}")
    return ','.join(extras)

def _new_id(nb: dict) -> str:
    import hashlib
    ids = {c.get('id') for c in nb['cells']}
    k = 0
    while True:
        h = hashlib.sha1(f'hepnb-setup-{k}'.encode()).hexdigest()[:8]
        if h not in ids: return h
        k += 1

def generate(nb: dict, s: dict, path: Path, root: Path = ROOT) -> tuple[dict, list[str]]:
    "The notebook with its generated cells as they should be, and what differed (empty: up to date)."
    nb = json.loads(json.dumps(nb))
    name, changed = path.name, []
    first = nb['cells'][0] if nb['cells'] else None
    if first is None or first['cell_type'] != 'markdown': raise SystemExit(f'{name}: the first cell is not markdown (title)')
    text, want = _src(first), badge(s, path, root)
    found = _re_badge.findall(text)
    if len(found) > 1: raise SystemExit(f'{name}: {len(found)} Colab badges in the first cell; keep one')
    if not found:   # after the title line
        m = re.search(r'^#\s.*$', text, re.M)
        at = m.end() if m else 0
        new = text[:at] + ('\n\n' if m else '') + want + ('\n' if not m else '') + text[at:]
        changed.append('badge missing')
    else:
        new = text.replace(found[0], want)
        if found[0] != want: changed.append('badge differs')
    first['source'] = _lines(new)
    cell = setup_cell(s, chapter_extras(nb, name))
    i = setup_index(nb, name)
    if i is None:
        nb['cells'].insert(1, {'cell_type': 'code', 'execution_count': None, 'id': _new_id(nb), 'metadata': {},
                               'outputs': [], 'source': _lines(cell)})
        changed.append('set-up cell missing')
    elif _src(nb['cells'][i]) != cell:
        nb['cells'][i]['source'] = _lines(cell)
        changed.append('set-up cell differs')
    return nb, changed

def write_nb(nb: dict, path: Path):
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--check', action='store_true', help='exit 1 if any chapter differs from what settings.ini gives')
    g.add_argument('--write', action='store_true', help='rewrite the badge and set-up cell of the chapters that differ')
    ap.add_argument('paths', nargs='*', type=Path, help='chapters (default: every nbs/course/NN_*.ipynb)')
    a = ap.parse_args(argv)
    s = settings()
    paths = [p.resolve() for p in a.paths] or chapters()
    if not paths: raise SystemExit('no chapters found')
    drift = 0
    for p in paths:
        nb = json.loads(p.read_text(encoding='utf-8'))
        new, changed = generate(nb, s, p)
        if not changed: continue
        drift += 1
        if a.write:
            write_nb(new, p); print(f'{p.name}: rewrote ({"; ".join(changed)})')
        else: print(f'{p.name}: {"; ".join(changed)}')
    if a.check and drift:
        print(f'{drift} chapter(s) differ from settings.ini: run python tools/course_cells.py --write', file=sys.stderr)
        return 1
    if a.check: print(f'{len(paths)} chapters agree with settings.ini ({s["git_url"]}, branch {s["branch"]})')
    return 0

if __name__ == '__main__': sys.exit(main())
