#include "cluster/cluster_actor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "actors/counted.hpp"
#include "actors/stream_request.hpp"
#include "actors/tenant_supervisor.hpp"
#include "cluster/cluster_view.hpp"
#include "model/content_digest.hpp"

namespace live_origin::cluster {

namespace {

using clock = std::chrono::steady_clock;

using actors::counted;
using actors::object_read;
using actors::object_write;
using actors::placement_atom_v;
using actors::read_reply;
using actors::read_reply_for;
using actors::request_stream;
using actors::stream_actor;
using actors::stream_directory;
using actors::stream_open;
using actors::write_reply;
using actors::write_reply_for;
using storage::apply_atom_v;
using storage::list_atom_v;
using storage::object_body;
using storage::record_batch;
using storage::storage_for;
using storage::storage_pool;
using storage::sync_atom_v;

constexpr auto active = node_state::active;

// GET /cluster lists the streams storage holds too; a slow store leaves them out rather than hold the page.
constexpr std::chrono::seconds info_list_timeout{5};

struct peer {
  node_record record;
  cluster_actor actor;
};

struct inbound_body {
  std::string bytes;
  std::uint64_t total = 0;
  clock::time_point started;
};

struct outbound_body {
  object_body body;
  clock::time_point started;
};

struct cluster_state {
  static inline const char* name = "cluster";
  cluster_options options;
  std::shared_ptr<cluster_view> view;
  std::shared_ptr<stream_directory> directory;
  storage_pool storage;
  std::map<std::string, peer> peers;        // connected, by node id
  std::map<std::string, node_record> lost;  // members not connected now: tried again on every tick
  std::set<std::string> connecting;         // HOST:PORT being connected to
  std::set<std::string> seeds_answered;     // seeds tried at least once (connected or refused)
  clock::time_point started = clock::now();
  clock::time_point last_tick = clock::now();
  clock::time_point stalled_until;             // losses until then follow this node's own stall
  std::set<std::string> synced_from;           // active peers that have sent this (joining) node its copies
  std::map<std::string, std::size_t> syncing;  // node -> stream copies on their way to it
  std::set<std::string> sync_failed;           // nodes a copy failed to reach: not told they are synced
  std::set<std::string> synced_to;             // joining nodes told they have all this node owes them
  std::vector<cluster_view::member> members;   // as last published
  std::map<std::pair<std::string, std::uint64_t>, inbound_body> inbox;  // (sending actor, transfer)
  std::map<std::uint64_t, outbound_body> outbox;
  std::uint64_t next_transfer = 0;
  std::uint64_t messages_handled = 0;  // counted by actors::counted
};

using cluster_pointer = cluster_actor::stateful_pointer<cluster_state>;

bool joining(const cluster_state& st) { return st.options.self.state != active; }

void rebalance(cluster_pointer self, const std::vector<cluster_view::member>& before);

// Publishes the members as they are now, retires what moved and sends copies where they are now due.
void publish(cluster_pointer self) {
  auto& st = self->state;
  std::vector<cluster_view::member> members{{st.options.self, std::nullopt}};
  for (const auto& [id, p] : st.peers) members.push_back({p.record, p.actor});
  auto before = std::move(st.members);
  st.members = members;
  st.view->replace(std::move(members));
  std::vector<std::string> live;
  for (const auto& m : st.members) live.push_back(m.record.id + (m.record.state == active ? "" : " (joining)"));
  spdlog::info("cluster: {} member(s): {}", live.size(), fmt::join(live, ", "));
  for (const auto& tenant : st.directory->tenant_supervisors()) self->send(tenant, placement_atom_v);
  rebalance(self, before);
}

void tell_synced_if_done(cluster_pointer self, const std::string& node) {
  auto& st = self->state;
  auto p = st.peers.find(node);
  if (p == st.peers.end() || p->second.record.state == active || st.synced_to.count(node) || st.syncing[node] > 0)
    return;
  if (st.sync_failed.count(node)) {  // it becomes active at its join timeout, missing what failed (logged)
    spdlog::error("cluster: not telling {} it is caught up: a stream copy to it failed", node);
    return;
  }
  st.synced_to.insert(node);
  self->send(p->second.actor, synced_atom_v, st.options.self.id);
  spdlog::info("cluster: {} has every copy this node owes it", node);
}

// Every stream this node owns, sent to each node that is to keep a copy of it and was not doing so before.
void rebalance(cluster_pointer self, const std::vector<cluster_view::member>& before) {
  auto& st = self->state;
  if (st.storage.empty()) return;
  self->request(st.storage.front(), actors::storage_scan_timeout, list_atom_v)
      .then(
          [self, before](std::vector<storage::stored_stream>& streams) {
            auto& state = self->state;
            const auto& now = state.members;
            auto& me = state.options.self.id;
            auto copies = state.view->copies();
            auto members_now = cluster_view::placement_members(now);
            auto members_before = cluster_view::placement_members(before);
            std::set<std::string> present;
            for (const auto& m : now) present.insert(m.record.id);
            std::size_t sent = 0;
            for (const auto& s : streams) {
              if (model::place_among(members_now, s.tenant, s.stream, copies).owner != me) continue;
              auto had = model::copy_targets(members_before, me, s.tenant, s.stream, copies);
              for (const auto& node : model::copy_targets(members_now, me, s.tenant, s.stream, copies)) {
                if (std::find(had.begin(), had.end(), node) != had.end()) continue;
                auto target = state.peers.find(node);
                if (target == state.peers.end()) continue;
                ++state.syncing[node];
                ++sent;
                auto tenant = s.tenant, stream = s.stream;
                auto incarnation = target->second.actor.address();
                auto done = [self, node, incarnation, tenant, stream](bool ok) {
                  auto& now_state = self->state;
                  auto peer = now_state.peers.find(node);
                  if (peer == now_state.peers.end() || peer->second.actor.address() != incarnation) return;  // gone
                  if (!ok) {
                    spdlog::error("cluster: /{}/{} could not be copied to {}", tenant, stream, node);
                    now_state.sync_failed.insert(node);
                  }
                  if (now_state.syncing[node] > 0) --now_state.syncing[node];
                  tell_synced_if_done(self, node);
                };
                self->request(*storage_for(state.storage, tenant, stream), state.options.request_timeout * 6,
                              sync_atom_v, tenant, stream, node)
                    .then(done, [done](caf::error&) { done(false); });
              }
            }
            if (sent) spdlog::info("cluster: sending {} stream copies to nodes that now keep them", sent);
            for (const auto& m : now)
              if (m.record.state != active) tell_synced_if_done(self, m.record.id);
          },
          [](caf::error& error) {
            spdlog::error("cluster: cannot list the stored streams: {}", caf::to_string(error));
          });
}

void add_peer(cluster_pointer self, node_record record, cluster_actor actor) {
  auto& st = self->state;
  if (record.id == st.options.self.id) return;
  auto known = st.peers.find(record.id);
  if (known != st.peers.end() && known->second.actor == actor && known->second.record == record) return;
  if (known == st.peers.end() || known->second.actor != actor) {
    self->monitor(actor);
    spdlog::info("cluster: connected to {} at {}:{}", record.id, record.host, record.port);
    // What it knows of this node may be older than this node's state now (a hello crossed a change).
    self->send(actor, member_atom_v, st.options.self);
    for (auto* per_incarnation : {&st.synced_to, &st.sync_failed}) per_incarnation->erase(record.id);
    st.syncing.erase(record.id);
  }
  st.lost.erase(record.id);
  auto id = record.id;
  st.peers[id] = {std::move(record), std::move(actor)};
  publish(self);
}

void become_active(cluster_pointer self, const char* why) {
  auto& st = self->state;
  st.options.self.state = active;
  spdlog::info("cluster: node {} is active ({})", st.options.self.id, why);
  for (const auto& [id, p] : st.peers) self->send(p.actor, member_atom_v, st.options.self);
  publish(self);
}

void check_joined(cluster_pointer self) {
  auto& st = self->state;
  if (!joining(st)) return;
  std::set<std::string> reached{cluster_address(st.options.self.host, st.options.self.port)};
  for (const auto& [id, p] : st.peers) reached.insert(cluster_address(p.record.host, p.record.port));
  bool seeds_tried = std::all_of(st.options.seeds.begin(), st.options.seeds.end(), [&](const auto& seed) {
    auto address = cluster_address(seed.first, seed.second);
    return reached.count(address) || st.seeds_answered.count(address);
  });
  // Every member the seeds named is connected (or refused) first: placement needs the whole live set.
  seeds_tried = seeds_tried && st.connecting.empty();
  bool all_synced = std::all_of(st.peers.begin(), st.peers.end(), [&](const auto& entry) {
    return entry.second.record.state != active || st.synced_from.count(entry.first);
  });
  if (seeds_tried && all_synced) return become_active(self, st.peers.empty() ? "no peer answered" : "copies caught up");
  if (clock::now() - st.started > st.options.join_timeout)
    become_active(self, "join timeout: some copies may be behind");
}

void connect(cluster_pointer self, const std::string& host, std::uint16_t port, bool seed) {
  auto& st = self->state;
  auto address = cluster_address(host, port);
  if (address == cluster_address(st.options.self.host, st.options.self.port) || !st.connecting.insert(address).second)
    return;
  auto finished = [self, address, seed] {
    self->state.connecting.erase(address);
    if (seed) self->state.seeds_answered.insert(address);
    check_joined(self);
  };
  self->request(self->system().middleman().actor_handle(), st.options.request_timeout, caf::connect_atom_v, host, port)
      .then(
          [self, finished](caf::node_id&, caf::strong_actor_ptr& ptr, std::set<std::string>&) {
            if (!ptr) return finished();
            auto actor = caf::actor_cast<cluster_actor>(ptr);
            self->request(actor, self->state.options.request_timeout, hello_atom_v, self->state.options.self)
                .then(
                    [self, actor, finished](std::vector<node_record>& members) {
                      if (!members.empty()) add_peer(self, members.front(), actor);
                      for (const auto& m : members)
                        if (m.id != self->state.options.self.id && !self->state.peers.count(m.id))
                          connect(self, m.host, m.port, false);
                      finished();
                    },
                    [finished](caf::error&) { finished(); });
          },
          [finished](caf::error&) { finished(); });
}

// True while this node is recovering from a stall: its ticks stopped for longer than a peer waits before it
// gives up on a node (the losses that follow were its own absence, not its peers').
bool stalled(const cluster_state& st) {
  auto now = clock::now();
  return now - st.last_tick >= st.options.connection_timeout || now < st.stalled_until;
}

void tick(cluster_pointer self) {
  auto& st = self->state;
  if (clock::now() - st.last_tick >= st.options.connection_timeout)
    st.stalled_until = clock::now() + 2 * st.options.connection_timeout;
  st.last_tick = clock::now();
  std::set<std::string> connected;
  for (const auto& [id, p] : st.peers) connected.insert(cluster_address(p.record.host, p.record.port));
  for (const auto& [host, port] : st.options.seeds)
    if (!connected.count(cluster_address(host, port))) connect(self, host, port, true);
  for (const auto& [id, record] : st.lost)
    if (!connected.count(cluster_address(record.host, record.port))) connect(self, record.host, record.port, false);
  check_joined(self);
  // Bodies nobody came for: a sender or fetcher that gave up.
  auto stale = clock::now() - 2 * st.options.request_timeout;
  std::erase_if(st.inbox, [&](const auto& entry) { return entry.second.started < stale; });
  std::erase_if(st.outbox, [&](const auto& entry) { return entry.second.started < stale; });
  self->delayed_send(self, st.options.tick, tick_atom_v);
}

// Sends `message` to this node's actor for a stream it owns (opened if needed; not created when `create`
// is false), through actors::request_stream.
template <class Reply, class OnReply, class OnError, class... Ts>
void ask_local(cluster_pointer self, const std::string& tenant, const std::string& stream, bool create,
               std::chrono::milliseconds timeout, OnReply on_reply, OnError on_error, const Ts&... message) {
  auto& st = self->state;
  auto supervisor = st.directory->tenant(tenant);
  if (!supervisor) return on_error(caf::make_error(caf::sec::remote_lookup_failed));
  // The directory's actor only while this node owns the stream (a proxy may still stand there otherwise).
  auto known = st.view->owns(tenant, stream) ? st.directory->stream(tenant, stream) : std::nullopt;
  request_stream<Reply>(self, *supervisor, stream, known, create ? stream_open::create : stream_open::existing, timeout,
                        std::move(on_reply), std::move(on_error), message...);
}

// Which actor sent the message being handled (node and actor id): transfer ids are per sending proxy.
std::string sender_key(cluster_pointer self) {
  auto sender = self->current_sender();
  return sender ? caf::to_string(sender->node()) + "/" + std::to_string(sender->id()) : std::string();
}

cluster_actor::behavior_type cluster_behavior(cluster_pointer self, cluster_options options,
                                              std::shared_ptr<cluster_view> view,
                                              std::shared_ptr<stream_directory> directory, storage_pool storage) {
  auto& st = self->state;
  st.options = std::move(options);
  st.options.self.state = node_state::joining;
  st.view = std::move(view);
  st.directory = std::move(directory);
  st.storage = std::move(storage);
  st.members = st.view->members();
  self->set_down_handler([self](caf::down_msg& down) {
    auto& state = self->state;
    for (auto it = state.peers.begin(); it != state.peers.end(); ++it) {
      if (it->second.actor.address() != down.source) continue;
      spdlog::warn("cluster: lost {} ({}); its streams move", it->first, caf::to_string(down.reason));
      state.lost[it->first] = it->second.record;
      state.synced_to.erase(it->first);
      state.sync_failed.erase(it->first);
      state.syncing.erase(it->first);
      state.peers.erase(it);
      if (!joining(state) && stalled(state)) {
        // This node stopped running for longer than its peers wait (a hung or stopped process): they went on
        // without it and its streams have newer writes elsewhere. Own nothing until the active nodes have
        // sent their copies, as at a start.
        spdlog::warn("cluster: node {} was stalled; it joins again before owning streams", state.options.self.id);
        state.options.self.state = node_state::joining;
        state.started = clock::now();
        state.seeds_answered.clear();
        state.synced_from.clear();
      }
      publish(self);
      check_joined(self);
      return;
    }
  });
  return {
      counted(self,
              [=](hello_atom, const node_record& record) -> std::vector<node_record> {
                add_peer(self, record, caf::actor_cast<cluster_actor>(self->current_sender()));
                std::vector<node_record> members{self->state.options.self};
                for (const auto& [id, p] : self->state.peers) members.push_back(p.record);
                return members;
              }),
      counted(self,
              [=](member_atom, const node_record& record) {
                if (record.id == self->state.options.self.id) {  // this node's own addresses, once it listens
                  auto state = self->state.options.self.state;
                  self->state.options.self = record;
                  self->state.options.self.state = state;
                  return;
                }
                auto known = self->state.peers.find(record.id);
                if (known == self->state.peers.end()) return;
                add_peer(self, record, known->second.actor);
              }),
      counted(self,
              [=](synced_atom, const std::string& node) {
                self->state.synced_from.insert(node);
                check_joined(self);
              }),
      counted(self, [=](tick_atom) { tick(self); }),
      counted(self,
              [=](open_atom, const std::string& tenant, const std::string& stream,
                  bool create) -> caf::result<stream_actor> {
                auto supervisor = self->state.directory->tenant(tenant);
                if (!supervisor || !self->state.view->owns(tenant, stream))
                  return caf::make_error(caf::sec::no_route_to_receiving_node);
                return self->delegate(*supervisor, open_atom_v, stream, create);
              }),
      counted(self,
              [=](chunk_atom, std::uint64_t transfer, std::uint64_t total, const object_body& piece) -> bool {
                auto& state = self->state;
                auto key = std::make_pair(sender_key(self), transfer);
                auto entry = state.inbox.find(key);
                if (entry == state.inbox.end()) {
                  if (total > state.options.max_body_bytes || state.inbox.size() >= state.options.max_transfers)
                    return false;
                  entry = state.inbox.emplace(key, inbound_body{{}, total, clock::now()}).first;
                  entry->second.bytes.reserve(total);
                }
                if (entry->second.bytes.size() + piece.size() > entry->second.total) {
                  state.inbox.erase(entry);
                  return false;
                }
                entry->second.bytes.append(piece.view());
                return true;
              }),
      counted(self,
              [=](put_atom, const std::string& tenant, const std::string& stream, object_write write,
                  std::uint64_t transfer) -> caf::result<write_reply> {
                auto& state = self->state;
                auto entry = state.inbox.find({sender_key(self), transfer});
                if (entry == state.inbox.end() || entry->second.bytes.size() != entry->second.total) {
                  spdlog::error("cluster: a forwarded PUT of /{}/{}/{} arrived without all of its body", tenant, stream,
                                write.object);
                  if (entry != state.inbox.end()) state.inbox.erase(entry);
                  return write_reply_for(model::write_outcome::store_failed);
                }
                write.body = object_body::adopt(std::move(entry->second.bytes));
                state.inbox.erase(entry);
                if (model::content_digest(write.body.view()) != write.digest) {
                  spdlog::error("cluster: a forwarded PUT of /{}/{}/{} does not match its digest", tenant, stream,
                                write.object);
                  return write_reply_for(model::write_outcome::store_failed);
                }
                if (!state.view->owns(tenant, stream)) return write_reply_for(model::write_outcome::store_failed);
                auto promise = self->make_response_promise<write_reply>();
                ask_local<write_reply>(
                    self, tenant, stream, true, state.options.request_timeout,
                    [promise](write_reply reply) mutable { promise.deliver(reply); },
                    [promise](const caf::error&) mutable {
                      promise.deliver(write_reply_for(model::write_outcome::store_failed));
                    },
                    put_atom_v, write);
                return promise;
              }),
      counted(self,
              [=](get_atom, const std::string& tenant, const std::string& stream, const object_read& read,
                  std::uint64_t cached_digest) -> caf::result<remote_read> {
                auto& state = self->state;
                if (!state.view->owns(tenant, stream))
                  return remote_read{.reply = read_reply_for(model::read_outcome::unavailable, state.options.cache)};
                auto promise = self->make_response_promise<remote_read>();
                ask_local<read_reply>(
                    self, tenant, stream, false, state.options.max_hold + state.options.request_timeout,
                    [self, promise, cached_digest](read_reply reply) mutable {
                      auto& s = self->state;
                      remote_read answer{.reply = std::move(reply)};
                      auto& object = answer.reply.object;
                      if (answer.reply.status == 200 && cached_digest != 0 && object.digest == cached_digest) {
                        object.body = {};
                        answer.cached = true;
                      } else if (answer.reply.status == 200 && object.body.size() > s.options.chunk_bytes) {
                        // Fetched in pieces; the body stays shared with the stream actor meanwhile (no copy).
                        if (s.outbox.size() >= s.options.max_transfers) s.outbox.erase(s.outbox.begin());
                        answer.transfer = ++s.next_transfer;
                        answer.size = object.body.size();
                        s.outbox.emplace(answer.transfer, outbound_body{std::move(object.body), clock::now()});
                        object.body = {};
                      }
                      promise.deliver(std::move(answer));
                    },
                    [self, promise](const caf::error& error) mutable {
                      bool unknown = error == caf::sec::remote_lookup_failed;
                      auto outcome = unknown ? model::read_outcome::not_found : model::read_outcome::unavailable;
                      promise.deliver(remote_read{.reply = read_reply_for(outcome, self->state.options.cache),
                                                  .unknown_stream = unknown});
                    },
                    get_atom_v, read);
                return promise;
              }),
      counted(self,
              [=](fetch_atom, std::uint64_t transfer, std::uint64_t offset) -> object_body {
                auto& state = self->state;
                auto entry = state.outbox.find(transfer);
                if (entry == state.outbox.end() || offset >= entry->second.body.size()) return {};
                auto piece = object_body::adopt(
                    std::string(entry->second.body.view().substr(offset, state.options.chunk_bytes)));
                if (offset + piece.size() >= entry->second.body.size()) state.outbox.erase(entry);
                return piece;
              }),
      counted(self,
              [=](replicate_atom, const record_batch& batch) -> caf::result<bool> {
                auto store = storage_for(self->state.storage, batch.tenant, batch.stream);
                if (!store) return false;
                return self->delegate(*store, apply_atom_v, batch);
              }),
      counted(self,
              [=](info_atom) -> caf::result<cluster_info> {
                auto& state = self->state;
                cluster_info info{.self = state.options.self.id, .version = state.view->version()};
                info.members.push_back({state.options.self, self->id(), true});
                for (const auto& [id, p] : state.peers) info.members.push_back({p.record, p.actor.id(), false});
                auto place = [self](cluster_info& out, std::vector<std::pair<std::string, std::string>> names) {
                  std::sort(names.begin(), names.end());
                  names.erase(std::unique(names.begin(), names.end()), names.end());
                  for (auto& [tenant, stream] : names) {
                    auto placed = self->state.view->placement(tenant, stream);
                    out.streams.push_back({tenant, stream, placed.owner, placed.replica});
                  }
                };
                auto known = state.directory->streams();
                if (state.storage.empty()) {
                  place(info, std::move(known));
                  return info;
                }
                auto promise = self->make_response_promise<cluster_info>();
                self->request(state.storage.front(), info_list_timeout, list_atom_v)
                    .then(
                        [promise, info, known, place](std::vector<storage::stored_stream>& stored) mutable {
                          for (const auto& s : stored) known.emplace_back(s.tenant, s.stream);
                          place(info, std::move(known));
                          promise.deliver(std::move(info));
                        },
                        [promise, info, known, place](caf::error&) mutable {
                          place(info, std::move(known));
                          promise.deliver(std::move(info));
                        });
                return promise;
              }),
  };
}

}  // namespace

cluster_actor spawn_cluster_actor(caf::actor_system& system, cluster_options options,
                                  std::shared_ptr<cluster_view> view, std::shared_ptr<stream_directory> directory,
                                  storage_pool storage) {
  return system.spawn(cluster_behavior, std::move(options), std::move(view), std::move(directory), std::move(storage));
}

std::string cluster_address(const std::string& host, std::uint16_t port) { return fmt::format("{}:{}", host, port); }

void register_message_types(caf::actor_system_config& config) {
  config.add_message_types<caf::id_block::live_origin_cluster>();
  config.add_message_type<cluster_actor>("live_origin::cluster::cluster_actor");
}

}  // namespace live_origin::cluster
