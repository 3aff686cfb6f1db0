// Kizuna. The telemetry shipper (shipper.h).
#include "kizuna/bus/shipper.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <thread>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/bus/messages.h"

namespace kizuna::bus {
namespace {

// Room left in a message for the header lines.
constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr size_t kMaxBatchBytes = static_cast<size_t>(kMaxPayloadBytes) - kMaxHeaderBytes;

// Closes a file descriptor on destruction.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Zeek TSV header lines start with '#'; a '#separator' line starts a new header, '#close'
// ends a file and is no header.
void ApplyHeaderLine(std::string_view line, std::string& header) {
  if (line.starts_with("#close")) return;
  if (line.starts_with("#separator")) header.clear();
  if (header.size() + line.size() <= kMaxHeaderBytes) header.append(line);
}

std::string BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

Shipper::Shipper(Bus& bus, ShipOptions options) : bus_(bus), options_(std::move(options)) {
  for (const std::string& path : options_.inputs) inputs_.push_back(Input{path, 0, 0, {}});
  summary_.inputs = static_cast<int64_t>(inputs_.size());
}

absl::Status Shipper::ReadState() {
  if (options_.state_path.empty() || ::access(options_.state_path.c_str(), F_OK) != 0)
    return absl::OkStatus();
  KZ_ASSIGN_OR_RETURN(simdjson::padded_string text,
                      ReadFile(options_.state_path, kMaxShipStateBytes));
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  const boost::json::object* o = ec ? nullptr : v.if_object();
  const boost::json::object* inputs = nullptr;
  if (o != nullptr && o->contains("kizuna_ship_state") && o->contains("inputs"))
    inputs = o->at("inputs").if_object();
  if (inputs == nullptr) {
    return absl::InvalidArgumentError(
        StrCat(options_.state_path, ": not a state file of kizuna ship"));
  }
  for (Input& in : inputs_) {
    const boost::json::value* saved = inputs->if_contains(in.path);
    if (saved == nullptr || !saved->is_object()) continue;
    const boost::json::object& s = saved->as_object();
    const boost::json::value* inode = s.if_contains("inode");
    const boost::json::value* offset = s.if_contains("offset");
    const boost::json::value* header = s.if_contains("header");
    if (inode == nullptr || offset == nullptr || header == nullptr || !inode->is_number() ||
        !offset->is_number() || !header->is_string()) {
      return absl::InvalidArgumentError(
          StrCat(options_.state_path, ": input ", in.path, ": inode, offset or header missing"));
    }
    in.inode = inode->to_number<uint64_t>();
    in.offset = offset->to_number<uint64_t>();
    in.header = std::string(header->as_string().data(), header->as_string().size());
  }
  return absl::OkStatus();
}

absl::Status Shipper::WriteState() {
  if (options_.state_path.empty()) return absl::OkStatus();
  boost::json::object inputs;
  for (const Input& in : inputs_) {
    inputs[in.path] = {{"inode", in.inode}, {"offset", in.offset}, {"header", in.header}};
  }
  boost::json::object o{{"kizuna_ship_state", 1}, {"inputs", std::move(inputs)}};
  return WriteFileAtomically(options_.state_path, boost::json::serialize(o) + "\n");
}

absl::Status Shipper::ShipNext(Input& in, bool* shipped) {
  *shipped = false;
  Fd f{::open(in.path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return FileError(in.path, errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return FileError(in.path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (in.inode != static_cast<uint64_t>(st.st_ino) || size < in.offset) {
    if (in.inode != 0) ++summary_.rotated;
    in = Input{in.path, static_cast<uint64_t>(st.st_ino), 0, {}};
  }
  if (size == in.offset) return absl::OkStatus();
  std::string data(static_cast<size_t>(std::min<uint64_t>(size - in.offset, kMaxBatchBytes)), '\0');
  const ssize_t n = ::pread(f.fd, data.data(), data.size(), static_cast<off_t>(in.offset));
  if (n < 0) return FileError(in.path, errno);
  data.resize(static_cast<size_t>(n));
  // Whole lines only, at most batch_records records.
  std::string header = in.header;
  size_t end = 0;
  int64_t records = 0;
  while (end < data.size() && records < options_.batch_records) {
    const size_t nl = data.find('\n', end);
    if (nl == std::string::npos) break;
    const std::string_view line(data.data() + end, nl + 1 - end);
    if (line.starts_with("#")) {
      ApplyHeaderLine(line, header);
    } else if (line.size() > 1) {
      ++records;
    }
    end = nl + 1;
  }
  if (end == 0) {
    if (data.size() < kMaxBatchBytes) return absl::OkStatus();  // a partial line: wait for its end
    // A line longer than a message: skip it whole.
    const size_t nl = data.find('\n');
    ++summary_.too_long;
    in.offset += nl == std::string::npos ? data.size() : nl + 1;
    *shipped = true;
    return WriteState();
  }
  const std::string payload = StrCat(in.header, std::string_view(data.data(), end));
  const int64_t now_us = SystemClock().NowMicros();
  const Headers headers = {{kHeaderInput, BaseName(in.path)},
                           {kHeaderFormat, options_.format},
                           {kHeaderRecords, StrCat(records)},
                           {kHeaderShipped, StrCat(now_us)}};
  const std::string id =
      StrCat(options_.sensor, ":", in.path, ":", in.inode, ":", in.offset, "-", in.offset + end);
  KZ_ASSIGN_OR_RETURN(PublishAck ack, bus_.Publish(kTelemetrySubject, payload, headers, id));
  in.offset += end;
  in.header = std::move(header);
  ++summary_.batches;
  summary_.records += records;
  summary_.bytes += static_cast<int64_t>(end);
  if (ack.duplicate) ++summary_.duplicates;
  *shipped = true;
  return WriteState();
}

absl::Status Shipper::Run() {
  if (options_.batch_records < 1 || options_.batch_records > kMaxBatchRecords) {
    return absl::InvalidArgumentError(
        StrCat("batch of ", options_.batch_records, " records: expected 1 to ", kMaxBatchRecords));
  }
  KZ_RETURN_IF_ERROR(ReadState());
  KZ_RETURN_IF_ERROR(bus_.EnsureStream(TelemetryStreamSpec()));
  const int64_t start_us = SystemClock().NowMicros();
  auto stopped = [this] { return options_.stop != nullptr && options_.stop->load(); };
  while (!stopped()) {
    bool any = false;
    for (Input& in : inputs_) {
      bool shipped = false;
      KZ_RETURN_IF_ERROR(ShipNext(in, &shipped));
      any = any || shipped;
      const int64_t now = SystemClock().NowMicros();
      summary_.seconds = static_cast<double>(now - start_us) / 1e6;
      if (on_progress && now - last_progress_us_ >= progress_ms * 1000) {
        last_progress_us_ = now;
        on_progress(summary_);
      }
      if (stopped()) break;
    }
    if (!any) {
      if (!options_.follow) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.poll_ms));
    }
  }
  summary_.seconds = static_cast<double>(SystemClock().NowMicros() - start_us) / 1e6;
  return absl::OkStatus();
}

}  // namespace kizuna::bus
