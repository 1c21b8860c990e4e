#!/usr/bin/env python3
"""A minimal PyTorch implementation of fwdlearn's PEPITA, time-local PEPITA, backprop and feedback-alignment
training steps, written from the spec's equations (ALGORITHMS.md sections 1, 2, 3.1, 3.4, 4) and fwdlearn's rules
(FeedbackAlignment, PepitaTimeLocal with the `train` command's defaults), the PyTorch side of `compare_epoch.py`.

Network: bias-free MLP, weights W_l (d_l x d_{l-1}) He-uniform U(+-sqrt(6/d_{l-1})), A_l = H_{l-1} W_l^T,
H_l = M_l * relu(A_l) with one inverted-dropout mask M_l per batch (shared by both PEPITA passes; time-local
PEPITA draws new ones for its second pass), P = softmax(A_L), E = P - T.
  PEPITA: X_mod = X - E F^T (F d_0 x C, 0.05 * U(+-sqrt(6/d_0))); modulated pass on X_mod with the same masks;
          G_l = (H_l - H~_l)^T H~_{l-1} / n (H~_0 = X_mod), G_L = E^T H~_{L-1} / n.
  BP:     D_L = E; D_l = (D_{l+1} W_{l+1}) * M_l * relu'(A_l); G_l = D_l^T H_{l-1} / n.
  FA:     as BP with a fixed random B_{l+1} in place of W_{l+1}^T: D_l = (D_{l+1} B_{l+1}^T) * M_l * relu'(A_l);
          B_l (d_{l-1} x d_l, kept here W_l-shaped as B_l^T) He-uniform U(+-sqrt(6/d_{l-1})) like W_l.
  PEPITA-TL (time-local, two updates per batch): (a) clean pass, G_l = H_l^T H_{l-1} / n (l < L),
          G_L = P^T H_{L-1} / n, an SGD step; E = P - T from that clean pass. (b) NEW dropout masks,
          X_mod = X - E F^T, modulated pass with the UPDATED weights, G_l = -H~_l^T H~_{l-1} / n,
          G_L = -T^T H~_{L-1} / n, added to the step just taken (V <- V + G_b, W <- W - lr G_b: no second momentum
          decay), as fwdlearn's default (no --reference-quirks, no --time-local-shared-masks).
Then torch.optim.SGD (momentum 0.9, no dampening, no Nesterov) with G_l as the gradient (time-local PEPITA: its
step (a), with (b) added to it as above).

An epoch is what fwdlearn's Trainer times as an epoch: shuffled batches (the last partial batch dropped), per
batch the step plus the train loss and accuracy of the clean pass, then the test set in batches of 64 without
dropout. Data loading is not timed. Each epoch prints one JSON line (seconds, losses, accuracies); the first line
describes the environment (torch version, threads, the OpenBLAS core type).

Usage: /usr/bin/python3 bench/python/torch_mlp.py --rule pepita|bp|fa|pepita-tl --threads 1 --epochs 1
         [--train-limit N]
Needs numpy and torch (Debian: apt-get install python3-torch libopenblas0-openmp).
"""
import argparse
import ctypes
import gzip
import json
import math
import os
import sys
import time


RULES = ["pepita", "bp", "fa", "pepita-tl"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rule", choices=RULES, default="pepita")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--hidden", default="1024", help="hidden widths, comma-separated (default 1024)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--test-batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--f-scale", type=float, default=0.05, help="Bstd of F (default 0.05)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--train-limit", type=int, default=0, help="the first N training examples (0: all)")
    p.add_argument("--test-limit", type=int, default=0, help="the first N test examples (0: all)")
    p.add_argument("--data-dir", default=None,
                   help="MNIST IDX files (default $FWDLEARN_DATA/mnist or ~/.cache/fwdlearn/mnist)")
    p.add_argument("--flush-denormal", choices=["on", "off"], default="on",
                   help="torch.set_flush_denormal (default on: subnormal floats flushed to zero, as fwdlearn's SGD step"
                        " does for its velocities; the peer's best setting on x86)")
    p.add_argument("--openblas-coretype", default=None,
                   help="set OPENBLAS_CORETYPE before torch loads OpenBLAS (e.g. SkylakeX)")
    a = p.parse_args(argv)
    if a.threads < 1 or a.epochs < 1 or a.batch < 1 or a.test_batch < 1:
        p.error("--threads, --epochs, --batch and --test-batch must be >= 1")
    if not 0 <= a.dropout < 1:
        p.error(f"--dropout must be in [0, 1), got {a.dropout}")
    return a


def data_dir(arg):
    if arg:
        return arg
    cache = os.environ.get("FWDLEARN_DATA") or os.path.expanduser("~/.cache/fwdlearn")
    return os.path.join(cache, "mnist")


def read_idx(directory, name):
    """An IDX file (plain or .gz) as a numpy uint8 array."""
    import numpy as np
    for candidate in (name, name + ".gz"):
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            if data[2] != 0x08:
                raise ValueError(f"{path}: not an unsigned-byte IDX file")
            ndim = data[3]
            dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    raise FileNotFoundError(f"{os.path.join(directory, name)}[.gz] not found (fetch MNIST with: ./fwdlearn data fetch mnist)")


