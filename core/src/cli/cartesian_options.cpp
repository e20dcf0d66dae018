#include "cli/cartesian_options.h"

namespace vt::core::cli {

void CartesianOptions::add_to(CLI::App* sub) {
  app_ = sub;
  // One value per option, so that what follows is a selector again (as with --tags).
  only_ = sub->add_option("--only", only_values_,
                          "Cartesian providers: keep the dicts matching FILTER (`only FILTER`), "
                          "repeatable")
              ->type_name("FILTER")
              ->allow_extra_args(false);
  no_ = sub->add_option("--no", no_values_,
                        "Cartesian providers: drop the dicts matching FILTER (`no FILTER`), "
                        "repeatable")
            ->type_name("FILTER")
            ->allow_extra_args(false);
  raw_ = sub->add_option("--cartesian", raw_values_,
                         "Cartesian providers: a statement added after their configuration, "
                         "e.g. 'mem = 2048'; repeatable")
             ->type_name("STATEMENT")
             ->allow_extra_args(false);
}

std::vector<std::string> CartesianOptions::statements() const {
  // Order matters (`mem = 1` then `only x` is not `only x` then `mem = 1` inside blocks that
  // test the value), and CLI11 keeps each option's values apart: its parse order joins them.
  std::vector<std::string> out;
  std::size_t only = 0, no = 0, raw = 0;
  for (const CLI::Option* option : app_->parse_order()) {
    if (option == only_ && only < only_values_.size())
      out.push_back("only " + only_values_[only++]);
    else if (option == no_ && no < no_values_.size())
      out.push_back("no " + no_values_[no++]);
    else if (option == raw_ && raw < raw_values_.size())
      out.push_back(raw_values_[raw++]);
  }
  return out;
}

}  // namespace vt::core::cli
