#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, without systemd, for trying and testing
# `study sweep run --executor slurm`. Needs root (munged, slurmctld and slurmd run as root).
#
#   scripts/slurm-local.sh start    install slurm-wlm and munge when missing, start munged,
#                                   slurmctld and slurmd, wait until the node is idle;
#                                   prints the `export SLURM_CONF=...` line on stdout
#   scripts/slurm-local.sh stop     cancel the cluster's jobs, stop every daemon it started
#   scripts/slurm-local.sh status   which daemons run, and sinfo
#   scripts/slurm-local.sh env      prints `export SLURM_CONF=...`
#
#   eval "$(scripts/slurm-local.sh start)"   # or: eval "$(scripts/slurm-local.sh env)"
#   sbatch --array=0-5%2 --wrap 'echo $SLURM_ARRAY_TASK_ID'
#
# Everything (munge key and socket, slurm.conf, state, spool, pid files, logs) lives under
# one folder, SLURM_LOCAL_DIR (default /tmp/slurm-local); the daemons listen on ports of
# their own (SLURM_LOCAL_CTLD_PORT, SLURM_LOCAL_SLURMD_PORT: 16817, 16818) and use a private
# munge socket, so a system Slurm or munge on the same machine is left alone.
# Each `start` of a stopped cluster begins with empty Slurm state (job ids restart at 1).
# Messages go to stderr; stdout carries only the export line.
set -euo pipefail

DIR="${SLURM_LOCAL_DIR:-/tmp/slurm-local}"
CTLD_PORT="${SLURM_LOCAL_CTLD_PORT:-16817}"
SLURMD_PORT="${SLURM_LOCAL_SLURMD_PORT:-16818}"
START_TIMEOUT="${SLURM_LOCAL_TIMEOUT:-30}"   # seconds, per waiting step
STOP_TIMEOUT=10                              # seconds before SIGKILL

CONF="$DIR/slurm.conf"
MUNGE_DIR="$DIR/munge"
MUNGE_SOCKET="$MUNGE_DIR/munged.socket"
MUNGE_KEY="$MUNGE_DIR/munge.key"
RUN_DIR="$DIR/run"
LOG_DIR="$DIR/log"
DAEMONS=(slurmd slurmctld munged)

PACKAGES=(
  munge          # munged, mungekey, munge/unmunge
  slurm-wlm      # slurmctld, slurmd (metapackage)
  slurm-client   # sbatch, squeue, scancel, scontrol, sinfo
)

log() { echo "slurm-local: $*" >&2; }
die() { log "error: $*"; exit 1; }

log_file() {
  case "$1" in
    munged) echo "$LOG_DIR/munged.out" ;; # in the foreground munged logs to stderr only
    *) echo "$LOG_DIR/$1.log" ;;
  esac
}
# stdout/stderr of a daemon started in the foreground (what it says before its log is open)
out_file() { echo "$LOG_DIR/$1.out"; }

show_log() { # daemon: the last lines of what it logged (its log file, else its stderr)
  local d="$1" f
  f="$(log_file "$d")"
  [ -s "$f" ] || f="$(out_file "$d")"
  if [ -s "$f" ]; then
    log "last lines of $f:"
    tail -n 15 "$f" | sed 's/^/    /' >&2
  else
    log "$d wrote nothing to $(log_file "$d") or $(out_file "$d")"
  fi
}

export SLURM_CONF="$CONF"

# --- processes -------------------------------------------------------------------------

# The pids recorded for a daemon: the one the script launched ($!) and the one the daemon
# wrote itself; only those still alive and still running that program (or, for the
# launched one, still the shell or setsid about to exec it).
daemon_pids() {
  local d="$1" f pid comm
  for f in "$RUN_DIR/$d.launched.pid" "$RUN_DIR/$d.pid" "$MUNGE_DIR/$d.pid"; do
    [ -r "$f" ] || continue
    pid="$(tr -dc '0-9' <"$f" || true)"
    [ -n "$pid" ] || continue
    alive "$pid" || continue
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    if [ "$comm" = "$d" ]; then
      echo "$pid"
    elif [ "$f" = "$RUN_DIR/$d.launched.pid" ] && { [ "$comm" = setsid ] || [ "$comm" = bash ]; }; then
      echo "$pid"
    fi
  done | sort -u
}