def load_mnist(directory, train_limit, test_limit, torch):
    import numpy as np
    def part(images, labels, limit):
        x = read_idx(directory, images).reshape(-1, 784)
        y = read_idx(directory, labels)
        if limit > 0:
            x, y = x[:limit], y[:limit]
        return (torch.from_numpy(x.astype(np.float32) / np.float32(255.0)),
                torch.from_numpy(y.astype(np.int64)))
    return (part("train-images-idx3-ubyte", "train-labels-idx1-ubyte", train_limit)
            + part("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", test_limit))


def openblas_info():
    """The core type and build of the OpenBLAS torch uses, if it is OpenBLAS (None otherwise)."""
    for lib in ("libblas.so.3", "libopenblas.so.0"):
        try:
            handle = ctypes.CDLL(lib)
            core = handle.openblas_get_corename
            config = handle.openblas_get_config
        except (OSError, AttributeError):
            continue
        core.restype = ctypes.c_char_p
        config.restype = ctypes.c_char_p
        return {"library": lib, "core": core().decode(), "config": config().decode()}
    return None


class Mlp:
    """The bias-free ReLU MLP with one dropout mask per hidden layer and batch."""

    def __init__(self, torch, sizes, gen):
        self.torch = torch
        self.w = []
        for l in range(1, len(sizes)):
            bound = math.sqrt(6.0 / sizes[l - 1])
            w = (torch.rand(sizes[l], sizes[l - 1], generator=gen) * 2 - 1) * bound
            self.w.append(torch.nn.Parameter(w))

    def masks(self, n, p, gen):
        if p == 0:
            return None
        torch = self.torch
        return [torch.empty(n, w.shape[0]).bernoulli_(1 - p, generator=gen).div_(1 - p) for w in self.w[:-1]]

    def forward(self, x, masks):
        """H_0..H_{L-1}, A_1..A_{L-1} and the logits A_L."""
        torch = self.torch
        hs, pre = [x], []
        h = x
        for l, w in enumerate(self.w[:-1]):
            a = torch.mm(h, w.t())
            pre.append(a)
            h = torch.relu(a)
            if masks is not None:
                h.mul_(masks[l])
            hs.append(h)
        return hs, pre, torch.mm(h, self.w[-1].t())


def pepita_step(net, f, x, t, masks):
    torch = net.torch
    n = x.shape[0]
    hs, _, logits = net.forward(x, masks)
    e = torch.softmax(logits, dim=1) - t
    xmod = torch.addmm(x, e, f.t(), alpha=-1)  # X - E F^T
    hm, _, _ = net.forward(xmod, masks)
    layers = len(net.w)
    for l in range(layers - 1):
        net.w[l].grad = torch.mm((hs[l + 1] - hm[l + 1]).t(), hm[l]).div_(n)
    net.w[-1].grad = torch.mm(e.t(), hm[layers - 1]).div_(n)
    return logits


def bp_step(net, x, t, masks):
    torch = net.torch
    n = x.shape[0]
    hs, pre, logits = net.forward(x, masks)
    d = torch.softmax(logits, dim=1) - t
    layers = len(net.w)
    net.w[-1].grad = torch.mm(d.t(), hs[layers - 1]).div_(n)
    for l in range(layers - 2, -1, -1):
        d = torch.mm(d, net.w[l + 1])
        if masks is not None:
            d.mul_(masks[l])
        d.mul_(pre[l] > 0)
        net.w[l].grad = torch.mm(d.t(), hs[l]).div_(n)
    return logits


def fa_step(net, fb, x, t, masks):
    """fb[l] is B_{l+1}^T (W_{l+1}-shaped) for l >= 1; fb[0] is unused."""
    torch = net.torch
    n = x.shape[0]
    hs, pre, logits = net.forward(x, masks)
    d = torch.softmax(logits, dim=1) - t
    layers = len(net.w)
    net.w[-1].grad = torch.mm(d.t(), hs[layers - 1]).div_(n)
    for l in range(layers - 2, -1, -1):
        d = torch.mm(d, fb[l + 1])  # D_{l+1} B_{l+1}^T
        if masks is not None:
            d.mul_(masks[l])
        d.mul_(pre[l] > 0)
        net.w[l].grad = torch.mm(d.t(), hs[l]).div_(n)
    return logits


def add_to_step(opt, params, grads):
    """Adds G_b to the SGD step just taken without a second momentum decay: V <- V + G_b; W <- W - lr G_b
    (fwdlearn's Optimizer.addToStep)."""
    lr = opt.param_groups[0]["lr"]
    for w, g in zip(params, grads):
        buf = opt.state[w].get("momentum_buffer")
        if buf is not None:
            buf.add_(g)
        w.add_(g, alpha=-lr)


