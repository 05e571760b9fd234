// Durable storage seen through HTTP: what a new process finds in the data directory is served as before,
// and a damaged record is reported and skipped, never served.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "model/content_digest.hpp"
#include "model/stored_record.hpp"
#include "storage/object_store.hpp"
#include "support/http_client.hpp"
#include "support/prometheus.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

TEST(Durability, ANewProcessServesWhatTheLastOneAcknowledged) {
  temp_dir data;
  auto use_data = [&](config::origin_config& c) { c.data_dir = (data.path() / "data").string(); };
  {
    running_origin first(use_data);
    ASSERT_EQ(
        fetch(first.ingest(), bhttp::verb::put, "/demo/live1/seg-7.m4s", "seven", {{"X-Origin-Pipeline", "b"}}).status,
        201);
    ASSERT_EQ(fetch(first.ingest(), bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U\n").status, 201);
    ASSERT_EQ(fetch(first.ingest(), bhttp::verb::put, "/demo/live1/empty.vtt", "").status, 201);
    ASSERT_EQ(fetch(first.delivery(), bhttp::verb::get, "/demo/live1/seg-7.m4s").status, 200);
    // b's init segment is served before a's arrives: CDNs keep b's, and so does the origin.
    ASSERT_EQ(
        fetch(first.ingest(), bhttp::verb::put, "/demo/live1/init.mp4", "init-b", {{"X-Origin-Pipeline", "b"}}).status,
        201);
    ASSERT_EQ(fetch(first.delivery(), bhttp::verb::get, "/demo/live1/init.mp4").body, "init-b");
    ASSERT_EQ(fetch(first.ingest(), bhttp::verb::put, "/demo/live1/init.mp4", "init-a").status, 201);
    ASSERT_EQ(fetch(first.delivery(), bhttp::verb::get, "/demo/live1/init.mp4").body, "init-b");
  }
  running_origin second(use_data);
  // Known again, with nothing read into memory yet: bodies are read when asked for.
  auto status = nlohmann::json::parse(fetch(second.admin(), bhttp::verb::get, "/streams/demo/live1").body);
  EXPECT_EQ(status["bytes"], 5 + 8 + 6 + 6);
  EXPECT_EQ(status["hot_bytes"], 0);
  EXPECT_EQ(fetch(second.delivery(), bhttp::verb::get, "/demo/live1/init.mp4").body, "init-b")
      << "the init segment CDNs got, not the first in order";
  // Pipeline a comes first in the order and is clean, but b's bytes went to CDNs: b stays served.
  EXPECT_EQ(fetch(second.ingest(), bhttp::verb::put, "/demo/live1/seg-7.m4s", "seven-a").status, 201);
  auto segment = fetch(second.delivery(), bhttp::verb::get, "/demo/live1/seg-7.m4s");
  EXPECT_EQ(segment.status, 200);
  EXPECT_EQ(segment.body, "seven");
  EXPECT_EQ(segment.header("x-origin-pipeline"), "b");
  EXPECT_EQ(segment.header("etag"), model::entity_tag(model::content_digest("seven")));
  EXPECT_EQ(fetch(second.delivery(), bhttp::verb::get, "/demo/live1/stream.m3u8").body, "#EXTM3U\n");
  auto empty = fetch(second.delivery(), bhttp::verb::get, "/demo/live1/empty.vtt");
  EXPECT_EQ(empty.status, 200) << "an empty object is an object";
  EXPECT_EQ(empty.body, "");
  EXPECT_EQ(
      fetch(second.ingest(), bhttp::verb::put, "/demo/live1/seg-7.m4s", "changed", {{"X-Origin-Pipeline", "b"}}).status,
      409)
      << "it was served before the restart: its bytes stay fixed";
  status = nlohmann::json::parse(fetch(second.admin(), bhttp::verb::get, "/streams/demo/live1").body);
  EXPECT_EQ(status["hot_bytes"], 5 + 7 + 8 + 6) << "what was read back stays in memory, with the new candidate";
}

TEST(Durability, DecisionsSurviveARestart) {
  temp_dir data;
  auto use_data = [&](config::origin_config& c) { c.data_dir = (data.path() / "data").string(); };
  auto segment = [](int n) { return "/demo/live/seg-" + std::to_string(n) + ".m4s"; };
  {
    running_origin first(use_data);
    // 1 s segments; the live edge is 20, so segment 5 is long past its deadline.
    auto availability =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count() -
        21'500;
    ASSERT_EQ(fetch(first.admin(), bhttp::verb::put, "/streams/demo/live",
                    "{\"segment_duration_ms\": 1000, \"start_number\": 0, \"retry_budget_ms\": 1500, "
                    "\"pipeline_order\": [\"b\", \"a\"], \"availability_start_ms\": " +
                        std::to_string(availability) + "}")
                  .status,
              200);
    ASSERT_EQ(fetch(first.ingest(), bhttp::verb::put, segment(19), "nineteen", {{"X-Origin-Event", "ad-start"}}).status,
              201);
    ASSERT_EQ(fetch(first.admin(), bhttp::verb::post, "/streams/demo/live/masks",
                    "{\"pipeline\": \"a\", \"from\": 100, \"to\": 120}")
                  .status,
              201);
    ASSERT_EQ(fetch(first.delivery(), bhttp::verb::get, segment(5)).status, 410);  // declared gone
    ASSERT_EQ(fetch(first.ingest(), bhttp::verb::put, "/demo/live/old.m3u8", "#EXTM3U\n").status, 201);
    ASSERT_EQ(fetch(first.ingest(), bhttp::verb::delete_, "/demo/live/old.m3u8").status, 204);
  }
  running_origin second(use_data);
  auto status = nlohmann::json::parse(fetch(second.admin(), bhttp::verb::get, "/streams/demo/live").body);
  EXPECT_EQ(status["retry_budget_ms"], 1500);
  EXPECT_EQ(status["pipeline_order"], nlohmann::json::array({"b", "a"}));
  ASSERT_EQ(status["masks"].size(), 1u);
  EXPECT_EQ(status["masks"][0]["from"], 100);
  EXPECT_EQ(fetch(second.ingest(), bhttp::verb::put, segment(5), "late").status, 409) << "still gone after the restart";
  EXPECT_EQ(fetch(second.delivery(), bhttp::verb::get, segment(19)).header("x-origin-events"), "ad-start");
}

TEST(Durability, SegmentsOlderThanTheHotWindowAreReadFromStorage) {
  running_origin origin([](config::origin_config& c) { c.hot_bytes_per_stream = 1000; });
  std::vector<std::string> bodies;
  for (int n = 1; n <= 5; ++n) {
    bodies.push_back(std::string(600, static_cast<char>('a' + n)));
    ASSERT_EQ(
        fetch(origin.ingest(), bhttp::verb::put, "/demo/live/seg-" + std::to_string(n) + ".m4s", bodies.back()).status,
        201);
  }
  ASSERT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live/stream.m3u8", std::string(900, 'm')).status, 201);
  auto status = nlohmann::json::parse(fetch(origin.admin(), bhttp::verb::get, "/streams/demo/live").body);
  EXPECT_EQ(status["bytes"], 5 * 600 + 900);
  EXPECT_LE(status["hot_bytes"].get<int>(), 1000 + 900) << "only the newest segment (and the manifest) in memory";
  EXPECT_GE(status["hot_bytes"].get<int>(), 900) << "manifests never leave memory";
  for (int n = 1; n <= 5; ++n) {
    auto reply = fetch(origin.delivery(), bhttp::verb::get, "/demo/live/seg-" + std::to_string(n) + ".m4s");
    EXPECT_EQ(reply.status, 200) << n;
    EXPECT_EQ(reply.body, bodies[n - 1]) << n;
    EXPECT_EQ(reply.header("etag"), model::entity_tag(model::content_digest(bodies[n - 1])));
  }
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live/seg-1.m4s", bodies[0]).status, 204)
      << "the same bytes again, decided by the digest while the bytes are only in storage";
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live/seg-1.m4s", "other").status, 409)
      << "served: fixed, in memory or not";
}

// The process-wide bound holds across streams: each stream gives back what the process is over.
TEST(Durability, TheProcessHotWindowBoundsAllStreamsTogether) {
  running_origin origin([](config::origin_config& c) { c.hot_bytes_total = 1500; });
  auto path = [](const std::string& stream, int n) { return "/demo/" + stream + "/seg-" + std::to_string(n) + ".m4s"; };
  auto body = [](const std::string& stream, int n) { return std::string(600, static_cast<char>(stream[0] + n)); };
  for (const std::string stream : {"one", "two"})
    for (int n = 1; n <= 3; ++n)
      ASSERT_EQ(fetch(origin.ingest(), bhttp::verb::put, path(stream, n), body(stream, n)).status, 201);
  std::uint64_t hot = 0;
  for (const std::string stream : {"one", "two"}) {
    auto status = nlohmann::json::parse(fetch(origin.admin(), bhttp::verb::get, "/streams/demo/" + stream).body);
    EXPECT_EQ(status["bytes"], 3 * 600) << stream;
    hot += status["hot_bytes"].get<std::uint64_t>();
  }
  EXPECT_LE(hot, 1500u) << "both streams' segments in memory together";
  EXPECT_GT(hot, 0u);
  EXPECT_EQ(prometheus_text(fetch(origin.admin(), bhttp::verb::get, "/metrics").body).value("live_origin_hot_bytes"),
            hot);
  for (const std::string stream : {"one", "two"})
    for (int n = 1; n <= 3; ++n) {
      auto reply = fetch(origin.delivery(), bhttp::verb::get, path(stream, n));
      EXPECT_EQ(reply.status, 200) << path(stream, n);
      EXPECT_EQ(reply.body, body(stream, n)) << path(stream, n);
    }
}

// The crash drill at scale: two pipelines (a's odd segments short, b's clean), a hot window of four
// segments so most bytes are read back from the store, segments served before the crash, and a writer
// that keeps publishing while the stream actor is crashed twice. Every acknowledged segment is served
// afterwards with the bytes and pipeline a viewer got before, or the ones selection owes it.
TEST(Durability, CrashDrillServesEveryAcknowledgedSegmentWithTheSameBytes) {
  running_origin origin([](config::origin_config& c) {
    c.fault_injection = true;
    c.hot_bytes_per_stream = std::uint64_t{4} * 16'384;
  });
  auto path = [](int n) { return "/demo/drill/seg-" + std::to_string(n) + ".m4s"; };
  auto body = [](int n, char pipeline) {
    std::string bytes(pipeline == 'a' && n % 2 == 1 ? 8'000 : 16'384, static_cast<char>('A' + n % 26));
    bytes.replace(0, 8, std::to_string(10'000'000 + n * 10 + (pipeline - 'a')));  // unique per segment and pipeline
    return bytes;
  };
  auto put = [&](int n, char pipeline) {
    header_list headers{{"X-Origin-Pipeline", std::string(1, pipeline)}};
    if (pipeline == 'a' && n % 2 == 1) headers.emplace_back("X-Origin-Defects", "short");
    return fetch(origin.ingest(), bhttp::verb::put, path(n), body(n, pipeline), headers).status;
  };
  auto publish = [&](int n) { return std::pair(put(n, 'a'), put(n, 'b')); };
  // Before the crashes: 1..20 published, 1..10 read, which fixes their bytes. For even n <= 10 b's
  // segment lands first and is served before a's, which selection would prefer: b must stay served.
  auto b_served_first = [](int n) { return n <= 10 && n % 2 == 0; };
  std::map<int, http_reply> seen;
  for (int n = 1; n <= 20; ++n) {
    if (b_served_first(n)) {
      ASSERT_EQ(put(n, 'b'), 201u) << n;
      seen[n] = fetch(origin.delivery(), bhttp::verb::get, path(n));
      ASSERT_EQ(put(n, 'a'), 201u) << n;
    } else {
      ASSERT_EQ(publish(n), std::pair(201u, 201u)) << n;
      if (n <= 10) seen[n] = fetch(origin.delivery(), bhttp::verb::get, path(n));
    }
  }
  for (auto& [n, reply] : seen) ASSERT_EQ(reply.status, 200u) << n;

  // 21..60 published while the actor is crashed twice; requests meanwhile wait for the successor.
  std::map<int, std::pair<unsigned, unsigned>> written;
  std::atomic<int> last_written{20};
  std::thread writer([&] {
    for (int n = 21; n <= 60; ++n) {
      written[n] = publish(n);
      last_written = n;
    }
  });
  for (int crash_after : {30, 45}) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (last_written < crash_after && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(fetch(origin.admin(), bhttp::verb::post, "/streams/demo/drill/crash").status, 202);
  }
  writer.join();
  // 204 when the crashed actor had stored the bytes and the successor found them there.
  auto acknowledged = [](unsigned status) { return status == 201 || status == 204; };
  for (const auto& [n, statuses] : written)
    EXPECT_TRUE(acknowledged(statuses.first) && acknowledged(statuses.second))
        << "segment " << n << ": " << statuses.first << ", " << statuses.second;
  auto restarts = [&] {
    auto tree = nlohmann::json::parse(fetch(origin.admin(), bhttp::verb::get, "/actors").body);
    for (auto& tenant : tree["children"])
      if (tenant["name"] == "demo") return tenant["restarts"].get<int>();
    return -1;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (restarts() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(restarts(), 2);

  for (int n = 1; n <= 60; ++n) {
    auto reply = fetch(origin.delivery(), bhttp::verb::get, path(n));
    ASSERT_EQ(reply.status, 200) << n << ": " << reply.body;
    if (seen.count(n)) {
      EXPECT_EQ(reply.body, seen[n].body) << n;
      EXPECT_EQ(reply.header("x-origin-pipeline"), seen[n].header("x-origin-pipeline")) << n;
      EXPECT_EQ(reply.header("etag"), seen[n].header("etag")) << n;
    }
    char expected = n % 2 == 1 || b_served_first(n) ? 'b' : 'a';  // a first in order unless short or late
    EXPECT_EQ(reply.header("x-origin-pipeline"), std::string(1, expected)) << n;
    EXPECT_TRUE(reply.body == body(n, expected)) << n << ": not the bytes pipeline " << expected << " stored";
  }
}

std::uint64_t disk_bytes(const std::filesystem::path& directory) {
  std::uint64_t total = 0;
  std::error_code ec;  // RocksDB deletes files while we walk: skip what vanished
  for (std::filesystem::recursive_directory_iterator it(directory, ec), end; it != end; it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

std::uint64_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // in kB
  return 0;
}

// A stream publishes far more than its DVR window holds: expiry deletes from the store, and the disk and
// memory used stop growing once the window is full. 100 ms segments of 256 KiB, a 3 s window (7.5 MiB),
// 40 MiB written; every segment is also read, so served markers come and go too. The window is 3 s so that
// the publisher (this loop) may fall up to 3 s behind real time, as it can under a sanitizer, before a
// segment arrives already expired (then its GET is rightly 503 or 410, not 200).
TEST(Durability, DiskAndMemoryStayFlatOverALongDvrRun) {
  constexpr int segments = 160;
  constexpr std::uint64_t segment_bytes = 256 << 10;
  temp_dir data;
  auto store = data.path() / "data";
  running_origin origin([&](config::origin_config& c) {
    c.data_dir = store.string();
    c.write_buffer_bytes = 1 << 20;
  });
  auto start_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  ASSERT_EQ(
      fetch(origin.admin(), bhttp::verb::put, "/streams/demo/long",
            "{\"segment_duration_ms\": 100, \"start_number\": 0, \"dvr_window_s\": 3, \"availability_start_ms\": " +
                std::to_string(start_ms) + "}")
          .status,
      200);
  std::vector<std::uint64_t> disk, memory, stream_bytes;
  auto started = std::chrono::steady_clock::now();
  for (int n = 0; n < segments; ++n) {
    auto path = "/demo/long/seg-" + std::to_string(n) + ".m4s";
    ASSERT_EQ(
        fetch(origin.ingest(), bhttp::verb::put, path, std::string(segment_bytes, static_cast<char>('a' + n % 26)))
            .status,
        201)
        << path;
    ASSERT_EQ(fetch(origin.delivery(), bhttp::verb::get, path).status, 200) << path;
    if (n % 10 == 9) {
      disk.push_back(disk_bytes(store));
      memory.push_back(resident_bytes());
      auto status = nlohmann::json::parse(fetch(origin.admin(), bhttp::verb::get, "/streams/demo/long").body);
      stream_bytes.push_back(status["bytes"].get<std::uint64_t>());
    }
    // Published in real time: segment n is due 100 ms after n - 1.
    std::this_thread::sleep_until(started + std::chrono::milliseconds(100 * (n + 1)));
  }
  auto third = disk.size() / 3;
  auto max_of = [](const std::vector<std::uint64_t>& v, std::size_t from, std::size_t to) {
    return *std::max_element(v.begin() + static_cast<std::ptrdiff_t>(from),
                             v.begin() + static_cast<std::ptrdiff_t>(to));
  };
  std::cout << "DVR run: " << segments << " segments of " << segment_bytes / 1024 << " KiB; disk (MiB) by 10 segments:";
  for (auto bytes : disk) std::cout << ' ' << bytes / (1 << 20);
  std::cout << "; RSS (MiB):";
  for (auto bytes : memory) std::cout << ' ' << bytes / (1 << 20);
  std::cout << "\n";
  for (auto bytes : stream_bytes)
    EXPECT_LE(bytes, 33 * segment_bytes) << "the stream holds its 3 s window (30 segments) and what is due to expire";
  // Disk: the window, the bounded log (4 MiB) and memtables and files waiting for compaction; never
  // what was written (40 MiB).
  EXPECT_LT(max_of(disk, 0, disk.size()), 20u << 20);
  EXPECT_LE(max_of(disk, 2 * third, disk.size()), max_of(disk, third, 2 * third) + (4u << 20)) << "still growing";
  EXPECT_LE(max_of(memory, 2 * third, memory.size()), max_of(memory, third, 2 * third) + (8u << 20)) << "still growing";
}

// Damage in a candidate record is found when the process starts: the candidate is restored from its body
// record if that one is intact, else not at all (404); damage in a body record is found when a GET reads
// it: never the damaged bytes; a candidate nobody got is dropped (here the only one: 404, as if never stored).
TEST(Durability, ADamagedRecordIsSkippedNotServed) {
  temp_dir data;
  auto store_dir = (data.path() / "data" / "store").string();
  std::filesystem::create_directories(data.path() / "data");
  {
    auto store = storage::open_rocksdb_store(store_dir, storage::durability::process);
    auto put = [&](const std::string& name, const std::string& body, bool damage_candidate, bool damage_body) {
      model::object_record record{name, "a", model::content_digest(body), 1, 0, body};
      auto candidate = model::encode_candidate_record(record);
      auto bytes = model::encode_object_record(record);
      if (damage_candidate) candidate.back() ^= 0x01;
      if (damage_body) bytes.back() ^= 0x01;  // a flipped bit in the body
      store->put(model::candidate_record_key("demo", "live1", name, "a"), candidate);
      store->put(model::body_record_key("demo", "live1", name, "a"), bytes);
    };
    put("seg-1.m4s", "one", false, false);
    put("seg-2.m4s", "two", true, false);
    put("seg-3.m4s", "three", false, true);
    put("seg-4.m4s", "four", true, true);
  }
  running_origin origin([&](config::origin_config& c) { c.data_dir = (data.path() / "data").string(); });
  auto intact = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-1.m4s");
  EXPECT_EQ(intact.status, 200) << intact.body;
  EXPECT_EQ(intact.body, "one");
  auto damaged_candidate = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-2.m4s");
  EXPECT_EQ(damaged_candidate.status, 200) << damaged_candidate.body;
  EXPECT_EQ(damaged_candidate.body, "two") << "restored from the intact body record";
  EXPECT_EQ(damaged_candidate.header("x-origin-pipeline"), "a");
  auto both_damaged = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-4.m4s");
  EXPECT_NE(both_damaged.status, 200) << both_damaged.body;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto damaged_body = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-3.m4s");
    EXPECT_EQ(damaged_body.status, 404) << damaged_body.body;
    EXPECT_NE(damaged_body.body, "three");
  }
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/seg-3.m4s", "three").status, 201)
      << "a packager's upload brings it back";
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-3.m4s").body, "three");
}

// A damaged body nobody was given does not pin its segment to 503: the choice is withdrawn and the other
// pipeline's intact copy served, now and after a restart. One a reader got stays chosen (503).
TEST(Durability, ADamagedBodyNobodyGotGivesWayToTheOtherPipeline) {
  temp_dir data;
  auto use_data = [&](config::origin_config& c) { c.data_dir = (data.path() / "data").string(); };
  std::filesystem::create_directories(data.path() / "data");
  {
    auto store = storage::open_rocksdb_store((data.path() / "data" / "store").string(), storage::durability::process);
    // seg-3 and seg-5: a's body damaged, b's intact; seg-5 was served (its marker names a) before.
    for (std::string name : {"seg-3.m4s", "seg-5.m4s"})
      for (auto pipeline : {"a", "b"}) {
        std::string body = name + "-" + pipeline;
        model::object_record record{name, pipeline, model::content_digest(body), 1, 0, body};
        auto bytes = model::encode_object_record(record);
        if (record.pipeline == "a") bytes.back() ^= 0x01;
        store->put(model::candidate_record_key("demo", "live1", name, pipeline),
                   model::encode_candidate_record(record));
        store->put(model::body_record_key("demo", "live1", name, pipeline), bytes);
      }
    store->put(model::served_marker_key("demo", "live1", "seg-5.m4s"), "a");
  }
  for (int run = 0; run < 2; ++run) {
    running_origin origin(use_data);
    auto reply = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-3.m4s");
    EXPECT_EQ(reply.status, 200) << "run " << run << ": " << reply.body;
    EXPECT_EQ(reply.body, "seg-3.m4s-b") << "run " << run;
    EXPECT_EQ(reply.header("x-origin-pipeline"), "b") << "run " << run;
    auto served_before = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-5.m4s");
    EXPECT_EQ(served_before.status, 503) << "run " << run << ": CDNs may hold a's bytes; b's would differ";
    // Counted as what it is: storage could not give the bytes; no hold limit was reached.
    auto metrics = scrape_metrics_until(origin.admin(), [](const prometheus_text& m) {
      return m.value_or("live_origin_http_rejections_total",
                        {{"listener", "delivery"}, {"reason", "storage_unavailable"}}, 0) >= 1;
    });
    EXPECT_EQ(metrics.value_or("live_origin_http_rejections_total",
                               {{"listener", "delivery"}, {"reason", "storage_unavailable"}}, 0),
              1)
        << "run " << run;
    EXPECT_EQ(metrics.value_or("live_origin_shed_requests_total", {{"reason", "hold_limit"}}, -1), 0) << "run " << run;
  }
}

}  // namespace
}  // namespace live_origin::test
