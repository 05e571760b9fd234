#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "actors/interfaces.hpp"
#include "actors/origin_supervisor.hpp"
#include "actors/stream_actor.hpp"
#include "actors/stream_directory.hpp"
#include "model/clock.hpp"
#include "model/content_digest.hpp"
#include "model/stored_record.hpp"
#include "storage/storage_actor.hpp"
#include "support/scripted_storage.hpp"

namespace live_origin::actors {
namespace {

using storage::apply_atom;
using storage::erase_atom;
using storage::list_atom;
using storage::load_atom;
using storage::load_atom_v;
using storage::lookup;
using storage::object_store;
using storage::record_batch;
using storage::recovered_stream;
using storage::served_atom;
using storage::spawn_storage_actor;
using storage::storage_actor;
using storage::store_atom;
using storage::stored_candidate;
using storage::sync_atom;

using namespace std::chrono_literals;

class ActorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    spdlog::set_level(spdlog::level::off);
    config_ = new caf::actor_system_config();
    storage::register_message_types(*config_);
    register_message_types(*config_);
    config_->set("scheduler.max-threads", 2);
    system_ = new caf::actor_system(*config_);
  }
  static void TearDownTestSuite() {
    delete system_;  // blocks until every actor is gone; each test stops what it spawns
    delete config_;
  }

  void SetUp() override {
    directory_ = std::make_shared<stream_directory>();
    defaults_ = std::make_shared<stream_defaults>();
    origin_ = spawn_origin_supervisor(*system_, {{"demo", defaults_, {}}, {"other", defaults_, {}}}, directory_);
  }
  void TearDown() override {
    caf::anon_send_exit(origin_, caf::exit_reason::user_shutdown);
    system_->await_all_actors_done();
    directory_->clear();
  }

  template <class Reply, class Handle, class... Ts>
  Reply ask(const Handle& target, Ts&&... xs) {
    caf::scoped_actor self{*system_};
    Reply reply{};
    self->request(target, 5s, std::forward<Ts>(xs)...)
        .receive([&](Reply& value) { reply = std::move(value); },
                 [&](caf::error& error) { ADD_FAILURE() << system_->render(error); });
    return reply;
  }

  stream_actor open(const std::string& stream) {
    return ask<stream_actor>(*directory_->tenant("demo"), open_atom_v, stream);
  }

  static object_write write_of(std::string object, object_body body) {
    auto digest = model::content_digest(body.view());
    object_write write;
    write.object = std::move(object);
    write.body = std::move(body);
    write.digest = digest;
    return write;
  }

  static inline caf::actor_system_config* config_ = nullptr;
  static inline caf::actor_system* system_ = nullptr;
  std::shared_ptr<stream_directory> directory_;
  std::shared_ptr<stream_defaults> defaults_;
  origin_supervisor_actor origin_;
};

TEST_F(ActorTest, BodyTravelsFromPutToEveryGetWithoutACopy) {
  auto stream = open("live1");
  auto body = object_body::adopt(std::string(1 << 20, 'x'));
  const auto* original = body.bytes.get();
  EXPECT_EQ(ask<write_reply>(stream, put_atom_v, write_of("seg-1.m4s", body)).status, 201);
  auto first = ask<read_reply>(stream, get_atom_v, object_read{"seg-1.m4s", 1, false});
  auto second = ask<read_reply>(stream, get_atom_v, object_read{"seg-1.m4s", 1, false});
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(first.object.body.bytes.get(), original);
  EXPECT_EQ(second.object.body.bytes.get(), original);
  EXPECT_EQ(first.object.body.size(), 1u << 20);
}

TEST_F(ActorTest, WritesAnswerCreatedUnchangedAndReplaced) {
  auto stream = open("live1");
  EXPECT_EQ(ask<write_reply>(stream, put_atom_v, write_of("a.m3u8", object_body::adopt("v1"))).status, 201);
  EXPECT_EQ(ask<write_reply>(stream, put_atom_v, write_of("a.m3u8", object_body::adopt("v1"))).status, 204);
  EXPECT_EQ(ask<write_reply>(stream, put_atom_v, write_of("a.m3u8", object_body::adopt("v2"))).status, 204);
  auto read = ask<read_reply>(stream, get_atom_v, object_read{"a.m3u8", 1, false});
  EXPECT_EQ(read.object.body.view(), "v2");
  EXPECT_EQ(read.object.digest, model::content_digest("v2"));
}

TEST_F(ActorTest, MissingObjectIs404) {
  auto stream = open("live1");
  EXPECT_EQ(ask<read_reply>(stream, get_atom_v, object_read{"nope.ts", 1, false}).status, 404);
}

