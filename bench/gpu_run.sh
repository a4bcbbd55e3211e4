#!/usr/bin/env bash
# Every course chapter at full size on a GPU machine (the device tool's H200: Python 3.12, torch 2.11 + CUDA, no
# network), within one 10-minute call, with a table of per-chapter wall time, device and headline result.
#
#   bash bench/gpu_run.sh fetch   # HERE (PyPI reachable): into .whl/ (git-ignored) the wheels the GPU machine lacks
#                                 # (for Python 3.12, manylinux x86-64), hepnb's own wheel, and the HiggsML subset
#   bash bench/gpu_run.sh run     # THERE: install hepnb as the chapters' Colab cells do (their pip commands, hepnb from
#                                 # the local wheel via HEPNB_PIP_SOURCE, pip offline from .whl/), check torch was kept,
#                                 # then run the chapters (bench/gpu_run.py) and write to $OUT: gpu_table.md,
#                                 # gpu_run.json, gpu_logs.tar.gz (per-chapter logs and executed notebooks)
#
# The device call:  run(command="bash bench/gpu_run.sh run", carry=[".whl"], timeout_s=600)
# Sizes: HEPNB_QUICK=0 (each chapter's full size) with its `#| slow` cells skipped (the extra studies: repeated
# splits, 20k-jet samples, HEPMASS), 4 chapters at a time, budget 540 s; a chapter still running at the budget is
# stopped and reported as such. Two chapters run in quick mode (GPU_RUN_QUICK_CHAPTERS, default "09 13"): 09's full
# search needs Ray, whose wheels do not fit in the 64 MiB a call carries (without Ray it runs its trials one after
# another), and 13 pins its models to the CPU (its committed outputs are a full 52-min CPU run).
# Batched members: every chapter's ensemble trains its TabularNet members as one batched model (the default);
# GPU_RUN_BATCHED=1 also runs bench/bench_batched.py (full size, batched only; GPU_RUN_BATCHED_S, default 120 s;
# lower GPU_RUN_BUDGET to make room).
# Knobs: GPU_RUN_QUICK=1 (quick mode: the CPU rehearsal), GPU_RUN_SLOW=1, GPU_RUN_QUICK_CHAPTERS ("" for none),
# GPU_RUN_BUDGET (s), GPU_RUN_WORKERS, GPU_RUN_CHAPTERS ("01 13"), PYTHON (python3), WHEELS (.whl), OUT (a new temporary folder).
# fetch only: PYVER (3.12), GPU_RUN_PRESENT (packages the target already has: not downloaded).
# CPU rehearsal here, from a scratch venv that has torch (HEPNB_SHARED: where shared/ is, if not beside the checkout):
#   HEPNB_SHARED=../shared PYVER=3.11 GPU_RUN_PRESENT=torch WHEELS=/tmp/w bash bench/gpu_run.sh fetch
#   PYTHON=/tmp/v/bin/python WHEELS=/tmp/w GPU_RUN_QUICK=1 OUT=/tmp/o bash bench/gpu_run.sh run
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WHEELS="$(mkdir -p "${WHEELS:-.whl}" && cd "${WHEELS:-.whl}" && pwd)"
MODE="${1:-}"

# what the nvidia-h200 image already holds (KINDS.md, read 2026-11-17): not downloaded. pandas is left out on purpose:
# hepnb needs pandas < 3, which the image may not have.
DEVICE_PRESENT="torch torchvision torchaudio triton numpy scipy scikit-learn matplotlib pillow pyyaml requests packaging
cloudpickle sympy mpmath networkx jinja2 markupsafe fsspec filelock typing-extensions contourpy cycler fonttools
kiwisolver pyparsing python-dateutil six pytz tzdata joblib threadpoolctl certifi charset-normalizer idna urllib3
setuptools pygments rich markdown-it-py mdurl msgpack py-cpuinfo torchdiffeq psutil tqdm attrs"

