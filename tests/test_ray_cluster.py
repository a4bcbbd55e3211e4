"""The architecture search on a real (two-node, one-machine) Ray cluster through `hepnb search` (`hepnb.cli`), which calls
`hepnb.train.search.run_search(..., cluster=RayCluster(address=...))`; also its refusals (unknown experiment, no cluster).
Ensemble members (`train_ensemble(..., address=)`) and jet generation (`make_jets(..., address=)`) as Ray tasks
(`hepnb.parallel.map_ordered`) on the same cluster: both nodes work, and the results equal the local ones bit for bit.

A Ray head and a separate worker node are started with the `ray` command on 127.0.0.1, each with one CPU, in a
private temporary folder, once for the whole file (a module-scoped fixture: starting a cluster costs tens of seconds);
a small search is sent to the head's address and every trial records the node id and
process id it ran in. With one CPU per node and two trials at a time, both nodes must get trials.

Teardown ends only what this test started: the `ray start --block` processes of both nodes run in their own process
sessions, and those sessions (raylet, GCS, workers) plus anything left that names our private temp folder are
killed by process id. (`ray stop --force` is not used: it kills every Ray process of the user on the machine,
including other people's.)
"""
import os, secrets, signal, socket, subprocess, sys, tempfile, time, shutil
from pathlib import Path
import pytest

ray = pytest.importorskip('ray', reason="Ray is an optional extra: pip install 'hepnb[scale]'")
RAY = str(Path(sys.executable).with_name('ray'))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _pids_of(sid: int = None, needle: str = None) -> list:
    "Process ids in session `sid` or whose command line contains `needle` (from /proc)."
    out = []
    for d in Path('/proc').iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid(): continue
        try:
            if sid is not None and os.getsid(int(d.name)) == sid: out.append(int(d.name)); continue
            if needle and needle in (d/'cmdline').read_bytes().replace(b'\0', b' ').decode(errors='replace'):
                out.append(int(d.name))
        except (OSError, ProcessLookupError):
            pass
    return out


def _kill(pids, sig):
    for p in pids:
        try: os.kill(p, sig)
        except ProcessLookupError: pass


def _wait_for_nodes(address, n, timeout=120):
    "Block until the cluster at `address` reports `n` alive nodes (checked from a short-lived driver)."
    code = ("import ray,sys; ray.init(address=sys.argv[1], log_to_driver=False, logging_level='ERROR'); "
            "print(sum(n['Alive'] for n in ray.nodes()))")
    t0 = time.time()
    while time.time() - t0 < timeout:
        r = subprocess.run([sys.executable, '-c', code, address], capture_output=True, text=True, timeout=timeout)
        if r.returncode == 0 and r.stdout.strip().splitlines()[-1:] == [str(n)]: return
        time.sleep(2)
    raise TimeoutError(f"the Ray cluster at {address} did not reach {n} nodes in {timeout} s: {r.stderr[-1500:]}")


def _reload_ray_auth():
    "Make this process's Ray re-read RAY_AUTH_MODE / RAY_AUTH_TOKEN (Ray's own test helper; without it ray.init fails: token missing)."
    from ray._private.authentication_test_utils import reset_auth_token_state
    reset_auth_token_state()


