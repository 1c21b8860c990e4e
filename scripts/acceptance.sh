#!/usr/bin/env bash
# The 100-epoch acceptance runs of the learning-rules issue (docs/RESULTS.md), through ./fwdlearn train.
# Usage: scripts/acceptance.sh OUTDIR LANE [LANES [NAME...]]   runs every LANES-th run (of the NAMEs given, else
# of all runs, in the order below) starting at LANE (0-based), each single-threaded, so that LANES lanes in
# parallel fill LANES cores. Finished runs (metrics.json with all
# epochs) are skipped; a stopped run resumes from its last checkpoint. Lanes may also be started with the same
# list (LANES = 1): a run being trained by another lane (OUTDIR/.NAME.lock holds its pid) is skipped.
# Run it from a worktree at a fixed commit (`git worktree add ../acc HEAD`, build once, then FWDLEARN_NO_BUILD=1):
# rebuilding the jars under a running JVM breaks the classes it has yet to load (the end-of-run report); a run
# that failed so continues with `fwdlearn train --resume DIR`, which writes the report.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: scripts/acceptance.sh OUTDIR LANE [LANES]}"
lane="${2:?lane}"
lanes="${3:-2}"
shift $(( $# < 3 ? $# : 3 ))
only=("$@")
mkdir -p "$out"
# name | flags (the paper's protocol is the default: 100 epochs, batch 64, momentum 0.9, dropout 0.1,
# lr x0.1 after epochs 60 and 90, F uniform scale 0.05, he_uniform, pixels in [0,1])
runs=(
  "pepita-lr0.1|--rule pepita --lr 0.1"
  "pepita-lr0.01|--rule pepita --lr 0.01"
  "bp|--rule bp"
  "fa|--rule fa"
  "pepita-hebbian|--rule pepita-hebbian"
  "pepita-tl|--rule pepita-tl"
  "pepita-3x1024|--rule pepita --hidden 1024,1024,1024 --lr 0.01"
  "pepita-3x1024-mirror|--rule pepita --hidden 1024,1024,1024 --lr 0.01 --mirror"
  "afa|--rule afa"
  "dfa|--rule dfa"
  "drtp|--rule drtp"
  "pepita-wd1e-4|--rule pepita --lr 0.01 --weight-decay 1e-4"
  "pepita-norm|--rule pepita --lr 0.01 --normalize-activations"
  "fmnist-pepita|--rule pepita --lr 0.01 --dataset fashion-mnist"
  "fmnist-bp|--rule bp --dataset fashion-mnist"
  "fmnist-fa|--rule fa --dataset fashion-mnist"
)
selected=()
if [ ${#only[@]} -eq 0 ]; then
  selected=("${runs[@]}")
else
  for want in "${only[@]}"; do
    found=
    for r in "${runs[@]}"; do [ "${r%%|*}" = "$want" ] && selected+=("$r") && found=1; done
    [ -n "$found" ] || { echo "acceptance.sh: no run named '$want'" >&2; exit 2; }
  done
fi
i=0
for r in "${selected[@]}"; do
  if [ $((i % lanes)) -eq "$lane" ]; then
    name="${r%%|*}"
    flags="${r#*|}"
    dir="$out/$name"
    lock="$out/.$name.lock"
    if [ -f "$dir/metrics.json" ] && grep -q '"final"' "$dir/metrics.json"; then
      echo "== $name: done, skipped"
      i=$((i + 1))
      continue
    fi
    # One lane per run: a lock directory holding the lane's pid; a lock whose lane is gone is taken over.
    if ! mkdir "$lock" 2>/dev/null; then
      holder="$(cat "$lock/pid" 2>/dev/null || true)"
      if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
        echo "== $name: running in another lane (pid $holder), skipped"
        i=$((i + 1))
        continue
      fi
      echo "== $name: taking over the lock of a lane that is gone"
    fi
    echo $$ > "$lock/pid"
    if [ -f "$dir/config.json" ]; then
      echo "== $name: resuming"
      "$here/fwdlearn" train --resume "$dir" --progress lines
    else
      echo "== $name: ./fwdlearn train $flags --seed 0 --threads 1 --out $dir"
      # shellcheck disable=SC2086
      "$here/fwdlearn" train $flags --seed 0 --threads 1 --progress lines --out "$dir"
    fi
    rm -rf "$lock"
  fi
  i=$((i + 1))
done
