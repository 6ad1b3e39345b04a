"""The numpy reference of `npm run bench`: the lecture notes' network in plain numpy, as a numpy
user would write it, timed per epoch in float64 and float32.

Usage: python3 bench/reference.py WORKLOAD.bin
The file (written by bench/bench.ts) is one JSON header line, then little-endian float64 data:
X (n_x × m, row-major), Y (1 × m), then W1, b1, W2, b2, … in the core's initial values.
Prints one JSON object: the costs of the first `check_epochs` epochs in float64 and float32 (from
the same initial parameters), and the median time per epoch of each type, with OpenBLAS's default
thread count and with one thread: on small matrices its threads can cost more than they bring
(much more on a loaded machine), and a careful numpy user would pick the faster, so the figure
reported is the faster of the two, with both beside it.
"""
import ctypes
import glob
import json
import os
import sys
import time

import numpy as np


def load(path):
    with open(path, "rb") as f:
        header = json.loads(f.readline())
        data = np.frombuffer(f.read(), dtype="<f8")
    dims, m = header["dims"], header["m"]
    at = 0

    def take(rows, cols):
        nonlocal at
        a = data[at:at + rows * cols].reshape(rows, cols).copy()
        at += rows * cols
        return a

    X = take(dims[0], m)
    Y = take(1, m)
    W, b = [], []
    for l in range(1, len(dims)):
        W.append(take(dims[l], dims[l - 1]))
        b.append(take(dims[l], 1))
    return header, X, Y, W, b


def epoch(W, b, X, Y, lr):
    """One step of batch gradient descent, the notes' backprop map; returns J before the update."""
    m = X.shape[1]
    L = len(W)
    A = [X]
    Z = []
    for l in range(L):
        z = W[l] @ A[-1] + b[l]
        Z.append(z)
        A.append(np.maximum(z, 0) if l < L - 1 else 1 / (1 + np.exp(-z)))
    AL = A[-1]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    dZ = AL - Y
    for l in reversed(range(L)):
        dW = dZ @ A[l].T / m
        db = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 0:
            dZ = (W[l].T @ dZ) * (Z[l - 1] > 0)
        W[l] -= lr * dW
        b[l] -= lr * db
    return float(cost)


def median_epoch_seconds(W, b, X, Y, lr, seconds, min_samples, warm_up_seconds):
    """Median over samples of the mean time of k epochs, k chosen so that a sample takes ≥ 2 ms."""
    # Warm-up first (at least 3 epochs and warm_up_seconds, bench/lib/timing.ts's), then k from a warm
    # epoch: the first epochs pay for starting OpenBLAS's threads and would make k too small
    # (single-epoch samples, dominated by timer and wake-up costs).
    start = time.perf_counter()
    warm = 0
    while warm < 3 or time.perf_counter() - start < warm_up_seconds:
        epoch(W, b, X, Y, lr)
        warm += 1
    t = time.perf_counter()
    epoch(W, b, X, Y, lr)
    one = time.perf_counter() - t
    k = max(1, int(0.002 / max(one, 1e-9)))
    samples = []
    start = time.perf_counter()
    needed = min(2, min_samples) if one >= 1.0 else min_samples  # as bench/lib/timing.ts
    while len(samples) < needed or (time.perf_counter() - start < seconds and len(samples) < 101):
        t = time.perf_counter()
        for _ in range(k):
            epoch(W, b, X, Y, lr)
        samples.append((time.perf_counter() - t) / k)
    return float(np.median(samples)), len(samples), k


def openblas():
    """numpy's bundled OpenBLAS: (corename, get_num_threads, set_num_threads) functions, or None."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for lib in libs:
        try:
            dll = ctypes.CDLL(lib)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "")):
            names = [f"{prefix}_get_corename{suffix}", f"{prefix}_get_num_threads{suffix}", f"{prefix}_set_num_threads{suffix}"]
            fs = [getattr(dll, n, None) for n in names]
            if all(f is not None for f in fs):
                fs[0].restype = ctypes.c_char_p
                fs[2].argtypes = [ctypes.c_int]
                return fs
    return None


def main():
    header, X, Y, W0, b0 = load(sys.argv[1])
    lr, n_check = header["learningRate"], header["checkEpochs"]
    blas = openblas()
    default_threads = blas[1]() if blas else None
    out = {"numpy": np.__version__, "blasCore": blas[0]().decode() if blas else None, "blasThreads": default_threads}
    # Without OpenBLAS's thread control only its default is measured.
    thread_counts = sorted({default_threads, 1}, reverse=True) if blas else [None]
    for name, dtype in (("float64", np.float64), ("float32", np.float32)):
        Xd, Yd = X.astype(dtype), Y.astype(dtype)
        W = [w.astype(dtype) for w in W0]
        b = [v.astype(dtype) for v in b0]
        out[name] = {"costs": [epoch(W, b, Xd, Yd, lr) for _ in range(n_check)], "byThreads": {}}
        for threads in thread_counts:
            if blas:
                blas[2](threads)
            seconds, samples, k = median_epoch_seconds(W, b, Xd, Yd, lr, header["seconds"], header["minSamples"], header["warmUpSeconds"])
            out[name]["byThreads"][str(threads)] = seconds * 1e3
            if "msPerEpoch" not in out[name] or seconds * 1e3 < out[name]["msPerEpoch"]:
                out[name].update({"msPerEpoch": seconds * 1e3, "samples": samples, "epochsPerSample": k, "threads": threads})
        if blas:
            blas[2](default_threads)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
