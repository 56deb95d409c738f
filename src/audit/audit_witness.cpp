#include "lienthong/audit/audit_witness.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/json_text.hpp"
#include "lienthong/core/timestamp.hpp"

#include "record_rows.hpp"

namespace lienthong::audit {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "lienthong-audit-witness/1";
constexpr std::string_view kSuffix = ".witness.jsonl";
constexpr std::size_t kMaxLineBytes = 4'096;

// A name as a file name's part: only [A-Za-z0-9._-] as is, every other byte
// as %XX, and never "." or "..".
std::string escaped(std::string_view node) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string name;
  for (const char c : node) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '.' || c == '_' || c == '-') {
      name.push_back(c);
    } else {
      name.push_back('%');
      name.push_back(kHex[byte >> 4]);
      name.push_back(kHex[byte & 0xF]);
    }
  }
  // A node named "." or ".." must not name a directory.
  if (!name.empty() && name.find_first_not_of('.') == std::string::npos)
    name.replace(0, 1, "%2E");
  return name;
}

[[noreturn]] void fail(const std::filesystem::path& path, const char* doing) {
  throw std::runtime_error("witness " + path.string() + ": cannot " + doing + ": " +
                           std::strerror(errno));
}

// What a checkpoint line states of its head, and when it was signed (0 when
// it does not say).
struct LineHead {
  VerifiedHead head;
  std::int64_t signed_at_micros = 0;
};

// The head a line states, when it is a checkpoint line (not the header,
// nor a line cut short).
std::optional<LineHead> head_from_line(const std::string& line) {
  // A checkpoint line is one flat object of a few hundred bytes. The
  // directory may be shared with other hosts: a line built to exhaust the
  // parser's stack or memory is only an unreadable line.
  if (line.size() > kMaxLineBytes || exceeds_json_depth(line, 1))
    return std::nullopt;
  const auto entry = json::parse(line, nullptr, false);
  if (entry.is_discarded() || !entry.is_object())
    return std::nullopt;
  const auto chain = entry.find("chain");
  const auto seq = entry.find("seq");
  const auto hash = entry.find("record_hash");
  if (chain == entry.end() || !chain->is_string() || chain->get<std::string>().empty() ||
      seq == entry.end() || !seq->is_number_integer() || seq->get<std::int64_t>() < 0 ||
      hash == entry.end() || !hash->is_string() || !is_chain_link(hash->get<std::string>()))
    return std::nullopt;
  const auto at = entry.find("signed_at_micros");
  return LineHead{{chain->get<std::string>(), seq->get<std::int64_t>(), hash->get<std::string>()},
                  at != entry.end() && at->is_number_integer() ? at->get<std::int64_t>() : 0};
}

// A checkpoint line has no "format".
bool is_header(const std::string& line) {
  return line.find("\"format\":\"lienthong-audit-witness/") != std::string::npos;
}

void write_all(int fd, const std::string& bytes, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fail(path, "write");
    }
    done += static_cast<std::size_t>(n);
  }
}

// Closes on every path out of append().
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

WitnessLog::WitnessLog(std::filesystem::path directory, std::string node)
    : directory_(std::move(directory)), node_(std::move(node)) {}

std::filesystem::path WitnessLog::path(std::string_view chain) const {
  // '+' is escaped in names, so "<node>+<chain>" is nobody's own file.
  return directory_ /
         (escaped(node_) + (chain == node_ ? "" : "+" + escaped(chain)) + std::string(kSuffix));
}

std::int64_t WitnessLog::last_seq(std::string_view chain) {
  auto it = last_seq_.find(chain);
  if (it == last_seq_.end())
    it = last_seq_.emplace(std::string(chain), read_last_seq(path(chain), chain)).first;
  return it->second;
}

// Reads the file's end, a wider window only when the last one held no
// whole checkpoint line of `chain`: the file grows for years, only its end
// matters. Lines of other chains (files written before each chain had its
// own) are not this chain's.
std::int64_t WitnessLog::read_last_seq(const std::filesystem::path& file,
                                       std::string_view chain) const {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (std::filesystem::exists(file))
      fail(file, "read");
    return -1;  // not written yet
  }
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::int64_t>(in.tellg());
  for (std::int64_t window = 64 * 1024;; window *= 4) {
    const std::int64_t start = std::max<std::int64_t>(0, size - window);
    std::string text(static_cast<std::size_t>(size - start), '\0');
    in.seekg(start);
    if (!in.read(text.data(), static_cast<std::streamsize>(text.size())))
      fail(file, "read");
    std::int64_t last = -1;
    std::size_t begin = 0;
    if (start > 0)  // the window's first line is cut
      begin = std::min(text.find('\n'), text.size() - 1) + 1;
    while (begin < text.size()) {
      const auto end = std::min(text.find('\n', begin), text.size());
      const auto line = head_from_line(text.substr(begin, end - begin));
      if (line && line->head.node == chain)
        last = std::max(last, line->head.seq);
      begin = end + 1;
    }
    if (last >= 0 || start == 0)
      return last;
  }
}