@pytest.fixture(scope='module')
def ray_cluster():
    "A Ray head and one worker node on 127.0.0.1, one CPU each, shared by this file's tests; yields the head's address; always torn down."
    assert not ray.is_initialized()
    t0 = time.time()
    monkeypatch = pytest.MonkeyPatch()
    port = _free_port()
    tmp = tempfile.mkdtemp(prefix='hr', dir='/tmp')  # short: Ray's socket paths must fit 107 characters
    # Ray >= 2.5x authenticates every connection with a token: give this cluster (and this process) its own
    monkeypatch.setenv('RAY_AUTH_MODE', 'token')
    monkeypatch.setenv('RAY_AUTH_TOKEN', secrets.token_hex(32))
    _reload_ray_auth()  # this process connects too (ensemble, jets): Ray read its auth settings when it was imported
    env = {**os.environ, 'RAY_USAGE_STATS_ENABLED': '0', 'OMP_NUM_THREADS': '1'}
    common = ['--num-cpus=1', '--block', '--disable-usage-stats']
    procs = []
    logs = [open(Path(tmp)/'head.log', 'w'), open(Path(tmp)/'worker.log', 'w')]
    try:
        procs.append(subprocess.Popen([RAY, 'start', '--head', f'--port={port}', '--node-ip-address=127.0.0.1',
                                       '--include-dashboard=false', f'--temp-dir={tmp}', *common],
                                      stdout=logs[0], stderr=subprocess.STDOUT, env=env, start_new_session=True))
        address = f'127.0.0.1:{port}'
        _wait_for_nodes(address, 1)
        procs.append(subprocess.Popen([RAY, 'start', f'--address={address}', '--node-ip-address=127.0.0.1', *common],
                                      stdout=logs[1], stderr=subprocess.STDOUT, env=env, start_new_session=True))
        _wait_for_nodes(address, 2)
        print(f"two-node cluster up in {time.time() - t0:.1f} s")
        yield address
    finally:
        if ray.is_initialized(): ray.shutdown()
        sids = [p.pid for p in procs]  # start_new_session: session id == pid of `ray start`
        for p in procs:
            if p.poll() is None: p.send_signal(signal.SIGTERM)
        for p in procs:
            try: p.wait(timeout=20)
            except subprocess.TimeoutExpired: pass
        left = sorted({q for s in sids for q in _pids_of(sid=s)} | set(_pids_of(needle=tmp)))
        _kill(left, signal.SIGTERM); time.sleep(2)
        _kill([q for q in left if Path(f'/proc/{q}').exists()], signal.SIGKILL)
        for f in logs: f.close()
        shutil.rmtree(tmp, ignore_errors=True)
        monkeypatch.undo(); _reload_ray_auth()
        assert not _pids_of(needle=tmp), "Ray processes of the test cluster survived teardown"


CLI = "import sys; from hepnb.cli import main; sys.exit(main(sys.argv[1:]))"  # `hepnb ...`, with this interpreter