running() { [ -n "$(daemon_pids "$1")" ]; }

# A process that exists and is not a zombie (a daemon killed while this script, its
# parent, still runs stays a zombie until the script exits).
alive() {
  local st
  st="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 1 || true)"
  [ -n "$st" ] && [ "$st" != Z ]
}

# Slurm or munge processes outside the recorded pids that hold files under $DIR open: a
# slurmstepd of this cluster's slurmd, or a daemon whose pid file was never written.
stray_pids() {
  local pid name
  for pid in $(for name in slurmstepd slurmd slurmctld munged; do pgrep -x "$name" || true; done); do
    if ls -l "/proc/$pid/fd" 2>/dev/null | grep -qF -- "-> $DIR/"; then echo "$pid"; fi
  done
}

descendants() { # pid: its children, grandchildren, ...
  local c
  for c in $(pgrep -P "$1" 2>/dev/null || true); do
    echo "$c"
    descendants "$c"
  done
}

# Wait (up to 3 s) until dead pids are reaped by init, so that `pgrep` right after `stop`
# does not list them as zombies.
reaped() {
  local i pid gone
  for ((i = 0; i < 30; i++)); do
    gone=1
    for pid in "$@"; do if [ -e "/proc/$pid" ]; then gone=0; fi; done
    [ $gone -eq 0 ] || return 0
    sleep 0.1
  done
}

