"Process behaviour of `hepnb.parallel` (event generation and ensemble members): worker processes never outlive the process that started them."
import os, signal, subprocess, sys, time
import pytest

psutil = pytest.importorskip('psutil')
pytest.importorskip('pythia8mc'); pytest.importorskip('fastjet')

# a parent that generates jets with 2 workers for far longer than the test waits (it is killed first)
PARENT = """
import os, sys
os.environ['OMP_NUM_THREADS'] = '1'
import hepnb.parallel as par
class NotLinux:  # what hepnb.parallel (whose workers are forked from here) sees as `sys`: no PR_SET_PDEATHSIG
    platform = 'other'
    def __getattr__(self, name): return getattr(sys, name)
if sys.argv[1] == 'watchdog': par.sys = NotLinux()
from hepnb.data.jets import make_jets
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
    dt = _kill_parent_check_workers(tmp_path, PARENT, [mechanism], {'HEPNB_CACHE': str(tmp_path/'cache')})
    print(f"{mechanism}: workers gone {dt:.2f} s after the parent was killed")

# a parent that trains ensemble members in 2 worker processes for far longer than the test waits
TRAINER = """
import os, numpy as np
os.environ['OMP_NUM_THREADS'] = '1'
from hepnb.data.higgs import load_higgs, prepare_higgs
from hepnb.train.ensemble import EnsembleConfig, train_ensemble
sets, scaler = prepare_higgs(load_higgs())
tr = sets['train'].subset(np.random.default_rng(0).integers(0, len(sets['train']), 200_000))
train_ensemble(tr, EnsembleConfig.paper(max_epochs=50), scaler, n_jobs=2, verbose=False)
"""

def test_member_workers_die_with_their_parent(tmp_path):
    "SIGKILL the parent of `train_ensemble(n_jobs=2)`: its member workers are gone within 20 s."
    _kill_parent_check_workers(tmp_path, TRAINER, busy_cpu_s=2, busy_s=120)
