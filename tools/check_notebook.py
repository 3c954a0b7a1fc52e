#!/usr/bin/env python3
"""Checks the notebook a study run wrote (issue 25), as Jupyter's own tools read it.

    python tools/check_notebook.py OUTPUT_DIR [--execute]

OUTPUT_DIR holds study.ipynb, report.html and summary.json of one run. The checks:

1. nbformat.validate: the notebook is valid against nbformat's schema, version 4.5 or later
   (cell ids), every cell id unique;
2. `jupyter nbconvert --to html`: every heading of report.html (h1-h3) is in the converted page,
   and every figure of report.html (its PNG bytes) is an image/png output of the notebook, shown
   in the page; no figure twice;
3. the notebook is at most 1.5 times the size of report.html;
4. with --execute: `jupyter nbconvert --to notebook --execute` runs every cell in order (each
   code cell re-runs its chapter with the run's options); then every chapter must have re-run
   (its cell's log says "done in") and summary.json's reproducibility digest must be what it was
   before: the same features, model, predictions, figures and per-chapter hashes.

Needs nbformat, nbconvert and ipykernel (`make test-notebook` installs them into a virtual
environment). Exit status 1 with the list of problems when a check fails.
"""
import base64
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import nbformat
except ImportError:
    sys.exit("check_notebook: nbformat is not installed (pip install nbformat nbconvert ipykernel; make test-notebook does it)")

problems = []


def problem(text):
    problems.append(text)
    print("  PROBLEM:", text)


def headings(page):
    """The text of every h1-h3 of an HTML page, tags and nbconvert's anchor links removed."""
    found = []
    for m in re.finditer(r"<h([1-3])[^>]*>(.*?)</h\1>", page, re.S):
        text = re.sub(r"<a class=\"anchor-link\".*?</a>", "", m.group(2), flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
        found.append(" ".join(text.replace("¶", "").split()))
    return found


def png_payloads(page):
    return re.findall(r"src=\"data:image/png;base64,([A-Za-z0-9+/=\s]+)\"", page)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    execute = "--execute" in sys.argv[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    out = os.path.abspath(args[0])
    notebook_path = os.path.join(out, "study.ipynb")
    report_path = os.path.join(out, "report.html")
    for path in (notebook_path, report_path, os.path.join(out, "summary.json")):
        if not os.path.exists(path):
            sys.exit(f"check_notebook: {path} is missing: run the study first")

    print(f"1. nbformat.validate {notebook_path}")
    nb = nbformat.read(notebook_path, as_version=nbformat.NO_CONVERT)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        problem(f"not valid nbformat: {e.message}")
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):
        problem(f"nbformat {nb.nbformat}.{nb.nbformat_minor}: cell ids need 4.5 or later")
    ids = [c.get("id") for c in nb.cells]
    if len(set(ids)) != len(ids):
        problem(f"cell ids are not unique: {ids}")
    print(f"   nbformat {nb.nbformat}.{nb.nbformat_minor}, {len(nb.cells)} cells")

    print("2. jupyter nbconvert --to html")
    report = open(report_path, encoding="utf-8").read()
    work = tempfile.mkdtemp(prefix="check-notebook-")
    try:
        subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir", work, notebook_path],
                       check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as e:
        problem(f"nbconvert --to html failed:\n{e.stderr}")
        return
    page = open(os.path.join(work, "study.html"), encoding="utf-8").read()
    shown = set(headings(page))
    wanted = [h for h in headings(report) if h]
    for h in wanted:
        if h not in shown:
            problem(f"heading not in nbconvert's page: {h!r}")
    print(f"   {len(wanted)} headings of report.html, {sum(h in shown for h in wanted)} found")

    figures = ["".join(p.split()) for p in png_payloads(report)]
    outputs = ["".join("".join(o["data"]["image/png"]).split())
               for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    page_pngs = set("".join(p.split()) for p in png_payloads(page))
    if len(outputs) != len(figures):
        problem(f"{len(outputs)} image/png outputs, {len(figures)} figures in report.html")
    if sorted(outputs) != sorted(figures):
        problem("the notebook's images are not report.html's figures")
    missing = [i for i, f in enumerate(figures) if f not in page_pngs]
    if missing:
        problem(f"{len(missing)} figure(s) of report.html not in nbconvert's page")
    for i, p in enumerate(outputs):
        if not base64.b64decode(p).startswith(b"\x89PNG\r\n\x1a\n"):
            problem(f"image/png output {i} is not a PNG")
    print(f"   {len(figures)} figures in report.html, {len(outputs)} image/png outputs, "
          f"{len(figures) - len(missing)} of them in the page")
    shutil.copy(os.path.join(work, "study.html"), os.path.join(out, "study.nbconvert.html"))
    print(f"   page: {os.path.join(out, 'study.nbconvert.html')}")

    size, report_size = os.path.getsize(notebook_path), os.path.getsize(report_path)
    print(f"3. size: study.ipynb {size} bytes, report.html {report_size} bytes ({size / report_size:.2f}x)")
    if size > 1.5 * report_size:
        problem(f"study.ipynb is {size / report_size:.2f} times report.html (at most 1.5)")

    if execute:
        run_all(notebook_path, out, nb)


def digest(out):
    summary = json.load(open(os.path.join(out, "summary.json"), encoding="utf-8"))
    d = summary.get("reproducibility") or {}
    return {k: d.get(k) for k in ("features_sha256", "model_sha256", "predictions_sha256", "figures_sha256", "chapters")}


def run_all(notebook_path, out, nb):
    print("4. jupyter nbconvert --to notebook --execute (Run all)")
    before = digest(out)
    chapters = [c.id[:-len("-run")] for c in nb.cells if c.cell_type == "code" and c.id.endswith("-run")]
    executed = os.path.join(out, "study.executed.ipynb")
    start = time.time()
    r = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
                        "--ExecutePreprocessor.timeout=1800", "--output", os.path.basename(executed), notebook_path],
                       capture_output=True, text=True)
    seconds = time.time() - start
    if r.returncode != 0:
        problem(f"nbconvert --execute failed after {seconds:.0f} s:\n{r.stderr[-4000:]}")
        return
    print(f"   executed in {seconds:.1f} s: {executed}")
    ran = nbformat.read(executed, as_version=4)
    for cell in ran.cells:
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        if any(o.output_type == "error" for o in cell.outputs):
            problem(f"cell {cell.id} raised an error")
        if cell.id == "setup":
            print("   " + text.strip().replace("\n", "\n   "))
        elif cell.id.endswith("-run"):
            chapter = cell.id[:-len("-run")]
            if f"{chapter}: done in" not in text:
                problem(f"cell {cell.id} did not re-run {chapter}:\n{text}")
    after = digest(out)
    for key in before:
        if before[key] != after[key]:
            problem(f"digest {key} differs after Run all: {before[key]} -> {after[key]}")
    same = [k for k in before if before[k] == after[k]]
    print(f"   {len(chapters)} chapters re-run; digest parts unchanged: {', '.join(same)}")
    print(f"   chapters hashed before and after: {len(before['chapters'] or {})}")


if __name__ == "__main__":
    main()
    if problems:
        print(f"check_notebook: {len(problems)} problem(s)")
        sys.exit(1)
    print("check_notebook: all checks passed")
