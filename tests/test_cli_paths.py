"Paths the user gives (`--out`, `--data`, `write_root`'s file) that are odd or fail on the way: clear errors before any work, and nothing lost."
import json, os, signal, subprocess, sys, textwrap, time
from pathlib import Path
import pytest
from conftest import console_script

ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}

def py(code: str, *argv, timeout=120, **kw):
    "Run python `code` with arguments `argv` in a fresh interpreter (this one's)."
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code), *map(str, argv)], capture_output=True, text=True,
                          timeout=timeout, env=ENV, **kw)

# --- `hepnb higgs --out/--data`: refused before any work, with a message that says what the path is

def test_dangling_out_link_refused_before_work(tmp_path):
    "`--out LINK` whose target does not exist used to pass, train everything, then fail on the rename (results lost)."
    link = tmp_path / 'res'; link.symlink_to(tmp_path / 'nowhere')
    for out in (link, link / 'sub'):
        t0 = time.time()
        r = subprocess.run([console_script('hepnb'), 'higgs', '--quick', '--models', '2', '--epochs', '1', '--out', str(out)],
                           capture_output=True, text=True, timeout=600, env=ENV)
        assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr[-2000:]
        assert f"{link} is a symbolic link to {tmp_path / 'nowhere'}, which does not exist" in r.stderr, r.stderr[-2000:]
        assert time.time() - t0 < 30                    # before the data is read or anything trains
    assert not (tmp_path / 'nowhere').exists() and [p.name for p in tmp_path.iterdir()] == ['res']

def test_out_link_to_a_folder_writes_into_it(tmp_path):
    "A link to an existing folder is followed: the results go into the folder and the link stays a link."
    from hepnb.cli import check_out_dir, write_outputs
    (tmp_path / 'real').mkdir(); (tmp_path / 'link').symlink_to(tmp_path / 'real')
    out = check_out_dir(tmp_path / 'link')
    assert out == tmp_path / 'real'
    write_outputs(out, {'n': 1}, {'predictions.csv': lambda p: p.write_text('x')})
    assert (tmp_path / 'link').is_symlink() and (tmp_path / 'link' / 'summary.json').is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ['link', 'real']

def test_too_long_names_and_special_files(tmp_path, capsys):
    "Names over NAME_MAX, paths over PATH_MAX, /dev/null and pipes: a sentence, exit status 2, no traceback, no work."
    from hepnb.cli import main
    os.mkfifo(tmp_path / 'fifo')
    deep = tmp_path / '/'.join(['d' * 200] * 25)
    cases = [(['--out', str(tmp_path / ('x' * 300))], "is 300 bytes long, over the file system's limit of 255"),
             (['--out', str(deep)], "over the system's limit of 4,096"),
             (['--data', str(tmp_path / ('x' * 300))], "is 300 bytes long, over the file system's limit of 255"),
             (['--data', str(deep)], "over the system's limit of 4,096"),
             (['--data', '/dev/null'], "--data /dev/null: a character device (such as /dev/null), not a regular file or folder"),
             (['--data', str(tmp_path / 'fifo')], "fifo: a pipe (as made by <(zcat FILE) or mkfifo), not a regular file or folder")]
    for args, words in cases:
        t0 = time.time()
        assert main(['higgs', '--quick'] + args) == 2, args
        err = capsys.readouterr().err
        assert words in err and 'Errno' not in err, (args, err)
        assert len(err) < 600, err                      # a 5,000-character path is shortened in the message
        assert time.time() - t0 < 10
    assert main(['search', '--data', '/dev/null']) == 2 and 'a character device' in capsys.readouterr().err

def test_process_substitution_data(tmp_path):
    "`--data <(zcat f)` is a pipe: said so, with what to do instead."
    r = subprocess.run(['bash', '-c', f'{console_script("hepnb")} higgs --quick --data <(echo EventId)'],
                       capture_output=True, text=True, timeout=120, env=ENV)
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert 'a pipe (as made by <(zcat FILE) or mkfifo), not a regular file or folder' in r.stderr and 'zcat FILE > higgs.csv' in r.stderr

# --- the replacement of `--out` killed between its two renames

KILL_BETWEEN_RENAMES = """
import os, signal, sys
from pathlib import Path
import hepnb.cli as cli
out, tag = Path(sys.argv[1]), sys.argv[2]
real, n = os.rename, [0]
def rename(a, b):                      # the first rename (the previous set moved aside) happens; then SIGKILL
    real(a, b); n[0] += 1
    if n[0] == 1: os.kill(os.getpid(), signal.SIGKILL)
os.rename = rename
writers = {'predictions.csv': lambda p: p.write_text(tag), 'ensemble.pt': lambda p: p.write_bytes(tag.encode() * 1000)}
if tag == 'incomplete': writers['ensemble.pt'] = lambda p: (p.write_bytes(b'x'), os.kill(os.getpid(), signal.SIGKILL))
cli.write_outputs(out, {'tag': tag}, writers)
"""

def _write(out, tag):
    from hepnb.cli import write_outputs
    write_outputs(out, {'tag': tag}, {'predictions.csv': lambda p: p.write_text(tag), 'ensemble.pt': lambda p: p.write_bytes(tag.encode() * 1000)})

def _tag(out):
    "The tag of a complete set in `out` (every file as summary.json describes it)."
    import hashlib
    s = json.loads((out / 'summary.json').read_text())
    for name, rec in s['files'].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == rec['sha256'], name
    return s['tag']

