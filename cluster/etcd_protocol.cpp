#include "cluster/etcd_protocol.hpp"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

namespace live_origin::cluster::etcd {

namespace {

using json = nlohmann::json;

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> decoding_table() {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}

// A 64-bit field: etcd writes them as decimal strings and leaves out zeros. nullopt when present but not one.
std::optional<std::int64_t> int_field(const json& object, const char* name) {
  auto found = object.find(name);
  if (found == object.end()) return 0;
  if (found->is_number_integer()) return found->get<std::int64_t>();
  if (!found->is_string()) return std::nullopt;
  const auto& text = found->get_ref<const std::string&>();
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::string> bytes_field(const json& object, const char* name) {
  auto found = object.find(name);
  if (found == object.end()) return std::string{};
  if (!found->is_string()) return std::nullopt;
  return base64_decode(found->get_ref<const std::string&>());
}

// The body as a JSON object, or the failure it is: not JSON, or etcd's own error answer.
answer<json> object_of(std::string_view body) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return failure{"etcd's answer is not a JSON object"};
  if (auto error = parsed.find("error"); error != parsed.end()) {
    auto message = parsed.value("message", std::string{});
    return failure{error->is_string() ? error->get<std::string>() : message.empty() ? "an error" : message};
  }
  return parsed;
}

std::optional<key_value> parse_key_value(const json& kv) {
  if (!kv.is_object()) return std::nullopt;
  auto key = bytes_field(kv, "key");
  auto value = bytes_field(kv, "value");
  auto created = int_field(kv, "create_revision");
  auto modified = int_field(kv, "mod_revision");
  auto lease = int_field(kv, "lease");
  if (!key || !value || !created || !modified || !lease) return std::nullopt;
  return key_value{std::move(*key), std::move(*value), *created, *modified, *lease};
}

std::optional<std::vector<key_value>> parse_kvs(const json& range) {
  std::vector<key_value> kvs;
  auto found = range.find("kvs");
  if (found == range.end()) return kvs;
  if (!found->is_array()) return std::nullopt;
  for (const auto& kv : *found) {
    auto parsed = parse_key_value(kv);
    if (!parsed) return std::nullopt;
    kvs.push_back(std::move(*parsed));
  }
  return kvs;
}

std::optional<std::int64_t> header_revision(const json& object) {
  auto header = object.find("header");
  if (header == object.end() || !header->is_object()) return std::nullopt;
  return int_field(*header, "revision");
}

// A transaction's "succeeded" (left out when false) and its first response of `kind`, if any.
struct txn_answer {
  bool succeeded = false;
  std::int64_t revision = 0;
  const json* response = nullptr;
};

answer<txn_answer> parse_txn(const json& object, const char* kind) {
  auto succeeded = object.find("succeeded");
  auto revision = header_revision(object);
  if ((succeeded != object.end() && !succeeded->is_boolean()) || !revision)
    return failure{"etcd's transaction answer lacks its header or outcome"};
  txn_answer parsed{succeeded != object.end() && succeeded->get<bool>(), *revision};
  if (auto responses = object.find("responses"); responses != object.end() && responses->is_array())
    for (const auto& response : *responses)
      if (auto found = response.find(kind); response.is_object() && found != response.end())
        return txn_answer{parsed.succeeded, parsed.revision, &*found};
  return parsed;
}

std::string number(std::int64_t value) { return std::to_string(value); }

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t at) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    auto group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) text += alphabet[group >> shift & 0x3f];
  }
  if (auto rest = bytes.size() - i; rest > 0) {
    auto group = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    text += alphabet[group >> 18 & 0x3f];
    text += alphabet[group >> 12 & 0x3f];
    text += rest == 2 ? alphabet[group >> 6 & 0x3f] : '=';
    text += '=';
  }
  return text;
}

std::optional<std::string> base64_decode(std::string_view text) {
  static constexpr auto table = decoding_table();
  if (text.size() % 4 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    auto padding = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (text[i + 2] == '=' && text[i + 3] != '=') return std::nullopt;
    std::uint32_t group = 0;
    for (int k = 0; k < 4; ++k) {
      if (k >= 4 - padding) {
        group <<= 6;
        continue;
      }
      auto value = table[static_cast<unsigned char>(text[i + k])];
      if (value < 0) return std::nullopt;
      group = group << 6 | static_cast<std::uint32_t>(value);
    }
    bytes += static_cast<char>(group >> 16 & 0xff);
    if (padding < 2) bytes += static_cast<char>(group >> 8 & 0xff);
    if (padding < 1) bytes += static_cast<char>(group & 0xff);
    // Canonical only: the bits the padding drops must be zero.
    if ((padding == 1 && (group & 0xff) != 0) || (padding == 2 && (group & 0xffff) != 0)) return std::nullopt;
  }
  return bytes;
}

request grant_lease(std::int64_t ttl_s) { return {"/v3/lease/grant", json{{"TTL", number(ttl_s)}}.dump()}; }

