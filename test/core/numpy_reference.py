#!/usr/bin/env python3
"""A plain numpy version of the lecture notes' network, as a reference for the TypeScript core.

Usage: numpy_reference.py RUN.json
RUN.json holds {"X": [[...]], "Y": [[...]], "W": [W1, W2, ...], "b": [b1, b2, ...],
"learningRate": α, "epochs": N, "orders": null or [one permutation of 0..m-1 per epoch],
"batchSize": null or B}, with every matrix as a list of rows in the notes' shapes.
Prints {"costs": [J per epoch], "W": [...], "b": [...]} (the parameters after the last epoch).
The cost of an epoch is J of the parameters before its update (full batch), or the mean of the
mini-batch costs weighted by batch size.
"""
import json
import sys

try:
    import numpy as np
except ImportError:
    sys.stderr.write("numpy_reference.py needs numpy, which this python3 cannot import "
                     "(Debian: apt-get install python3-numpy, or point BACKPROP_MAP_PYTHON at a python with numpy)\n")
    sys.exit(3)


def relu(Z):
    return np.maximum(0, Z)


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def forward(X, W, b):
    """Z[l] = W[l]·A[l-1] + b[l], A[l] = relu(Z[l]) for hidden layers, σ(Z[L]) at the output."""
    L = len(W)
    A = X
    caches = []  # (A[l-1], Z[l]) for l = 1..L
    for l in range(1, L + 1):
        Z = np.dot(W[l - 1], A) + b[l - 1]
        caches.append((A, Z))
        A = relu(Z) if l < L else sigmoid(Z)
    return A, caches


def compute_cost(A, Y):
    m = Y.shape[1]
    return float(1 / m * np.sum(-Y * np.log(A) - (1 - Y) * np.log(1 - A)))


def backward(A_L, Y, caches, W):
    m = Y.shape[1]
    L = len(W)
    dW = [None] * L
    db = [None] * L
    dZ = A_L - Y
    for l in range(L, 0, -1):
        A_prev, _ = caches[l - 1]
        dW[l - 1] = 1 / m * np.dot(dZ, A_prev.T)
        db[l - 1] = 1 / m * np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dA_prev = np.dot(W[l - 1].T, dZ)
            Z_prev = caches[l - 2][1]
            dZ = dA_prev * (Z_prev > 0)
    return dW, db


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        run = json.load(f)
    X = np.array(run["X"], dtype=np.float64)
    Y = np.array(run["Y"], dtype=np.float64)
    W = [np.array(w, dtype=np.float64) for w in run["W"]]
    b = [np.array(v, dtype=np.float64) for v in run["b"]]
    alpha = run["learningRate"]
    m = X.shape[1]
    costs = []
    for epoch in range(run["epochs"]):
        if run.get("orders") is None:
            batches = [np.arange(m)]
        else:
            order = np.array(run["orders"][epoch])
            B = run["batchSize"]
            batches = [order[i:i + B] for i in range(0, m, B)]
        weighted = 0.0
        for idx in batches:
            Xb, Yb = X[:, idx], Y[:, idx]
            A_L, caches = forward(Xb, W, b)
            weighted += compute_cost(A_L, Yb) * len(idx)
            dW, db = backward(A_L, Yb, caches, W)
            for l in range(len(W)):
                W[l] = W[l] - alpha * dW[l]
                b[l] = b[l] - alpha * db[l]
        costs.append(weighted / m)
    json.dump({"costs": costs, "W": [w.tolist() for w in W], "b": [v.tolist() for v in b]}, sys.stdout)


if __name__ == "__main__":
    main()
