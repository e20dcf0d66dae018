// `--only`, `--no` and `--cartesian` of `list` and `run`: Cartesian statements added after
// each Cartesian provider's own configuration, in the order they were given.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace vt::core::cli {

class CartesianOptions {
 public:
  /// Adds the three options to `sub`; this object must outlive its parsing.
  void add_to(CLI::App* sub);

  /// `only X`, `no X` and raw statements, in command-line order (call after parsing).
  std::vector<std::string> statements() const;

 private:
  CLI::App* app_ = nullptr;
  CLI::Option* only_ = nullptr;
  CLI::Option* no_ = nullptr;
  CLI::Option* raw_ = nullptr;
  std::vector<std::string> only_values_;
  std::vector<std::string> no_values_;
  std::vector<std::string> raw_values_;
};

}  // namespace vt::core::cli