TEST_F(ActorTest, DeleteKeepsTheObjectAndMarksIt) {
  auto stream = open("live1");
  ask<write_reply>(stream, put_atom_v, write_of("seg-1.ts", object_body::adopt("bytes")));
  EXPECT_EQ(ask<write_reply>(stream, delete_atom_v, std::string("seg-1.ts")).status, 204);
  auto read = ask<read_reply>(stream, get_atom_v, object_read{"seg-1.ts", 1, false});
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.object.body.view(), "bytes");
  EXPECT_GT(read.object.delete_requested_at_ms, 0);
}

TEST_F(ActorTest, OpeningTwiceGivesTheSameActorAndTheDirectoryKnowsIt) {
  auto first = open("live1");
  auto second = open("live1");
  EXPECT_EQ(first, second);
  ASSERT_TRUE(directory_->stream("demo", "live1"));
  EXPECT_EQ(*directory_->stream("demo", "live1"), first);
  EXPECT_FALSE(directory_->stream("other", "live1"));
}

using test::script;
using test::scripted_storage;

TEST_F(ActorTest, ASegmentIsFirstServedOnlyOnceStorageHasTheChoice) {
  for (auto markers : {script::yes, script::no}) {
    auto storage = system_->spawn(scripted_storage, script::yes, markers, script::yes);
    auto stream = spawn_stream_actor(*system_, "demo", "drill", defaults_, storage, std::nullopt);
    EXPECT_EQ(ask<write_reply>(stream, put_atom_v, write_of("seg-1.m4s", object_body::adopt("one"))).status, 201);
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto read = ask<read_reply>(stream, get_atom_v, object_read{"seg-1.m4s", 1, false});
      if (markers == script::yes) {
        EXPECT_EQ(read.status, 200);
        EXPECT_EQ(read.object.body.view(), "one");
      } else {
        EXPECT_EQ(read.status, 503) << "served although a restart could not know which bytes CDNs have";
      }
    }
    caf::anon_send_exit(stream, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
  }
}

