// The reference's operators (LSet, LAppend, … LDel, LApplyPreDict, LUpdateFileMap, Suffix),
// `${}` substitution, postfix_parse() and drop_suffixes(), on FlatDict.
#include <cmath>
#include <cstdlib>

#include "cartesian/flat_dict.h"
#include "cartesian/regex.h"
#include "cartesian/text.h"

namespace vt::core::cartesian {

Op make_assignment(Model& model, T op_token, std::string key, std::string value) {
  Op op;
  switch (op_token) {
    case T::op_append:
      op.kind = OpKind::append;
      break;
    case T::op_prepend:
      op.kind = OpKind::prepend;
      break;
    case T::op_lazy_set:
      op.kind = OpKind::lazy_set;
      break;
    case T::op_regex_set:
      op.kind = OpKind::regex_set;
      break;
    case T::op_regex_append:
      op.kind = OpKind::regex_append;
      break;
    case T::op_regex_prepend:
      op.kind = OpKind::regex_prepend;
      break;
    default:
      op.kind = OpKind::set;
      break;
  }
  if (op.kind == OpKind::set || op.kind == OpKind::append || op.kind == OpKind::prepend ||
      op.kind == OpKind::lazy_set)
    op.key = model.keys.intern(key);
  op.name = std::move(key);
  op.value.has_dollar = value.find('$') != std::string::npos;
  op.value.text = std::move(value);
  return op;
}

bool regex_key_matches(const Op& op, std::string_view key) {
  return full_key_match(op.name, op.regex, key);
}

namespace {

// `${KEY}` substitution: values from the dict as it is now; the first unknown key stops it.
std::string_view substitute(const Template& t, FlatDict& d, bool skip_dups) {
  if (!t.has_dollar) return t.text;
  std::unique_ptr<FlatDict> flat;
  const FlatDict* lookup = &d;
  if (d.tuple_keys() > 0) {
    flat = drop_suffixes(d, skip_dups);
    lookup = flat.get();
  }
  const std::string_view value = t.text;
  std::string out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t p = value.find("${", start);
    if (p == std::string_view::npos || p + 3 > value.size()) break;
    const std::size_t q = value.find('}', p + 3);
    if (q == std::string_view::npos) break;
    const auto v = lookup->get(value.substr(p + 2, q - p - 2));
    if (!v) break;
    out.append(value.substr(start, p - start));
    out.append(*v);
    start = q + 1;
  }
  out.append(value.substr(start));
  return d.arena().store(out);
}

// Keys of `d` (not reserved) that re.match(pattern + "$") accepts, in insertion order.
std::vector<Id> matching_keys(const Op& op, const FlatDict& d) {
  std::vector<Id> out;
  if (is_literal_pattern(op.name) && d.tuple_keys() == 0) {
    if (auto id = d.keys().find(op.name); id && !KeyTable::reserved(*id) && d.has(*id))
      out.push_back(*id);
    return out;
  }
  d.for_each_entry([&](Id k, std::string_view) {
    if (regex_key_matches(op, d.keys()[k].text)) out.push_back(k);
  });
  return out;
}

void update_file_map(FlatDict::FileMap& m, const Op& op, Arena& arena) {
  m.present = true;
  for (auto& [file, names] : m.entries) {
    if (file.data() == op.file.data()) {  // both interned in the model
      names = arena.store(op.name, ".", names);
      return;
    }
  }
  m.entries.emplace_back(op.file, op.name);
}

}  // namespace

void apply_op(const Op& op, FlatDict& d, bool skip_dups) {
  switch (op.kind) {
    case OpKind::set:
      if (!KeyTable::reserved(op.key)) d.set(op.key, substitute(op.value, d, skip_dups));
      break;
    case OpKind::append:
      if (!KeyTable::reserved(op.key)) {
        const std::string_view v = substitute(op.value, d, skip_dups);
        d.set(op.key, d.has(op.key) ? d.arena().store(d.value(op.key), v) : v);
      }
      break;
    case OpKind::prepend:
      if (!KeyTable::reserved(op.key)) {
        const std::string_view v = substitute(op.value, d, skip_dups);
        d.set(op.key, d.has(op.key) ? d.arena().store(v, d.value(op.key)) : v);
      }
      break;
    case OpKind::lazy_set:
      if (!KeyTable::reserved(op.key) && !d.has(op.key))
        d.set(op.key, substitute(op.value, d, skip_dups));
      break;
    case OpKind::regex_set:
    case OpKind::regex_append:
    case OpKind::regex_prepend: {
      const std::string_view v = substitute(op.value, d, skip_dups);
      for (Id k : matching_keys(op, d)) {
        if (op.kind == OpKind::regex_set)
          d.set(k, v);
        else if (op.kind == OpKind::regex_append)
          d.set(k, d.arena().store(d.value(k), v));
        else
          d.set(k, d.arena().store(v, d.value(k)));
      }
      break;
    }
    case OpKind::del:
      for (Id k : matching_keys(op, d)) d.erase(k);
      break;
    case OpKind::pre_dict:
      for (const auto& [k, v] : op.pre) d.set(k, v);
      break;
    case OpKind::file_map:
      update_file_map(d.maps[0], op, d.arena());
      break;
    case OpKind::short_file_map:
      update_file_map(d.maps[1], op, d.arena());
      break;
    case OpKind::suffix:
      for (Id k : d.live_keys()) {
        const std::string_view v = d.value(k);
        const Id tuple = d.keys().intern_tuple(k, op.name);
        d.erase(k);
        d.set(tuple, v);
      }
      break;
  }
}

