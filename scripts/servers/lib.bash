# lib.bash - helpers shared by the test-server scripts in this folder (sourced, not run;
# scripts/test.sh runs only the *.sh files here).
#
# Processes are started with spawn, which gives each one its own session and process
# group (so that a server that signals its whole group on shutdown, as Swift's proxy
# does, cannot reach the caller) and records "PID STARTTIME" in STATE/run/NAME.pid.
# STARTTIME is the kernel's start time of the process (field 22 of /proc/PID/stat):
# a PID that was reused by an unrelated process has a different start time, so stop
# never signals a process it did not start.

SERVER_TAG=${SERVER_TAG:-server}
log() { echo "[$SERVER_TAG] $*" >&2; }
die() { echo "[$SERVER_TAG] ERROR: $*" >&2; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The absolute path of STATE_DIR (created), or a usage error.
state_dir() {
  [ -n "${1:-}" ] || die "usage: $(basename "$0") start|stop STATE_DIR"
  mkdir -p "$1" && (cd "$1" && pwd)
}

# Field N (1-based, N >= 3) of /proc/PID/stat; empty when the process does not exist.
# The command name (field 2) may contain spaces and parentheses: cut after the last ')'.
proc_field() {
  local stat fields
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 0
  read -r -a fields <<< "${stat##*) }"
  echo "${fields[$(($2 - 3))]}"
}

# True when PID exists and is neither a zombie nor dead.
alive() {
  local st; st=$(proc_field "$1" 3)
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# True when some process other than a zombie is listening on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# spawn RUN_DIR LOG_FILE NAME CMD... : starts CMD detached (own session, stdin from
# /dev/null, stdout and stderr to LOG_FILE) and records it in RUN_DIR/NAME.pid.
spawn() {
  local run=$1 logfile=$2 name=$3; shift 3
  # setsid execs CMD in place (a background child is never a group leader, so setsid
  # does not fork): $! is CMD's PID and also its process-group id.
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  local pid=$!
  local start; start=$(proc_field "$pid" 22)
  echo "$pid ${start:-0}" > "$run/$name.pid"
}

# The PID recorded in RUN_DIR/NAME.pid if that process is still the one we started.
recorded_pid() {
  local f=$1/$2.pid pid start
  [ -f "$f" ] || return 1
  read -r pid start < "$f" || return 1
  [ -n "$pid" ] && alive "$pid" && [ "$(proc_field "$pid" 22)" = "$start" ] && echo "$pid"
}

# Live members of process group PGID.
group_members() {
  local p
  for p in $(pgrep -g "$1"); do alive "$p" && echo "$p"; done
  return 0
}

# stop_recorded RUN_DIR NAME: SIGTERM to the process group we started as NAME, then
# SIGKILL to whatever is left after 5 s. Does nothing when NAME is not running (or its
# PID now belongs to another process). Removes the PID file.
stop_recorded() {
  local run=$1 name=$2 pid
  if pid=$(recorded_pid "$run" "$name"); then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 50); do
      [ -z "$(group_members "$pid")" ] && break
      sleep 0.1
    done
    local left; left=$(group_members "$pid")
    if [ -n "$left" ]; then
      # shellcheck disable=SC2086
      kill -KILL $left 2>/dev/null || true
      log "killed $name (pid $pid) after 5 s"
    else
      log "stopped $name (pid $pid)"
    fi
  fi
  rm -f "$run/$name.pid"
}

# wait_until SECONDS NAME RUN_DIR LOG_FILE CHECK...: runs CHECK every 0.1 s until it
# succeeds; fails (showing the end of LOG_FILE) when NAME exits or time runs out.
wait_until() {
  local secs=$1 name=$2 run=$3 logfile=$4; shift 4
  local deadline=$(( $(now_ms) + secs * 1000 ))
  while ! "$@" >/dev/null 2>&1; do
    if ! recorded_pid "$run" "$name" >/dev/null; then
      tail -n 20 "$logfile" >&2
      die "$name exited during start-up (log: $logfile)"
    fi
    if [ "$(now_ms)" -gt "$deadline" ]; then
      tail -n 20 "$logfile" >&2
      die "$name not ready after $secs s (log: $logfile)"
    fi
    sleep 0.1
  done
}
