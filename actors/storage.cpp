#include "actors/storage.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <map>

#include "actors/wall_clock.hpp"
#include "model/content_digest.hpp"
#include "model/stored_record.hpp"

namespace live_origin::actors {

namespace {

// Decodes a stream's records into `streams`; an unreadable record is logged and counted, never used.
void collect(object_store& store, std::string_view prefix,
             std::map<std::pair<std::string, std::string>, recovered_stream>& streams) {
  store.scan(prefix, [&](std::string_view key, std::string_view value) {
    auto parsed = model::parse_record_key(key);
    if (!parsed) {
      spdlog::error("store: skipping a record with an unknown key ({} bytes)", key.size());
      return;
    }
    auto& stream = streams[{parsed->tenant, parsed->stream}];
    stream.tenant = parsed->tenant;
    stream.stream = parsed->stream;
    auto skip = [&](const char* what) {
      ++stream.skipped;
      spdlog::error("store: skipping the unreadable {} record of /{}/{}/{} ({} bytes)", what, parsed->tenant,
                    parsed->stream, parsed->object, value.size());
    };
    switch (parsed->what) {
      case model::record_key::kind::timeline:
        if (auto line = model::decode_timeline_record(value)) stream.timeline = *line;
        else skip("timeline");
        break;
      case model::record_key::kind::state:
        if (auto state = model::decode_stream_state_record(value)) stream.state = std::move(*state);
        else skip("stream state");
        break;
      case model::record_key::kind::served:
        stream.served.emplace_back(parsed->object, std::string(value));
        break;
      case model::record_key::kind::object: {
        // Only what the candidate is: its bytes stay on disk until a GET asks for them.
        auto record = model::decode_candidate_record(value);
        if (!record || record->object != parsed->object || record->pipeline != parsed->pipeline) {
          skip("object");
          break;
        }
        stored_object candidate{{}, record->digest, record->stored_at_ms, 0, false, record->defects, true, record->size};
        if (record->size == 0) candidate.body = object_body::adopt(std::string());  // nothing to read back
        stream.candidates.push_back({parsed->tenant, parsed->stream, record->object, record->pipeline,
                                     std::move(candidate), 0});
        break;
      }
    }
  });
}

struct storage_state {
  static inline const char* name = "storage";
  std::shared_ptr<object_store> store;
};

storage_actor::behavior_type storage_behavior(storage_actor::stateful_pointer<storage_state> self,
                                              std::shared_ptr<object_store> store) {
  self->state.store = std::move(store);
  return {
      [=](store_atom, const stored_candidate& write) -> bool {
        if (write.deadline_ms > 0 && unix_now_ms() > write.deadline_ms) {
          spdlog::error("store: /{}/{}/{} reached storage after its writer gave up; not written", write.tenant,
                        write.stream, write.object);
          return false;
        }
        model::object_record record{write.object, write.pipeline, write.candidate.digest, write.candidate.stored_at_ms,
                                    write.candidate.defects, write.candidate.body.view()};
        auto candidate_key = model::candidate_record_key(write.tenant, write.stream, write.object, write.pipeline);
        auto body_key = model::body_record_key(write.tenant, write.stream, write.object, write.pipeline);
        auto candidate = model::encode_candidate_record(record);
        auto body = model::encode_object_record(record);
        return self->state.store->write({{candidate_key, candidate}, {body_key, body}}, {});
      },
      [=](store_atom, const std::string& key, const std::string& value) { self->state.store->put(key, value); },
      [=](served_atom, const std::string& key, const std::string& pipeline) -> bool {
        return self->state.store->put(key, pipeline);
      },
      [=](get_atom, const std::string& key, std::uint64_t digest) -> object_body {
        // A body that is not in memory, read back for a GET: served only if intact and the same.
        auto value = self->state.store->get(key);
        auto record = value ? model::decode_object_record(*value) : std::nullopt;
        if (!record || record->digest != digest || model::content_digest(record->body) != digest) {
          spdlog::error("store: a body to serve from storage {} ({} bytes of key)", value ? "is unreadable" : "is missing",
                        key.size());
          return {};
        }
        return object_body::adopt(std::string(record->body));
      },
      [=](erase_atom, const std::vector<std::string>& keys) {
        std::vector<std::string_view> erases(keys.begin(), keys.end());
        self->state.store->write({}, erases);
      },
      [=](load_atom, const std::string& tenant, const std::string& stream) -> recovered_stream {
        std::map<std::pair<std::string, std::string>, recovered_stream> streams;
        collect(*self->state.store, model::stream_key_prefix(tenant, stream), streams);
        auto found = streams.find({tenant, stream});
        if (found == streams.end()) return recovered_stream{tenant, stream, {}, {}, {}, {}, 0};
        return std::move(found->second);
      },
  };
}

}  // namespace

storage_actor spawn_storage_actor(caf::actor_system& system, std::shared_ptr<object_store> store) {
  return system.spawn<caf::detached>(storage_behavior, std::move(store));
}

std::vector<recovered_stream> recover_streams(object_store& store) {
  std::map<std::pair<std::string, std::string>, recovered_stream> streams;
  collect(store, model::all_streams_prefix, streams);
  std::vector<recovered_stream> out;
  for (auto& [key, stream] : streams) out.push_back(std::move(stream));
  return out;
}

}  // namespace live_origin::actors
