"""The plain numpy script of `npm run bench:cli`: what a numpy user writes to train the lecture
notes' network on a CSV file, run as a whole process against `backprop-map train`.

Usage: python3 bench/cli_reference.py FILE.csv INIT.json EPOCHS LEARNING_RATE
The last CSV column is the 0/1 label. INIT.json is a model file saved by `backprop-map train
--epochs 0`: the same initial parameters as the CLI's run, so both do the same work and must end
at the same cost. Prints one JSON line: the epochs run, the cost and the training accuracy after
training.
"""
import json
import sys

import numpy as np


def cross_entropy(Z, Y):
    """J from the output's logits Z, without log(0) where σ(z) rounds to 1 (as the CLI computes it)."""
    return float(np.sum(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))) / Y.shape[1])


def main():
    path, init, epochs, lr = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    X = np.ascontiguousarray(data[:, :-1].T)  # (n_x × m)
    Y = np.ascontiguousarray(data[:, -1:].T)  # (1 × m)
    m = X.shape[1]
    with open(init) as f:
        params = json.load(f)["parameters"]
    L = len(params) // 2
    W = [np.array(params[f"W{l}"], dtype=np.float64) for l in range(1, L + 1)]
    b = [np.array(params[f"b{l}"], dtype=np.float64) for l in range(1, L + 1)]
    costs = []
    for epoch in range(epochs):
        A, Z = [X], []
        for l in range(L):
            z = W[l] @ A[-1] + b[l]
            Z.append(z)
            A.append(np.maximum(z, 0) if l < L - 1 else 1 / (1 + np.exp(-z)))
        if epoch % 100 == 0:  # the cost now and then, as a learner's loop prints it
            costs.append(cross_entropy(Z[-1], Y))
        dZ = A[-1] - Y
        for l in reversed(range(L)):
            dW = dZ @ A[l].T / m
            db = np.sum(dZ, axis=1, keepdims=True) / m
            if l > 0:
                dZ = (W[l].T @ dZ) * (Z[l - 1] > 0)
            W[l] -= lr * dW
            b[l] -= lr * db
    A = X
    for l in range(L):
        z = W[l] @ A + b[l]
        A = np.maximum(z, 0) if l < L - 1 else 1 / (1 + np.exp(-z))
    print(json.dumps({"epochs": epochs, "cost": cross_entropy(z, Y), "costsLogged": len(costs), "accuracy": float(np.mean((A > 0.5) == (Y == 1)))}))


if __name__ == "__main__":
    main()