def test_search_runs_on_both_nodes(ray_cluster, tmp_path):
    "`hepnb search --address` (run as its own driver process, as a user would) spreads the trials over both nodes."
    from hepnb.train.search import load_search
    r = subprocess.run([sys.executable, '-c', CLI, 'search', '--quick', '--trials', '4', '--n-train', '3000',
                        '--address', ray_cluster, '--out', str(tmp_path), '--name', 'cluster'],
                       capture_output=True, text=True, timeout=400, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert 'results:' in r.stdout
    res = load_search(tmp_path/'cluster')
    assert res.errors == []
    assert len(res.df) == 4
    assert (res.df['node_id'].str.len() > 0).all()
    # two nodes, one CPU each: the trials were spread over both, in worker processes
    assert res.df['node_id'].nunique() == 2, res.df[['node_id', 'pid']]
    assert res.df['pid'].nunique() >= 2
    assert (res.df['auc'] > 0.6).all()
    print(res.df[['depth', 'width', 'growth', 'n_params', 'mvac', 'auc', 'train_s', 'node_id', 'pid']].to_string())


def _nodes(hosts) -> set:
    "Ray node ids (first 8 characters) in 'host:pid@node' strings (`ens.info['member_hosts']`, `info['chunk_hosts']`)."
    return {h.rpartition('@')[2] for h in hosts if '@' in h}


def test_ensemble_members_on_both_nodes(ray_cluster):
    "`train_ensemble(..., address=HEAD)`: the two members train as Ray tasks, one on each node, and equal the local sequential ones bit for bit."
    import numpy as np, torch
    from hepnb.higgs.dataset import load_higgs, prepare_higgs
    from hepnb.train.ensemble import EnsembleConfig, train_ensemble
    sets, scaler = prepare_higgs(load_higgs(), embed_cats=False, seed=0)
    train = sets['train'].subset(np.arange(4000))
    cfg = EnsembleConfig(n_models=2, max_epochs=1, seed=0)
    t0 = time.time()
    local = train_ensemble(train, cfg, scaler, verbose=False, n_jobs=1, batched=False)  # members on a cluster train one by one
    t1 = time.time()
    remote = train_ensemble(train, cfg, scaler, verbose=False, address=ray_cluster)
    t2 = time.time()
    print(f"ensemble: local {t1 - t0:.1f} s, cluster {t2 - t1:.1f} s; members on {remote.info['member_hosts']}")
    assert remote.info['address'] == ray_cluster
    assert len(_nodes(remote.info['member_hosts'])) == 2, remote.info['member_hosts']
    for a, b in zip(local.models, remote.models, strict=True):
        for k, v in a.state_dict().items(): assert torch.equal(v, b.state_dict()[k]), k
    assert np.array_equal(local.val_losses, remote.val_losses)


def test_jets_on_both_nodes(ray_cluster):
    "`make_jets(..., address=HEAD)`: the chunks run as Ray tasks on both nodes; the jets equal the local ones bit for bit."
    from hepnb.datasets.jets import make_jets
    kw = dict(seed=3, level='particle', cache=False, progress=False, chunk_size=20)
    t0 = time.time()
    local = make_jets(30, n_workers=1, **kw)
    t1 = time.time()
    remote, info = make_jets(30, address=ray_cluster, return_info=True, **kw)
    t2 = time.time()
    hosts = info['top']['chunk_hosts'] + info['qcd']['chunk_hosts']
    print(f"jets: local {t1 - t0:.1f} s, cluster {t2 - t1:.1f} s; chunks on {hosts}")
    assert len(_nodes(hosts)) == 2 and all('@' in h for h in hosts), hosts
    assert info['top']['address'] == ray_cluster
    assert remote['particle'].equals(local['particle'])
    assert len(remote['particle']) == 60


def test_interrupted_search_resumes(tmp_path):
    "Interrupt a local `hepnb search` (Ctrl-C) after its first trial; `--resume` keeps that trial and runs the rest."
    from hepnb.train.search import load_search
    args = ['search', '--quick', '--trials', '4', '--n-train', '3000', '--num-cpus', '1', '--out', str(tmp_path), '--name', 'resume']
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONUNBUFFERED': '1'}
    p = subprocess.Popen([sys.executable, '-c', CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=env, start_new_session=True)
    try:
        lines, t0 = [], time.time()
        for line in p.stdout:  # one progress line per finished trial: '[1/4 ...'
            lines.append(line)
            if line.startswith('[1/4'): break
            assert time.time() - t0 < 300, ''.join(lines[-30:])
        p.send_signal(signal.SIGINT)  # what Ctrl-C does: Tune saves the experiment and stops
        out = p.communicate(timeout=120)[0]
    finally:
        if p.poll() is None: p.kill()
        _kill(_pids_of(sid=p.pid), signal.SIGKILL)  # anything of that driver's own Ray instance that survived
    first = load_search(tmp_path/'resume')
    assert 1 <= len(first.df) < 4, ''.join(lines) + out
    r = subprocess.run([sys.executable, '-c', CLI, *args, '--resume'], capture_output=True, text=True, timeout=400, env=env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert 'resuming' in r.stdout
    res = load_search(tmp_path/'resume')
    assert len(res.df) == 4 and res.errors == []
    before = first.df.set_index('trial_id')['train_s']
    after = res.df.set_index('trial_id')['train_s']
    assert (after[before.index] == before).all(), "trials finished before the interruption were run again"


def test_cli_refuses_unknown_experiment_and_absent_cluster(tmp_path):
    "`--resume` of an experiment that does not exist, and an address where no cluster answers: exit 2, a message naming them, in bounded time."
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    (tmp_path/'demo').mkdir(); (tmp_path/'demo'/'tuner.pkl').write_bytes(b'')   # one experiment that exists
    base = ['search', '--quick', '--trials', '1', '--n-train', '1000', '--out', str(tmp_path)]
    r = subprocess.run([sys.executable, '-c', CLI, *base, '--name', 'dmeo', '--resume'], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 2, r.stdout[-1000:] + r.stderr[-2000:]
    assert f"{tmp_path.resolve()}/dmeo" in r.stderr and 'are demo' in r.stderr, r.stderr[-2000:]
    t0 = time.time()
    r = subprocess.run([sys.executable, '-c', CLI, *base, '--name', 'new', '--address', '127.0.0.1:1'],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 2, r.stdout[-1000:] + r.stderr[-2000:]
    assert 'cannot reach the Ray cluster at 127.0.0.1:1' in r.stderr, r.stderr[-2000:]
    assert time.time() - t0 < 60, time.time() - t0   # start-up and data included; Ray alone would wait for > 10 minutes
    assert not (tmp_path/'new').exists()