# Wait up to $1 tenths of a second for pids to be gone (and reaped); sets `left` to those alive.
wait_gone() {
  local tenths="$1" i pid
  shift
  for ((i = 0; i < tenths; i++)); do
    left=()
    for pid in "$@"; do if alive "$pid"; then left+=("$pid"); fi; done
    [ ${#left[@]} -gt 0 ] || { reaped "$@"; return 0; }
    sleep 0.1
  done
  return 1
}

# Terminate pids: SIGTERM, wait up to $1 seconds, then SIGKILL what is left.
terminate() {
  local wait_s="$1" left=()
  shift
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  wait_gone $((wait_s * 10)) "$@" && return 0
  log "still alive after ${wait_s}s, sending SIGKILL: ${left[*]}"
  kill -KILL "${left[@]}" 2>/dev/null || true
  wait_gone 50 "$@" && return 0
  log "warning: could not kill ${left[*]}"
}

# --- install ---------------------------------------------------------------------------

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# --- configuration ---------------------------------------------------------------------

write_conf() {
  local host cpus mem_mb margin real_mem
  host="$(hostname -s)"
  cpus="$(nproc)"
  mem_mb=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))
  margin=$((mem_mb / 10 > 512 ? mem_mb / 10 : 512))   # 10 %, at least 512 MB
  real_mem=$((mem_mb - margin > 100 ? mem_mb - margin : 100))
  cat >"$CONF" <<EOF
# Written by scripts/slurm-local.sh: a one-node cluster under $DIR
ClusterName=slurmlocal
SlurmctldHost=$host
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
KillWait=5
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MaxArraySize=1001
NodeName=$host CPUs=$cpus RealMemory=$real_mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

# --- start -----------------------------------------------------------------------------

# Launch a program in the background, detached, its output in out_file, its pid recorded.
launch() {
  local d="$1"
  shift
  setsid "$@" </dev/null >>"$(out_file "$d")" 2>&1 &
  echo $! >"$RUN_DIR/$d.launched.pid"
}

fail_start() { # daemon, message
  log "error: $2"
  show_log "$1"
  log "stopping what was started"
  do_stop >/dev/null 2>&1 || true
  exit 1
}

wait_for() { # daemon, description, command...: poll the command until it succeeds
  local d="$1" what="$2" i
  shift 2
  for ((i = 0; i < START_TIMEOUT * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    running "$d" || fail_start "$d" "$d exited while waiting for $what"
    sleep 0.2
  done
  fail_start "$d" "$d: no $what after ${START_TIMEOUT}s"
}

munge_works() { munge -n -S "$MUNGE_SOCKET" </dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null; }
ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }

node_state() { sinfo -h -N -n "$(hostname -s)" -o '%T' 2>/dev/null | head -n 1; }

do_start() {
  [ "$(id -u)" -eq 0 ] || die "start needs root (munged, slurmctld and slurmd run as root)"

  if running munged && running slurmctld && running slurmd; then
    log "already running under $DIR"
    echo "export SLURM_CONF=$CONF"
    return 0
  fi
  if running munged || running slurmctld || running slurmd || [ -n "$(stray_pids)" ]; then
    log "partly running: stopping it before starting again"
    do_stop
  fi

  install_packages
  trap 'log "start interrupted: stopping what was started"; do_stop >/dev/null 2>&1 || true; exit 130' INT TERM

  # the ports must be free (a system Slurm listens on 6817/6818, ours elsewhere)
  local port
  for port in "$CTLD_PORT" "$SLURMD_PORT"; do
    if command -v ss >/dev/null && [ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ]; then
      die "port $port is already in use ($(ss -Htlnp "sport = :$port" 2>/dev/null | grep -o 'users:.*' | head -n 1)); set SLURM_LOCAL_CTLD_PORT / SLURM_LOCAL_SLURMD_PORT to free ports"
    fi
  done

  local t0
  t0=$(date +%s%N)
  if [ -e "$DIR" ] && [ "$(stat -c %u "$DIR")" != 0 ]; then
    die "$DIR exists and is not owned by root; remove it or set SLURM_LOCAL_DIR"
  fi
  # fresh Slurm state each start; the munge key is kept
  rm -rf "$DIR/state" "$DIR/spool" "$RUN_DIR" "$LOG_DIR"
  mkdir -p "$DIR" "$MUNGE_DIR" "$DIR/state" "$DIR/spool" "$RUN_DIR" "$LOG_DIR"
  chmod 0755 "$DIR" "$RUN_DIR" "$LOG_DIR"
  chmod 0700 "$DIR/state" "$DIR/spool"
  chmod 0711 "$MUNGE_DIR"   # others may reach the socket, not list the folder
  rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock" "$MUNGE_DIR/munged.pid"

  # munge: its own key, socket, pid, log and seed files; runs as root (hence --force); in
  # the foreground it logs to stderr (log/munged.out), --log-file counts once it forks
  if [ ! -s "$MUNGE_KEY" ]; then
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile="$MUNGE_KEY" >&2
    else
      dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
    fi
  fi
  chown root:root "$MUNGE_KEY"
  chmod 0400 "$MUNGE_KEY"
  launch munged munged --foreground --force \
    --socket="$MUNGE_SOCKET" --key-file="$MUNGE_KEY" --pid-file="$MUNGE_DIR/munged.pid" \
    --log-file="$MUNGE_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed"
  wait_for munged "answer on $MUNGE_SOCKET" munge_works

  write_conf
  launch slurmctld slurmctld -D -f "$CONF"
  wait_for slurmctld "answer to 'scontrol ping' (port $CTLD_PORT)" ctld_up
  launch slurmd slurmd -D -f "$CONF"

  # wait until the node is idle; resume it when it registers down or drained
  local host state="" i resumed=0
  host="$(hostname -s)"
  for ((i = 0; i < START_TIMEOUT * 5; i++)); do
    running slurmd || fail_start slurmd "slurmd exited before its node registered"
    running slurmctld || fail_start slurmctld "slurmctld exited while slurmd registered"
    state="$(node_state || true)"
    case "$state" in
      idle) break ;;
      down* | drain* | fail*)
        if [ $resumed -lt 3 ]; then
          log "node $host is $state: resuming it"
          scontrol update nodename="$host" state=resume >&2 || true
          resumed=$((resumed + 1))
        fi
        ;;
    esac
    sleep 0.2
  done
  if [ "$state" != idle ]; then
    log "error: node $host is '${state:-unknown}' after ${START_TIMEOUT}s, not idle"
    scontrol show node "$host" 2>&1 | grep -Ei 'State|Reason' | sed 's/^/    /' >&2 || true
    show_log slurmd
    show_log slurmctld
    log "stopping what was started"
    do_stop >/dev/null 2>&1 || true
    exit 1
  fi

  trap - INT TERM
  log "cluster up in $((($(date +%s%N) - t0) / 1000000)) ms: node $host idle ($(nproc) CPUs), logs in $LOG_DIR"
  log "clients need: export SLURM_CONF=$CONF"
  echo "export SLURM_CONF=$CONF"
}

