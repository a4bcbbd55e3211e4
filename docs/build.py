"""Build the hepnb course website from nbs/ into _docs/ (nbdev's notebooks → documentation leg, without Quarto).

    python docs/build.py [--out _docs]        # normally through `make docs`

1. Stage the notebooks into _proc/site (nothing in nbs/ is modified, nothing is executed):
   * library notebooks (nbs/NN_name.ipynb) go through nbdev's own notebook processors (`add_show_docs` adds a
     `show_doc` cell after every exported function or class that lacks one, `rm_export` drops `#| export`/`#| hide`
     cells, ...). Every `show_doc(...)` cell is then evaluated against the *exported module* (`hepnb.<name>`) with
     nbdev's `show_doc` and replaced by its markdown — what nbdev's `output: asis` does under Quarto — followed by
     fastcore's docments table of the parameters. Their stored outputs are not needed (they are committed without).
   * course chapters (nbs/course/*.ipynb) keep their stored outputs; the Colab badge image is served from the site.
   * nbs/index.ipynb becomes the home page, with the navigation (all chapters, all reference pages) appended.
2. sphinx-build (myst-nb, sphinx-book-theme; see docs/conf.py) renders _proc/site into the output folder.
3. MathJax 3 (from the django-static-mathjax wheel) is copied into _static/mathjax: no asset comes from a CDN.
"""
from __future__ import annotations
import argparse, ast, copy, inspect, json, os, re, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / 'docs'
NBS = ROOT / 'nbs'
COLAB_BADGE = 'https://colab.research.google.com/assets/colab-badge.svg'

def page_name(nb: Path) -> str:
    "nbdev's page name: the notebook's name without its number prefix (`01_physics.fourvec` → `physics.fourvec`)."
    return re.sub(r'^\d+_', '', nb.stem)

def library_notebooks() -> list[Path]:
    return sorted(p for p in NBS.glob('[0-9]*.ipynb'))

def chapter_notebooks() -> list[Path]:
    return sorted((NBS / 'course').glob('[0-9]*.ipynb'))

# ---------------------------------------------------------------------------------------------------------------------
# API reference: nbdev's show_doc on the exported objects
def _source_line(sym) -> int | None:
    try: return inspect.getsourcelines(inspect.unwrap(sym))[1]
    except (TypeError, OSError): return None

def _patch_fastcore_docments():
    """Two fixes to fastcore 1.14.5's docments, for the site only. It compares parameter defaults with `inspect.Parameter.empty` by `==`/`!=`, which raises for a
    numpy-array default (`quantile_coverage(levels=np.linspace(...))`). Compare by identity instead (same result for
    every other default)."""
    import fastcore.docments as fd
    empty = inspect.Parameter.empty
    if getattr(fd, '_hepnb_patched', False): return
    def _get_full(p, docs, eval_str=False):
        anno = p.annotation
        if anno is empty:
            if p.default is not empty: anno = type(p.default)
            elif eval_str: anno = None
        return fd.AttrDict(docment=docs.get(p.name), anno=anno, default=p.default, kind=p.kind)
    def _maybe_nm(o):
        if o is empty: return ''
        return o.__name__ if hasattr(o, '__name__') else str(o)
    def _fmt_param(self, nm, p):
        anno, default, kind = p.get('anno', empty), p.get('default', empty), p.get('kind')
        pre = '*' if kind == inspect.Parameter.VAR_POSITIONAL else '**' if kind == inspect.Parameter.VAR_KEYWORD else ''
        return (pre + nm + (f':{_maybe_nm(anno)}' if anno is not empty else '')
                + (f'={fd._fmt_default(default)}' if default is not empty else ''))
    fd._get_full, fd._maybe_nm, fd.DocmentText._fmt_param = _get_full, _maybe_nm, _fmt_param
    fd._non_empty_keys = lambda d: fd.L([k for k, v in d.items() if v is not empty])
    # ... and writes table cells unescaped: an annotation `str | None` splits its row; escape the pipes
    fd._list2row = lambda l: '| ' + ' | '.join([re.sub(r'(?<!\\)\|', r'\\|', _maybe_nm(o)) for o in l]) + ' |'
    fd._hepnb_patched = True

def _import_into_globals(sym, err: NameError):
    "Make the module that an annotation names (`err.name`) visible to `sym`'s module, or re-raise."
    import importlib
    mod = sys.modules.get(getattr(inspect.unwrap(sym), '__module__', None) or '')
    if mod is None or not err.name: raise err
    try: setattr(mod, err.name, importlib.import_module(err.name))
    except ImportError: raise err

