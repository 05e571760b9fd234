#pragma once

#include <caf/detail/stringification_inspector.hpp>
#include <caf/meta/type_name.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace live_origin::storage {

// The bytes of one stored object, shared and immutable from the ingest buffer to every socket that
// serves them: passing an object_body between actors copies a pointer, never the bytes.
struct object_body {
  std::shared_ptr<const std::string> bytes;

  static object_body adopt(std::string&& bytes) { return {std::make_shared<const std::string>(std::move(bytes))}; }
  std::size_t size() const { return bytes ? bytes->size() : 0; }
  std::string_view view() const { return bytes ? std::string_view(*bytes) : std::string_view(); }
  friend bool operator==(const object_body& a, const object_body& b) { return a.view() == b.view(); }
};

// Serialization (for remote nodes) writes the bytes; loading allocates a fresh shared buffer.
template <class Inspector>
std::enable_if_t<Inspector::reads_state, typename Inspector::result_type> inspect(Inspector& f, object_body& x) {
  std::string empty;
  auto& bytes = x.bytes ? const_cast<std::string&>(*x.bytes) : empty;
  return f(caf::meta::type_name("object_body"), bytes);
}

template <class Inspector>
std::enable_if_t<Inspector::writes_state, typename Inspector::result_type> inspect(Inspector& f, object_body& x) {
  auto bytes = std::make_shared<std::string>();
  auto result = f(caf::meta::type_name("object_body"), *bytes);
  x.bytes = std::move(bytes);
  return result;
}

// to_string() and error messages show the size, never megabytes of payload.
inline void inspect(caf::detail::stringification_inspector& f, object_body& x) {
  f(caf::meta::type_name("object_body"), x.size());
}

}  // namespace live_origin::storage