namespace {

[[noreturn]] void value_error(const std::string& message) {
  throw Error(ErrorKind::value, message, std::string(), std::string(), -1);
}

constexpr std::string_view size_units = "BbKkMmGgTt";

bool is_unit(char c) {
  return size_units.find(c) != std::string_view::npos;
}

// Python's int(): surrounding whitespace, a sign, digits with single '_' between them.
long double python_int(std::string_view s) {
  const std::string_view t = text::strip(s);
  std::size_t i = 0;
  bool negative = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) negative = t[i++] == '-';
  long double v = 0;
  bool digit = false, last_underscore = false;
  for (; i < t.size(); ++i) {
    if (t[i] >= '0' && t[i] <= '9') {
      v = v * 10 + (t[i] - '0');
      digit = true;
      last_underscore = false;
    } else if (t[i] == '_' && digit && !last_underscore) {
      last_underscore = true;
    } else {
      digit = false;
      break;
    }
  }
  if (!digit || last_underscore || i != t.size())
    value_error("invalid literal for int() with base 10: " + text::repr(s));
  return negative ? -v : v;
}

// Python's float() for the usual spellings (no underscores in exponents, which nobody writes).
long double python_float(std::string_view s) {
  std::string t(text::strip(s));
  std::string clean;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '_' && i > 0 && i + 1 < t.size() &&
        std::isdigit(static_cast<unsigned char>(t[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(t[i + 1])))
      continue;
    clean += t[i];
  }
  char* end = nullptr;
  const long double v = clean.empty() ? 0 : std::strtold(clean.c_str(), &end);
  const bool hex = clean.find_first_of("xX") != std::string::npos;
  if (clean.empty() || hex || end != clean.c_str() + clean.size())
    value_error("could not convert string to float: " + text::repr(s));
  return v;
}

long double data_size(std::string size) {
  if (size.empty()) value_error("cannot compare an empty size");  // the reference: IndexError
  long double order = 1;
  char unit = size.back();
  if (!is_unit(unit)) {
    size += 'M';
    unit = 'M';
  }
  switch (unit) {
    case 'K':
    case 'k':
      order = 1024.0L;
      break;
    case 'M':
    case 'm':
      order = 1024.0L * 1024;
      break;
    case 'G':
    case 'g':
      order = 1024.0L * 1024 * 1024;
      break;
    case 'T':
    case 't':
      order = 1024.0L * 1024 * 1024 * 1024;
      break;
    default:
      break;
  }
  const long double v = static_cast<double>(python_float(size.substr(0, size.size() - 1))) * order;
  if (std::isinf(v)) value_error("cannot convert float infinity to integer");
  if (std::isnan(v)) value_error("cannot convert float NaN to integer");
  return std::trunc(v);
}

int compare_string(std::string_view a, std::string_view b) {
  auto has_unit = [](std::string_view s) {
    return s.find_first_of(size_units) != std::string_view::npos;
  };
  long double x = 0, y = 0;
  if (has_unit(a) || has_unit(b)) {
    x = data_size(std::string(a));
    y = data_size(std::string(b));
  } else {
    x = python_int(a);
    y = python_int(b);
  }
  return x < y ? -1 : (x == y ? 0 : 1);
}

}  // namespace

void postfix_parse(FlatDict& d) {
  std::vector<std::pair<Id, std::string_view>> updates;  // a dict: first insertion keeps place
  auto put = [&](Id k, std::string_view v) {
    for (auto& [key, value] : updates)
      if (key == k) {
        value = v;
        return;
      }
    updates.emplace_back(k, v);
  };
  auto present = [&](Id k) { return KeyTable::reserved(k) ? d.reserved_present(k) : d.has(k); };
  auto current = [&](Id k) {
    return KeyTable::reserved(k) ? d.reserved_str(k) : std::string(d.value(k));
  };
  const KeyTable& keys = d.keys();
  d.for_each_postfix_entry([&](Id k, std::string_view v) {
    const auto& key = keys[k];
    const Id base = key.postfix_base;
    switch (key.postfix) {
      case KeyTable::Postfix::max:
        if (!present(base) || compare_string(current(base), v) > 0) put(base, v);
        break;
      case KeyTable::Postfix::min:
        if (!present(base) || compare_string(current(base), v) < 0) put(base, v);
        break;
      default:
        put(base, v);
        break;
    }
  });
  for (const auto& [k, v] : updates) {
    if (KeyTable::reserved(k))
      d.overrides[k] = std::string(v);
    else
      d.set(k, v);
  }
}

std::unique_ptr<FlatDict> drop_suffixes(const FlatDict& d, bool skip_dups) {
  auto flat = std::make_unique<FlatDict>(d);
  KeyTable& keys = d.keys();
  for (Id key : d.live_keys()) {
    if (!keys[key].tuple) continue;
    const Id base = keys[key].base;
    bool drop_all = true;
    if (skip_dups) {
      if (d.has(base) && d.value(base) == d.value(key)) {
        flat->erase(key);
        continue;
      }
      d.for_each_entry([&](Id k, std::string_view v) {
        if (drop_all && keys[k].base == base && v != d.value(key)) drop_all = false;
      });
    }
    Id new_key = base;
    if (!(skip_dups && drop_all)) {
      std::string merged = keys[base].text;
      for (Id k = key; keys[k].tuple; k = keys[k].parent) merged += keys[k].suffix;
      new_key = keys.intern(merged);
    }
    const std::string_view v = flat->value(key);
    flat->erase(key);
    flat->set(new_key, v);
  }
  return flat;
}

}  // namespace vt::core::cartesian
