"""Sampling throughput of hepnb's CFM / B-CFM surrogates (hepnb.models.cfm.CFMSurrogate.sample) against the bare solver.

    OMP_NUM_THREADS=1 python bench/bench_cfm_sampling.py                  # 20,000 jets, width 128, depth 4
    OMP_NUM_THREADS=1 python bench/bench_cfm_sampling.py --n 5000 --repeats 5

Anchor, measured in the same run: a bare `torchdiffeq.odeint` over the same velocity network, the same pre-scaled
conditions and the same noise (no input checks, no unscaling, no weight-draw handling). The ratio hepnb / anchor is
what `sample` costs on top of the ODE solve itself (target >= 0.9). The models are trained briefly on a toy conditional
distribution (x | c ~ N(sum(c)/3, 0.3^2), 7 conditions) so the adaptive solver sees a realistic, non-random field.
One table row per (model, solver): function evaluations, jets/s of hepnb and of the anchor (median of the repeats),
their ratio, and the RMS difference of the two samples (0: identical noise, identical solve).
"""
import argparse, os, time
os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np, pandas as pd, torch
from torchdiffeq import odeint
from hepnb.core import set_seed
from hepnb.models.cfm import CFMSurrogate
from hepnb.models.bayes import mean_weights
from hepnb.train.learner import cfm_learner

COND = [f'c{i}' for i in range(7)]
SOLVERS = [('dopri5', dict(method='dopri5', rtol=1e-5, atol=1e-5)), ('rk4 h=0.1', dict(method='rk4', step_size=0.1)),
           ('euler h=0.2', dict(method='euler', step_size=0.2))]


def toy(n, seed):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(n, len(COND))).astype(np.float32)
    return pd.DataFrame(c, columns=COND), (c.sum(1, keepdims=True)/3 + 0.3*rng.normal(size=(n, 1))).astype(np.float32)


def trained(bayesian, width, depth, seed, epochs=3, n=20000):
    set_seed(seed)
    c, x = toy(n, seed)
    m = CFMSurrogate(COND, width=width, depth=depth, bayesian=bayesian)
    learn = cfm_learner(m, (c, x), (c[:2000], x[:2000]), seed=seed, device='cpu')
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, 3e-3)
    return m.eval()


def hepnb_sample(m, c, kw, seed):
    return m.sample(c, seed=seed, use_mean=True, batch_size=10**9, **kw)[0, 0, :, 0]


@torch.no_grad()
def anchor_sample(m, c, kw, seed):
    "The bare solve: same scaled conditions, same noise (same generator seed), same network."
    cs = m.c_scale(torch.tensor(c.to_numpy()))
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(len(cs), m.n_x, generator=gen)
    opts = dict(options=dict(step_size=kw['step_size'])) if 'step_size' in kw else dict(rtol=kw['rtol'], atol=kw['atol'])
    with mean_weights(m.velocity):
        x = odeint(lambda t, y: m.velocity(t, y, cs), z, torch.tensor([0., 1.]), method=kw['method'], **opts)[-1]
    return m.x_scale.inverse(x)[:, 0]


def timed(f, repeats):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t)
    return out, float(np.median(ts))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=20000, help='jets per solve (one sample each)')
    ap.add_argument('--width', type=int, default=128); ap.add_argument('--depth', type=int, default=4)
    ap.add_argument('--repeats', type=int, default=3); ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args(argv)
    c, _ = toy(a.n, a.seed + 1)
    rows = []
    for name, bayes in (('CFM', False), ('B-CFM', True)):
        m = trained(bayes, a.width, a.depth, a.seed)
        for sname, kw in SOLVERS:
            hepnb_sample(m, c.iloc[:100], kw, a.seed); anchor_sample(m, c.iloc[:100], kw, a.seed)  # warm-up
            xh, th = timed(lambda: hepnb_sample(m, c, kw, a.seed), a.repeats)
            nfe = m.last_nfe
            xa, ta = timed(lambda: anchor_sample(m, c, kw, a.seed), a.repeats)
            rows.append(dict(model=name, solver=sname, NFE=nfe, hepnb_jets_s=a.n/th, anchor_jets_s=a.n/ta,
                             ratio=ta/th, rms_diff=float(torch.sqrt(((xh - xa)**2).mean()))))
    df = pd.DataFrame(rows)
    print(f"{a.n} jets, width {a.width}, depth {a.depth}, torch threads {torch.get_num_threads()}, median of {a.repeats}")
    fmt = dict(hepnb_jets_s='{:,.0f}'.format, anchor_jets_s='{:,.0f}'.format, ratio='{:.2f}'.format, rms_diff='{:.1e}'.format)
    print(df.to_string(index=False, formatters=fmt))
    print(f"load average: {os.getloadavg()[0]:.2f} (a shared machine slows every number; the ratio is what counts)")
    return df


if __name__ == '__main__':
    main()
