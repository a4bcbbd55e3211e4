"""Read and write throughput of hepnb.data.root against plain uproot, on the CMS Open Data NanoAOD tt̄ file.

    OMP_NUM_THREADS=1 python bench/bench_root_io.py                  # the 200-event file, and a 100,000-event tiled copy
    OMP_NUM_THREADS=1 python bench/bench_root_io.py --tile 1000 --repeats 7

Anchors, measured in the same run on the same files:
- read: `uproot.open(path)[tree].arrays(filter_name=<the same branches>, library='ak')` -- the jagged arrays as
  uproot gives them, no DataFrame. Two selections: 'wide' (every Muon/Jet/Electron branch: 388 columns) and 'narrow'
  (the four-vectors with charge or b-tag: 40 columns). hepnb's `read_root` reads the same branches (plus the collections' counters), then
  orders each collection by pT and builds the leading-k columns of a DataFrame.
- write: `uproot.recreate` + `mktree` + one `extend` of the same numpy columns. hepnb's `write_root` adds the checks,
  a temporary file and `os.replace`.
Both include opening the file. The real file has 200 events and 947 branches, so its times are dominated by reading the
tree's metadata; the tiled copy (the selected branches of the same events, repeated --tile times, written with uproot
as NanoAOD-style collections with shared counters) measures the per-event cost. Median of --repeats runs, hepnb
and anchor alternating, after one warm-up run of each.
"""
import argparse, os, platform, shutil, tempfile, time
os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np, pandas as pd, uproot, awkward as ak
from hepnb.data.root import read_root, write_root, root_example

BRANCHES = ['run', 'luminosityBlock', 'event', 'MET_pt', 'MET_phi', 'Muon_*', 'Jet_*', 'Electron_*']   # 'wide'
NARROW = ['run', 'luminosityBlock', 'event', 'MET_pt', 'MET_phi'] + [f'{c}_{v}' for c in ('Muon', 'Electron') for v in
          ('pt', 'eta', 'phi', 'mass', 'charge')] + [f'Jet_{v}' for v in ('pt', 'eta', 'phi', 'mass', 'btagDeepFlavB')]
OBJECTS = {'Muon': 2, 'Jet': 4, 'Electron': 2}


def paired_times(f, g, repeats):
    "Median times of f and g, run alternately (a shared, loaded machine slows both alike) after one warm-up each."
    f(); g()
    tf, tg = [], []
    for _ in range(repeats):
        for fn, ts in ((f, tf), (g, tg)):
            t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return float(np.median(tf)), float(np.median(tg))


def tiled_copy(src, dest, tile):
    "The selected branches of `src`, repeated `tile` times, as a NanoAOD-style TTree (collections share nX counters)."
    with uproot.open(src) as f: a = f['Events'].arrays(filter_name=BRANCHES, library='ak')
    a = ak.concatenate([a] * tile)
    flat = {n: ak.to_numpy(a[n]) for n in a.fields if n.split('_', 1)[0] not in OBJECTS}
    colls = {c: ak.zip({n.split('_', 1)[1]: a[n] for n in a.fields if n.split('_', 1)[0] == c}) for c in OBJECTS}
    with uproot.recreate(dest) as f:
        f.mktree('Events', {**{n: v.dtype for n, v in flat.items()}, **{c: v.type.content for c, v in colls.items()}})
        f['Events'].extend({**flat, **colls})
    return len(a)


def row(what, n, t_hepnb, t_anchor):
    return dict(what=what, events=n, hepnb_ev_s=n / t_hepnb, anchor_ev_s=n / t_anchor, ratio=t_anchor / t_hepnb)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tile', type=int, default=500, help='copies of the 200 events in the tiled file')
    ap.add_argument('--repeats', type=int, default=5)
    args = ap.parse_args()
    nano, tmp, rows = root_example('nanoAOD_2015_CMS_Open_Data_ttbar.root'), tempfile.mkdtemp(prefix='bench_root_'), []
    try:
        big = os.path.join(tmp, 'tiled.root')
        n_big = tiled_copy(nano, big, args.tile)
        for what, path, br in (('read wide, real file', nano, BRANCHES), (f'read wide, tiled x{args.tile}', big, BRANCHES),
                               ('read narrow, real file', nano, NARROW), (f'read narrow, tiled x{args.tile}', big, NARROW)):
            def anchor():
                with uproot.open(path) as f: return f['Events'].arrays(filter_name=br, library='ak')
            t_h, t_a = paired_times(lambda: read_root(path, branches=br, objects=OBJECTS), anchor, args.repeats)
            df = read_root(path, branches=br, objects=OBJECTS)
            rows.append(row(f'{what} ({df.shape[1]} columns)', len(df), t_h, t_a))
        df = read_root(big, branches=BRANCHES, objects=OBJECTS)
        cols = ['run', 'luminosityBlock', 'event']
        uniq = np.arange(len(df), dtype=np.uint64)  # the tiled copy repeats the file's event numbers
        pred = df[cols].reset_index(drop=True).assign(event=uniq, pred=np.random.default_rng(0).random(len(df), dtype=np.float32))
        for what, frame in (('write, ids + pred', pred), (f'write, all {df.shape[1]} columns', df.reset_index(drop=True).assign(event=uniq))):
            out = os.path.join(tmp, 'out.root')
            def anchor():
                with uproot.recreate(out) as f:
                    f.mktree('Events', {c: frame[c].dtype for c in frame}).extend({c: frame[c].to_numpy() for c in frame})
            t_h, t_a = paired_times(lambda: write_root(out, frame, key=cols), anchor, args.repeats)
            rows.append(row(what, len(frame), t_h, t_a))
    finally: shutil.rmtree(tmp)
    print(f"{platform.node()} | {platform.processor() or platform.machine()} | {os.cpu_count()} cores | "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')} | uproot {uproot.__version__}, awkward {ak.__version__}")
    print(f"wide: branches {BRANCHES}\nnarrow: {NARROW}\nobjects {OBJECTS}; median of {args.repeats}; ratio = anchor time / hepnb time")
    t = pd.DataFrame(rows)
    print(t.to_string(index=False, formatters={'hepnb_ev_s': '{:,.0f}'.format, 'anchor_ev_s': '{:,.0f}'.format, 'ratio': '{:.2f}'.format}))


if __name__ == '__main__': main()
