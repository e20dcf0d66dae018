# Sourced by the stand-in's scripts (pv-appengine, pantavisor, pvcontrol, pventer, the CGI
# scripts): the paths of the stand-in Pantavisor device image, in one place.
# STAND-IN: this image fakes Pantavisor for vtrun's own tests; see README.md.

PV_STANDIN_LIB=/usr/lib/pantavisor-standin
PV_APPENGINE_CONFIG=/etc/pantavisor-appengine.config
PV_STORAGE=/var/pantavisor/storage          # the container's storage (a host dir bound here)
PV_PVTXDIR=/var/pantavisor/pvtx             # staged tarballs, "deployed" as revision 0
PV_SKELDIR=/usr/share/pantavisor/skel       # copied into an empty storage on first boot
PV_RUNDIR=/run/pantavisor/pv                # as the real PV_SYSTEM_RUNDIR
PV_STATE=$PV_RUNDIR/standin                 # the fake daemon's state (pid, status, config)
PV_PVR_PORT=12368                           # the real pvr/pvtx HTTP endpoint's port

# Prints the pid of the running fake pantavisor; fails when none runs.
standin_pid() {
  _pid=$(cat "$PV_STATE/pid" 2>/dev/null) || return 1
  [ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null || return 1
  echo "$_pid"
}

# The container names of the running revision, one per line (sorted, no duplicates).
standin_containers() {
  cat "$PV_STATE/containers" 2>/dev/null
}