void WitnessLog::append(const std::vector<WitnessedCheckpoint>& checkpoints) {
  std::map<std::string_view, std::vector<const WitnessedCheckpoint*>> by_chain;
  for (const auto& c : checkpoints)
    by_chain[c.chain].push_back(&c);
  for (const auto& [chain, lines] : by_chain)
    append_to(chain, lines);
}

void WitnessLog::append_to(std::string_view chain,
                           const std::vector<const WitnessedCheckpoint*>& checkpoints) {
  const auto file = path(chain);
  const std::int64_t before = last_seq(chain);
  const FileDescriptor fd(::open(file.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (fd.get() < 0)
    fail(file, "open");
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0)
    fail(file, "stat");
  std::string lines;
  const bool created = status.st_size == 0;
  if (created) {
    lines = json{{"format", kFormat}, {"node", node_}, {"chain", chain}}.dump() + "\n";
  } else {
    // A line cut short by a crash stays as it is (readers skip it); the
    // next one starts on a line of its own.
    char last = '\n';
    if (::pread(fd.get(), &last, 1, status.st_size - 1) != 1)
      fail(file, "read");
    if (last != '\n')
      lines = "\n";
  }
  std::int64_t highest = before;
  for (const WitnessedCheckpoint* c : checkpoints) {
    json line{{"chain", c->chain},
              {"seq", c->seq},
              {"record_hash", c->record_hash},
              {"signed_at", to_rfc3339(from_micros(c->signed_at_micros))},
              {"signed_at_micros", c->signed_at_micros},
              {"key_id", c->key_id},
              {"signature", c->signature}};
    if (!c->sealed.root.empty()) {
      line["from_seq"] = c->sealed.from_seq;
      line["records_root"] = c->sealed.root;
    }
    lines += line.dump() + "\n";
    highest = std::max(highest, c->seq);
  }
  write_all(fd.get(), lines, file);
  if (::fsync(fd.get()) != 0)
    fail(file, "flush to disk");
  if (created) {
    // The new file's name must survive a crash too.
    const FileDescriptor directory(::open(directory_.c_str(), O_RDONLY | O_CLOEXEC));
    if (directory.get() < 0 || ::fsync(directory.get()) != 0)
      fail(directory_, "flush to disk");
  }
  last_seq_.insert_or_assign(std::string(chain), highest);
}

WitnessReading read_witnesses(const std::filesystem::path& directory,
                              std::optional<TimePoint> signed_before) {
  // Everything when no time is given.
  const std::int64_t before_micros =
      signed_before ? to_micros(*signed_before) : std::numeric_limits<std::int64_t>::max();
  WitnessReading reading;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    const auto name = entry.path().filename().string();
    if (entry.is_regular_file() && name.ends_with(kSuffix))
      files.push_back(entry.path());
  }
  if (ec) {
    throw std::runtime_error("witness directory " + directory.string() +
                             " cannot be read: " + ec.message());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    if (!in)
      throw std::runtime_error("witness " + path.string() + " cannot be read");
    ++reading.files;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || is_header(line))  // the header, written by append()
        continue;
      auto read = head_from_line(line);
      if (!read) {
        ++reading.unreadable_lines;
      } else if (read->signed_at_micros >= before_micros) {
        ++reading.too_recent;
      } else {
        reading.heads.push_back(std::move(read->head));
      }
    }
  }
  return reading;
}

std::optional<TimePoint> standby_horizon(pqxx::transaction_base& tx) {
  const auto row =
      tx.exec1("SELECT pg_is_in_recovery(), " + micros_column("pg_last_xact_replay_timestamp()"));
  if (!row[0].as<bool>())
    return std::nullopt;
  if (row[1].is_null())  // nothing replayed since it started: no promise at all
    return TimePoint{};
  return from_micros(row[1].as<std::int64_t>()) - std::chrono::minutes(1);
}

}  // namespace lienthong::audit