def render_doc(sym, name: str | None = None, title_level: int = 3) -> str:
    "Markdown of nbdev's `show_doc(sym)`, with its source link fixed and fastcore's docments table appended."
    from nbdev.showdoc import show_doc
    from fastcore.docments import DocmentTbl
    _patch_fastcore_docments()
    for _ in range(5):
        try:
            r = show_doc(sym, name=name, title_level=title_level)
            if r is None: raise TypeError(f'show_doc cannot render {sym!r}')
            md = r._repr_markdown_()
            break
        except NameError as e:
            # string annotations (`from __future__ import annotations`) naming a module that the function imports
            # only inside its body (e.g. `torch.device` in hepnb.core): in a notebook some cell has imported it
            _import_into_globals(sym, e)
    else: raise RuntimeError(f'show_doc({sym!r}) kept failing on unresolved annotations')
    # nbdev 2.4.14 looks the line number up under the qualified name and writes `#LNone`; link the real line, and
    # turn Quarto's link attributes into a class the site's CSS floats right
    line = _source_line(r.sym)
    md = md.replace('#LNone)', f'#L{line})' if line else ')')
    md = md.replace('{target="_blank" style="float:right; font-size:smaller"}', '{.hepnb-source}')
    # nbdev opens with a rule (`---`), which docutils refuses at the start of a section: the heading carries a class
    # that the site's CSS draws the rule with
    # the heading first, then the source link (floated right by the CSS)
    m = re.match(r'---\n\n(\[source\]\(\S*\)\{\.hepnb-source\}\n\n)?(#+ [^\n]*\n\n)', md)
    if m is None: raise RuntimeError(f'unexpected show_doc markdown for {sym!r}:\n{md[:300]}')
    md = '{.hepnb-doc}\n' + m.group(2) + (m.group(1) or '') + md[m.end():]
    try: tbl = DocmentTbl(r.sym)._repr_markdown_()
    except (TypeError, ValueError): tbl = ''
    return md + ('\n\n' + tbl if tbl else '') + '\n'

def _show_doc_calls(src: str) -> list[ast.Call] | None:
    "The `show_doc(...)` calls of a cell made only of them, else None."
    try: tree = ast.parse(src)
    except SyntaxError: return None
    calls = [s.value for s in tree.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
             and getattr(s.value.func, 'id', None) == 'show_doc']
    return calls if calls and len(calls) == len(tree.body) else None

def _default_exp(nb) -> str | None:
    for c in nb.cells:
        m = c.cell_type == 'code' and re.search(r'^\s*#\|\s*default_exp\s+(\S+)', c.source, re.M)
        if m: return m.group(1)
    return None

def process_library(path: Path):
    "A library notebook as nbdev's docs pipeline would leave it, show_doc cells rendered to markdown."
    import importlib
    from execnb.nbio import read_nb, mk_cell
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    from nbdev.processors import FilterDefaults
    nb = read_nb(path)
    mod_name = _default_exp(nb)
    if mod_name is None: raise SystemExit(f'{path}: no `#| default_exp` cell')
    lib = get_config().lib_name
    module = importlib.import_module(f'{lib}.{mod_name}')
    # nbdev's processors, less those that only make sense under Quarto: its front matter (we keep the title cell),
    # the autogenerated-file warning, links to the nbdev-hosted site, code folding, and executing the notebook (we
    # evaluate show_doc on the exported module below instead)
    skip = {'FrontmatterProc', 'insert_warning', 'add_links', 'add_fold', 'exec_show_docs'}
    procs = [p for p in FilterDefaults().procs() if p.__name__ not in skip]
    # code as written, before the processors drop `#| hide` cells (their imports count too)
    raw_code = [(c.idx_, c.source) for c in nb.cells if c.cell_type == 'code']
    NBProcessor(nb=nb, procs=procs).process()
    # show_doc's argument is looked up in the exported module, plus what the notebook's import-only cells import
    # (nbdev's exec_show_docs runs those cells too), e.g. `show_doc(Learner.fit)` after `from fastai.learner import *`
    ns = {**vars(module)}
    for idx, src in raw_code:
        try: tree = ast.parse(src)
        except SyntaxError: continue
        if tree.body and all(isinstance(t, (ast.Import, ast.ImportFrom)) for t in tree.body):
            imp = {}
            try: exec(compile(tree, str(path), 'exec'), imp)
            except ImportError as e: raise SystemExit(f'{path}: cell {idx}: {e}')
            ns.update({k: v for k, v in imp.items() if k not in ns and not k.startswith('__')})
    cells = []
    for c in nb.cells:
        calls = _show_doc_calls(c.source) if c.cell_type == 'code' else None
        if calls is None: cells.append(c); continue
        parts = []
        for call in calls:
            try:
                args = [eval(compile(ast.Expression(a), str(path), 'eval'), ns) for a in call.args]
                kw = {k.arg: eval(compile(ast.Expression(k.value), str(path), 'eval'), ns) for k in call.keywords}
            except (NameError, AttributeError) as e:
                raise SystemExit(f'{path}: cell {c.idx_}: {ast.unparse(call)}: {e} in {module.__name__} '
                                 f'({module.__file__}) — is the module exported from this notebook (nbdev_export)?')
            try: parts.append(render_doc(*args, **kw))
            except Exception as e: raise SystemExit(f'{path}: cell {c.idx_}: {ast.unparse(call)} failed: {e!r}')
        cells.append(mk_cell('\n'.join(parts), 'markdown'))
    nb.cells = cells
    return nb

