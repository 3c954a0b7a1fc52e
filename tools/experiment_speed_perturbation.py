#!/usr/bin/env python3
"""A lever for speaker independence, tried outside the study (issue 23): speed perturbation
(Ko et al. 2015: resample by a factor, which scales pitch and formants together, a crude
vocal-tract-length perturbation) of the TRAINING clips only, on the speaker_independent rung.

Usage: tools/experiment_speed_perturbation.py CORPUS_DIR   (the study's synthetic corpus, or TESS)

For each direction (train on one speaker, test on the other): 40 MFCC means (librosa, the
study's window: offset 0.5 s, 3 s, 22050 Hz, soxr_hq), a StandardScaler + multinomial
LogisticRegression (C = 1, the study's `logistic`), trained on the training speaker's clips,
then on them plus copies perturbed by each factor; accuracy on the other speaker. Prints a
table. Nothing here is used by the study; it only tells whether the lever is worth building.
"""
import os, sys, glob
import numpy as np
import librosa
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

FACTORS = [0.9, 1.1]

def means(y, sr):
    return np.mean(librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40).T, axis=0)

def main(root):
    files = sorted(glob.glob(os.path.join(root, "*", "*.wav")))
    rows = []
    for i, f in enumerate(files):
        name = os.path.basename(f)[:-4]
        speaker, label = name.split("_")[0], name.split("_")[-1]
        y, sr = librosa.load(f, sr=22050, offset=0.5, duration=3, res_type="soxr_hq")
        feats = {1.0: means(y, sr)}
        for a in FACTORS:
            # Played a times faster: pitch and formants × a, duration / a.
            z = librosa.resample(y, orig_sr=int(sr * a), target_sr=sr, res_type="soxr_hq")
            feats[a] = means(z, sr)
        rows.append((speaker, label, feats))
        if i % 400 == 0:
            print(f"{i}/{len(files)}", file=sys.stderr)
    speakers = sorted({r[0] for r in rows})
    labels = sorted({r[1] for r in rows})
    print("| direction | without | with speed perturbation (× %s) |" % ", ".join(map(str, FACTORS)))
    print("|---|---:|---:|")
    for a, b in [(speakers[0], speakers[1]), (speakers[1], speakers[0])]:
        train = [r for r in rows if r[0] == a]
        test = [r for r in rows if r[0] == b]
        yt = np.array([labels.index(r[1]) for r in test]); xt = np.array([r[2][1.0] for r in test])
        out = []
        for factors in ([1.0], [1.0] + FACTORS):
            x = np.array([r[2][f] for r in train for f in factors])
            y = np.array([labels.index(r[1]) for r in train for f in factors])
            s = StandardScaler().fit(x)
            m = LogisticRegression(C=1.0, max_iter=2000).fit(s.transform(x), y)
            out.append((m.predict(s.transform(xt)) == yt).mean())
        print(f"| {a}→{b} | {out[0]:.3f} | {out[1]:.3f} |")

if __name__ == "__main__":
    main(sys.argv[1])
