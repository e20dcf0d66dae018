#include "providers/archive_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

struct ReadCloser {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
struct WriteCloser {
  void operator()(archive* a) const noexcept { archive_write_free(a); }
};

// `path` is relative and stays below its root once normalised: no `..`, no absolute part.
bool stays_inside(const fs::path& path) {
  if (path.empty() || path.is_absolute() || path.has_root_name() || path.has_root_directory())
    return false;
  for (const auto& part : path)
    if (part == "..") return false;
  return true;
}

// A symlink `entry -> target`: the target, resolved from the entry's directory, stays inside.
bool link_target_stays_inside(const fs::path& entry, const fs::path& target) {
  if (target.empty() || target.is_absolute()) return false;
  int depth = 0;
  for (const auto& part : entry.parent_path()) {
    if (part == "." || part.empty()) continue;
    ++depth;
  }
  for (const auto& part : target) {
    if (part == "." || part.empty()) continue;
    depth += part == ".." ? -1 : 1;
    if (depth < 0) return false;
  }
  return true;
}

[[noreturn]] void refuse(const fs::path& archive, const std::string& entry,
                         const std::string& why) {
  throw sdk::ConfigError("archive '" + archive.string() + "': entry '" + entry + "' " + why +
                         " — refusing the whole archive; nothing was extracted");
}

void check_entry(const fs::path& archive, archive_entry* entry) {
  const char* raw = archive_entry_pathname(entry);
  const std::string name = raw != nullptr ? raw : "";
  const fs::path path(name);
  if (!stays_inside(path)) refuse(archive, name, "is an absolute path or has '..' in it");
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
    case AE_IFDIR:
      break;
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(entry);
      if (target == nullptr || !link_target_stays_inside(path, target))
        refuse(archive, name,
               std::string("is a symbolic link to '") + (target != nullptr ? target : "") +
                   "', outside the archive");
      break;
    }
    default:
      refuse(archive, name, "is a device file, FIFO or socket");
  }
  if (const char* hard = archive_entry_hardlink(entry);
      hard != nullptr && !stays_inside(fs::path(hard)))
    refuse(archive, name, std::string("is a hard link to '") + hard + "', outside the archive");
}

void copy_data(const fs::path& archive_path, archive* in, archive* out, ExtractReport& report) {
  const void* buffer = nullptr;
  std::size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    const int r = archive_read_data_block(in, &buffer, &size, &offset);
    if (r == ARCHIVE_EOF) return;
    if (r < ARCHIVE_OK)
      throw sdk::Error("archive '" + archive_path.string() + "': " + archive_error_string(in));
    if (archive_write_data_block(out, buffer, size, offset) < ARCHIVE_OK)
      throw sdk::Error("archive '" + archive_path.string() + "': " + archive_error_string(out));
    report.bytes += size;
  }
}

// Links through links (`a -> .`, `b -> a/..`) pass any check of one target's text: once all
// are on disk, every link must resolve inside the root.
void check_links_on_disk(const fs::path& archive, const fs::path& root) {
  const fs::path real_root = fs::canonical(root);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_symlink(ec)) continue;
    const fs::path resolved = fs::weakly_canonical(it->path(), ec);
    const auto rel = resolved.lexically_relative(real_root);
    if (ec || rel.empty() || *rel.begin() == "..")
      refuse(archive, it->path().lexically_relative(root).string(),
             "is a symbolic link that resolves outside the archive (through another link)");
  }
}

}  // namespace

ExtractReport extract_archive(const fs::path& archive_path, const fs::path& dest) {
  std::error_code ec;
  if (fs::exists(dest, ec))
    throw sdk::Error("cannot extract '" + archive_path.string() + "' into '" + dest.string() +
                     "': it exists already");
  std::unique_ptr<archive, ReadCloser> in(archive_read_new());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_zip(in.get());
  archive_read_support_filter_all(in.get());
  if (archive_read_open_filename(in.get(), archive_path.c_str(), 64 * 1024) != ARCHIVE_OK)
    throw sdk::Error("cannot read archive '" + archive_path.string() +
                     "': " + archive_error_string(in.get()));

  fs::create_directories(dest.parent_path(), ec);
  std::string temp_pattern =
      (dest.parent_path() / (dest.filename().string() + ".partial-XXXXXX")).string();
  if (mkdtemp(temp_pattern.data()) == nullptr)
    throw sdk::Error("cannot create a directory next to '" + dest.string() + "'");
  const fs::path temp(temp_pattern);
  struct RemoveUnlessDone {
    const fs::path& dir;
    bool done = false;
    ~RemoveUnlessDone() {
      std::error_code ignored;
      if (!done) fs::remove_all(dir, ignored);
    }
  } cleanup{temp};

  std::unique_ptr<archive, WriteCloser> out(archive_write_disk_new());
  // libarchive's own guards too, in case a check above misses a case. (Not its absolute-path
  // guard: entries are rewritten to absolute paths under the temporary directory, after
  // check_entry refused absolute names.)
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  ExtractReport report;
  archive_entry* entry = nullptr;
  for (;;) {
    const int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN)
      throw sdk::Error("archive '" + archive_path.string() +
                       "' is damaged: " + archive_error_string(in.get()));
    check_entry(archive_path, entry);
    const std::string name = archive_entry_pathname(entry);
    archive_entry_set_pathname(entry, (temp / name).c_str());
    if (const char* hard = archive_entry_hardlink(entry))
      archive_entry_set_hardlink(entry, (temp / hard).c_str());
    if (archive_write_header(out.get(), entry) < ARCHIVE_OK)
      throw sdk::Error("archive '" + archive_path.string() + "': entry '" + name +
                       "': " + archive_error_string(out.get()));
    if (archive_entry_size(entry) > 0) copy_data(archive_path, in.get(), out.get(), report);
    if (archive_write_finish_entry(out.get()) < ARCHIVE_OK)
      throw sdk::Error("archive '" + archive_path.string() + "': entry '" + name +
                       "': " + archive_error_string(out.get()));
    ++report.entries;
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK)
    throw sdk::Error("archive '" + archive_path.string() + "': " + archive_error_string(out.get()));
  check_links_on_disk(archive_path, temp);
  fs::rename(temp, dest, ec);
  if (ec)
    throw sdk::Error("cannot move the extracted '" + archive_path.string() + "' to '" +
                     dest.string() + "': " + ec.message());
  cleanup.done = true;
  return report;
}

}  // namespace vt::core