# --- stop ------------------------------------------------------------------------------

do_stop() {
  local any=0 d pids ids

  # jobs first: slurmd's end does not end the jobs it started
  if running slurmctld && [ -r "$CONF" ]; then
    ids="$(timeout 10 squeue -h -o '%A' 2>/dev/null || true)"
    if [ -n "$ids" ]; then
      log "cancelling jobs: $(echo "$ids" | tr '\n' ' ')"
      # shellcheck disable=SC2086
      timeout 10 scancel $ids 2>/dev/null || true
      local i
      for ((i = 0; i < STOP_TIMEOUT * 5; i++)); do
        [ -n "$(timeout 5 squeue -h -o '%A' 2>/dev/null || true)" ] || break
        sleep 0.2
      done
    fi
  fi

  # all three at once: none needs the others to shut down (munged alone takes ~2 s)
  local all=()
  for d in "${DAEMONS[@]}"; do
    pids="$(daemon_pids "$d")"
    if [ -n "$pids" ]; then
      log "stopping $d ($(echo "$pids" | tr '\n' ' ' | sed 's/ $//'))"
      # shellcheck disable=SC2206
      all+=($pids)
    fi
  done
  if [ ${#all[@]} -gt 0 ]; then
    any=1
    terminate "$STOP_TIMEOUT" "${all[@]}"
  fi

  # anything left holding files under $DIR (slurmstepd and the jobs below it, a daemon
  # that never wrote its pid file)
  local strays=() p
  if [ -d "$DIR" ]; then
    for p in $(stray_pids); do
      strays+=("$p")
      for c in $(descendants "$p"); do strays+=("$c"); done
    done
  fi
  if [ ${#strays[@]} -gt 0 ]; then
    any=1
    log "stopping leftover processes: ${strays[*]}"
    terminate 2 "${strays[@]}"   # an orphaned slurmstepd ignores SIGTERM
  fi

  rm -f "$RUN_DIR"/*.pid "$MUNGE_DIR/munged.pid" 2>/dev/null || true
  if [ $any -eq 1 ]; then log "stopped"; else log "not running"; fi
}

# --- status ----------------------------------------------------------------------------

do_status() {
  local d pids up=0
  for d in munged slurmctld slurmd; do
    pids="$(daemon_pids "$d")"
    if [ -n "$pids" ]; then
      echo "$d: running (pid $(echo "$pids" | tr '\n' ' ' | sed 's/ $//')), log $(log_file "$d")"
      up=$((up + 1))
    else
      echo "$d: not running"
    fi
  done
  if running slurmctld && [ -r "$CONF" ]; then
    echo "SLURM_CONF=$CONF"
    timeout 10 sinfo || true
  fi
  [ $up -eq 3 ]
}

case "${1:-}" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *)
    echo "usage: $0 start|stop|status|env   (folder: $DIR)" >&2
    exit 2
    ;;
esac
