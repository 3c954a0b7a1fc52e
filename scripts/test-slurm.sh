#!/usr/bin/env bash
# make test-slurm: a small sweep through a real one-node Slurm cluster (scripts/slurm-local.sh),
# compared byte for byte with the same sweep run by the local executor. One array task is
# cancelled mid-run and `study sweep resume` completes the sweep. Every daemon started here is
# stopped on the way out, also when a step fails. Needs root (slurmd), as CI has.
set -euo pipefail
cd "$(dirname "$0")/.."
STUDY=${STUDY:-$PWD/.build/release/study}
WORK=${TEST_SLURM_DIR:-$PWD/.build/slurm-check}
TIMEOUT=${TEST_SLURM_TIMEOUT:-80}
start_time=$(date +%s)

say() { echo "test-slurm: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

cleanup() { scripts/slurm-local.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

[ -x "$STUDY" ] || fail "$STUDY is not built (make build)"
rm -rf "$WORK"
mkdir -p "$WORK"
eval "$(scripts/slurm-local.sh start)"

# A tiny synthetic corpus (5 words: 70 clips), 2 sets × 2 models × 2 protocols × 2 seeds = 24 cells.
"$STUDY" synthesize --quiet --output "$WORK/corpus" --words 5 >/dev/null
grid=(--data "$WORK/corpus" --features mfcc-means,mfcc-functionals --models cnn1d,logistic
      --protocols random,speaker_independent --seeds 42-43 --epochs 2)
"$STUDY" sweep plan "${grid[@]}" --output "$WORK/local" >/dev/null
"$STUDY" sweep plan "${grid[@]}" --output "$WORK/slurm" >/dev/null
cmp -s "$WORK/local/plan.json" "$WORK/slurm/plan.json" || fail "planning twice gave two different plans"

# Slurm first (the cluster works while the local run below would compete for the cores otherwise).
"$STUDY" sweep run "$WORK/slurm" --executor slurm --stage-threads 2 --max-running 2 --quiet
cells_job=$(tail -1 "$WORK/slurm/slurm/jobs.txt")

# Cancel tasks of the cells array mid-run: one that runs (killed in the middle of its training) and
# the last one still pending (so that something is surely missing, however fast the others are).
running=""
for _ in $(seq 1 300); do
  running=$(squeue -h -r -j "$cells_job" -t RUNNING -o '%i' 2>/dev/null | head -1 || true)
  [ -n "$running" ] && break
  sleep 0.1
done
[ -n "$running" ] || fail "no task of job $cells_job was seen running"
pending=$(squeue -h -r -j "$cells_job" -t PENDING -o '%i' 2>/dev/null | tail -1 || true)
scancel "$running" ${pending:+"$pending"}
say "cancelled task $running (running)${pending:+ and $pending (pending)} mid-run"

wait_for_queue() {
  while [ -n "$(squeue -h -r -j "$1" -o '%i' 2>/dev/null || true)" ]; do
    [ $(( $(date +%s) - start_time )) -lt "$TIMEOUT" ] || fail "the sweep did not finish within ${TIMEOUT} s"
    sleep 1
  done
}
wait_for_queue "$cells_job"
status=$("$STUDY" sweep status "$WORK/slurm" | head -1)
say "after the cancel: $status"
case "$status" in *" 0 missing"*) fail "cancelling tasks left nothing missing: the test did not test resume";; esac
"$STUDY" sweep resume "$WORK/slurm" --executor slurm --max-running 2 --quiet
wait_for_queue "$(tail -1 "$WORK/slurm/slurm/jobs.txt")"
status=$("$STUDY" sweep status "$WORK/slurm" | head -1)
say "after resume: $status"
case "$status" in *"24 done, 0 failed, 0 missing"*) ;; *) fail "the Slurm sweep is incomplete: $status";; esac

"$STUDY" sweep run "$WORK/local" --jobs 2 --quiet >/dev/null
"$STUDY" sweep collect "$WORK/local" >/dev/null
"$STUDY" sweep collect "$WORK/slurm" >/dev/null

# Every cell's predictions digest, and the collected table and sweep.json, byte for byte.
for f in report/sweep.json report/table.md; do
  cmp "$WORK/local/$f" "$WORK/slurm/$f" || fail "$f differs between the local and the Slurm executor"
done
n=$(grep -c '"predictions_sha256"' "$WORK/slurm/report/sweep.json")
[ "$n" -eq 24 ] || fail "sweep.json has $n cell digests, expected 24"
say "24 cells: the same predictions digests, table and sweep.json with --executor local and slurm ($(( $(date +%s) - start_time )) s)"
