"Process behaviour of `hepnb.parallel` (event generation and ensemble members): worker processes never outlive the process that started them."
import os, signal, subprocess, sys, time
import pytest

psutil = pytest.importorskip('psutil')

def _need_pythia():
    pytest.importorskip('pythia8mc'); pytest.importorskip('fastjet')

# a parent that generates jets with 2 workers for far longer than the test waits (it is killed first)
PARENT = """
import os, sys
os.environ['OMP_NUM_THREADS'] = '1'
# 'watchdog': the workers rely on their watchdog thread alone (as on systems without Linux's PR_SET_PDEATHSIG)
if sys.argv[1] == 'watchdog': os.environ['HEPNB_WORKER_WATCHDOG_ONLY'] = '1'
from hepnb.datasets.jets import make_jets
make_jets(5000, seed=5, level='particle', n_workers=2, cache=False, progress=False)
"""

def _alive(p) -> bool:
    "Running and not a zombie (an orphan whose exit nobody has collected yet is dead)."
    try: return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess: return False

def _wait_for(cond, timeout:float, step:float=0.2) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond(): return True
        time.sleep(step)
    return cond()

def _kill_parent_check_workers(tmp_path, code, args=(), env_extra=None, busy_cpu_s=0.5, start_s=180, busy_s=60):
    "Start `code` in a parent process that runs 2 workers, SIGKILL the parent once both are busy, return how long the workers outlived it."
    env = {**os.environ, 'OMP_NUM_THREADS': '1', **(env_extra or {})}
    parent = subprocess.Popen([sys.executable, '-c', code, *args], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(tmp_path/'parent.err', 'wb'))
    workers = []
    try:
        proc = psutil.Process(parent.pid)
        def started():
            nonlocal workers
            if parent.poll() is not None: return True
            workers = [c for c in proc.children() if 'resource_tracker' not in ' '.join(c.cmdline())]
            return len(workers) >= 2
        assert _wait_for(started, start_s), "the parent never started its 2 workers"
        assert parent.poll() is None, f"the parent ended early: {(tmp_path/'parent.err').read_text()[-2000:]}"
        assert _wait_for(lambda: all(w.cpu_times().user > busy_cpu_s for w in workers), busy_s)  # both busy
        parent.send_signal(signal.SIGKILL); parent.wait(10)
        t0 = time.monotonic()
        assert _wait_for(lambda: not any(_alive(w) for w in workers), 20), \
            f"workers {[w.pid for w in workers if _alive(w)]} still alive 20 s after their parent was killed"
        return time.monotonic() - t0
    finally:
        if parent.poll() is None: parent.kill(); parent.wait(10)
        for w in workers:  # processes this test started: never leave them behind, even when it fails
            if _alive(w):
                try: w.kill()
                except psutil.NoSuchProcess: pass

@pytest.mark.parametrize('mechanism', ['pdeathsig', 'watchdog'])
def test_workers_die_with_their_parent(tmp_path, mechanism):
    "SIGKILL the parent of `make_jets(n_workers=2)`: both workers are gone within 20 s (Linux's parent-death signal, or the watchdog thread)."
    _need_pythia()
    dt = _kill_parent_check_workers(tmp_path, PARENT, [mechanism], {'HEPNB_CACHE': str(tmp_path/'cache')})
    print(f"{mechanism}: workers gone {dt:.2f} s after the parent was killed")

# a parent that trains ensemble members in 2 worker processes for far longer than the test waits
TRAINER = """
import os, numpy as np
os.environ['OMP_NUM_THREADS'] = '1'
from hepnb.higgs.dataset import load_higgs, prepare_higgs
from hepnb.train.ensemble import EnsembleConfig, train_ensemble
sets, scaler = prepare_higgs(load_higgs())
tr = sets['train'].subset(np.random.default_rng(0).integers(0, len(sets['train']), 200_000))
train_ensemble(tr, EnsembleConfig.paper(max_epochs=50), scaler, n_jobs=2, verbose=False)
"""

def test_member_workers_die_with_their_parent(tmp_path):
    "SIGKILL the parent of `train_ensemble(n_jobs=2)`: its member workers are gone within 20 s."
    _kill_parent_check_workers(tmp_path, TRAINER, busy_cpu_s=2, busy_s=120)


# ---- plain scripts (no `if __name__ == '__main__':` guard) and worker failures: never a hang (issue 26) ----

