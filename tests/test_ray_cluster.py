"""The architecture search on a real (two-node, one-machine) Ray cluster: `hepnb.train.search.run_search(address=...)`.

A Ray head and a separate worker node are started with the `ray` command on 127.0.0.1, each with one CPU, in a
private temporary folder; a small search is sent to the head's address and every trial records the node id and
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


@pytest.fixture
def ray_cluster(monkeypatch):
    "A Ray head and one worker node on 127.0.0.1, one CPU each; yields the head's address; always torn down."
    assert not ray.is_initialized()
    port = _free_port()
    tmp = tempfile.mkdtemp(prefix='hr', dir='/tmp')  # short: Ray's socket paths must fit 107 characters
    # Ray >= 2.5x authenticates every connection with a token: give this cluster (and this process) its own
    monkeypatch.setenv('RAY_AUTH_MODE', 'token')
    monkeypatch.setenv('RAY_AUTH_TOKEN', secrets.token_hex(32))
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
        assert not _pids_of(needle=tmp), "Ray processes of the test cluster survived teardown"


CLI = ("import argparse, sys; from hepnb.train.search import add_search_parser, run_search_cli; "
       "p = argparse.ArgumentParser(prog='hepnb'); add_search_parser(p.add_subparsers(dest='cmd')); "
       "sys.exit(run_search_cli(p.parse_args(sys.argv[1:])))")


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
