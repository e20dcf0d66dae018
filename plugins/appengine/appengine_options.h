// What a test's params ask of one appengine device (docs/appengine.md): the container engine and
// image, the privileges the container gets, and the bring-up of the Pantavisor runtime inside
// it — launcher, probes and time limits. The defaults are what Pantavisor's own runner
// (`test.docker.sh` + `pvtest-run`) does with the real tester image; every probe and command is
// a param, so other appliance images work too.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "vt/sdk/types.h"

namespace vt::appengine {

/// A command run in the container with `sh -c`, polled once a second until it succeeds (and,
/// with `expect`, prints exactly that after trimming) or `timeout` passes.
struct Probe {
  std::string what;  ///< for messages: "the pantavisor process"
  std::string command;
  std::string expect;  ///< empty: exit status 0 is enough
  std::chrono::seconds timeout{0};
};

struct DeviceOptions {
  std::string engine = "auto";        ///< auto | docker | podman, or a path to either's CLI
  std::string image;                  ///< an image name, or a tarball (`docker save` / rootfs tar)
  std::string network;                ///< empty: the engine's default; "none": no network
  std::vector<std::string> run_args;  ///< the privileges and mounts (reference defaults)
  std::vector<std::string> extra_run_args;  ///< appengine_run_args: appended by the user
  std::string idle_command;                 ///< what the container runs until vtrun drives it
  bool bringup = true;                      ///< false: a plain container, no runtime started
  std::string launcher;      ///< started once the device is staged: `pv-appengine -d 0 -c …`
  Probe process;             ///< the runtime's process exists (≤ 30 s)
  Probe ready;               ///< the runtime says READY (≤ 120 s)
  Probe endpoint;            ///< its pvr endpoint answers (≤ 120 s)
  std::string poweroff;      ///< the gentle stop, then TERM, then KILL
  std::string runtime_name;  ///< the runtime's process name (`pidof`), for TERM and KILL
  std::string pvtx_dir;      ///< where tarballs are staged for the first boot
  std::chrono::milliseconds poll_interval{200};  ///< between two runs of a probe
  std::chrono::seconds stop_timeout{120};        ///< after poweroff, before TERM
  std::chrono::seconds term_timeout{30};         ///< after TERM, before KILL
  bool valgrind = false;                         ///< -V: the runtime runs under valgrind memcheck
  bool manual = false;                           ///< -m: stage only, never start the runtime
  int first_port = 8222;                         ///< host port of slot N: first_port + N
  std::filesystem::path slot_dir = "/tmp";       ///< where pv_appengine.slot.<N>.lock live

  // From the pv-test@1 test (pvtest_* params; docs/pvtest.md).
  std::string test_path;           ///< the test's id, `local/core/x`: the container sees /work/<it>
  std::string scope;               ///< `local`
  std::filesystem::path test_dir;  ///< on the host (vtrun_test_dir)
  std::string cmdline;             ///< setup.cmdline
  std::vector<std::string> env;    ///< setup.env, one KEY=VALUE each
  std::string pantavisor_config;   ///< setup.pantavisor.config, relative to the test
  std::string pvs;                 ///< setup.pvs: a glob, relative to the test
  std::vector<std::string> tarballs;  ///< setup.containers.tarballs, relative to the test
  std::string ready_script;           ///< setup.ready-script, relative to the test
  bool self_claim = false;            ///< setup.self-claim
};

/// Resolves the params of `spec`. Throws sdk::ConfigError naming the param and what was
/// expected.
DeviceOptions parse_device_options(const sdk::Params& params);

}  // namespace vt::appengine
