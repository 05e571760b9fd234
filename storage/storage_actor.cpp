#include "storage/storage_actor.hpp"

#include <spdlog/spdlog.h>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <functional>
#include <map>
#include <stdexcept>

#include "model/content_digest.hpp"
#include "model/stored_record.hpp"

namespace live_origin::storage {

namespace {

// Decodes a stream's records into `streams`; an unreadable record is logged and counted, never used. A
// damaged candidate record is restored from its body record when that one is intact (it holds all the
// candidate record does). False when the store could not be read to the end.
bool collect(object_store& store, std::string_view prefix,
             std::map<std::pair<std::string, std::string>, recovered_stream>& streams) {
  return store.scan(prefix, [&](std::string_view key, std::string_view value) {
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
        if (auto line = model::decode_timeline_record(value))
          stream.timeline = *line;
        else
          skip("timeline");
        break;
      case model::record_key::kind::state:
        if (auto state = model::decode_stream_state_record(value))
          stream.state = std::move(*state);
        else
          skip("stream state");
        break;
      case model::record_key::kind::served:
        stream.served.emplace_back(parsed->object, std::string(value));
        break;
      case model::record_key::kind::object: {
        // Only what the candidate is: its bytes stay on disk until a GET asks for them.
        auto matches = [&](const auto& r) {
          return r && r->object == parsed->object && r->pipeline == parsed->pipeline;
        };
        auto record = model::decode_candidate_record(value);
        if (!matches(record)) {
          skip("object");
          auto body =
              store.get(model::body_record_key(parsed->tenant, parsed->stream, parsed->object, parsed->pipeline)).value;
          auto whole = body ? model::decode_object_record(*body) : std::nullopt;
          if (!matches(whole) || model::content_digest(whole->body) != whole->digest) break;
          spdlog::warn("store: /{}/{}/{} of pipeline '{}' restored from its body record", parsed->tenant,
                       parsed->stream, parsed->object, parsed->pipeline);
          record = model::object_record{.object = whole->object,
                                        .pipeline = whole->pipeline,
                                        .digest = whole->digest,
                                        .stored_at_ms = whole->stored_at_ms,
                                        .defects = whole->defects,
                                        .size = whole->body.size()};
        }
        stream.candidates.push_back({.object = record->object,
                                     .pipeline = record->pipeline,
                                     .digest = record->digest,
                                     .stored_at_ms = record->stored_at_ms,
                                     .defects = record->defects,
                                     .size = record->size});
        break;
      }
    }
  });
}

struct storage_state {
  static inline const char* name = "storage";
  std::shared_ptr<object_store> store;
  replication_settings replication;  // no replicas: a cluster of one
  std::shared_ptr<const model::wall_clock> clock;
  std::map<std::string, std::string> pieces;  // key -> the first pieces of a large replicated value
};

using storage_pointer = storage_actor::stateful_pointer<storage_state>;
using record_puts = std::vector<std::pair<std::string, std::string>>;

// Splits records into batches of at most one chunk; a larger value becomes consecutive pieces.
std::vector<record_batch> to_batches(const std::string& tenant, const std::string& stream, const record_puts& puts,
                                     const std::vector<std::string>& erases, std::size_t chunk) {
  std::vector<record_batch> out;
  record_batch batch{.tenant = tenant, .stream = stream, .erases = erases};
  std::size_t size = 0;
  auto flush = [&] {
    if (batch.keys.empty() && batch.erases.empty()) return;
    out.push_back(std::move(batch));
    batch = record_batch{.tenant = tenant, .stream = stream};
    size = 0;
  };
  for (const auto& [key, value] : puts) {
    if (value.size() > chunk) {
      flush();
      for (std::size_t offset = 0; offset < value.size(); offset += chunk)
        out.push_back({.tenant = tenant,
                       .stream = stream,
                       .keys = {key},
                       .values = {value.substr(offset, chunk)},
                       .piece_offset = offset,
                       .piece_total = value.size()});
      continue;
    }
    if (size + key.size() + value.size() > chunk) flush();
    batch.keys.push_back(key);
    batch.values.push_back(value);
    size += key.size() + value.size();
  }
  flush();
  return out;
}

// Sends what this node wrote for a stream to `targets` (the nodes keeping copies of it); `done(true)` once
// every one applied all of it. Everything goes out in this actor's order, and BASP keeps the order between
// two actors, so copies apply writes in the order the owner made them.
void replicate(storage_pointer self, const std::vector<std::string>& targets, const std::string& tenant,
               const std::string& stream, const record_puts& puts, const std::vector<std::string>& erases,
               std::function<void(bool)> done, std::vector<std::string> erase_prefixes = {}) {
  const auto& replication = self->state.replication;
  auto batches = to_batches(tenant, stream, puts, erases, replication.chunk_bytes);
  if (!erase_prefixes.empty())  // first, on its own: later batches put what the copy is to hold
    batches.insert(batches.begin(),
                   record_batch{.tenant = tenant, .stream = stream, .erase_prefixes = std::move(erase_prefixes)});
  struct pending_acks {
    std::size_t left;
    bool ok = true;
    std::function<void(bool)> done;
  };
  auto acks = std::make_shared<pending_acks>(pending_acks{0, true, std::move(done)});
  for (const auto& target : targets) {
    auto actor = replication.replicas->replica(target);
    if (!actor) {
      spdlog::error("store: no connection to {} for a copy of /{}/{}", target, tenant, stream);
      acks->ok = false;
      continue;
    }
    for (const auto& batch : batches) {
      ++acks->left;
      auto answered = [acks, target, tenant, stream](bool applied) {
        if (!applied && acks->ok) spdlog::error("store: {} did not apply a copy of /{}/{}", target, tenant, stream);
        acks->ok = acks->ok && applied;
        if (--acks->left == 0) acks->done(acks->ok);
      };
      self->request(*actor, replication.timeout, replicate_atom_v, batch).then(answered, [answered](caf::error&) {
        answered(false);
      });
    }
  }
  if (acks->left == 0) acks->done(acks->ok);
}

// Writes locally, then to the copies; `done` once both have it (or either failed).
void write_through(storage_pointer self, const std::string& tenant, const std::string& stream, record_puts puts,
                   std::vector<std::string> erases, std::function<void(bool)> done) {
  std::vector<std::pair<std::string_view, std::string_view>> put_views(puts.begin(), puts.end());
  std::vector<std::string_view> erase_views(erases.begin(), erases.end());
  if (!self->state.store->write(put_views, erase_views)) return done(false);
  const auto& replicas = self->state.replication.replicas;
  auto targets = replicas ? replicas->copy_targets(tenant, stream) : std::vector<std::string>{};
  if (targets.empty()) return done(true);
  replicate(self, targets, tenant, stream, puts, erases, std::move(done));
}

// The same, answering the request being handled.
caf::result<bool> write_through(storage_pointer self, const std::string& tenant, const std::string& stream,
                                record_puts puts, std::vector<std::string> erases) {
  auto promise = self->make_response_promise<bool>();
  write_through(self, tenant, stream, std::move(puts), std::move(erases),
                [promise](bool ok) mutable { promise.deliver(ok); });
  return promise;
}

storage_actor::behavior_type storage_behavior(storage_pointer self, std::shared_ptr<object_store> store,
                                              replication_settings replication,
                                              std::shared_ptr<const model::wall_clock> clock) {
  self->state.store = std::move(store);
  self->state.replication = std::move(replication);
  self->state.clock = std::move(clock);
  return {
      [=](store_atom, const stored_candidate& write) -> caf::result<bool> {
        if (write.deadline_ms > 0 && self->state.clock->unix_now_ms() > write.deadline_ms) {
          spdlog::error("store: /{}/{}/{} reached storage after its writer gave up; not written", write.tenant,
                        write.stream, write.object);
          return false;
        }
        model::object_record record{.object = write.object,
                                    .pipeline = write.pipeline,
                                    .digest = write.digest,
                                    .stored_at_ms = write.stored_at_ms,
                                    .defects = write.defects,
                                    .body = write.body.view()};
        auto candidate_key = model::candidate_record_key(write.tenant, write.stream, write.object, write.pipeline);
        auto body_key = model::body_record_key(write.tenant, write.stream, write.object, write.pipeline);
        record_puts puts{{candidate_key, model::encode_candidate_record(record)},
                         {body_key, model::encode_object_record(record)}};
        return write_through(self, write.tenant, write.stream, std::move(puts), {});
      },
      [=](store_atom, const std::string& key, const std::string& value) -> caf::result<bool> {
        auto parsed = model::record_stream(key);
        if (!parsed) return false;
        return write_through(self, parsed->tenant, parsed->stream, {{key, value}}, {});
      },
      [=](served_atom, const std::string& key, const std::string& pipeline) -> caf::result<bool> {
        auto parsed = model::record_stream(key);
        if (!parsed) return false;
        return write_through(self, parsed->tenant, parsed->stream, {{key, pipeline}}, {});
      },
      [=](get_atom, const std::string& key, std::uint64_t digest) -> caf::result<object_body> {
        // A body that is not in memory, read back for a GET: served only if intact and the same. Empty when
        // storage has no intact copy; an error when it could not read (nothing is known about the copy).
        auto found = self->state.store->get(key);
        if (found.failed) return caf::make_error(caf::sec::runtime_error, "the store could not be read");
        const auto& value = found.value;
        auto record = value ? model::decode_object_record(*value) : std::nullopt;
        if (!record || record->digest != digest || model::content_digest(record->body) != digest) {
          spdlog::error("store: a body to serve from storage {} ({} bytes of key)",
                        value ? "is unreadable" : "is missing", key.size());
          return object_body{};
        }
        return object_body::adopt(std::string(record->body));
      },
      [=](erase_atom, const std::vector<std::string>& keys) {
        if (keys.empty()) return;
        auto parsed = model::record_stream(keys.front());  // a stream's keys, erased together
        if (!parsed) {
          std::vector<std::string_view> erases(keys.begin(), keys.end());
          self->state.store->write({}, erases);
          return;
        }
        write_through(self, parsed->tenant, parsed->stream, {}, keys, [](bool) {});
      },
      [=](load_atom, const std::string& tenant, const std::string& stream) -> caf::result<recovered_stream> {
        std::map<std::pair<std::string, std::string>, recovered_stream> streams;
        // Never a part of a stream: it would start without some choices and could overwrite or switch them.
        if (!collect(*self->state.store, model::stream_key_prefix(tenant, stream), streams))
          return caf::make_error(caf::sec::runtime_error, "the store could not be read for /" + tenant + "/" + stream);
        auto found = streams.find({tenant, stream});
        if (found == streams.end()) return recovered_stream{.tenant = tenant, .stream = stream};
        return std::move(found->second);
      },
      [=](apply_atom, const record_batch& batch) -> bool {
        // A copy of what a stream's owner wrote: applied as it is, never sent on.
        if (batch.keys.size() != batch.values.size()) return false;
        if (batch.piece_total > 0) {
          if (batch.keys.size() != 1) return false;
          auto& pieces = self->state.pieces;
          auto& value = pieces[batch.keys.front()];
          if (batch.piece_offset == 0) value.clear();  // a new copy of the value (an earlier one broke off)
          if (batch.piece_offset != value.size() || value.size() + batch.values.front().size() > batch.piece_total) {
            spdlog::error("store: a copied record of /{}/{} arrived out of order; dropped", batch.tenant, batch.stream);
            pieces.erase(batch.keys.front());
            return false;
          }
          value += batch.values.front();
          if (value.size() < batch.piece_total) return true;
          bool ok = self->state.store->put(batch.keys.front(), value);
          pieces.erase(batch.keys.front());
          return ok;
        }
        std::vector<std::pair<std::string_view, std::string_view>> puts;
        for (std::size_t i = 0; i < batch.keys.size(); ++i) puts.emplace_back(batch.keys[i], batch.values[i]);
        std::vector<std::string> dropped;  // every record under the prefixes (a catch-up replaces them all)
        for (const auto& prefix : batch.erase_prefixes) {
          auto name = model::record_stream(prefix + "x");
          if (!name || name->tenant != batch.tenant || name->stream != batch.stream) return false;  // its own only
          if (!self->state.store->scan(prefix,
                                       [&](std::string_view key, std::string_view) { dropped.emplace_back(key); }))
            return false;
        }
        std::vector<std::string_view> erases(batch.erases.begin(), batch.erases.end());
        erases.insert(erases.end(), dropped.begin(), dropped.end());
        return self->state.store->write(puts, erases);
      },
      [=](sync_atom, const std::string& tenant, const std::string& stream,
          const std::string& node) -> caf::result<bool> {
        // Everything held for the stream, to a node that is to keep a copy; writes made after this reach it
        // after it (same actor, same order).
        if (!self->state.replication.replicas) return false;
        std::vector<std::string> prefixes{model::stream_key_prefix(tenant, stream),
                                          model::stream_body_prefix(tenant, stream)};
        record_puts puts;
        for (const auto& prefix : prefixes)
          if (!self->state.store->scan(prefix, [&](std::string_view key, std::string_view value) {
                puts.emplace_back(std::string(key), std::string(value));
              }))
            return false;  // a partial copy would replace what the target holds
        auto promise = self->make_response_promise<bool>();
        replicate(
            self, {node}, tenant, stream, puts, {}, [promise](bool ok) mutable { promise.deliver(ok); },
            std::move(prefixes));
        return promise;
      },
      [=](list_atom) -> std::vector<stored_stream> {
        std::vector<stored_stream> streams;
        self->state.store->scan(model::all_streams_prefix, [&](std::string_view key, std::string_view) {
          auto parsed = model::parse_record_key(key);
          if (parsed &&
              (streams.empty() || streams.back().tenant != parsed->tenant || streams.back().stream != parsed->stream))
            streams.push_back({parsed->tenant, parsed->stream});
        });
        return streams;
      },
  };
}

}  // namespace

storage_actor spawn_storage_actor(caf::actor_system& system, std::shared_ptr<object_store> store,
                                  replication_settings replication, std::shared_ptr<const model::wall_clock> clock) {
  return system.spawn<caf::detached>(storage_behavior, std::move(store), std::move(replication), std::move(clock));
}

std::vector<recovered_stream> recover_streams(object_store& store) {
  std::map<std::pair<std::string, std::string>, recovered_stream> streams;
  if (!collect(store, model::all_streams_prefix, streams))
    throw std::runtime_error(
        "the store's records could not be read to the end (the log names the error); starting "
        "with a part of them could serve other bytes than before");
  std::vector<recovered_stream> out;
  out.reserve(streams.size());
  for (auto& [key, stream] : streams) out.push_back(std::move(stream));
  return out;
}

void register_message_types(caf::actor_system_config& config) {
  config.add_message_types<caf::id_block::live_origin_storage>();
  config.add_message_type<storage_actor>("live_origin::storage::storage_actor");
}

}  // namespace live_origin::storage