def _run_script(tmp_path, code:str, timeout:float, name='analysis.py', env_extra=None):
    "Run `code` as a top-level script file `python FILE` with a time limit (a hang fails the test instead of CI)."
    f = tmp_path / name
    f.write_text(code)
    env = {**os.environ, 'OMP_NUM_THREADS': '1', **(env_extra or {})}
    t0 = time.monotonic()
    try: r = subprocess.run([sys.executable, str(f)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"`python {f.name}` still running after {timeout} s (hung?); stderr: {(e.stderr or b'')[-2000:]!r}")
    return r, time.monotonic() - t0

def _readme_script() -> str:
    "The README's plain-script example (section 'Use hepnb in your own project', the block starting '# analysis.py')."
    from conftest import ROOT
    blocks = (ROOT / 'README.md').read_text().split('```python\n')[1:]
    return next(b.split('```', 1)[0] for b in blocks if b.startswith('# analysis.py'))

CHECK = """
import hashlib
def digest(e):
    h = hashlib.sha256()
    for m in e.models:
        for k, v in sorted(m.state_dict().items()): h.update(k.encode()); h.update(v.numpy().tobytes())
    return h.hexdigest()
# the same recipe on 2 worker processes started from this plain script (the path that hung), against the default run
import hepnb.train.ensemble as _E
_E.BATCHED_PARALLEL_MIN_WORK = 0   # as on a large set: the batched members in groups on the workers (a small set trains in this process)
par = train_ensemble(sets['train'], EnsembleConfig.paper(seed=0), scaler, verbose=False, n_jobs=2)
print('n_jobs', par.info['n_jobs'])
print('same as n_jobs=1:', digest(ens) == digest(par), list(ens.val_losses) == list(par.val_losses))
"""

def test_plain_script_trains_the_recipe_in_parallel(tmp_path):
    "The README's plain script (no main guard), then the same recipe on 2 worker processes: runs, same ensemble as in one process."
    from hepnb.parallel import local_cores
    if local_cores() < 2: pytest.skip("needs 2 cores for the parallel path")
    r, dt = _run_script(tmp_path, _readme_script() + CHECK, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'bootstrapping phase' not in r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[-3].startswith('10 members: test AUC') and (tmp_path / 'ensemble.pt').exists(), lines
    assert lines[-2].startswith('n_jobs ') and int(lines[-2].split()[-1]) >= 2, lines
    assert lines[-1] == 'same as n_jobs=1: True True', lines
    print(f"recipe script (default, then 2 workers) in {dt:.0f} s")

def test_plain_script_generates_jets_with_2_workers(tmp_path):
    "`make_jets(..., n_workers=2)` from a top-level script: runs (same jets as n_workers=1)."
    _need_pythia()
    code = """
import numpy as np
from hepnb.datasets.jets import make_jets
a = make_jets(60, seed=3, level='particle', n_workers=2, cache=False, progress=False, chunk_size=100)['particle']
b = make_jets(60, seed=3, level='particle', n_workers=1, cache=False, progress=False, chunk_size=100)['particle']
print('jets', len(a), a.equals(b))
"""
    r, dt = _run_script(tmp_path, code, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip().splitlines()[-1] == 'jets 120 True', r.stdout
    print(f"jets script in {dt:.0f} s")

def test_worker_that_cannot_start_is_an_error(tmp_path):
    "A worker dying at start-up (the task's module fails to import there): an error naming it within 30 s, no hang, no worker left."
    (tmp_path / 'physics_helpers.py').write_text(
        "import os\nif os.environ.get('HEPNB_WORKER'): raise ImportError('libDelphes.so: cannot open shared object file')\n"
        "def task(shared, i): return i\n")
    code = """
from hepnb.parallel import map_ordered
import physics_helpers
print(list(map_ordered(physics_helpers.task, range(6), n_jobs=2)))
"""
    r, dt = _run_script(tmp_path, code, timeout=120)
    assert r.returncode != 0 and dt < 30, (r.returncode, dt)
    assert 'task 0 failed: its worker process could not start: ImportError: libDelphes.so' in r.stderr, r.stderr[-2000:]
    print(f"start-up failure reported after {dt:.1f} s")

def test_worker_killed_midway_is_an_error(tmp_path):
    "A worker killed while running a task (SIGKILL, as the OOM killer does): an error naming the task and the signal."
    code = """
import os, signal, time
from hepnb.parallel import map_ordered
def task(shared, i):
    if i == 3: os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.1); return i
print(list(map_ordered(task, range(8), n_jobs=2)))
"""
    r, dt = _run_script(tmp_path, code, timeout=120)
    assert r.returncode != 0 and dt < 30
    assert 'task 3 failed: its worker process' in r.stderr and 'was killed by SIGKILL' in r.stderr, r.stderr[-2000:]

def test_ctrl_c_stops_workers_at_once(tmp_path):
    "SIGINT to a parent whose 2 workers run long tasks: it ends within seconds with KeyboardInterrupt, and the workers are gone."
    code = """
import time
from hepnb.parallel import map_ordered
def long_task(shared, i):
    t = time.time()
    while time.time() - t < 120: pass   # busy, like a training step
    return i
print(list(map_ordered(long_task, range(4), n_jobs=2)))
"""
    f = tmp_path / 'long.py'; f.write_text(code)
    parent = subprocess.Popen([sys.executable, str(f)], env={**os.environ, 'OMP_NUM_THREADS': '1'},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers = []
    try:
        proc = psutil.Process(parent.pid)
        def busy():
            nonlocal workers
            workers = proc.children()
            return len(workers) >= 2 and all(w.cpu_times().user > 0.3 for w in workers)
        assert _wait_for(busy, 60), "the 2 workers never got busy"
        t0 = time.monotonic()
        parent.send_signal(signal.SIGINT)
        _, err = parent.communicate(timeout=30)
        dt = time.monotonic() - t0
        assert dt < 5, f"the parent took {dt:.1f} s to stop after SIGINT"
        assert parent.returncode != 0 and 'KeyboardInterrupt' in err, err[-2000:]
        assert _wait_for(lambda: not any(_alive(w) for w in workers), 5), "workers still alive after Ctrl-C"
        print(f"stopped {dt:.2f} s after SIGINT")
    finally:
        if parent.poll() is None: parent.kill(); parent.wait(10)
        for w in workers:
            if _alive(w):
                with __import__('contextlib').suppress(psutil.NoSuchProcess): w.kill()
