#!/usr/bin/env python3
"""Times openSMILE's eGeMAPS v02 through its Python package, one process, one clip after another.

The peer of `study-bench features DIR --set egemaps-v02` (README, performance table): the same
clips, the whole clip at its own rate (`smile.process_file`), sequentially, wall-clock time per clip
after one warm-up clip. Needs `pip install opensmile==2.6.0` (never a runtime dependency).

    python3 tools/time_opensmile.py DIR [--limit N]
"""
import argparse
import os
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("directory")
    p.add_argument("--limit", type=int, default=None, help="time only the first N clips")
    a = p.parse_args()
    try:
        import opensmile
    except ImportError:
        sys.exit("time_opensmile: the opensmile package is missing: pip install opensmile==2.6.0")
    clips = sorted(os.path.join(d, f) for d, _, fs in os.walk(a.directory) for f in fs
                   if f.lower().endswith((".wav", ".flac")))
    if a.limit:
        clips = clips[: a.limit]
    if not clips:
        sys.exit(f"time_opensmile: no .wav or .flac under {a.directory}")
    smile = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                            feature_level=opensmile.FeatureLevel.Functionals)
    smile.process_file(clips[0])  # warm-up
    t0 = time.perf_counter()
    for c in clips:
        smile.process_file(c)
    wall = time.perf_counter() - t0
    print(f"opensmile {opensmile.__version__} eGeMAPSv02: {len(clips)} clips in {wall:.2f} s "
          f"= {wall / len(clips) * 1000:.2f} ms per clip (one process, sequential)")


if __name__ == "__main__":
    main()
