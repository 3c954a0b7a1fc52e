#!/usr/bin/env python3
"""openSMILE's eGeMAPS v02 contours before and after the functionals, for EGeMAPSFunctionalsTests.

Writes Tests/FeaturesTests/Fixtures/egemaps/functionals_synthetic.json: for a generated signal
(a harmonic "voice" with vibrato, tremolo and a glide, a noise burst and silence; no corpus
audio), the UNSMOOTHED levels openSMILE's eGeMAPSv02 computes (egemapsv02_lldsetE,
egemapsv02_lldsetF, egemapsv02_energyRMS), the number of F0-level frames that existed before
openSMILE's end-of-input flush (read off the smoothed F level, where the smoother padded),
openSMILE's 88 functionals and its 25-column `lld` output. The Swift test feeds the unsmoothed
levels to EGeMAPSFunctionals and compares with openSMILE's outputs.

The intermediate levels come from a copy of opensmile's eGeMAPSv02.conf (made in a temporary
folder) with one extra cVectorConcat level per dump. Needs `pip install opensmile==2.6.0`.

    python3 tools/make_egemaps_functionals_fixture.py
"""
import json
import math
import os
import shutil
import tempfile

import numpy as np
import opensmile

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "FeaturesTests", "Fixtures", "egemaps",
                   "functionals_synthetic.json")
RATE = 22050


def signal():
    """1.3 s at 22050 Hz (a 221-sample step, so 0.01 s vs 221/22050 s matters): noise floor; voiced 0.15-0.55 s (F0 glide 180->240 Hz, 6 Hz vibrato,
    4 Hz tremolo); noise burst 0.55-0.70 s; voiced 0.78 s to the end (150 Hz, vibrato, slow
    decay), harmonics 1/k with a formant-like bump near 600 Hz."""
    rng = np.random.RandomState(7)
    n = int(1.3 * RATE)
    t = np.arange(n) / RATE
    out = 0.002 * rng.randn(n)
    def voiced(a, b, f_start, f_end, amp):
        idx = (t >= a) & (t < b)
        tt = t[idx] - a
        f = f_start + (f_end - f_start) * tt / (b - a)
        f = f * (1 + 0.02 * np.sin(2 * math.pi * 6 * tt))
        phase = 2 * math.pi * np.cumsum(f) / RATE
        y = np.zeros(idx.sum())
        for k in range(1, 30):
            fk = k * f
            gain = (1.0 / k) * (1 + 2.0 * np.exp(-((fk - 600) / 250) ** 2))
            y += np.where(fk < RATE / 2 - 200, gain * np.sin(k * phase), 0)
        env = np.minimum(1, np.minimum(tt / 0.02, (b - a - tt) / 0.02))
        env = env * (0.75 + 0.25 * np.sin(2 * math.pi * 4 * tt))
        out[idx] += amp * env * y / 3
    voiced(0.15, 0.55, 180, 240, 0.5)
    burst = (t >= 0.55) & (t < 0.70)
    out[burst] += 0.08 * rng.randn(burst.sum())
    voiced(0.78, 1.31, 150, 140, 0.35)
    return out.astype(np.float32)


def config_dir():
    src = os.path.join(os.path.dirname(opensmile.__file__), "core", "config")
    tmp = tempfile.mkdtemp()
    dst = os.path.join(tmp, "config")
    shutil.copytree(src, dst)
    conf = os.path.join(dst, "egemaps", "v02", "eGeMAPSv02.conf")
    text = open(conf).read().replace("\\{\\cm[sink{?}:include external sink]}", "")
    text += """
[componentInstances:cComponentManager]
instance[dumpE].type=cVectorConcat
instance[dumpF].type=cVectorConcat
instance[dumpEnergy].type=cVectorConcat
instance[dumpFsmo].type=cVectorConcat

[dumpE:cVectorConcat]
reader.dmLevel = egemapsv02_lldsetE
writer.dmLevel = dumpE
includeSingleElementFields = 1

[dumpF:cVectorConcat]
reader.dmLevel = egemapsv02_lldsetF
writer.dmLevel = dumpF
includeSingleElementFields = 1

[dumpEnergy:cVectorConcat]
reader.dmLevel = egemapsv02_energyRMS
writer.dmLevel = dumpEnergy
includeSingleElementFields = 1

[dumpFsmo:cVectorConcat]
reader.dmLevel = egemapsv02_lldsetF_smo
writer.dmLevel = dumpFsmo
includeSingleElementFields = 1

\\{\\cm[sink{?}:include external sink]}
"""
    path = os.path.join(dst, "egemaps", "v02", "dump.conf")
    open(path, "w").write(text)
    return tmp, path


def sma3nz(x):
    x = np.asarray(x, dtype=np.float32)
    n = len(x)
    y = np.zeros(n, np.float32)
    for i in range(n):
        if x[i] == 0:
            continue
        w = [x[i], x[max(i - 1, 0)], x[min(i + 1, n - 1)]]
        nz = [v for v in w if v != 0]
        s = np.float32(0)
        for v in nz:
            s = np.float32(s + v)
        y[i] = s / np.float32(len(nz))
    return y


def g(v):
    return float("%.9g" % v)


def main():
    x = signal()
    tmp, conf = config_dir()
    try:
        run = lambda level: opensmile.Smile(feature_set=conf, feature_level=level).process_signal(x, RATE)
        e, f, energy, fsmo = run("dumpE"), run("dumpF"), run("dumpEnergy"), run("dumpFsmo")
        func, lld = run("func"), run("lld")
    finally:
        shutil.rmtree(tmp)
    # framesBeforeEOI: the first frame where the smoothed F1 frequency (never 0, ungated) is not
    # the plain 3-frame smoothing of the unsmoothed one is the padded frame M-1.
    raw_f1 = f["F1frequency"].values.astype(np.float32)
    smo_f1 = fsmo["F1frequency_sma3nz"].values.astype(np.float32)
    plain = sma3nz(raw_f1)
    bad = np.where(np.abs(plain - smo_f1[: len(plain)]) > 1e-5 * np.abs(plain))[0]
    m = int(bad[0]) + 1 if len(bad) else len(raw_f1)
    out = {
        "source": "tools/make_egemaps_functionals_fixture.py (opensmile 2.6.0, eGeMAPSv02)",
        "sampleRate": RATE,
        "samples": int(len(x)),
        "framesBeforeEOI": m,
        "E": {c: [g(v) for v in e[c].values] for c in e.columns},
        "F": {c: [g(v) for v in f[c].values] for c in f.columns},
        "energy": [g(v) for v in energy.iloc[:, 0].values],
        "functionalColumns": list(func.columns),
        "functionals": [g(v) for v in func.values[0]],
        "lldColumns": list(lld.columns),
        "lld": [[g(v) for v in row] for row in lld.values],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as fh:
        json.dump(out, fh, separators=(",", ":"))
    print(OUT, "E", len(e), "F", len(f), "M", m, "lld", len(lld), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