request keep_alive(std::int64_t lease) { return {"/v3/lease/keepalive", json{{"ID", number(lease)}}.dump()}; }

request revoke_lease(std::int64_t lease) { return {"/v3/lease/revoke", json{{"ID", number(lease)}}.dump()}; }

request claim(std::string_view key, std::string_view value, std::int64_t lease) {
  auto encoded = base64_encode(key);
  json body{
      {"compare",
       json::array({{{"result", "EQUAL"}, {"target", "CREATE"}, {"key", encoded}, {"create_revision", "0"}}})},
      {"success",
       json::array({{{"request_put", {{"key", encoded}, {"value", base64_encode(value)}, {"lease", number(lease)}}}}})},
      {"failure", json::array({{{"request_range", {{"key", encoded}}}}})}};
  return {"/v3/kv/txn", body.dump()};
}

request release(std::string_view key, std::int64_t create_revision) {
  auto encoded = base64_encode(key);
  json body{{"compare", json::array({{{"result", "EQUAL"},
                                      {"target", "CREATE"},
                                      {"key", encoded},
                                      {"create_revision", number(create_revision)}}})},
            {"success", json::array({{{"request_delete_range", {{"key", encoded}}}}})}};
  return {"/v3/kv/txn", body.dump()};
}

request get(std::string_view key) { return {"/v3/kv/range", json{{"key", base64_encode(key)}}.dump()}; }

request get_prefix(std::string_view prefix) {
  // Every key that starts with the prefix: up to the prefix with its last byte incremented.
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (end.empty())
    end = std::string(1, '\0');  // an empty (or all-0xff) prefix: every key
  else
    end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return {"/v3/kv/range", json{{"key", base64_encode(prefix)}, {"range_end", base64_encode(end)}}.dump()};
}

answer<lease_grant> parse_lease_grant(std::string_view body) {
  auto object = object_of(body);
  if (auto* failed = std::get_if<failure>(&object)) return *failed;
  const auto& parsed = std::get<json>(object);
  auto id = int_field(parsed, "ID");
  auto ttl = int_field(parsed, "TTL");
  if (!id || !ttl || *id == 0 || *ttl <= 0) return failure{"etcd granted no usable lease"};
  return lease_grant{*id, *ttl};
}

answer<lease_renewal> parse_keep_alive(std::string_view body) {
  // The gateway streams one {"result": ...} per request sent; one request, so the first line.
  auto object = object_of(body.substr(0, body.find('\n')));
  if (auto* failed = std::get_if<failure>(&object)) return *failed;
  const auto& parsed = std::get<json>(object);
  auto result = parsed.find("result");
  if (result == parsed.end() || !result->is_object()) return failure{"etcd's keep-alive answer has no result"};
  auto ttl = int_field(*result, "TTL");
  if (!ttl || *ttl < 0) return failure{"etcd's keep-alive answer has no TTL"};
  return lease_renewal{*ttl};
}

answer<bool> parse_revoke(std::string_view body) {
  auto object = object_of(body);
  if (auto* failed = std::get_if<failure>(&object)) {
    if (failed->what.find("lease not found") != std::string::npos) return false;
    return *failed;
  }
  return true;
}

answer<claim_outcome> parse_claim(std::string_view body, std::string_view key, std::string_view value,
                                  std::int64_t lease) {
  auto object = object_of(body);
  if (auto* failed = std::get_if<failure>(&object)) return *failed;
  auto txn = parse_txn(std::get<json>(object), "response_range");
  if (auto* failed = std::get_if<failure>(&txn)) return *failed;
  const auto& outcome = std::get<txn_answer>(txn);
  if (outcome.succeeded)
    return claim_outcome{true, {std::string(key), std::string(value), outcome.revision, outcome.revision, lease}};
  auto kvs = outcome.response ? parse_kvs(*outcome.response) : std::nullopt;
  if (!kvs) return failure{"etcd's answer to a lost claim does not say who holds the key"};
  // Held when compared, gone when read (its lease expired in between) is not possible: one transaction.
  if (kvs->empty()) return failure{"etcd's answer to a lost claim lists no holder"};
  return claim_outcome{false, std::move(kvs->front())};
}

answer<bool> parse_release(std::string_view body) {
  auto object = object_of(body);
  if (auto* failed = std::get_if<failure>(&object)) return *failed;
  auto txn = parse_txn(std::get<json>(object), "response_delete_range");
  if (auto* failed = std::get_if<failure>(&txn)) return *failed;
  return std::get<txn_answer>(txn).succeeded;
}

answer<range_result> parse_range(std::string_view body) {
  auto object = object_of(body);
  if (auto* failed = std::get_if<failure>(&object)) return *failed;
  const auto& parsed = std::get<json>(object);
  auto revision = header_revision(parsed);
  auto kvs = parse_kvs(parsed);
  if (!revision || !kvs) return failure{"etcd's range answer is malformed"};
  return range_result{*revision, std::move(*kvs)};
}

}  // namespace live_origin::cluster::etcd
