#!/usr/bin/env python3
"""PyTorch reference for NeuralNet's GlobalAveragePooling1D and a small temporal-CNN stack
(TemporalCNNTests.testParityWithPyTorch):

  Conv1D(6, 5, same, relu) -> MaxPooling1D(2, 2, same) -> Conv1D(5, 5, same, relu)
  -> MaxPooling1D(2, 2, same) -> GlobalAveragePooling1D -> Dense(3) -> softmax cross-entropy (mean)

on a batch of 3 sequences of 13 frames x 4 bands (odd lengths: the pools' last window is
partial, TensorFlow's SAME rule = PyTorch's ceil_mode=True with no padding for pool 2 stride 2;
'same' conv with an odd kernel = symmetric zero padding of 2). Also GAP alone on (2, 5, 3).

Computed in float64 from float32-representable inputs and weights. The weights are written in
Keras' layout (conv kernel (k, Cin, Cout), dense kernel (in, out)) and the tensors channels-last
(B, L, C), as the Swift model holds them; PyTorch's own layouts are transposes of these.

Writes Tests/NeuralNetTests/Fixtures/tcn-torch.json: inputs, labels, weights, the logits, the
mean loss, d loss / d every weight and d loss / d input; for GAP alone x, y, dy, dx.

Run (from the package root), with the CPU wheel of torch:
  pip install torch numpy
  python3 tools/make_tcn_fixture.py
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F


def f32(rng, shape, scale=1.0):
    """float32-representable values, returned as float64 arrays."""
    return (rng.uniform(-1.0, 1.0, size=shape) * scale).astype(np.float32).astype(np.float64)


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def main():
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(20261206)
    B, L, C0, C1, C2, K = 3, 13, 4, 6, 5, 3
    x = f32(rng, (B, L, C0), 2.0)                       # channels-last, as the Swift model
    labels = np.array([2, 0, 1])
    k1 = f32(rng, (5, C0, C1), 0.5); b1 = f32(rng, (C1,), 0.1)   # Keras layout (k, Cin, Cout)
    k2 = f32(rng, (5, C1, C2), 0.5); b2 = f32(rng, (C2,), 0.1)
    w3 = f32(rng, (C2, K), 0.8); b3 = f32(rng, (K,), 0.1)         # Keras layout (in, out)

    tx = torch.tensor(x, requires_grad=True)
    tk1 = torch.tensor(k1, requires_grad=True); tb1 = torch.tensor(b1, requires_grad=True)
    tk2 = torch.tensor(k2, requires_grad=True); tb2 = torch.tensor(b2, requires_grad=True)
    tw3 = torch.tensor(w3, requires_grad=True); tb3 = torch.tensor(b3, requires_grad=True)

    def conv(h, k, b):
        # h (B, Cin, L); PyTorch's weight is (Cout, Cin, k) and its conv1d is cross-correlation.
        return F.relu(F.conv1d(h, k.permute(2, 1, 0), b, padding=2))

    def pool(h):
        return F.max_pool1d(h, kernel_size=2, stride=2, ceil_mode=True)

    h = tx.permute(0, 2, 1)                              # (B, C0, L)
    h = pool(conv(h, tk1, tb1))
    h = pool(conv(h, tk2, tb2))
    gap = h.mean(dim=2)                                  # GlobalAveragePooling1D: (B, C2)
    logits = gap @ tw3 + tb3
    loss = F.cross_entropy(logits, torch.tensor(labels))
    loss.backward()

    # GAP alone: y = mean over time; with dy given, dx = dy / L at every time step.
    xg = f32(rng, (2, 5, 3), 3.0)
    txg = torch.tensor(xg, requires_grad=True)
    yg = txg.mean(dim=1)
    dyg = f32(rng, (2, 3))
    yg.backward(torch.tensor(dyg))

    doc = {
        "generator": "tools/make_tcn_fixture.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "batch": B, "length": L, "bands": C0, "filters": [C1, C2], "classes": K,
        "x": flat(x), "labels": [int(v) for v in labels],
        "conv1d_0.kernel": flat(k1), "conv1d_0.bias": flat(b1),
        "conv1d_1.kernel": flat(k2), "conv1d_1.bias": flat(b2),
        "dense_0.kernel": flat(w3), "dense_0.bias": flat(b3),
        "gap": flat(gap.detach().numpy()),
        "logits": flat(logits.detach().numpy()),
        "loss": float(loss.item()),
        "grad": {
            "x": flat(tx.grad.numpy()),
            "conv1d_0.kernel": flat(tk1.grad.numpy()), "conv1d_0.bias": flat(tb1.grad.numpy()),
            "conv1d_1.kernel": flat(tk2.grad.numpy()), "conv1d_1.bias": flat(tb2.grad.numpy()),
            "dense_0.kernel": flat(tw3.grad.numpy()), "dense_0.bias": flat(tb3.grad.numpy()),
        },
        "gapAlone": {"shape": [2, 5, 3], "x": flat(xg), "y": flat(yg.detach().numpy()),
                     "dy": flat(dyg), "dx": flat(txg.grad.numpy())},
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "NeuralNetTests",
                       "Fixtures", "tcn-torch.json")
    out = os.path.normpath(out)
    with open(out, "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {out} ({os.path.getsize(out)} bytes); loss {loss.item():.6f}")


if __name__ == "__main__":
    main()