// Answers that rest on the stream's state record (a 410 that declares a segment gone, a DELETE's schedule,
// a timeline or mask change) go out once storage has the record, and not as if it had when it refuses.
TEST_F(ActorTest, AnswersThatChangeTheStoredStateWaitForStorage) {
  for (auto records : {script::yes, script::no}) {
    bool stored = records == script::yes;
    auto storage = system_->spawn(scripted_storage, script::yes, script::yes, records);
    auto stream = spawn_stream_actor(*system_, "demo", "drill", defaults_, storage, std::nullopt);
    caf::scoped_actor self{*system_};
    auto changed = [&](auto... request) {
      bool answered = false;
      self->request(stream, 5s, request...)
          .receive([&](stream_status&) { answered = true; }, [&](caf::error&) { answered = false; });
      return answered;
    };
    stream_settings timeline;  // 1 s segments, the live edge at 20: segment 5 missed its deadline long ago
    timeline.segment_duration_ms = 1000;
    timeline.start_number = 0;
    timeline.availability_start_ms = model::system_wall_clock()->unix_now_ms() - 21'500;
    EXPECT_EQ(changed(settings_atom_v, timeline), stored);
    EXPECT_EQ(changed(mask_atom_v, pipeline_mask{"a", 100, 120}), stored);
    EXPECT_EQ(ask<write_reply>(stream, put_atom_v, write_of("seg-19.m4s", object_body::adopt("19"))).status, 201);
    EXPECT_EQ(ask<read_reply>(stream, get_atom_v, object_read{"seg-5.m4s", 1, false}).status, stored ? 410 : 503)
        << "a CDN caches the 410: it must still hold after a restart";
    EXPECT_EQ(ask<write_reply>(stream, delete_atom_v, std::string("seg-19.m4s")).status, stored ? 204 : 503);
    caf::anon_send_exit(stream, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
  }
}

// A store in memory that can be made to fail as RocksDB does on a damaged block or a failing disk: scans
// stop after the first record with an error, lookups cannot say.
class failing_store final : public object_store {
 public:
  bool scans_fail = false;
  bool reads_fail = false;

  bool put(std::string_view key, std::string_view value) override { return write({{key, value}}, {}); }
  bool erase(std::string_view key) override { return write({}, {key}); }
  bool write(const std::vector<std::pair<std::string_view, std::string_view>>& puts,
             const std::vector<std::string_view>& erases) override {
    std::lock_guard lock(mutex_);
    for (const auto& [key, value] : puts) records_[std::string(key)] = value;
    for (auto key : erases) records_.erase(std::string(key));
    return true;
  }
  lookup get(std::string_view key) override {
    std::lock_guard lock(mutex_);
    if (reads_fail) return {std::nullopt, true};
    auto it = records_.find(std::string(key));
    return it == records_.end() ? lookup{} : lookup{it->second, false};
  }
  bool scan(std::string_view prefix, const std::function<void(std::string_view, std::string_view)>& visit) override {
    std::lock_guard lock(mutex_);
    for (auto it = records_.lower_bound(std::string(prefix)); it != records_.end() && it->first.starts_with(prefix);
         ++it) {
      visit(it->first, it->second);
      if (scans_fail) return false;
    }
    return true;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> records_;
};

// A store that cannot be read to the end starts nothing from a part of it: the process start refuses, and
// a stream's load fails (its opens get 503 and the next one tries again) rather than starting without some
// of its candidates and choices.
TEST_F(ActorTest, AStoreThatCannotBeReadToTheEndStartsNoStreamFromAPartOfIt) {
  auto store = std::make_shared<failing_store>();
  store->scans_fail = true;
  for (auto name : {"seg-1.m4s", "seg-2.m4s"}) {
    model::object_record record{name, "a", model::content_digest("x"), 1, 0, "x"};
    store->put(model::candidate_record_key("demo", "live", name, "a"), model::encode_candidate_record(record));
  }
  EXPECT_THROW(recover_streams(*store), std::runtime_error);
  auto storage = spawn_storage_actor(*system_, store);
  caf::scoped_actor self{*system_};
  bool loaded = false;
  self->request(storage, 5s, load_atom_v, std::string("demo"), std::string("live"))
      .receive([&](recovered_stream&) { loaded = true; }, [](caf::error&) {});
  EXPECT_FALSE(loaded) << "a part of the stream was handed out as all of it";
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
}

// A body the store cannot read now (an I/O error) is a 503 that decides nothing: the chosen candidate is
// neither dropped nor replaced, and is served once the store reads again.
TEST_F(ActorTest, ABodyTheStoreCannotReadNowIsA503ThatDropsNothing) {
  auto store = std::make_shared<failing_store>();
  auto defaults = std::make_shared<stream_defaults>(*defaults_);
  defaults->hot_bytes_per_stream = 1;  // every durable segment leaves memory
  auto storage = spawn_storage_actor(*system_, store);
  auto stream = spawn_stream_actor(*system_, "demo", "drill", defaults, storage, std::nullopt);
  EXPECT_EQ(ask<write_reply>(stream, put_atom_v, write_of("seg-1.m4s", object_body::adopt("one"))).status, 201);
  store->reads_fail = true;
  EXPECT_EQ(ask<read_reply>(stream, get_atom_v, object_read{"seg-1.m4s", 1, false}).status, 503);
  store->reads_fail = false;
  auto read = ask<read_reply>(stream, get_atom_v, object_read{"seg-1.m4s", 2, false});
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.object.body.view(), "one");
  caf::anon_send_exit(stream, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
}

TEST_F(ActorTest, AWriteStorageRefusesIsNeitherAcknowledgedNorServed) {
  auto storage = system_->spawn(scripted_storage, script::no, script::yes, script::yes);
  auto stream = spawn_stream_actor(*system_, "demo", "drill", defaults_, storage, std::nullopt);
  EXPECT_EQ(ask<write_reply>(stream, put_atom_v, write_of("live.m3u8", object_body::adopt("one"))).status, 503);
  EXPECT_EQ(ask<read_reply>(stream, get_atom_v, object_read{"live.m3u8", 1, false}).status, 404);
  caf::anon_send_exit(stream, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
}

// A stream recovered from storage is in the directory as soon as the tree is up, however the scheduler
// orders the supervisors' first runs (a tenant supervisor may run before its parent registers it).
TEST_F(ActorTest, RecoveredStreamsAreInTheDirectoryOnceTheTreeIsUp) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto directory = std::make_shared<stream_directory>();
    tenant_setup setup{"restored", defaults_, {recovered_stream{.tenant = "restored", .stream = "live"}}};
    auto origin = spawn_origin_supervisor(*system_, {setup}, directory);
    bool found = directory->stream("restored", "live").has_value();
    caf::anon_send_exit(origin, caf::exit_reason::user_shutdown);
    ASSERT_TRUE(found) << "attempt " << attempt;
  }
}

TEST_F(ActorTest, TreeListsEveryTenantAndStreamWithCounts) {
  auto live1 = open("live1");
  open("live2");
  ask<write_reply>(live1, put_atom_v, write_of("a.ts", object_body::adopt("123")));
  ask<write_reply>(live1, put_atom_v, write_of("b.ts", object_body::adopt("45")));
  auto tree = ask<origin_info>(origin_, info_atom_v);
  EXPECT_EQ(tree.actor_id, origin_.id());
  ASSERT_EQ(tree.tenants.size(), 2u);
  for (const auto& tenant : tree.tenants) {
    if (tenant.name == "other") {
      EXPECT_TRUE(tenant.streams.empty());
      continue;
    }
    ASSERT_EQ(tenant.streams.size(), 2u);
    for (const auto& stream : tenant.streams) {
      EXPECT_TRUE(stream.responsive);
      if (stream.name == "live1") {
        EXPECT_EQ(stream.objects, 2u);
        EXPECT_EQ(stream.bytes, 5u);
        EXPECT_EQ(stream.actor_id, live1.id());
      } else {
        EXPECT_EQ(stream.objects, 0u);
      }
    }
  }
}

}  // namespace
}  // namespace live_origin::actors