fetch() {
  local pyver="${PYVER:-3.12}" present="${GPU_RUN_PRESENT:-$DEVICE_PRESENT}" tmp
  tmp="$(mktemp -d)"
  # hepnb's wheel, built from a copy of the tree (nothing written into the checkout)
  tar --exclude=.venv --exclude=.git --exclude=nbs --exclude=_docs --exclude=_proc --exclude=.whl --exclude='*.egg-info' \
      --exclude=build --exclude=dist --exclude=node_modules -cf - . | (mkdir -p "$tmp/src" && tar -xf - -C "$tmp/src")
  rm -rf "$WHEELS"/*.whl "$WHEELS/wheels.tar.xz" "$WHEELS/shared"
  python3 -m pip wheel -q --no-deps -w "$WHEELS" "$tmp/src" 2>&1 | grep -v '^WARNING: Location' || true
  local whl; whl="$(ls "$WHEELS"/hepnb-*.whl)"
  # resolve what the Colab cells install (+ execnb, the notebook runner, and xgboost, which Colab has and chapter 14
  # imports; the CPU build: 5 MB instead of 300) for the target Python, then download the
  # wheels the target lacks, pinned as resolved (no constraints file: Colab has none)
  local plat=(--only-binary=:all: --python-version "$pyver" --implementation cp
              --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64
              --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform manylinux_2_24_x86_64
              --platform manylinux_2_31_x86_64 --platform manylinux_2_34_x86_64 --platform any)
  python3 -m pip install -q --dry-run --ignore-installed --target "$tmp/target" --report "$tmp/report.json" "${plat[@]}" \
      "hepnb[physics,root] @ file://$whl" execnb==0.1.18 xgboost-cpu 2>&1 | grep -v '^WARNING: Location' || true
  [ -s "$tmp/report.json" ] || { echo "pip could not resolve hepnb[physics,root] for Python $pyver"; exit 1; }
  python3 - "$tmp/report.json" "$present" > "$tmp/pins.txt" <<'EOF'
import json, re, sys
norm = lambda s: re.sub(r'[-_.]+', '-', s).lower()
present = {norm(n) for n in sys.argv[2].split()}
for it in json.load(open(sys.argv[1]))['install']:
    n, v = it['metadata']['name'], it['metadata']['version']
    if norm(n) in present or norm(n) == 'hepnb' or norm(n).startswith(('nvidia-', 'cuda-', 'triton')): continue  # torch's
    print(f'{n}=={v}')
EOF
  echo "fastai==2.8.7" >> "$tmp/pins.txt"
  python3 -m pip download -q --no-deps "${plat[@]}" -d "$WHEELS" -r "$tmp/pins.txt" 2>&1 | grep -v '^WARNING: Location' || true
  local missing; missing="$(python3 -c '
import re, sys, pathlib
nm = lambda s: re.sub(r"[-_.]+", "-", s).lower()
have = {nm(w.name.split("-")[0]) for w in pathlib.Path(sys.argv[2]).glob("*.whl")}
print(" ".join(l.split("==")[0] for l in open(sys.argv[1]) if nm(l.split("==")[0]) not in have))' "$tmp/pins.txt" "$WHEELS")"
  [ -z "$missing" ] || { echo "no wheel downloaded for: $missing"; exit 1; }
  # the wheels are ~76 MB, over the 64 MiB a device call carries: re-store them uncompressed and pack them with xz
  # (~47 MB); `run` unpacks them
  python3 - "$WHEELS" "$tmp/stored" <<'EOF'
import pathlib, sys, zipfile
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]); dst.mkdir()
for w in src.glob('*.whl'):
    with zipfile.ZipFile(w) as zin, zipfile.ZipFile(dst / w.name, 'w', zipfile.ZIP_STORED) as zout:
        for info in zin.infolist(): zout.writestr(info, zin.read(info.filename), compress_type=zipfile.ZIP_STORED)
    w.unlink()
EOF
  (cd "$tmp/stored" && tar -cf - ./*.whl | xz -T0 "-${GPU_RUN_XZ:-6}" > "$WHEELS/wheels.tar.xz")
  # the HiggsML subset the HiggsML chapters read (found through HEPNB_SHARED there)
  local data; data="$(HEPNB_QUICK=1 "${VENV_PY:-$ROOT/.venv/bin/python}" -c 'from hepnb.higgs.dataset import find_higgs_file; print(find_higgs_file(download=False))')"
  mkdir -p "$WHEELS/shared/data/higgsml"; cp "$data" "$WHEELS/shared/data/higgsml/"
  rm -rf "$tmp"
  echo "fetched into $WHEELS: $(tar -tJf "$WHEELS/wheels.tar.xz" | wc -l) wheels in wheels.tar.xz, $(du -sh "$WHEELS" | cut -f1) in all"
}

run() {
  local py="${PYTHON:-python3}" out="${OUT:-$(mktemp -d)}" t0 torch_before torch_after
  t0=$(date +%s)
  mkdir -p "$out"
  [ -f "$WHEELS/wheels.tar.xz" ] || { echo "no $WHEELS/wheels.tar.xz: run 'bash bench/gpu_run.sh fetch' first"; exit 1; }
  local whl_dir; whl_dir="$(mktemp -d)"
  tar -xJf "$WHEELS/wheels.tar.xz" -C "$whl_dir"
  echo "unpacked $(ls "$whl_dir"/*.whl | wc -l) wheels in $(( $(date +%s) - t0 )) s"
  torch_before="$("$py" -c 'import torch; print(torch.__version__, torch.__file__, torch.cuda.is_available())')"
  echo "python: $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])'); torch: $torch_before"
  # the install cell of chapter 1, run as on Colab: hepnb from the local wheel, every other package from .whl/ only
  # every distinct install cell of the chapters (they differ only in hepnb's extras), but those with the `scale`
  # extra: Ray's wheels do not fit in what a device call carries
  rm -f "$out"/install_cell_*.py
  "$py" - "$out" "$ROOT"/nbs/course/[0-9]*.ipynb <<'EOF'
import json, sys, pathlib
cells = []
for f in sys.argv[2:]:
    nb = json.load(open(f))
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'code' and "'google.colab' in sys.modules" in src and src not in cells and 'scale' not in src:
            cells.append(src)
for i, src in enumerate(cells):
    pathlib.Path(sys.argv[1], f'install_cell_{i}.py').write_text(
        "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')  # as on Colab\n" + src + '\n')
EOF
  for cell in "$out"/install_cell_*.py; do
    HEPNB_PIP_SOURCE="file://$(ls "$whl_dir"/hepnb-*.whl)" PIP_NO_INDEX=1 PIP_FIND_LINKS="$whl_dir" PIP_CONSTRAINT= \
      "$py" "$cell"
  done
  PIP_NO_INDEX=1 PIP_FIND_LINKS="$whl_dir" PIP_CONSTRAINT= "$py" -m pip install -q execnb==0.1.18
  torch_after="$("$py" -c 'import torch; print(torch.__version__, torch.__file__, torch.cuda.is_available())')"
  [ "$torch_before" = "$torch_after" ] || { echo "the install replaced torch: $torch_before -> $torch_after"; exit 1; }
  echo "installed in $(( $(date +%s) - t0 )) s; torch kept ($torch_after)"
  export HEPNB_SHARED="$WHEELS/shared" HEPNB_CACHE="${HEPNB_CACHE:-$(mktemp -d)}" HEPNB_QUICK="${GPU_RUN_QUICK:-0}"
  export GPU_RUN_SLOW="${GPU_RUN_SLOW:-0}"
  local rc=0
  # shellcheck disable=SC2086
  "$py" bench/gpu_run.py all --out "$out" --budget "${GPU_RUN_BUDGET:-540}" --workers "${GPU_RUN_WORKERS:-4}" \
     ${GPU_RUN_CHAPTERS:+--chapters $GPU_RUN_CHAPTERS} --quick-chapters ${GPU_RUN_QUICK_CHAPTERS-09 13} || rc=$?
  # the batched ensemble path on the device (the chapters' ensembles already train batched: it is train_ensemble's
  # default for TabularNet members); GPU_RUN_BATCHED=1 also times it at full size, batched only, into batched.txt
  if [ "${GPU_RUN_BATCHED:-0}" = 1 ]; then
    timeout "${GPU_RUN_BATCHED_S:-120}" "$py" bench/bench_batched.py --skip-anchor > "$out/batched.txt" 2>&1 || echo "bench_batched.py: rc=$? (see batched.txt)"
    tail -5 "$out/batched.txt" || true
  fi
  echo "gpu_run.sh run took $(( $(date +%s) - t0 )) s (rc=$rc); results in $out"
  return "$rc"
}

case "$MODE" in
  fetch) fetch ;;
  run) run ;;
  *) echo "usage: bash bench/gpu_run.sh fetch|run   (see the comments at the top)"; exit 2 ;;
esac
