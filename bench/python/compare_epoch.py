#!/usr/bin/env python3
"""One MNIST training epoch of fwdlearn against PyTorch, side by side: runs `./fwdlearn train` and
`torch_mlp.py` (a minimal PyTorch implementation of the same PEPITA, BP, FA or time-local PEPITA step)
alternately, each at least 3 times by default, at the same thread count, and prints each run's epoch time, the
medians and their ratio.

Both sides time the same thing: one epoch (the training steps on shuffled batches of 64 with the train
loss/accuracy of each batch, then the test-set evaluation), not the process start, the JVM start-up or the
data loading. fwdlearn's figure is the "seconds" column of the run's metrics.csv (Trainer's epoch wall time);
PyTorch's is measured the same way by torch_mlp.py. With --warmup-epochs W each run trains W + 1 epochs and
the last one is timed (fwdlearn's first epoch includes JIT compilation).

PyTorch comes from Debian's python3-torch, run by /usr/bin/python3 (--python to change). Debian's OpenBLAS
0.3.21 does not recognise recent Xeons and falls back to a generic kernel; on a CPU with AVX-512 this script
then sets OPENBLAS_CORETYPE=SkylakeX for PyTorch (and says so), to give the peer its best settings.

Usage: python3 bench/python/compare_epoch.py [--rule pepita|bp|fa|pepita-tl] [--threads 1] [--runs 3]
         [--train-limit N]
Exit codes: 0 done, 1 a run failed, 2 bad arguments, 3 PyTorch missing.
"""
import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
INSTALL = "apt-get install python3-torch libopenblas0-openmp"
# OpenBLAS kernels for CPUs with AVX-512 F/BW/DQ/VL; anything else on such a CPU is a fallback.
AVX512_CORES = {"SkylakeX", "CooperLake", "SapphireRapids"}
RULES = ["pepita", "bp", "fa", "pepita-tl"]
# fwdlearn flags that pin, at their current defaults, the choices torch_mlp.py makes for a rule: FA's He-uniform
# B_l; time-local PEPITA's uniform F with Bstd 0.05, X - E F^T, fresh masks for the modulated pass and the second
# half of the batch added to the first step (no second momentum decay).
RULE_FLAGS = {
    "fa": ["--feedback-init", "he_uniform"],
    "pepita-tl": ["--f-init", "uniform", "--f-scale", "0.05", "--pepita-sign", "minus",
                  "--time-local-shared-masks=false", "--reference-quirks=false"],
}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rule", choices=RULES, default="pepita")
    p.add_argument("--threads", type=int, default=1, help="threads of both sides (default 1)")
    p.add_argument("--runs", type=int, default=3, help="runs of each side (default 3)")
    p.add_argument("--warmup-epochs", type=int, default=0, help="untimed epochs before the timed one (default 0)")
    p.add_argument("--hidden", default="1024", help="hidden widths, comma-separated (default 1024)")
    p.add_argument("--lr", type=float, default=0.01,
                   help="learning rate of both sides (default 0.01: fwdlearn's default for bp, fa and pepita-tl;"
                        " its pepita default is 0.1)")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--train-limit", type=int, default=0, help="the first N training examples (0: all 60000)")
    p.add_argument("--test-limit", type=int, default=0, help="the first N test examples (0: all 10000)")
    p.add_argument("--data-dir", default=None, help="MNIST IDX files (default: fwdlearn's cache, ~/.cache/fwdlearn/mnist)")
    p.add_argument("--python", default="/usr/bin/python3", help="the interpreter with torch (default /usr/bin/python3)")
    p.add_argument("--fwdlearn", default=os.path.join(ROOT, "fwdlearn"), help="the fwdlearn launcher")
    p.add_argument("--openblas-coretype", default="auto",
                   help="OPENBLAS_CORETYPE for PyTorch: auto (SkylakeX if OpenBLAS falls back on an AVX-512 CPU),"
                        " none, or a core name")
    p.add_argument("--work-dir", default=None, help="where fwdlearn's run directories go (default: a temporary one)")
    p.add_argument("--json", default=None, help="also write the runs and medians to this JSON file")
    a = p.parse_args(argv)
    if a.threads < 1 or a.runs < 1 or a.warmup_epochs < 0:
        p.error("--threads and --runs must be >= 1, --warmup-epochs >= 0")
    return a