# ---------------------------------------------------------------------------------------------------------------------
# cells → myst-nb: Quarto cell options become myst-nb tags; directive lines are not shown (as on nbdev's sites)
_re_qopt = re.compile(r'^\s*#\|\s*([\w-]+):\s*(.*?)\s*$')
_re_dir = re.compile(r'^\s*#\|')

def to_myst(nb, kind: str) -> dict:
    "Plain nbformat dict for myst-nb, from an execnb/nbdev notebook."
    out = {'nbformat': 4, 'nbformat_minor': 5, 'cells': [],
           'metadata': {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
                        'language_info': {'name': 'python'}}}
    for i, c in enumerate(nb.cells):
        src = c.source if isinstance(c.source, str) else ''.join(c.source)
        cell = {'cell_type': c.cell_type, 'id': f'c{i}', 'metadata': {}, 'source': src}
        if c.cell_type == 'code':
            lines = src.splitlines()
            tags = []
            while lines and _re_dir.match(lines[0]):
                m = _re_qopt.match(lines[0])
                if m:
                    k, v = m.group(1), m.group(2).strip('"\'').lower()
                    if k == 'echo' and v == 'false': tags.append('remove-input')
                    if k == 'include' and v == 'false': tags.append('remove-cell')
                    if k == 'output' and v == 'false': tags.append('remove-output')
                lines.pop(0)
            cell['source'] = '\n'.join(lines)
            if tags: cell['metadata']['tags'] = tags
            cell['outputs'] = [_clean_output(o) for o in c.get('outputs', [])] if kind == 'chapter' else []
            cell['execution_count'] = c.get('execution_count') if kind == 'chapter' else None
            if not cell['source'].strip() and not cell['outputs']: continue
        elif c.cell_type == 'markdown':
            cell['source'] = src.replace(COLAB_BADGE, '../_static/colab-badge.svg' if kind == 'chapter' else
                                         '_static/colab-badge.svg')
            if c.get('attachments'): cell['attachments'] = c['attachments']
        out['cells'].append(cell)
    return out

def _clean_output(o) -> dict:
    o = json.loads(json.dumps(o))  # plain dicts
    if 'data' in o:  # widget views need the widget JavaScript (Jupyter/Colab); the site shows their static fallback
        for k in ('application/vnd.jupyter.widget-view+json', 'application/vnd.jupyter.widget-state+json'):
            o['data'].pop(k, None)
        if not o['data']: o['data'] = {'text/plain': '(interactive widget: live when the notebook runs in Jupyter or Colab)'}
    return o

def process_chapter(path: Path):
    from execnb.nbio import read_nb
    from nbdev.process import NBProcessor
    from nbdev.processors import hide_, rm_export, hide_line, strip_ansi, filter_stream_, clean_magics, strip_hidden_metadata
    nb = read_nb(path)
    NBProcessor(nb=nb, procs=[hide_, rm_export, hide_line, strip_ansi, filter_stream_, clean_magics,
                              strip_hidden_metadata]).process()
    return nb

def _title(nb) -> str:
    for c in nb['cells']:
        if c['cell_type'] == 'markdown':
            m = re.search(r'^#\s+(.+)$', c['source'], re.M)
            if m: return m.group(1).strip()
    raise SystemExit('a notebook without a `# title` markdown cell')

def _write(nb: dict, dest: Path):
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix('.tmp')
    tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding='utf-8')
    os.replace(tmp, dest)

