// `vtrun cartesian`: what a Cartesian .cfg expands to, printed as Avocado-VT's
// cartesian_config.py prints it. Dicts are written as they are generated, so
// `vtrun cartesian tests.cfg | head` answers at once even for a matrix of ~10^9 dicts.
#include <csignal>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/stdout_lines.h"
#include "vt/core/cartesian.h"

namespace vt::core::cli {

namespace {

namespace cartesian = vt::core::cartesian;

struct CartesianArgs {
  std::string file;
  std::vector<std::string> statements;
  bool contents = false;
  bool fullname = false;
  bool defaults = false;
  std::string expand;
  bool keep_dups = false;
};

// `-e "a, b"` as cartesian_config.py splits it: on commas, each name trimmed.
std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> names;
  if (text.empty()) return names;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    std::string name = text.substr(start, comma == std::string::npos ? comma : comma - start);
    const std::size_t first = name.find_first_not_of(" \t\n\r\f\v");
    const std::size_t last = name.find_last_not_of(" \t\n\r\f\v");
    names.push_back(first == std::string::npos ? "" : name.substr(first, last - first + 1));
    if (comma == std::string::npos) return names;
    start = comma + 1;
  }
}

// `FILE:LINE: kind: message`, the reference's line -1 meaning the error surfaced at the end.
std::string describe(const cartesian::Error& e) {
  std::string out;
  if (!e.filename().empty()) {
    out = e.filename() + ":";
    if (e.linenum() == -1)
      out += "end of input: ";
    else if (e.linenum() > 0)
      out += std::to_string(e.linenum()) + ": ";
    else
      out += " ";
  }
  out += std::string(cartesian::to_string(e.kind())) + ": " + e.message();
  if (!e.line_text().empty()) out += "\n    " + e.line_text();
  return out;
}

int run_cartesian(const CartesianArgs& args) {
  // Nothing to clean up here, so Ctrl-C may end vtrun at once, even while the engine searches
  // a large tree between two dicts (vtrun's own handler only sets a flag for `run`).
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  cartesian::Options options;
  options.defaults = args.defaults;
  options.expand_defaults = split_names(args.expand);
  options.skip_dups = !args.keep_dups;

  StdoutLines out;
  try {
    cartesian::Config config(options);
    config.parse_file(args.file);
    for (const auto& statement : args.statements) config.parse_string(statement);
    std::uint64_t number = 0;
    config.for_each(
        [&](const cartesian::Dict& dict) {
          std::string text = cartesian::format_dict(++number, dict, args.fullname, args.contents);
          if (!text.empty() && text.back() == '\n') text.pop_back();
          return out.write(text);
        },
        args.contents ? cartesian::Detail::full : cartesian::Detail::names);
  } catch (const cartesian::Error& e) {
    out.flush();  // the dicts before an error while generating, as the reference prints them
    std::cerr << "vtrun: error: " << describe(e) << "\n";
    return exit_usage;
  }
  return listing_status(out);
}

}  // namespace

Command add_cartesian_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "cartesian",
      "print the dicts an Avocado-VT Cartesian config (.cfg) expands to, as Avocado-VT's "
      "cartesian_config.py does");
  auto args = std::make_shared<CartesianArgs>();
  sub->add_option("file", args->file, "the .cfg file; relative includes resolve from its folder")
      ->required()
      ->check(CLI::ExistingFile)
      ->type_name("FILE");
  sub->add_option("statements", args->statements,
                  "statements parsed after FILE, each as its own text, e.g. \"only qcow2\" "
                  "\"mem = 2048\" (put `--` before any that starts with `-`)")
      ->type_name("STATEMENT");
  sub->add_flag("-c,--contents", args->contents, "print every key and value of each dict");
  sub->add_flag("-f,--fullname", args->fullname, "print full dict names instead of short names");
  sub->add_flag("-d,--defaults", args->defaults,
                "expand only the default variant of each variants block that has one");
  sub->add_option("-e,--expand", args->expand,
                  "with -d: variants blocks to expand in full anyway, by name: \"name, name\"")
      ->type_name("NAMES");
  sub->add_flag("-s,--skip-dups", args->keep_dups,
                "don't drop variables with different suffixes and same value: keys made by "
                "`suffix` keep their suffixes");
  sub->footer(
      "Output: `dict N: NAME` per dict (the short name unless -f), and with -c one `    key = "
      "value` line per key, sorted. Errors print `vtrun: error: FILE:LINE: KIND: MESSAGE` and "
      "exit with 2.\n\n"
      "Example:\n"
      "  vtrun cartesian -f -c tests.cfg \"only qcow2\" \"no smp2\" | less");
  return {sub, [args](Context&) { return run_cartesian(*args); }};
}

}  // namespace vt::core::cli
