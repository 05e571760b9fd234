#include "model/stored_record.hpp"

#include <vector>

#include "model/content_digest.hpp"

namespace live_origin::model {

namespace {

constexpr char separator = '\x1f';
constexpr std::string_view object_tag = "LOOBJ1";
constexpr std::string_view candidate_tag = "LOCAN1";
constexpr std::string_view timeline_tag = "LOTL01";
constexpr std::string_view state_tag = "LOST01";

void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}
void put_text(std::string& out, std::string_view text) {
  put_u64(out, text.size());
  out.append(text);
}

// Reads little-endian fields from a value, failing (not throwing) past its end.
class reader {
 public:
  explicit reader(std::string_view data) : data_(data) {}
  bool u64(std::uint64_t& value) {
    if (data_.size() < 8) return false;
    value = 0;
    for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(static_cast<unsigned char>(data_[i])) << (8 * i);
    data_.remove_prefix(8);
    return true;
  }
  bool i64(std::int64_t& value) {
    std::uint64_t raw = 0;
    if (!u64(raw)) return false;
    value = static_cast<std::int64_t>(raw);
    return true;
  }
  bool text(std::string_view& value) {
    std::uint64_t size = 0;
    if (!u64(size) || size > data_.size()) return false;
    value = data_.substr(0, size);
    data_.remove_prefix(size);
    return true;
  }
  bool done() const { return data_.empty(); }

 private:
  std::string_view data_;
};

// tag | checksum (XXH3-64 of the payload) | payload
std::string seal(std::string_view tag, const std::string& payload) {
  std::string out(tag);
  put_u64(out, content_digest(payload));
  out += payload;
  return out;
}

std::optional<std::string_view> unseal(std::string_view tag, std::string_view value) {
  if (value.size() < tag.size() + 8 || value.substr(0, tag.size()) != tag) return std::nullopt;
  value.remove_prefix(tag.size());
  std::uint64_t checksum = 0;
  reader header(value.substr(0, 8));
  header.u64(checksum);
  auto payload = value.substr(8);
  if (content_digest(payload) != checksum) return std::nullopt;
  return payload;
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (auto part : parts) {
    key.append(part);
    key.push_back(separator);
  }
  return key;
}

void put_candidate(std::string& payload, const object_record& record) {
  put_text(payload, record.object);
  put_text(payload, record.pipeline);
  put_u64(payload, record.digest);
  put_u64(payload, static_cast<std::uint64_t>(record.stored_at_ms));
  put_u64(payload, record.defects);
}

bool read_candidate(reader& in, object_record& record) {
  std::string_view object, pipeline;
  std::uint64_t defects = 0;
  if (!in.text(object) || !in.text(pipeline) || !in.u64(record.digest) || !in.i64(record.stored_at_ms) ||
      !in.u64(defects) || defects > 0xff)
    return false;
  record.object = object;
  record.pipeline = pipeline;
  record.defects = static_cast<std::uint8_t>(defects);
  return true;
}

}  // namespace

std::string encode_object_record(const object_record& record) {
  std::string payload;
  payload.reserve(record.body.size() + record.object.size() + 64);
  put_candidate(payload, record);
  put_text(payload, record.body);
  return seal(object_tag, payload);
}

std::optional<object_record> decode_object_record(std::string_view value) {
  auto payload = unseal(object_tag, value);
  if (!payload) return std::nullopt;
  reader in(*payload);
  object_record record;
  if (!read_candidate(in, record) || !in.text(record.body) || !in.done()) return std::nullopt;
  record.size = record.body.size();
  return record;
}

std::string encode_candidate_record(const object_record& record) {
  std::string payload;
  put_candidate(payload, record);
  put_u64(payload, record.body.size());
  return seal(candidate_tag, payload);
}

std::optional<object_record> decode_candidate_record(std::string_view value) {
  auto payload = unseal(candidate_tag, value);
  if (!payload) return std::nullopt;
  reader in(*payload);
  object_record record;
  if (!read_candidate(in, record) || !in.u64(record.size) || !in.done()) return std::nullopt;
  return record;
}

std::string encode_timeline_record(const timeline& line) {
  std::string payload;
  put_u64(payload, static_cast<std::uint64_t>(line.segment_duration_ms));
  put_u64(payload, line.start_number);
  put_u64(payload, static_cast<std::uint64_t>(line.availability_start_ms));
  return seal(timeline_tag, payload);
}

std::optional<timeline> decode_timeline_record(std::string_view value) {
  auto payload = unseal(timeline_tag, value);
  if (!payload) return std::nullopt;
  reader in(*payload);
  timeline line;
  if (!in.i64(line.segment_duration_ms) || !in.u64(line.start_number) || !in.i64(line.availability_start_ms) ||
      !in.done() || line.segment_duration_ms <= 0)
    return std::nullopt;
  return line;
}

