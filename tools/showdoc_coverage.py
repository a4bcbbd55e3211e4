"""show_doc coverage of the library notebooks (`nbs/[0-9]*.ipynb`).

For each notebook: the public names defined in `#| export` cells (top-level functions and classes not starting
with `_`, the public methods of those classes, and
fastcore `@patch` methods `def meth(self:Cls, ...)`), and the `show_doc(...)` calls present in its code cells.
Properties (and their setters) are skipped: nbdev documents them with their class. Names in `ALLOW` are left out
on purpose (see the reason beside each).

    python tools/showdoc_coverage.py            # coverage per notebook
    python tools/showdoc_coverage.py --missing  # also list what lacks show_doc
    python tools/showdoc_coverage.py --check    # exit 1 when anything public lacks show_doc
"""
import ast, json, re, sys
from pathlib import Path

NBS = Path(__file__).resolve().parent.parent/'nbs'

# name -> why it is left without show_doc
ALLOW = {
    # the annotation `str|torch.device|None` is a string (the module imports torch lazily, so that numpy-only modules
    # never load it); nbdev evaluates it in `hepnb.core`'s namespace, where `torch` is undefined: NameError
    'default_device': "signature names `torch`, which hepnb.core imports only inside the function",
    # the default `levels=np.linspace(...)` is an array; nbdev's signature rendering compares defaults with `==`
    # and takes the truth of the result: ValueError (truth value of an array is ambiguous)
    'quantile_coverage': "array default `levels=np.linspace(0.05, 0.95, 19)` breaks nbdev's signature rendering",
}

_SKIP_DECOS = {'property', 'setter', 'getter', 'deleter', 'cached_property'}

def _deco_names(node):
    out = set()
    for d in node.decorator_list:
        d = d.func if isinstance(d, ast.Call) else d
        if isinstance(d, ast.Attribute): out.add(d.attr)
        elif isinstance(d, ast.Name): out.add(d.id)
    return out

def is_export(src):
    for line in src.splitlines():
        s = line.strip()
        if not s.startswith('#|'): break
        if re.match(r'#\|\s*export\s*$', s): return True
    return False

def cell_defs(src):
    "Public (name, kind) pairs defined by one export cell, in order: kind is 'function', 'class' or 'method'."
    out = []
    for node in ast.parse(src).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and 'patch' in _deco_names(node):
            # fastcore `@patch def meth(self:Cls, ...)`: a method of `Cls` (properties via `as_prop` skipped)
            ann = node.args.args[0].annotation if node.args.args else None
            if (not node.name.startswith('_') and isinstance(ann, ast.Name)
                    and not any(k.arg in ('as_prop', 'set_prop') for d in node.decorator_list
                                if isinstance(d, ast.Call) for k in d.keywords)):
                out.append((f'{ann.id}.{node.name}', 'method'))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith('_'):
            out.append((node.name, 'function'))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith('_'):
            out.append((node.name, 'class'))
            for m in node.body:
                if (isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and not m.name.startswith('_')
                        and not (_deco_names(m) & _SKIP_DECOS)):
                    out.append((f'{node.name}.{m.name}', 'method'))
    return out

def src_of(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']

def shown(cells):
    return {m.group(1) for c in cells if c['cell_type'] == 'code'
            for m in re.finditer(r'show_doc\(\s*([\w.]+)', src_of(c))}

def coverage(path):
    cells = json.loads(Path(path).read_text())['cells']
    defs = [d for c in cells if c['cell_type'] == 'code' and is_export(src_of(c)) for d in cell_defs(src_of(c))]
    sd = shown(cells)
    missing = [n for n, k in defs if n not in sd and n not in ALLOW]
    return defs, missing

def main(argv):
    tot = tot_cov = totm = totm_cov = 0
    bad = []
    for p in sorted(NBS.glob('[0-9]*.ipynb')):
        defs, missing = coverage(p)
        top = [n for n, k in defs if k != 'method']; meth = [n for n, k in defs if k == 'method']
        ok = lambda n: n not in missing
        tc, mc = sum(map(ok, top)), sum(map(ok, meth))
        tot += len(top); tot_cov += tc; totm += len(meth); totm_cov += mc
        print(f'{p.name:34s} functions/classes {tc:3d}/{len(top):<3d}  methods {mc:3d}/{len(meth):<3d}')
        if missing:
            bad.append(p.name)
            if '--missing' in argv: print('    missing:', ', '.join(missing))
    pct = lambda a, b: 100*a/b if b else 100.
    print(f'TOTAL functions/classes {tot_cov}/{tot} ({pct(tot_cov, tot):.0f} %)  '
          f'methods {totm_cov}/{totm} ({pct(totm_cov, totm):.0f} %)  allow-listed {len(ALLOW)}')
    grouped = [p.name for p in sorted(NBS.glob('[0-9]*.ipynb')) for c in json.loads(p.read_text())['cells']
               if c['cell_type'] == 'code' and len(re.findall(r'^show_doc\(', src_of(c), re.M)) > 1]
    if grouped:  # a cell displays only its last expression (in Jupyter and in nbdev's docs): one show_doc per cell
        print(f'{len(grouped)} cells hold several show_doc calls, of which only the last renders:',
              ', '.join(f'{n} ({grouped.count(n)})' for n in dict.fromkeys(grouped)))
    if '--check' in argv and bad:
        print('lacking show_doc:', ', '.join(bad)); return 1
    return 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
