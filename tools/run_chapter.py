"""Execute course chapters in place at full size, as their stored outputs are made, and update their provenance line.

    OMP_NUM_THREADS=1 python tools/run_chapter.py nbs/course/12_parameterized.ipynb [--skip-slow-unrun] [--timeout S]

Each chapter runs top to bottom with nbclient in a fresh `python3` kernel of this Python (the working folder is the
chapter's own folder), with `HEPNB_QUICK=0` and no `IN_TEST`, so the chapter runs at full size. Cells that were
never executed in the committed notebook and are `#| slow` cells needing what this machine lacks (e.g. a download)
are left as they are with `--skip-slow-unrun`; `#| eval: false` cells are never run (as in nbdev_test). Afterwards
the provenance line in the chapter's first cell gets today's date and the measured wall time (`made on YYYY-MM-DD
... executed top to bottom with nbclient in T`); the rest of the line (what was run, the machine) is the chapter
author's to keep true. The notebook is written only when every cell ran without error."""
from __future__ import annotations
import argparse, datetime, json, os, re, sys, time
from pathlib import Path

def _src(c) -> str: return ''.join(c['source']) if isinstance(c['source'], list) else c['source']

def fmt_time(s: float) -> str:
    return f'{s:.0f} s' if s < 90 else f'{s / 60:.1f} min'

def update_provenance(text: str, when: str, wall: str) -> str:
    new, n1 = re.subn(r'made on 20\d\d-\d\d-\d\d', f'made on {when}', text, count=1)
    new, n2 = re.subn(r'(executed top to bottom with nbclient in )\d+(?:\.\d+)?\s*(?:s|min|minutes|h)\b', rf'\g<1>{wall}', new, count=1)
    if not (n1 and n2): raise SystemExit('the first cell has no provenance line of the form "made on YYYY-MM-DD ... '
                                         'executed top to bottom with nbclient in T": write one first')
    return new

def run(path: Path, timeout: int, skip_slow_unrun: bool) -> float:
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    # `#| eval: false` cells are never run (as in nbdev_test): they stay as they are
    skipped = {i: c for i, c in enumerate(nb.cells)
               if c.cell_type == 'code' and re.search(r'^\s*#\|\s*eval:\s*false\b', c.source, re.M)}
    if skip_slow_unrun:
        for i, c in enumerate(nb.cells):
            if c.cell_type == 'code' and re.match(r'\s*#\|\s*slow\b', c.source) and c.get('execution_count') is None:
                skipped[i] = c
    run_nb = nbformat.reads(nbformat.writes(nb), as_version=4)
    run_nb.cells = [c for i, c in enumerate(run_nb.cells) if i not in skipped]
    env_before = {k: os.environ.get(k) for k in ('HEPNB_QUICK', 'IN_TEST')}
    os.environ['HEPNB_QUICK'] = '0'; os.environ.pop('IN_TEST', None)
    t0 = time.perf_counter()
    try:
        t_cell = [time.perf_counter()]
        def progress(cell, cell_index, **kw):   # one line per finished cell, to follow a long run
            now = time.perf_counter(); print(f'  cell {cell_index}: {now - t_cell[0]:.1f} s', flush=True); t_cell[0] = now
        NotebookClient(run_nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}},
                       on_cell_executed=progress).execute()
    finally:
        for k, v in env_before.items():
            if v is None: os.environ.pop(k, None)
            else: os.environ[k] = v
    wall = time.perf_counter() - t0
    done = iter(run_nb.cells)
    nb.cells = [skipped[i] if i in skipped else next(done) for i in range(len(nb.cells))]
    nb.cells[0].source = update_provenance(nb.cells[0].source, datetime.date.today().isoformat(), fmt_time(wall))
    text = nbformat.writes(nb)          # the committed layout: sources as lists of lines, sorted keys, indent 1
    if not text.endswith('\n'): text += '\n'
    path.write_text(text, encoding='utf-8')
    return wall

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('chapters', nargs='+', type=Path)
    ap.add_argument('--timeout', type=int, default=3600, help='seconds per cell (default 3600)')
    ap.add_argument('--skip-slow-unrun', action='store_true', help='leave `#| slow` cells that never ran as they are')
    a = ap.parse_args(argv)
    for p in a.chapters:
        wall = run(p.resolve(), a.timeout, a.skip_slow_unrun)
        print(f'{p.name}: ran in {fmt_time(wall)}; provenance updated')
    return 0

if __name__ == '__main__': sys.exit(main())