def cpu_info():
    model, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown":
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return model, flags


def check_torch(python):
    """None if `python` imports torch and numpy, else the reason."""
    python = shutil.which(python) or python
    try:
        r = subprocess.run([python, "-c", "import numpy, torch; print(torch.__version__)"],
                           capture_output=True, text=True)
    except OSError as e:
        return f"{python} cannot be run ({e})"
    if r.returncode != 0:
        lines = r.stderr.strip().splitlines()
        return f"{python} cannot import torch and numpy ({lines[-1] if lines else 'exit ' + str(r.returncode)})"
    return None


def probe_openblas(python):
    """The OpenBLAS core type chosen without OPENBLAS_CORETYPE, as torch_mlp.openblas_info reports it."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    code = f"import sys, json; sys.path.insert(0, {HERE!r}); import torch_mlp; print(json.dumps(torch_mlp.openblas_info()))"
    r = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return None


def choose_coretype(arg, python, flags):
    """(value to set or None, explanation)."""
    if "OPENBLAS_CORETYPE" in os.environ:
        return os.environ["OPENBLAS_CORETYPE"], "OPENBLAS_CORETYPE from the environment"
    if arg == "none":
        return None, "OPENBLAS_CORETYPE not set (--openblas-coretype none)"
    if arg != "auto":
        return arg, "OPENBLAS_CORETYPE from --openblas-coretype"
    info = probe_openblas(python)
    if info is None:
        return None, "OPENBLAS_CORETYPE not set: torch's BLAS (libblas.so.3) is not OpenBLAS"
    core = info["core"]
    avx512 = {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags
    if avx512 and core not in AVX512_CORES:
        return "SkylakeX", (f"OPENBLAS_CORETYPE=SkylakeX set by this script: {info['config'].split(' NO_')[0]} picks the"
                            f" fallback core '{core}' on this AVX-512 CPU")
    return None, f"OPENBLAS_CORETYPE not set: OpenBLAS picks core '{core}' by itself"


def run_fwdlearn(a, work, run):
    out = os.path.join(work, f"fwdlearn-{a.rule}-{a.threads}t-run{run}")
    cmd = [a.fwdlearn, "train", "--rule", a.rule, "--epochs", str(a.warmup_epochs + 1), "--threads", str(a.threads),
           "--hidden", a.hidden, "--lr", str(a.lr), "--dropout", str(a.dropout), "--seed", str(a.seed),
           "--batch", "64", "--train-limit", str(a.train_limit), "--test-limit", str(a.test_limit),
           "--out", out, "--force", "--progress", "lines"] + RULE_FLAGS.get(a.rule, [])
    if a.data_dir:
        cmd += ["--data-dir", a.data_dir]
    env = dict(os.environ, FWDLEARN_NO_BUILD="1")
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"fwdlearn run {run} failed (exit {r.returncode}): {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    with open(os.path.join(out, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    last = rows[-1]
    return {"seconds": float(last["seconds"]), "test_accuracy": float(last["test_accuracy"]),
            "train_loss": float(last["train_loss"]), "command": " ".join(cmd)}


def run_torch(a, coretype, run):
    cmd = [a.python, os.path.join(HERE, "torch_mlp.py"), "--rule", a.rule, "--threads", str(a.threads),
           "--epochs", str(a.warmup_epochs + 1), "--hidden", a.hidden, "--lr", str(a.lr), "--dropout", str(a.dropout),
           "--seed", str(a.seed), "--train-limit", str(a.train_limit), "--test-limit", str(a.test_limit)]
    if a.data_dir:
        cmd += ["--data-dir", a.data_dir]
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(a.threads)
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"PyTorch run {run} failed (exit {r.returncode}): {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    header, last = lines[0], lines[-1]
    return {"seconds": last["seconds"], "test_accuracy": last["test_accuracy"], "train_loss": last["train_loss"],
            "header": header, "command": " ".join(cmd)}


def main(argv):
    a = parse_args(argv)
    problem = check_torch(a.python)
    if problem:
        print(f"compare_epoch.py: PyTorch is missing: {problem}.\n"
              f"Install Debian's PyTorch and OpenBLAS (OpenMP build):  {INSTALL}\n"
              f"or name an interpreter that has torch and numpy with --python.", file=sys.stderr)
        return 3
    if not os.access(a.fwdlearn, os.X_OK):
        print(f"compare_epoch.py: the fwdlearn launcher {a.fwdlearn} is not executable (--fwdlearn)", file=sys.stderr)
        return 2
    model, flags = cpu_info()
    coretype, why = choose_coretype(a.openblas_coretype, a.python, flags)

    # Builds fwdlearn if its sources changed (not timed), and names the version.
    v = subprocess.run([a.fwdlearn, "--version"], capture_output=True, text=True)
    if v.returncode != 0:
        print(f"compare_epoch.py: '{a.fwdlearn} --version' failed:\n{v.stdout}{v.stderr}", file=sys.stderr)
        return 1
    work = a.work_dir or tempfile.mkdtemp(prefix="fwdlearn-vs-torch-")
    os.makedirs(work, exist_ok=True)

    print(f"One MNIST epoch, rule {a.rule}, 784-{a.hidden.replace(',', '-')}-10, batch 64, lr {a.lr}, dropout"
          f" {a.dropout}, {a.threads} thread(s), {a.runs} run(s) of each side, alternating"
          + (f", timed epoch after {a.warmup_epochs} warm-up epoch(s)" if a.warmup_epochs else "")
          + (f"; subset: {a.train_limit or 'all'} training, {a.test_limit or 'all'} test examples"
             if a.train_limit or a.test_limit else ""))
    print(f"CPU: {model}")
    print(f"fwdlearn: {' / '.join(v.stdout.split(chr(10))).strip(' /')}")
    print(f"PyTorch: {a.python}; {why}")
    if a.runs < 3:
        print(f"note: {a.runs} run(s) of each side; a comparison needs the median of at least 3")
    sys.stdout.flush()

    runs = []
    try:
        for run in range(1, a.runs + 1):
            # Alternate which side goes first, so that a drift of the machine's load does not favour one side.
            order = ["fwdlearn", "torch"] if run % 2 == 1 else ["torch", "fwdlearn"]
            result = {}
            for side in order:
                result[side] = run_fwdlearn(a, work, run) if side == "fwdlearn" else run_torch(a, coretype, run)
            if run == 1:
                h = result["torch"]["header"]
                blas = h.get("openblas") or {}
                print(f"PyTorch {h['torch']}, {h['threads']} thread(s), BLAS: {blas.get('config', 'not OpenBLAS')},"
                      f" core {blas.get('core', '-')}, subnormals flushed: {h.get('flush_denormal', False)};"
                      f" {h['train']} training, {h['test']} test examples")
            f, t = result["fwdlearn"], result["torch"]
            print(f"run {run}: fwdlearn {f['seconds']:.3f} s (test accuracy {100 * f['test_accuracy']:.2f}%),"
                  f" PyTorch {t['seconds']:.3f} s (test accuracy {100 * t['test_accuracy']:.2f}%)", flush=True)
            runs.append(result)
    except RuntimeError as e:
        print(f"compare_epoch.py: {e}", file=sys.stderr)
        return 1

    fm = statistics.median(r["fwdlearn"]["seconds"] for r in runs)
    tm = statistics.median(r["torch"]["seconds"] for r in runs)
    print(f"median epoch seconds: fwdlearn {fm:.3f}, PyTorch {tm:.3f}; PyTorch / fwdlearn = {tm / fm:.2f}"
          f" (fwdlearn is {tm / fm:.2f}x as fast)")
    if a.json:
        with open(a.json, "w") as out:
            json.dump({"settings": vars(a), "cpu": model, "openblas_coretype": coretype, "coretype_note": why,
                       "fwdlearn_version": v.stdout.strip(), "runs": runs,
                       "median_seconds": {"fwdlearn": fm, "pytorch": tm}, "ratio_pytorch_over_fwdlearn": tm / fm},
                      out, indent=2)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
