#!/usr/bin/env python3
"""openSMILE's end-of-input frame count M of eGeMAPS v02 for the generated signals of
tools/make_egemaps_fixture.py, for EGeMAPSEndOfInputTests.

Writes Tests/FeaturesTests/Fixtures/egemaps/end_of_input.json: per signal, the number of F0-level
frames N (complete 60 ms frames) and M, the number of them the F-set smoother
(egemapsv02_smoFnz) had before openSMILE's end-of-input flush. M is measured, not modelled:
it is the one value for which "plain 3-frame nz smoothing of frames 0..<M-1, frame M-1 padded,
frame M the padded window of x[M-1], the rest plain" reproduces openSMILE's smoothed F level
(egemapsv02_lldsetF_smo) from its unsmoothed one (egemapsv02_lldsetF), all 13 columns; null
when several values fit (a constant level). The levels come from a copy of opensmile's
eGeMAPSv02.conf with one cVectorConcat dump per level. Needs `pip install opensmile==2.6.0`.

    python3 tools/make_egemaps_eoi_fixture.py
"""
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import opensmile
import soundfile as sf

sys.path.insert(0, os.path.dirname(__file__))
from make_egemaps_fixture import SIGNALS  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "FeaturesTests", "Fixtures", "egemaps",
                   "end_of_input.json")


def config(tmp):
    src = os.path.join(os.path.dirname(opensmile.__file__), "core", "config")
    dst = os.path.join(tmp, "config")
    shutil.copytree(src, dst)
    conf = os.path.join(dst, "egemaps", "v02", "eGeMAPSv02.conf")
    text = open(conf).read().replace("\\{\\cm[sink{?}:include external sink]}", "")
    text += "\n[componentInstances:cComponentManager]\n"
    dumps = {"dumpF": "egemapsv02_lldsetF", "dumpFsmo": "egemapsv02_lldsetF_smo"}
    for name in dumps:
        text += f"instance[{name}].type=cVectorConcat\n"
    for name, level in dumps.items():
        text += f"\n[{name}:cVectorConcat]\nreader.dmLevel = {level}\nwriter.dmLevel = {name}\nincludeSingleElementFields = 1\n"
    text += "\n\\{\\cm[sink{?}:include external sink]}\n"
    path = os.path.join(dst, "egemaps", "v02", "eoi.conf")
    open(path, "w").write(text)
    return path


def sma3nz(x):
    x = np.asarray(x, np.float32)
    n = len(x)
    y = np.zeros(n, np.float32)
    for i in range(n):
        if x[i] == 0:
            continue
        s, c = np.float32(0), 0
        for v in (x[i], x[max(i - 1, 0)], x[min(i + 1, n - 1)]):
            if v != 0:
                s = np.float32(s + v)
                c += 1
        y[i] = s / np.float32(c)
    return y


def flushed(x, m):
    """The smoothed level if the smoother had m of the len(x) frames before the flush."""
    x = np.asarray(x, np.float32)
    n = len(x)
    pad = lambda v: np.float32((v + v + v) / np.float32(3))
    out = list(sma3nz(x[:m])) + [pad(x[m - 1])]
    if m < n:
        out += list(sma3nz(x)[m + 1:n]) + [pad(x[n - 1])]
    return np.array(out, np.float32)


def main():
    out = {"source": "tools/make_egemaps_eoi_fixture.py (opensmile %s, eGeMAPSv02)" % opensmile.__version__,
           "signals": {}}
    tmp = tempfile.mkdtemp()
    try:
        conf = config(tmp)
        for name, (rate, gen) in SIGNALS.items():
            path = os.path.join(tmp, name + ".wav")
            sf.write(path, gen(rate).astype(np.float32), rate, subtype="PCM_16")
            f = opensmile.Smile(feature_set=conf, feature_level="dumpF").process_file(path)
            fs = opensmile.Smile(feature_set=conf, feature_level="dumpFsmo").process_file(path)
            n = len(f)
            fits = []
            for m in range(1, n + 1):
                if all(np.allclose(flushed(f[c].values, m), fs[c + "_sma3nz"].values.astype(np.float32),
                                   rtol=1e-5, atol=1e-6) for c in f.columns):
                    fits.append(m)
            out["signals"][name] = {"rate": rate, "frames": n, "framesBeforeEOI": fits[0] if len(fits) == 1 else None}
            print(name, "N", n, "M fits", fits if len(fits) < 5 else f"{len(fits)} values")
    finally:
        shutil.rmtree(tmp)
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
