# The fake pantavisor daemon of the vtrun STAND-IN image. Not executable on its own: bash runs
# it from its stdin as the process "pantavisor" (see /usr/bin/pantavisor). It:
#   - writes its state under /run/pantavisor/pv/standin: pid, status, the applied config
#     (config.json: the config file's KEY=VALUE lines, then the cmdline's key=value pairs,
#     the later winning), the revision and its container names;
#   - reports "pantavisor.status" STARTING, then READY after $STANDIN_READY_DELAY seconds
#     (default 1), when it also serves the pvr/pvtx HTTP endpoint on port 12368 (busybox
#     httpd, CGI scripts in /usr/lib/pantavisor-standin/www/cgi-bin);
#   - exits 0 on `pvcontrol commands poweroff|reboot` (a request file and SIGUSR1) and on
#     SIGTERM/SIGINT, stopping the endpoint first.
# Log lines go to stdout in Pantavisor's format and to storage logs/<rev>/pantavisor/.

pv_main() {
  set -u
  . /usr/lib/pantavisor-standin/common.sh
  local config=${PV_STANDIN_CONFIG:-$PV_APPENGINE_CONFIG} cmdline=${PV_STANDIN_CMDLINE:-}
  local delay=${STANDIN_READY_DELAY:-1} control=${STANDIN_CONTROL:-pvr-sdk}
  local stop="" httpd="" napid="" logfile="" rev word pv_rev=0 pv_try=""

  for word in $cmdline; do
    case "$word" in
      pv_rev=*) pv_rev=${word#pv_rev=} ;;
      pv_try=*) pv_try=${word#pv_try=} ;;
    esac
  done
  rev=${pv_try:-$pv_rev}
  if mkdir -p "$PV_STORAGE/logs/$rev/pantavisor" 2>/dev/null; then
    logfile=$PV_STORAGE/logs/$rev/pantavisor/pantavisor.log
  fi
  log() {
    local line
    line=$(printf '[pantavisor] %s %s -- [standin]: %s' "$(date +%s)" "$1" "$2")
    printf '%s\n' "$line"
    [ -z "$logfile" ] || printf '%s\n' "$line" >> "$logfile"
  }
  nap() {  # a sleep that a trapped signal interrupts
    sleep "$1" & napid=$!
    wait "$napid" 2>/dev/null
    kill "$napid" 2>/dev/null
  }
  trap 'stop=signal' TERM INT
  trap 'case $(cat "$PV_STATE/request" 2>/dev/null) in
          poweroff) stop=poweroff ;; reboot) stop=reboot ;; esac
        rm -f "$PV_STATE/request"' USR1

  mkdir -p "$PV_STATE" || return 1
  # a previous pantavisor killed hard may have left its endpoint behind
  [ ! -f "$PV_STATE/httpd.pid" ] || kill "$(cat "$PV_STATE/httpd.pid")" 2>/dev/null
  rm -f "$PV_STATE/request" "$PV_STATE/httpd.pid"
  echo STARTING > "$PV_STATE/status"
  echo "$rev" > "$PV_STATE/revision"
  printf '%s\n' "$cmdline" > "$PV_STATE/cmdline"
  echo $$ > "$PV_STATE/pid"
  log INFO "stand-in pantavisor starting (pid $$, revision $rev, config $config)"

  # the applied config: legacy dotted keys (PV_LOG_LEVEL -> log.level, pv_policy -> policy,
  # ph_creds.port -> creds.port); the cmdline wins; pv_rev/pv_try are boot arguments, not config
  jq -R -n -S -c --arg cmdline "$cmdline" '
    def norm: if test("^(PV|PH)_") then .[3:] | ascii_downcase | gsub("_"; ".")
              elif test("^(pv|ph)_") then .[3:] else . end;
    def pairs: map(select(test("^[A-Za-z_][A-Za-z0-9_.-]*="))
                   | capture("^(?<k>[^=]+)=(?<v>.*)$"));
    ([inputs | sub("^\\s+"; "") | sub("\\s+$"; "")] | pairs) as $file
    | ($cmdline | split(" ") | pairs | map(select(.k != "pv_rev" and .k != "pv_try"))) as $cmd
    | reduce ($file + $cmd)[] as $p ({}; .[$p.k | norm] = $p.v)' < "$config" \
    > "$PV_STATE/config.json" || { log ERROR "cannot parse $config"; return 1; }

  # the containers of the revision: the control container and each deployed tarball's name
  # (bsp.tgz is the board support package, not a container)
  {
    echo "$control"
    sed -e 's/\.tgz$//' -e 's/\.tar\.gz$//' -e 's/\.tar$//' -e 's/\.pvrexport$//' \
      "$PV_STORAGE/trails/$rev/.standin-tarballs" 2>/dev/null | grep -v '^bsp$'
  } | grep -v '^$' | LC_ALL=C sort -u > "$PV_STATE/containers"

  [ -n "$stop" ] || nap "$delay"
  if [ -z "$stop" ]; then
    busybox httpd -f -p "$PV_PVR_PORT" -h "$PV_STANDIN_LIB/www" &
    httpd=$!
    echo "$httpd" > "$PV_STATE/httpd.pid"
    echo READY > "$PV_STATE/status"
    log INFO "READY; pvr endpoint on port $PV_PVR_PORT"
  fi
  while [ -z "$stop" ]; do
    nap 1
  done

  log INFO "shutting down ($stop)"
  echo SHUTTING_DOWN > "$PV_STATE/status"
  if [ -n "$httpd" ]; then
    kill "$httpd" 2>/dev/null
    wait "$httpd" 2>/dev/null
  fi
  rm -f "$PV_STATE/pid" "$PV_STATE/httpd.pid" "$PV_STATE/request"
  echo STOPPED > "$PV_STATE/status"
  log INFO "stopped"
  return 0
}
pv_main </dev/null
exit $?
