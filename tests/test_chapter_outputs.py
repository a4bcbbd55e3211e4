"""Every course chapter is committed with its outputs (issue 14): at least one output, at least one figure
(image/png), and a provenance statement in its first markdown cell — date, machine (CPU/GPU), torch version and wall
time of the run that made the outputs, as chapter 13 does. An accidental `nbdev_clean --clear_all` fails here.

Chapters whose outputs are not committed yet are listed in PENDING and skipped with that reason; empty it as the
outputs land (the test then checks them)."""
import json, re
from pathlib import Path
import pytest
from conftest import ROOT

CHAPTERS = sorted((ROOT / 'nbs' / 'course').glob('[0-9]*.ipynb'))
# chapters still to be run for their outputs (issue 14, part 1): none left
PENDING: set[str] = set()

# what the provenance cell must state, each with the pattern that finds it
PROVENANCE = {'a date (YYYY-MM-DD)': r'\b20\d\d-\d\d-\d\d\b',
              'the machine (CPU or GPU)': r'\b(CPU|GPU)s?\b',
              'the torch version': r'\btorch\s+\d+\.\d+',
              'the wall time': r'\b\d+(\.\d+)?\s*(s|min|minutes|h|hours?)\b'}

def _nb(p: Path) -> dict: return json.loads(p.read_text(encoding='utf-8'))
def _src(c) -> str: return ''.join(c['source']) if isinstance(c['source'], list) else c['source']

def test_pending_names_chapters():
    names = {p.stem for p in CHAPTERS}
    assert PENDING <= names, f"PENDING names chapters that do not exist: {sorted(PENDING - names)}"
    assert names - PENDING, 'every chapter is pending: nothing is checked'

@pytest.mark.parametrize('path', CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_has_outputs_and_provenance(path):
    if path.stem in PENDING: pytest.skip(f'{path.stem}: outputs not committed yet (issue 14, part 1; listed in PENDING)')
    nb = _nb(path)
    code = [c for c in nb['cells'] if c['cell_type'] == 'code']
    outputs = [o for c in code for o in c.get('outputs', [])]
    assert outputs, f'{path.name}: no cell has an output (were the outputs cleared?)'
    figures = [o for o in outputs if 'image/png' in o.get('data', {})]
    assert figures, f'{path.name}: {len(outputs)} outputs but no figure (image/png)'
    errors = [o.get('ename') for o in outputs if o.get('output_type') == 'error']
    assert not errors, f'{path.name}: stored error outputs {errors}'
    first_md = next((_src(c) for c in nb['cells'] if c['cell_type'] == 'markdown'), '')
    missing = [what for what, pat in PROVENANCE.items() if not re.search(pat, first_md)]
    assert not missing, f'{path.name}: the first markdown cell does not state {", ".join(missing)}'
    assert not re.search(r'none (are )?stored|Outputs, when shown', first_md), \
        f'{path.name}: the first markdown cell still says that no outputs are stored'

_RUN_TIME = re.compile(r'executed top to bottom with nbclient in (\d+(?:\.\d+)?\s*(?:s|min|h))\b')

def run_time(path: Path) -> str|None:
    "The wall time the chapter's provenance line states (`... executed top to bottom with nbclient in T`)."
    m = _RUN_TIME.search(_src(_nb(path)['cells'][0]))
    return m and m.group(1)

def landing_times() -> dict[str, str]:
    "Chapter stem -> the time the learners' landing page (nbs/index.ipynb) gives in its chapter table."
    text = '\n'.join(_src(c) for c in _nb(ROOT / 'nbs' / 'index.ipynb')['cells'] if c['cell_type'] == 'markdown')
    rows = re.findall(r'^\| \[[^\]]+\]\(course/(\w+)\.ipynb\) \|[^|]*\| ([^|]+) \|', text, re.M)
    return {stem: t.strip() for stem, t in rows}

def test_landing_page_times_are_the_chapters():
    "The landing page's CPU time of every chapter is the wall time of the run that made its stored outputs."
    times = landing_times()
    assert set(times) == {p.stem for p in CHAPTERS}, f'chapters missing from the landing table: {sorted({p.stem for p in CHAPTERS} - set(times))}'
    wrong = {p.stem: (times[p.stem], run_time(p)) for p in CHAPTERS if run_time(p) is None or not times[p.stem].startswith(run_time(p))}
    assert not wrong, 'landing page time vs provenance: ' + ', '.join(f'{k}: {a!r} vs {b!r}' for k, (a, b) in wrong.items())
