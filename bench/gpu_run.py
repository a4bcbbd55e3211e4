"""Run the course chapters one per process, several at a time, within a time budget; tabulate wall time, the device
each used and a headline result. Driven by bench/gpu_run.sh (which installs hepnb first, as the Colab cell does).

    python bench/gpu_run.py all --out OUT [--budget 540] [--workers 4] [--chapters 01 13]
    python bench/gpu_run.py one nbs/course/01_higgsml.ipynb --json res.json --executed out.ipynb   (one chapter)

Chapters run with execnb (as nbdev_test does) in place (cwd nbs/course, so chapter 8 finds bench/results/), at full
size unless HEPNB_QUICK=1; `#| slow` cells are skipped unless GPU_RUN_SLOW=1, as under the test suite. The headline
of a chapter is the value of one of its variables after the run (HEADLINES below), summarised to a few numbers.
"""
from __future__ import annotations
import argparse, json, os, re, signal, subprocess, sys, tarfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the variable holding each chapter's result table (None: the last output line is the headline)
HEADLINES = {'01': 'res', '02': 'res', '03': 'res', '04': 'rows', '05': 'results', '06': 'summary', '07': 'res',
             '08': 't4', '09': 'trials', '10': None, '11': 'res', '12': 'table', '13': 'summary'}
# longest first, so that the parallel schedule ends early (jets, LBN, B-CFM generate events with Pythia)
ORDER = ['13', '11', '10', '09', '12', '01', '06', '07', '03', '04', '05', '02', '08']

def _directives(src: str) -> set[str]:
    out = set()
    for line in src.splitlines():
        m = re.match(r'\s*#\|\s*([\w-]+:?)\s*(.*)', line)
        if not m: break
        out.add(m.group(1) + (' ' + m.group(2).strip().lower() if m.group(1).endswith(':') else ''))
    return out

def summarise(v, n: int = 6) -> str:
    "A few labelled numbers from a table, series, dict or number."
    try:
        import pandas as pd
        if isinstance(v, pd.DataFrame):
            num = v.select_dtypes('number')
            if num.shape[1] == 0: num = v.astype(str)                # tables of formatted strings (chapter 8)
            elif len(num) > 8: num = num.mean().to_frame('mean').T   # long tables (trials): column means
            items = [(f'{r}/{c}', x) for r, row in num.iterrows() for c, x in row.items()]
        elif isinstance(v, pd.Series): items = list(v.items())
        elif isinstance(v, dict):
            items = [(k, x) for k, x in v.items()] if not any(isinstance(x, dict) for x in v.values()) else \
                    [(f'{k}/{k2}', x2) for k, x in v.items() for k2, x2 in (x.items() if isinstance(x, dict) else [('', x)])]
        else: items = [('', v)]
        out = []
        for k, x in items:
            if isinstance(x, (int, float)) or hasattr(x, 'dtype'):
                try: x = f'{float(x):.4g}'
                except (TypeError, ValueError): pass
            out.append(f'{k}={x}' if k != '' else str(x))
        return '; '.join(out[:n]) + (f'; … ({len(out)} values)' if len(out) > n else '')
    except Exception as e:
        return f'n/a ({type(e).__name__}: {e})'

def run_one(path: Path, res_json: Path, executed: Path | None):
    "Run one chapter here (child process): execnb, skip slow cells, record time/device/headline."
    import torch
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    slow = os.environ.get('GPU_RUN_SLOW', '0') == '1'
    nb = read_nb(path)
    def skip(cell):
        if cell.cell_type != 'code': return True
        d = _directives(cell.source)
        if 'nbdev_export' + '(' in cell.source or 'eval: false' in d: return True
        return ('slow' in d) and not slow
    res = dict(chapter=path.stem, quick=os.environ.get('HEPNB_QUICK', ''), slow_cells=slow, status='ok')
    t0 = time.perf_counter()
    k = CaptureShell(path)
    cwd = os.getcwd(); os.chdir(path.parent)
    try: k.run_all(nb, exc_stop=True, preproc=skip)
    except Exception as e: res['status'] = f'error: {type(e).__name__}: {str(e)[:300]}'
    finally: os.chdir(cwd)
    res['wall_s'] = round(time.perf_counter() - t0, 1)
    res['cuda_peak_mib'] = round(torch.cuda.max_memory_allocated() / 2**20, 1) if torch.cuda.is_available() else 0.0
    res['device'] = 'cuda' if res['cuda_peak_mib'] > 0 else 'cpu'
    ns = k.user_ns
    var = HEADLINES.get(path.stem[:2])
    res['headline_var'] = var
    res['headline'] = (summarise(ns[var]) if var in ns else f'n/a ({var} not defined)') if var else ''
    last = ''
    for c in nb.cells:
        for o in c.get('outputs', []):
            t = ''.join(o.get('text', '')) or ''.join(o.get('data', {}).get('text/plain', ''))
            if t.strip(): last = t.strip().splitlines()[-1]
    res['last_output'] = last[:200]
    if executed: write_nb(nb, executed)
    res_json.write_text(json.dumps(res, indent=1))

