

# ---------------------------------------------------------------- the network as a torch module

class BackpropMapNet(nn.Module):
    """The notes' network: Linear + ReLU for each hidden layer, Linear + sigmoid at the output.

    nn.Linear takes the examples in rows, so x is (m × n_x), the transpose of the notes' X, and the
    output (m × 1). A Linear layer's weight is the notes' W[l] (n_l × n_{l−1}), its bias b[l] as a
    vector (n_l). The training data's scaling comes first, so x holds the raw feature values.
    """

    def __init__(self, layer_dims, scaling):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(n_in, n_out) for n_in, n_out in zip(layer_dims[:-1], layer_dims[1:]))
        self.standardized = scaling is not None
        if self.standardized:
            self.register_buffer("mean", torch.from_numpy(scaling["mean"]))
            self.register_buffer("std", torch.from_numpy(scaling["std"]))

    def forward(self, x):
        if self.standardized:
            a = (x - self.mean) / self.std
            # x − mean overflows for values of opposite signs near 1e308; divided first, it does not.
            a = torch.where(torch.isfinite(a), a, x / self.std - self.mean / self.std)
        else:
            a = x
        for layer in self.layers[:-1]:
            a = torch.relu(layer(a))
        return torch.sigmoid(self.layers[-1](a))


def load_model():
    """The trained network in float64, the precision it was trained in, ready to predict."""
    model = BackpropMapNet(LAYER_DIMS, SCALING).double()
    with torch.no_grad():
        for l, layer in enumerate(model.layers, start=1):
            layer.weight.copy_(torch.from_numpy(PARAMETERS["W" + str(l)]))
            layer.bias.copy_(torch.from_numpy(PARAMETERS["b" + str(l)][:, 0]))
    return model.eval()


def predict(X):
    """P(y = 1) for each column of the raw features X (n_x × m), as the numpy export computes it."""
    with torch.no_grad():
        return load_model()(torch.from_numpy(np.ascontiguousarray(X.T)))[:, 0].numpy()
