// Which accelerator QEMU gets: KVM when /dev/kvm works for ordinary guests, TCG otherwise.
// `accel=kvm:tcg` is not enough: on a host whose KVM is PVM (nested, paravirtual) QEMU picks
// KVM and a stock kernel never boots, so the choice is made here, once per process.
#pragma once

#include <string>

namespace vt::qemu {

struct AccelChoice {
  std::string accel;   ///< "kvm" or "tcg"
  std::string reason;  ///< one line: why (shown once in the log and by `vtrun check`)
};

/// Probes once and caches: $VTRUN_QEMU_ACCEL (kvm|tcg) wins; then /dev/kvm must open
/// read-write and answer KVM_GET_API_VERSION; a loaded `kvm_pvm` module means PVM, which
/// runs only PVM-enabled guest kernels, so TCG. Thread-safe.
const AccelChoice& choose_accel();

}  // namespace vt::qemu
