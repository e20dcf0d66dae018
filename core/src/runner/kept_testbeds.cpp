#include "runner/kept_testbeds.h"

#include <thread>

namespace vt::core {

namespace {

// `word` as one word for sh, so the printed line can be pasted.
std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789@%_+=:,./-") == std::string::npos)
    return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

void KeptTestbeds::keep(const std::string& test_id, std::vector<TestMachines::Machine> machines,
                        const std::filesystem::path& socket) {
  std::vector<std::pair<std::string, sdk::Testbed*>> served;
  for (auto& m : machines) served.emplace_back(m.name, m.testbed.get());
  auto server = std::make_unique<ControlServer>(host_, socket, served);
  std::lock_guard lock(mutex_);
  kept_.push_back({test_id, std::move(machines), std::move(server)});
}

bool KeptTestbeds::empty() const {
  std::lock_guard lock(mutex_);
  return kept_.empty();
}

void KeptTestbeds::hold(std::ostream& out, bool (*stop)()) {
  {
    std::lock_guard lock(mutex_);
    if (kept_.empty()) return;
    out << "vtrun: --keep-testbed: the testbeds of failing tests are still running:\n";
    for (const auto& k : kept_) {
      for (const auto& m : k.machines) {
        out << "  " << k.test_id << " / " << m.name << ":\n"
            << "    VT_CONTROL_SOCKET=" << k.server->socket_path().string() << " vtctl exec -m "
            << m.name << " -- uname -a\n";
        std::string shell;
        for (const auto& a : m.testbed->shell_command())
          shell += (shell.empty() ? "" : " ") + shell_word(a);
        if (!shell.empty()) out << "    " << shell << "\n";
      }
    }
    out << "vtrun: press Ctrl-C (or run `vtrun stop`) to close them and exit\n" << std::flush;
  }
  while (!stop()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  close_all();
}

void KeptTestbeds::close_all() noexcept {
  std::vector<Kept> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(kept_);
  }
  for (auto& k : all) {
    for (auto& m : k.machines) m.testbed->close();  // ends vtctl commands, then the server
    k.server.reset();
  }
}

}  // namespace vt::core
