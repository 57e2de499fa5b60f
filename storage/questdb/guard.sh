#!/bin/sh
# Runs QuestDB as a child that cannot outlive meterwatch (issue: foundation, item 2).
# usage: guard.sh PIDFILE java ARGS...
# meterwatch holds this script's stdin open; when meterwatch exits for any reason, even
# SIGKILL, the pipe closes, the watcher reads EOF and stops Java. SIGTERM/SIGINT to this
# script stop Java too.
pidfile="$1"; shift
exec 3<&0
"$@" </dev/null &
child=$!
echo "$child" > "$pidfile"
stop_child() {
  kill -TERM "$child" 2>/dev/null
  i=0
  while kill -0 "$child" 2>/dev/null && [ "$i" -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$child" 2>/dev/null
}
( cat <&3 >/dev/null; stop_child ) &
watcher=$!
exec 3<&-
trap 'stop_child' TERM INT HUP
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  rc=$?
done
kill "$watcher" 2>/dev/null
rm -f "$pidfile"
exit "${rc:-0}"
