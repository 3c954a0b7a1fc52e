#!/usr/bin/env python3
"""Reference fits for NeuralNet's LogisticRegression (issue 23): scikit-learn's
LogisticRegression(penalty="l2", solver="lbfgs", tol=1e-10, max_iter=10000) with more than two
classes, i.e. multinomial (the default for lbfgs since scikit-learn 1.5; `multi_class` is gone in
1.8+), at C = 1.0 and C = 0.1 on three small seeded datasets:

  blobs-3   60 samples x 5 features x 3 classes, overlapping Gaussian blobs
  blobs-7  100 samples x 8 features x 7 classes, overlapping Gaussian blobs
  separable 45 samples x 4 features x 3 classes, far-apart blobs (nearly separable: only the
            penalty keeps the weights finite)

Each input is standardised (StandardScaler) and rounded to float32 BEFORE fitting, so that
scikit-learn and the Swift test see the same numbers. Writes
Tests/NeuralNetTests/Fixtures/logistic.json: per case the inputs (row-major), labels, C, coef_
(classes x features, row-major), intercept_ and predict_proba (row-major).

Run (from the package root):
  python3 -m venv .build/fixture-venv && .build/fixture-venv/bin/pip install scikit-learn numpy
  .build/fixture-venv/bin/python tools/make_logistic_fixture.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def blobs(rng, samples, features, classes, spread):
    centres = rng.normal(0.0, spread, size=(classes, features))
    labels = np.arange(samples) % classes
    rng.shuffle(labels)
    x = centres[labels] + rng.normal(0.0, 1.0, size=(samples, features))
    # Uneven feature scales before standardisation, as raw MFCCs have.
    x *= rng.uniform(0.5, 20.0, size=features)
    return x, labels


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "Tests", "NeuralNetTests", "Fixtures", "logistic.json")
    datasets = [
        ("blobs-3", *blobs(np.random.RandomState(23), 60, 5, 3, 1.0)),
        ("blobs-7", *blobs(np.random.RandomState(2323), 100, 8, 7, 0.8)),
        ("separable", *blobs(np.random.RandomState(7), 45, 4, 3, 8.0)),
    ]
    cases = []
    for name, x, y in datasets:
        z = StandardScaler().fit_transform(x).astype(np.float32)
        x64 = z.astype(np.float64)
        for c in (1.0, 0.1):
            model = LogisticRegression(C=c, solver="lbfgs", tol=1e-10, max_iter=10000)
            model.fit(x64, y)
            assert model.coef_.shape == (len(np.unique(y)), z.shape[1]), model.coef_.shape
            proba = model.predict_proba(x64)
            cases.append({
                "name": f"{name} C={c}",
                "samples": int(z.shape[0]),
                "features": int(z.shape[1]),
                "classes": int(model.coef_.shape[0]),
                "C": c,
                "x": [float(v) for v in z.ravel()],
                "labels": [int(v) for v in y],
                "coef": [float(v) for v in model.coef_.ravel()],
                "intercept": [float(v) for v in model.intercept_],
                "proba": [float(v) for v in proba.ravel()],
                "n_iter": int(model.n_iter_[0]),
            })
            print(f"{name} C={c}: n_iter {model.n_iter_[0]}, intercept sum {model.intercept_.sum():.2e}, "
                  f"max |coef| {np.abs(model.coef_).max():.3f}")
    doc = {
        "generator": "tools/make_logistic_fixture.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "estimator": "LogisticRegression(penalty='l2', solver='lbfgs', tol=1e-10, max_iter=10000), multinomial",
        "cases": cases,
    }
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