def pepita_tl_step(net, f, x, t, masks, opt, new_masks):
    """Both updates of a time-local PEPITA batch (opt.step included); returns the clean pass's logits."""
    torch = net.torch
    n = x.shape[0]
    hs, _, logits = net.forward(x, masks)
    p = torch.softmax(logits, dim=1)
    e = p - t
    layers = len(net.w)
    # (a) the clean pass's Hebbian-form products, applied at once
    for l in range(layers - 1):
        net.w[l].grad = torch.mm(hs[l + 1].t(), hs[l]).div_(n)
    net.w[-1].grad = torch.mm(p.t(), hs[layers - 1]).div_(n)
    opt.step()
    # (b) fresh masks, modulated pass with the updated weights
    xmod = torch.addmm(x, e, f.t(), alpha=-1)  # X - E F^T
    hm, _, _ = net.forward(xmod, new_masks())
    grads = [torch.mm(hm[l + 1].t(), hm[l]).div_(-n) for l in range(layers - 1)]
    grads.append(torch.mm(t.t(), hm[layers - 1]).div_(-n))
    add_to_step(opt, net.w, grads)
    return logits


def main(argv):
    a = parse_args(argv)
    threads = str(a.threads)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = threads
    if a.openblas_coretype:
        os.environ["OPENBLAS_CORETYPE"] = a.openblas_coretype
    try:
        import numpy  # noqa: F401
        import torch
    except ImportError as e:
        print(f"torch_mlp.py: {sys.executable} cannot import {e.name} ({e}); install Debian's PyTorch with:"
              " apt-get install python3-torch libopenblas0-openmp", file=sys.stderr)
        return 3
    torch.set_num_threads(a.threads)
    flush = torch.set_flush_denormal(a.flush_denormal == "on")
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)

    x_train, y_train, x_test, y_test = load_mnist(data_dir(a.data_dir), a.train_limit, a.test_limit, torch)
    if x_train.shape[0] < a.batch:
        print(f"torch_mlp.py: batch {a.batch} is larger than the {x_train.shape[0]} training examples", file=sys.stderr)
        return 2
    classes = 10
    sizes = [784] + [int(h) for h in a.hidden.split(",") if h] + [classes]
    net = Mlp(torch, sizes, gen)
    f_bound = a.f_scale * math.sqrt(6.0 / sizes[0])
    f = (torch.rand(sizes[0], classes, generator=gen) * 2 - 1) * f_bound
    fb = [None]  # FA: B_l^T at index l - 1
    if a.rule == "fa":
        # B_l^T for l = 2..L, drawn W_l-shaped with W_l's He-uniform bound (fan-in d_{l-1}), after F so that the
        # other rules' random streams are unchanged.
        for l in range(2, len(sizes)):
            bound = math.sqrt(6.0 / sizes[l - 1])
            fb.append((torch.rand(sizes[l], sizes[l - 1], generator=gen) * 2 - 1) * bound)
    opt = torch.optim.SGD(net.w, lr=a.lr, momentum=a.momentum)
    blas = openblas_info()
    print(json.dumps({
        "torch": torch.__version__, "python": sys.executable, "threads": torch.get_num_threads(),
        "rule": a.rule, "sizes": sizes, "train": int(x_train.shape[0]), "test": int(x_test.shape[0]),
        "openblas": blas, "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "flush_denormal": bool(flush and a.flush_denormal == "on")}), flush=True)

    batches = x_train.shape[0] // a.batch
    with torch.no_grad():
        for epoch in range(a.epochs):
            t0 = time.perf_counter()
            perm = torch.randperm(x_train.shape[0], generator=gen)
            loss_sum, correct = 0.0, 0
            for b in range(batches):
                idx = perm[b * a.batch:(b + 1) * a.batch]
                x, y = x_train[idx], y_train[idx]
                t = torch.nn.functional.one_hot(y, classes).to(torch.float32)
                masks = net.masks(a.batch, a.dropout, gen)
                if a.rule == "pepita-tl":
                    logits = pepita_tl_step(net, f, x, t, masks, opt, lambda: net.masks(a.batch, a.dropout, gen))
                else:
                    if a.rule == "pepita":
                        logits = pepita_step(net, f, x, t, masks)
                    elif a.rule == "fa":
                        logits = fa_step(net, fb, x, t, masks)
                    else:
                        logits = bp_step(net, x, t, masks)
                    opt.step()
                loss_sum += torch.nn.functional.cross_entropy(logits, y).item()
                correct += int((logits.argmax(dim=1) == y).sum())
            test_loss, test_correct = 0.0, 0
            for s in range(0, x_test.shape[0], a.test_batch):
                x, y = x_test[s:s + a.test_batch], y_test[s:s + a.test_batch]
                _, _, logits = net.forward(x, None)
                test_loss += torch.nn.functional.cross_entropy(logits, y, reduction="sum").item()
                test_correct += int((logits.argmax(dim=1) == y).sum())
            seconds = time.perf_counter() - t0
            print(json.dumps({
                "epoch": epoch + 1, "seconds": seconds, "steps": batches,
                "train_loss": loss_sum / batches, "train_accuracy": correct / (batches * a.batch),
                "test_loss": test_loss / max(1, x_test.shape[0]),
                "test_accuracy": test_correct / max(1, x_test.shape[0])}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