std::string encode_stream_state_record(const stream_state_record& state) {
  std::string payload;
  put_u64(payload, static_cast<std::uint64_t>(state.policy.retry_budget_ms));
  put_u64(payload, static_cast<std::uint64_t>(state.policy.dvr_window_ms));
  put_u64(payload, static_cast<std::uint64_t>(state.policy.max_hold_ms));
  put_u64(payload, state.policy.live_window_segments);
  put_u64(payload, state.force_shedding ? 1 : 0);
  put_u64(payload, state.pipeline_order.size());
  for (const auto& id : state.pipeline_order) put_text(payload, id);
  put_u64(payload, state.masks.size());
  for (const auto& m : state.masks) {
    put_text(payload, m.pipeline);
    put_u64(payload, m.from);
    put_u64(payload, m.to);
  }
  put_u64(payload, state.events.size());
  for (const auto& [segment, text] : state.events) {
    put_u64(payload, segment);
    put_text(payload, text);
  }
  put_u64(payload, state.gone.size());
  for (const auto& name : state.gone) put_text(payload, name);
  put_u64(payload, state.deletes.size());
  for (const auto& [name, at] : state.deletes) {
    put_text(payload, name);
    put_u64(payload, static_cast<std::uint64_t>(at));
  }
  return seal(state_tag, payload);
}

std::optional<stream_state_record> decode_stream_state_record(std::string_view value) {
  auto payload = unseal(state_tag, value);
  if (!payload) return std::nullopt;
  reader in(*payload);
  stream_state_record state;
  std::uint64_t flag = 0, count = 0;
  if (!in.i64(state.policy.retry_budget_ms) || !in.i64(state.policy.dvr_window_ms) ||
      !in.i64(state.policy.max_hold_ms) || !in.u64(state.policy.live_window_segments) || !in.u64(flag))
    return std::nullopt;
  state.force_shedding = flag != 0;
  // Every count is checked against what is left, so a damaged count cannot ask for a huge allocation.
  auto list = [&](auto read_one) {
    if (!in.u64(count) || count > payload->size()) return false;
    for (std::uint64_t i = 0; i < count; ++i)
      if (!read_one()) return false;
    return true;
  };
  std::string_view text;
  bool ok = list([&] {
              if (!in.text(text)) return false;
              state.pipeline_order.emplace_back(text);
              return true;
            }) &&
            list([&] {
              stream_state_record::mask m;
              if (!in.text(text) || !in.u64(m.from) || !in.u64(m.to)) return false;
              m.pipeline = text;
              state.masks.push_back(std::move(m));
              return true;
            }) &&
            list([&] {
              std::uint64_t segment = 0;
              if (!in.u64(segment) || !in.text(text)) return false;
              state.events.emplace_back(segment, std::string(text));
              return true;
            }) &&
            list([&] {
              if (!in.text(text)) return false;
              state.gone.emplace_back(text);
              return true;
            }) &&
            list([&] {
              std::int64_t at = 0;
              if (!in.text(text) || !in.i64(at)) return false;
              state.deletes.emplace_back(std::string(text), at);
              return true;
            });
  if (!ok || !in.done()) return std::nullopt;
  return state;
}

std::string stream_key_prefix(std::string_view tenant, std::string_view stream) { return join({"s", tenant, stream}); }
std::optional<stream_name> record_stream(std::string_view key) {
  if (key.size() < 2 || (key[0] != 's' && key[0] != 'b') || key[1] != '\x1f') return std::nullopt;
  key.remove_prefix(2);
  auto end_tenant = key.find('\x1f');
  if (end_tenant == std::string_view::npos || end_tenant == 0) return std::nullopt;
  auto rest = key.substr(end_tenant + 1);
  auto end_stream = rest.find('\x1f');
  if (end_stream == std::string_view::npos || end_stream == 0) return std::nullopt;
  return stream_name{std::string(key.substr(0, end_tenant)), std::string(rest.substr(0, end_stream))};
}

std::string stream_body_prefix(std::string_view tenant, std::string_view stream) { return join({"b", tenant, stream}); }

std::string candidate_record_key(std::string_view tenant, std::string_view stream, std::string_view object,
                                 std::string_view pipeline) {
  return join({"s", tenant, stream, "o", object, pipeline});
}

std::string body_record_key(std::string_view tenant, std::string_view stream, std::string_view object,
                            std::string_view pipeline) {
  return join({"b", tenant, stream, object, pipeline});
}

std::string timeline_record_key(std::string_view tenant, std::string_view stream) {
  return join({"s", tenant, stream, "t"});
}

std::string served_marker_key(std::string_view tenant, std::string_view stream, std::string_view object) {
  return join({"s", tenant, stream, "v", object});
}

std::string stream_state_key(std::string_view tenant, std::string_view stream) {
  return join({"s", tenant, stream, "m"});
}

std::optional<record_key> parse_record_key(std::string_view key) {
  std::vector<std::string_view> parts;
  while (!key.empty()) {
    auto end = key.find(separator);
    if (end == std::string_view::npos) return std::nullopt;  // every part ends with the separator
    parts.push_back(key.substr(0, end));
    key.remove_prefix(end + 1);
  }
  if (parts.size() < 4 || parts[0] != "s") return std::nullopt;
  record_key parsed{record_key::kind::timeline, std::string(parts[1]), std::string(parts[2]), {}, {}};
  if (parts[3] == "t" && parts.size() == 4) return parsed;
  if (parts[3] == "m" && parts.size() == 4) {
    parsed.what = record_key::kind::state;
    return parsed;
  }
  if (parts[3] == "v" && parts.size() == 5) {
    parsed.what = record_key::kind::served;
    parsed.object = parts[4];
    return parsed;
  }
  if (parts[3] == "o" && parts.size() == 6) {
    parsed.what = record_key::kind::object;
    parsed.object = parts[4];
    parsed.pipeline = parts[5];
    return parsed;
  }
  return std::nullopt;
}

}  // namespace live_origin::model