def stage(src: Path) -> dict:
    "Write the site's sources into `src`; returns {'chapters': [...], 'reference': [...]} (docnames)."
    from execnb.nbio import read_nb, mk_cell
    if src.exists(): shutil.rmtree(src)
    (src / '_static').mkdir(parents=True)
    for f in (DOCS / '_static').iterdir(): shutil.copy(f, src / '_static' / f.name)
    chapters, reference, figures = [], [], {}
    for p in chapter_notebooks():
        nb = to_myst(process_chapter(p), 'chapter')
        if COLAB_BADGE not in json.dumps(read_nb(p).cells[0].source):
            raise SystemExit(f'{p}: its first cell has no Colab badge')
        _write(nb, src / 'course' / f'{p.stem}.ipynb'); chapters.append(f'course/{p.stem}')
        figures[f'course/{p.stem}.html'] = sum(1 for c in nb['cells'] for o in c.get('outputs', [])
                                              if set(o.get('data', {})) & {'image/png', 'image/jpeg', 'image/svg+xml'})
    for p in library_notebooks():
        nb = to_myst(process_library(p), 'library')
        _write(nb, src / 'api' / f'{page_name(p)}.ipynb'); reference.append(f'api/{page_name(p)}')
    home = read_nb(NBS / 'index.ipynb')
    from nbdev.process import NBProcessor
    from nbdev.processors import hide_, rm_export, clean_magics
    NBProcessor(nb=home, procs=[hide_, rm_export, clean_magics]).process()
    home = to_myst(home, 'library')
    toc = lambda cap, docs: '```{toctree}\n:caption: ' + cap + '\n:maxdepth: 1\n:hidden:\n\n' + '\n'.join(docs) + '\n```\n'
    home['cells'].append({'cell_type': 'markdown', 'id': 'toc', 'metadata': {},
                          'source': toc('Course', chapters) + '\n' + toc('API reference', reference)})
    _write(home, src / 'index.ipynb')
    return {'chapters': chapters, 'reference': reference, 'figures': figures}

def copy_mathjax(out: Path):
    "MathJax 3 (es5 build) from the django-static-mathjax wheel into out/_static/mathjax."
    import mathjax
    es5 = Path(mathjax.__path__[0]) / 'static' / 'mathjax' / 'es5'
    if not (es5 / 'tex-mml-chtml.js').exists(): raise SystemExit(f'MathJax not found under {es5}')
    dest = out / '_static' / 'mathjax'
    if dest.exists(): shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copy(es5 / 'tex-mml-chtml.js', dest)
    for d in ('input', 'output', 'ui', 'a11y', 'sre', 'adaptors'):   # what tex-mml-chtml.js loads on demand
        if (es5 / d).exists(): shutil.copytree(es5 / d, dest / d)
    shutil.copy(es5.parent / 'LICENSE', dest / 'LICENSE')

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(ROOT / '_docs'), help='output folder (default: _docs)')
    ap.add_argument('--src', default=str(ROOT / '_proc' / 'site'), help='staging folder (default: _proc/site)')
    a = ap.parse_args(argv)
    os.chdir(ROOT)  # nbdev reads settings.ini from here
    out, src = Path(a.out).resolve(), Path(a.src).resolve()
    t0 = time.perf_counter()
    pages = stage(src)
    t1 = time.perf_counter()
    # sphinx writes into _proc/site.build/html (myst-nb puts its image files beside the output folder, in
    # jupyter_execute/), then the finished site moves to `out`
    build = src.parent / (src.name + '.build')
    if build.exists(): shutil.rmtree(build)
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-q', '-E', '-d', str(build / 'doctrees'), '-c', str(DOCS),
           '--fail-on-warning', '--keep-going', str(src), str(build / 'html')]
    r = subprocess.run(cmd)
    if r.returncode: raise SystemExit(f'sphinx-build failed (exit {r.returncode})')
    if out.exists(): shutil.rmtree(out)
    shutil.move(build / 'html', out)
    copy_mathjax(out)
    (out / '.nojekyll').touch()
    shutil.rmtree(out / '_sources', ignore_errors=True)  # empty: html_copy_source is off
    # what the site test checks the pages against: every chapter and reference page, figures per chapter
    manifest = {'chapters': [d + '.html' for d in pages['chapters']], 'reference': [d + '.html' for d in pages['reference']],
                'figures': pages['figures']}
    (out / '_static' / 'hepnb-site.json').write_text(json.dumps(manifest, indent=1))
    n_html = len(list(out.rglob('*.html')))
    t2 = time.perf_counter()
    print(f"site: {out} — {len(pages['chapters'])} chapters, {len(pages['reference'])} reference pages, {n_html} HTML "
          f"files; staging {t1 - t0:.1f} s, sphinx {t2 - t1:.1f} s, total {t2 - t0:.1f} s")

if __name__ == '__main__': main()
