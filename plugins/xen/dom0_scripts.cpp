#include "dom0_scripts.h"

#include "shell.h"

namespace vt::xen {

using backend::shell_quote;

namespace {

// Common prologue: strict, xl's PATH in Debian's dom0 layout, and the names as variables.
std::string prologue(const DomainFiles& d) {
  return "set -eu\n"
         "PATH=/usr/lib/xen-4.17/bin:/usr/lib/xen/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH\n"
         "S=" +
         shell_quote(d.state_dir) + "; N=" + shell_quote(d.name) +
         "; R=$S/run/$N; DM=" + shell_quote(d.dm_name()) + "\n";
}

// The snapshot device and the loop devices go; blkback lets go of the device a moment after
// the domain is gone, hence the retries.
const char* disk_down_body =
    "i=0\n"
    "while dmsetup info \"$DM\" >/dev/null 2>&1; do\n"
    "  dmsetup remove \"$DM\" 2>/dev/null && break\n"
    "  i=$((i + 1)); [ $i -lt 100 ] || { echo \"cannot remove $DM: busy\" >&2; exit 1; }\n"
    "  sleep 0.1\n"
    "done\n"
    "for f in cow.loop base.loop; do\n"
    "  [ -s \"$R/$f\" ] && losetup -d \"$(cat \"$R/$f\")\" 2>/dev/null; rm -f \"$R/$f\"\n"
    "done\n";

const char* destroy_body =
    "if xl domid \"$N\" >/dev/null 2>&1; then xl destroy \"$N\" || true; fi\n";

}  // namespace

std::string take_slot_script(const DomainFiles& d) {
  return prologue(d) +
         "mkdir -p \"$S/run\" \"$S/save\" \"$S/slots\"\n"
         "command -v flock >/dev/null || { echo 'flock is missing in dom0 (util-linux)' >&2; exit "
         "3; }\n"
         "exec 9>\"$S/lock\"; flock 9\n"
         "n=0\n"
         "while [ $n -lt 250 ]; do\n"
         "  f=$S/slots/$n\n"
         "  if [ ! -s \"$f\" ] || [ ! -d \"$S/run/$(cat \"$f\")\" ]; then\n"
         "    mkdir -p \"$R\"; echo \"$N\" > \"$f\"; echo $n; exit 0\n"
         "  fi\n"
         "  n=$((n + 1))\n"
         "done\n"
         "echo 'no free slot (250 guests of vtrun run in this dom0)' >&2; exit 1\n";
}

std::string disk_up_script(const DomainFiles& d, const std::string& image,
                           const std::string& cow_size, const std::string& baseline) {
  return prologue(d) + "I=" + shell_quote(image) + "; B=" + shell_quote(baseline) + "\n" +
         "[ -r \"$I\" ] || { echo \"no disk image $I in dom0\" >&2; exit 2; }\n"
         "command -v dmsetup >/dev/null || { echo 'dmsetup is missing in dom0' >&2; exit 3; }\n"
         "modprobe dm-snapshot 2>/dev/null || true\n"
         "rm -f \"$R/cow\"\n"
         "if [ -n \"$B\" ]; then cp \"$B\" \"$R/cow\"; else truncate -s " +
         shell_quote(cow_size) +
         " \"$R/cow\"; fi\n"
         // losetup -f then attach is racy between testbeds: the lock makes it one at a time
         "exec 9>\"$S/lock\"; flock 9\n"
         "base=$(losetup -f); losetup -r \"$base\" \"$I\"; echo \"$base\" > \"$R/base.loop\"\n"
         "cow=$(losetup -f); losetup \"$cow\" \"$R/cow\"; echo \"$cow\" > \"$R/cow.loop\"\n"
         "sectors=$(($(stat -c %s \"$I\") / 512))\n"
         "dmsetup create \"$DM\" --table \"0 $sectors snapshot $base $cow P 8\"\n"
         "echo /dev/mapper/$DM\n";
}

std::string disk_down_script(const DomainFiles& d) {
  return prologue(d) + disk_down_body + "exit 0\n";
}

std::string write_config_script(const DomainFiles& d) {
  return prologue(d) +
         "mkdir -p \"$R\"; cat > \"$R/xl.cfg\"\n"
         "xl -N create \"$R/xl.cfg\" >/dev/null\n";
}

std::string create_script(const DomainFiles& d) {
  return prologue(d) + "xl create \"$R/xl.cfg\"\n";
}

std::string save_script(const DomainFiles& d, const std::string& save_file,
                        const std::string& baseline) {
  // written under temporary names, renamed when complete: a later open never restores half
  return prologue(d) + "F=" + shell_quote(save_file) + "; B=" + shell_quote(baseline) + "\n" +
         "rm -f \"$F.part\" \"$B.part\"\n"
         "xl save \"$N\" \"$F.part\"\n" +
         disk_down_body +
         "cp \"$R/cow\" \"$B.part\"\n"
         "mv \"$B.part\" \"$B\"; mv \"$F.part\" \"$F\"\n";
}

std::string restore_script(const DomainFiles& d, const std::string& save_file) {
  return prologue(d) + "xl restore \"$R/xl.cfg\" " + shell_quote(save_file) + "\n";
}

std::string stop_script(const DomainFiles& d) {
  return prologue(d) + destroy_body + disk_down_body + "exit 0\n";
}

std::string cleanup_script(const DomainFiles& d) {
  // The console follower (XenTestbed's `tail -F` of the guest's log) outlives its ssh client:
  // it would only notice when it next writes, and a gone guest writes nothing.
  return prologue(d) + destroy_body + disk_down_body +
         "pkill -f \"xen/console/guest-$N[.]log\" 2>/dev/null || true\n"
         "rm -rf \"$R\"\n"
         "for f in \"$S\"/slots/*; do\n"
         "  [ \"$(cat \"$f\" 2>/dev/null)\" = \"$N\" ] && rm -f \"$f\"\n"
         "done\n"
         "exit 0\n";
}

std::string guardian_script(const std::string& cleanup) {
  return "( trap '' HUP INT TERM PIPE\n"
         "  while echo alive 2>/dev/null; do sleep 1; done\n"
         "  sh -c " +
         shell_quote(cleanup) +
         " >/dev/null 2>&1 ) &\n"
         "wait\n";
}

std::string remove_files_script(const std::string& first, const std::string& second) {
  // with the temporary names save_script writes under: a save cut short leaves those
  return "rm -f " + shell_quote(first) + " " + shell_quote(second) + " " +
         shell_quote(first + ".part") + " " + shell_quote(second + ".part") + "\n";
}

std::string alive_script(const DomainFiles& d) {
  return prologue(d) + "xl domid \"$N\" >/dev/null 2>&1\n";
}

std::string shutdown_script(const DomainFiles& d) {
  return prologue(d) + "xl shutdown -w \"$N\"\n";
}

std::string probe_script() {
  return "PATH=/usr/lib/xen-4.17/bin:/usr/lib/xen/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH\n"
         "xl info | grep -E '^(xen_version|xen_caps|free_memory|total_memory) ' || exit 4\n"
         "for t in dmsetup losetup flock; do command -v $t >/dev/null || echo \"missing $t\"; "
         "done\n";
}

}  // namespace vt::xen
