

# ---------------------------------------------------------------- the notes' forward run

def standardize(X):
    """(x − mean) / std per feature, with the training data's mean and std."""
    if SCALING is None:
        return X
    mean = SCALING["mean"].reshape(-1, 1)  # (n_x × 1)
    std = SCALING["std"].reshape(-1, 1)    # (n_x × 1)
    with np.errstate(over="ignore", invalid="ignore"):
        Z = (X - mean) / std
        # x − mean overflows for values of opposite signs near 1e308; divided first, it does not.
        return np.where(np.isfinite(Z), Z, X / std - mean / std)


def relu(Z):
    return np.maximum(0, Z)


def sigmoid(Z):
    with np.errstate(over="ignore"):  # e^−Z = inf gives 0, as it should
        return 1 / (1 + np.exp(-Z))


def L_model_forward(X, parameters):
    """AL = ŷ (1 × m): Z[l] = W[l]·A[l−1] + b[l], A[l] = relu(Z[l]), A[L] = σ(Z[L])."""
    L = len(parameters) // 2
    A = X  # A[0] = X (n_x × m)
    for l in range(1, L + 1):
        Z = np.dot(parameters["W" + str(l)], A) + parameters["b" + str(l)]  # (n_l × m)
        A = relu(Z) if l < L else sigmoid(Z)
    return A


def predict(X):
    """P(y = 1) for each column of the raw (unscaled) features X (n_x × m)."""
    return L_model_forward(standardize(X), PARAMETERS)[0]
