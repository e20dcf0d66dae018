// The xl.cfg of a testbed's guest, generated from its params (xl.cfg(5) names).
#pragma once

#include <string>

#include "xen_options.h"

namespace vt::xen {

/// What differs between two guests of the same options.
struct GuestPlacement {
  std::string name;        ///< the domain name ("vtrun-<id>-vm1")
  int slot = 0;            ///< picks the guest's address and MAC
  std::string disk_path;   ///< the dom0 block device of the copy-on-write disk; empty: none
  std::string public_key;  ///< authorised for root in the guest (the ssh channel)
};

/// The guest's address: SUBNET.(10+slot).
std::string guest_address(const XenOptions& options, int slot);

/// The xl.cfg text. The guest's command line gets console=hvc0, its address (vt.net=) and the
/// key (vt.ssh=), which the tiny guest's /init reads, before `kernel_params`.
std::string render_xl_config(const XenOptions& options, const GuestPlacement& guest);

}  // namespace vt::xen
