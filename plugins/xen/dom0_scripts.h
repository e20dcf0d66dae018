// The dom0 side of the xen backend as sh scripts (busybox ash and dash run them): slots, the
// copy-on-write disk (a device-mapper snapshot over a read-only loop device of the pristine
// image, as in Xen setups that restore block devices after every test), create / save /
// restore, and the cleanup that the testbed, its guardian and `vtrun gc` all run. Every
// script works on the names of one domain only, so two testbeds never undo each other.
#pragma once

#include <string>

namespace vt::xen {

/// Where one domain's files are in dom0.
struct DomainFiles {
  std::string state_dir;  ///< `xen_state_dir` (/var/lib/vtrun)
  std::string name;       ///< the domain name, also the run directory's and dm device's
  std::string vdev;       ///< the guest's disk (xvda)
  std::string run_dir() const { return state_dir + "/run/" + name; }
  std::string dm_name() const { return name + "-" + vdev; }
  std::string dm_path() const { return "/dev/mapper/" + dm_name(); }
};

/// Takes the lowest free slot (a file naming its owner; free when its owner's run directory
/// is gone) and makes the run directory. Prints the slot.
std::string take_slot_script(const DomainFiles& d);

/// Makes the COW store (a copy of `baseline` when given, else empty of `cow_size`), the loop
/// devices and the snapshot device. Prints its path.
std::string disk_up_script(const DomainFiles& d, const std::string& image,
                           const std::string& cow_size, const std::string& baseline);

/// Removes the snapshot device and the loop devices (the COW file stays).
std::string disk_down_script(const DomainFiles& d);

/// Writes stdin to the run directory's xl.cfg and checks it with `xl -N create`.
std::string write_config_script(const DomainFiles& d);

/// `xl create` of the run directory's xl.cfg.
std::string create_script(const DomainFiles& d);

/// `xl save` (the domain stops), then keeps `save_file` and a copy of the COW store as
/// `baseline`, the disk as the saved memory expects it.
std::string save_script(const DomainFiles& d, const std::string& save_file,
                        const std::string& baseline);

/// `xl restore` of `save_file` under the run directory's xl.cfg (this domain's name and disk).
std::string restore_script(const DomainFiles& d, const std::string& save_file);

/// Destroys the domain (if it runs) and its disk, keeping the run directory and slot.
std::string stop_script(const DomainFiles& d);

/// stop_script, then the run directory and the slot go. Idempotent.
std::string cleanup_script(const DomainFiles& d);

/// Runs `cleanup` once the connection to vtrun is gone: a subshell writes to its stdout every
/// second, which fails when vtrun (or its ssh) dies. Started by vtrun, so a killed vtrun still
/// leaves no domain behind ("reasonable attempts to shut down the testbed").
std::string guardian_script(const std::string& cleanup);

/// Removes a saved image's two files, and the temporary ones a save cut short leaves (for the
/// end of the job and the ledger).
std::string remove_files_script(const std::string& first, const std::string& second);

/// Exits 0 while the domain exists.
std::string alive_script(const DomainFiles& d);

/// `xl shutdown -w`: the guest powers off the gentle way.
std::string shutdown_script(const DomainFiles& d);

/// Reports what dom0 offers: xl info's version lines and the tools the backend calls.
std::string probe_script();

}  // namespace vt::xen