def test_killed_between_the_two_renames_next_run_finishes_it(tmp_path):
    "Killed after moving the previous set aside, before putting the new one in place: `--out` is missing for a moment; the next run completes the replacement instead of deleting both copies."
    from hepnb.cli import check_out_dir
    out = tmp_path / 'res'; _write(out, 'first')
    r = py(KILL_BETWEEN_RENAMES, out, 'second')
    assert r.returncode == -signal.SIGKILL, r.stderr[-2000:]
    assert not out.exists() and len(list(tmp_path.glob('.res.old-*'))) == 1 and len(list(tmp_path.glob('.res.new-*'))) == 1
    assert check_out_dir(out) == out                    # the next run, before any work
    assert _tag(out) == 'second' and sorted(p.name for p in tmp_path.iterdir()) == ['res']
    _write(out, 'third'); assert _tag(out) == 'third' and sorted(p.name for p in tmp_path.iterdir()) == ['res']

def test_killed_with_an_incomplete_new_set_restores_the_previous(tmp_path):
    "An unfinished new set (killed while writing it) and the previous set moved aside (by hand here): the previous set comes back."
    from hepnb.cli import check_out_dir
    out = tmp_path / 'res'; _write(out, 'first')
    r = py(KILL_BETWEEN_RENAMES, out, 'incomplete')
    assert r.returncode == -signal.SIGKILL, r.stderr[-2000:]
    new, = tmp_path.glob('.res.new-*'); assert out.exists()
    out.rename(tmp_path / ('.res.old-' + new.name.split('new-')[1]))   # as if that run had reached the first rename
    assert not out.exists()
    assert check_out_dir(out) == out
    assert _tag(out) == 'first' and sorted(p.name for p in tmp_path.iterdir()) == ['res']

# --- write_root: full disk, no permission, killed mid-write

FRAME = """
import numpy as np, pandas as pd
from hepnb.data.root import write_root, read_root
df = pd.DataFrame({'event': np.arange(200_000, dtype=np.int64), 'pred': np.linspace(0, 1, 200_000)})
"""

def test_write_root_file_size_limit(tmp_path):
    "`ulimit -f` (RLIMIT_FSIZE, SIGXFSZ ignored) makes the write fail with EFBIG: a DataError naming the file; the previous file and no temporary remain."
    r = py(FRAME + f"""
import resource, signal
write_root({str(tmp_path / 'p.root')!r}, df.iloc[:10])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
for name in ('p.root', 'p.parquet'):
    try: write_root({str(tmp_path)!r} + '/' + name, df); print('written')
    except Exception as e: print(type(e).__name__, e)
""")
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith(f"DataError could not write {tmp_path / 'p.root'} (File too large; over the file size limit of this process (ulimit -f)"), r.stdout
    assert lines[1].startswith(f"DataError could not write {tmp_path / 'p.parquet'} ("), r.stdout
    from hepnb.data.root import read_root
    assert len(read_root(tmp_path / 'p.root')) == 10 and sorted(p.name for p in tmp_path.iterdir()) == ['p.root']

@pytest.mark.skipif(os.name != 'posix' or os.geteuid() != 0, reason='needs root to switch to an unprivileged user')
def test_write_root_no_permission(tmp_path):
    "As an unprivileged user (setuid to nobody in a subprocess): a folder owned by root it may enter but not write in, and a path through one it may not enter: a DataError naming the file and why."
    import tempfile, shutil
    top = Path(tempfile.mkdtemp(prefix='hepnb_perm_')); os.chmod(top, 0o755)     # pytest's tmp_path is not open to others
    try:
        (top / 'ro').mkdir(mode=0o755); (top / 'closed').mkdir(mode=0o700)
        r = py(FRAME + """
import os, sys
top = sys.argv[1]
write_root(top + '/warm.root', df.iloc[:10])      # loads every module writing needs, while still root
os.setgid(65534); os.setuid(65534)
for d in ('ro', 'closed/sub'):
    try: write_root(f'{top}/{d}/p.root', df.iloc[:10]); print('written')
    except Exception as e: print(type(e).__name__, e)
""", top, cwd='/')
        assert r.returncode == 0, r.stderr[-3000:]
        ro, closed = r.stdout.strip().splitlines()
        assert ro.startswith(f"DataError could not write {top}/ro/p.root (Permission denied; no permission to write in {top}/ro)"), ro
        assert closed.startswith(f"DataError {top}/closed/sub/p.root: cannot look into folder {top}/closed/sub (Permission denied)"), closed
        assert not list((top / 'ro').iterdir()) and not list((top / 'closed').iterdir())
    finally: shutil.rmtree(top)

def test_write_root_killed_mid_write_temp_removed_by_next_write(tmp_path):
    "A writer killed mid-write (SIGKILL from inside its write) leaves a hidden temporary file; the next write of that file removes it."
    out = tmp_path / 'p.root'
    r = py(FRAME + f"""
import os, signal
import hepnb.data.root as R
write_root({str(out)!r}, df.iloc[:10])
def killed(tmp, *a):
    open(tmp, 'wb').write(b'root' + bytes(500_000)); os.kill(os.getpid(), signal.SIGKILL)
R._write_tree = killed
write_root({str(out)!r}, df)
""")
    assert r.returncode == -signal.SIGKILL, r.stderr[-3000:]
    tmps = list(tmp_path.glob('.p.root.*.tmp'))
    assert len(tmps) == 1 and tmps[0].stat().st_size > 500_000
    from hepnb.data.root import write_root, read_root
    import pandas as pd
    assert len(read_root(out)) == 10                    # the previous file, intact
    write_root(out, pd.DataFrame({'event': [1, 2, 3]}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['p.root'] and len(read_root(out)) == 3