def _table(rows: list[dict], meta: dict) -> str:
    lines = [f"# hepnb chapters on {meta['device_name']} ({meta['mode']})", '',
             f"{meta['date']}; torch {meta['torch']}; {meta['workers']} chapters at a time, {meta['threads']} CPU threads "
             f"each; budget {meta['budget_s']} s; whole run {meta['total_s']} s; `#| slow` cells "
             f"{'run' if meta['slow'] else 'skipped'}.", '',
             '| chapter | size | status | wall time (s) | device | peak CUDA memory (MiB) | headline (variable: values) |',
             '|---|---|---|---|---|---|---|']
    for r in rows:
        hl = (f"`{r['headline_var']}`: {r['headline']}" if r.get('headline_var') else f"last output: {r.get('last_output', '')}")
        hl = hl.replace('|', '\\|')[:300]
        size = {'1': 'quick', '0': 'full'}.get(r.get('quick', ''), '')
        lines.append(f"| {r['chapter']} | {size} | {r['status'][:80]} | {r.get('wall_s', '')} | {r.get('device', '')} | "
                     f"{r.get('cuda_peak_mib', '')} | {hl} |")
    return '\n'.join(lines) + '\n'

def run_all(out: Path, budget: float, workers: int, chapters: list[str] | None, quick_chapters: list[str]):
    import torch
    out.mkdir(parents=True, exist_ok=True)
    logs = out / 'logs'; logs.mkdir(exist_ok=True)
    paths = {p.stem[:2]: p for p in sorted((ROOT / 'nbs' / 'course').glob('[0-9]*.ipynb'))}
    todo = [c for c in ORDER if c in paths] + [c for c in paths if c not in ORDER]
    if chapters: todo = [c for c in todo if c in chapters]
    ncpu = os.cpu_count() or 1
    threads = max(1, ncpu // max(1, workers))
    env = {**os.environ, 'OMP_NUM_THREADS': str(threads), 'MKL_NUM_THREADS': str(threads), 'MPLBACKEND': 'Agg',
           'PYTHONUNBUFFERED': '1'}
    t0 = time.perf_counter(); deadline = t0 + budget
    running, results = {}, {}
    while todo or running:
        while todo and len(running) < workers:
            c = todo.pop(0); p = paths[c]
            log = open(logs / f'{p.stem}.log', 'w')
            cmd = [sys.executable, __file__, 'one', str(p), '--json', str(logs / f'{p.stem}.json'),
                   '--executed', str(logs / f'{p.stem}.ipynb')]
            cenv = {**env, 'HEPNB_QUICK': '1'} if c in quick_chapters else env
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=cenv, start_new_session=True)
            running[c] = (proc, log, time.perf_counter())
            print(f'[{time.perf_counter() - t0:6.1f} s] start {p.stem}', flush=True)
        time.sleep(0.5)
        for c, (proc, log, ts) in list(running.items()):
            over = time.perf_counter() > deadline
            if proc.poll() is None and not over: continue
            if proc.poll() is None:   # the budget is spent: stop the chapter (and whatever it started)
                os.killpg(proc.pid, signal.SIGKILL); proc.wait()
            log.close(); del running[c]
            stem = paths[c].stem; f = logs / f'{stem}.json'
            if f.exists(): r = json.loads(f.read_text())
            else:
                r = dict(chapter=stem, status=('timeout: stopped at the budget' if over else f'crashed (exit {proc.returncode})'),
                         wall_s=round(time.perf_counter() - ts, 1))
            results[c] = r
            print(f"[{time.perf_counter() - t0:6.1f} s] {stem}: {r['status'][:60]} in {r.get('wall_s')} s", flush=True)
        if time.perf_counter() > deadline and todo:
            for c in todo: results[c] = dict(chapter=paths[c].stem, status='not started: budget spent')
            todo = []
    rows = [results[c] for c in sorted(results)]
    meta = dict(date=time.strftime('%Y-%m-%d %H:%M'), torch=torch.__version__,
                device_name=torch.cuda.get_device_name(0) if torch.cuda.is_available() else f'CPU ({ncpu} cores)',
                mode='quick mode (HEPNB_QUICK=1)' if os.environ.get('HEPNB_QUICK') == '1' else
                     'full size (HEPNB_QUICK=0)' + (f", chapters {' '.join(quick_chapters)} in quick mode" if quick_chapters else ''),
                slow=os.environ.get('GPU_RUN_SLOW', '0') == '1', workers=workers, threads=threads, budget_s=budget,
                total_s=round(time.perf_counter() - t0, 1))
    (out / 'gpu_run.json').write_text(json.dumps(dict(meta=meta, chapters=rows), indent=1))
    (out / 'gpu_table.md').write_text(_table(rows, meta))
    with tarfile.open(out / 'gpu_logs.tar.gz', 'w:gz') as t: t.add(logs, arcname='logs')   # logs + executed notebooks
    import shutil; shutil.rmtree(logs)
    print(_table(rows, meta))
    return all(r['status'] == 'ok' for r in rows)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    a1 = sub.add_parser('all'); a1.add_argument('--out', required=True); a1.add_argument('--budget', type=float, default=540)
    a1.add_argument('--workers', type=int, default=4); a1.add_argument('--chapters', nargs='*')
    a1.add_argument('--quick-chapters', nargs='*', default=[], help='chapters run in quick mode even in a full run')
    a2 = sub.add_parser('one'); a2.add_argument('path'); a2.add_argument('--json', required=True)
    a2.add_argument('--executed')
    a = ap.parse_args(argv)
    if a.cmd == 'one': run_one(Path(a.path).resolve(), Path(a.json), Path(a.executed) if a.executed else None)
    else: sys.exit(0 if run_all(Path(a.out), a.budget, a.workers, a.chapters, a.quick_chapters) else 1)

if __name__ == '__main__': main()
