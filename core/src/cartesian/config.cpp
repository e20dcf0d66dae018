// The public face of the engine (vt/core/cartesian.h).
#include "cartesian/expander.h"
#include "cartesian/parser.h"
#include "vt/core/cartesian.h"

namespace vt::core::cartesian {

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::parser:
      return "ParserError";
    case ErrorKind::lexer:
      return "LexerError";
    case ErrorKind::missing_include:
      return "MissingIncludeError";
    case ErrorKind::value:
      return "ValueError";
    case ErrorKind::runtime:
      return "RuntimeError";
  }
  return "Error";
}

namespace {
std::string describe(ErrorKind kind, const std::string& message, const std::string& line_text) {
  std::string out = std::string(to_string(kind)) + ": " + message;
  if (!line_text.empty()) out += ": '" + line_text + "'";
  return out;
}
}  // namespace

Error::Error(ErrorKind kind, std::string message, std::string line_text, std::string filename,
             int linenum)
    : sdk::ConfigError(filename.empty() ? std::string("<cartesian>") : filename, linenum,
                       describe(kind, message, line_text)),
      kind_(kind),
      message_(std::move(message)),
      line_text_(std::move(line_text)),
      filename_(std::move(filename)),
      linenum_(linenum) {}

Error::~Error() = default;

Dict::~Dict() = default;

struct Config::Impl {
  Options options;
  Model model;
};

Config::Config(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Config::~Config() = default;

void Config::parse_file(const std::filesystem::path& file) {
  Parser(impl_->model, impl_->options).parse_file(file);
}

void Config::parse_text(std::string_view text, const std::filesystem::path& file) {
  Parser(impl_->model, impl_->options).parse_text(std::string(text), file);
}

void Config::parse_string(std::string_view text) {
  Parser(impl_->model, impl_->options).parse_string(text);
}

namespace {
// The outermost generator: merges suffixed keys before a dict leaves the engine.
struct TopSink : Expander::Sink {
  const std::function<bool(const Dict&)>& user;
  bool skip_dups;
  std::uint64_t delivered = 0;
  TopSink(const std::function<bool(const Dict&)>& u, bool s) : user(u), skip_dups(s) {}
  bool take(FlatDict& d) override {
    ++delivered;
    if (d.tuple_keys() > 0) return user(*drop_suffixes(d, skip_dups));
    return user(d);
  }
};
}  // namespace

std::uint64_t Config::for_each(const std::function<bool(const Dict&)>& sink, Detail detail) {
  Expander expander(impl_->model, impl_->options, detail);
  TopSink top(sink, impl_->options.skip_dups);
  expander.run(top);
  return top.delivered;
}

std::string format_dict(std::uint64_t number, const Dict& dict, bool fullname, bool contents) {
  std::string out = "dict " + std::to_string(number) + ": ";
  out.append(fullname ? dict.name() : dict.shortname());
  out += '\n';
  if (contents) {
    dict.visit_items([&](std::string_view key, std::string_view value) {
      out.append("    ").append(key).append(" = ").append(value).append("\n");
    });
  }
  return out;
}

}  // namespace vt::core::cartesian
