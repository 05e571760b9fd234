#pragma once

#include <caf/typed_event_based_actor.hpp>

#include <string>
#include <vector>

#include "storage/storage_actor.hpp"

namespace live_origin::test {

// A storage double for a stream actor's write-through: keeps nothing; answers candidate writes, served
// markers and other records (the state) as scripted. `writes` never answered: the write stays in flight.
enum class script { yes, no, never };

inline storage::storage_actor::behavior_type scripted_storage(storage::storage_actor::pointer self, script writes,
                                                              script markers, script records) {
  using namespace storage;
  return {
      [=](store_atom, const stored_candidate&) -> caf::result<bool> {
        if (writes == script::never) return self->template make_response_promise<bool>();  // dropped: no answer
        return writes == script::yes;
      },
      [=](store_atom, const std::string&, const std::string&) { return records == script::yes; },
      [=](served_atom, const std::string&, const std::string&) { return markers == script::yes; },
      [](get_atom, const std::string&, std::uint64_t) { return object_body{}; },
      [](erase_atom, const std::vector<std::string>&) {},
      [](load_atom, const std::string& tenant, const std::string& stream) {
        return recovered_stream{.tenant = tenant, .stream = stream};
      },
      [](apply_atom, const record_batch&) { return false; },
      [](sync_atom, const std::string&, const std::string&, const std::string&) { return false; },
      [](list_atom) { return std::vector<stored_stream>{}; },
  };
}

}  // namespace live_origin::test
