// live-origin-sim: a packager simulator with two redundant pipelines, and a viewer that behaves like a CDN
// node at the live edge. It fixes the stream's timeline through the admin API, then in real time:
//  - each pipeline PUTs init segments, a manifest per segment, and N renditions of every segment, where
//    each pipeline independently drops, shortens (X-Origin-Defects: short) or delays segments at
//    configured rates, with jitter; pipeline a can be stopped and restarted mid-run;
//  - the viewer GETs every segment of rendition 0 from the second on, as soon as it is the next one (held
//    by the origin), and counts what it got.
// Both pipelines publish the same bytes for a segment (epoch-locked encoders); a shortened one is cut.
// The random choices come from --seed, so a run's defect pattern is reproducible.

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs std::exchange under C++20

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::system_clock;

namespace {

struct options {
  std::string host = "127.0.0.1";
  unsigned short ingest = 8081, delivery = 8080, admin = 8082;
  std::string tenant = "demo", stream = "sim";
  int segment_ms = 2000, segments = 30, renditions = 2, segment_bytes = 50'000, jitter_ms = 50;
  double defect_rate = 0.1, drop_rate = 0.0, late_rate = 0.0;
  int stop_a_at = -1, restart_a_at = -1;  // pipeline a publishes nothing for segments in [stop, restart)
  unsigned seed = 1;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now().time_since_epoch()).count();
}

void sleep_until_ms(std::int64_t when) {
  auto delay = when - now_ms();
  if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
}

// One keep-alive connection that reconnects when the origin closes it (refusals close connections).
class client {
 public:
  client(const std::string& host, unsigned short port) : endpoint_(net::ip::make_address(host), port) {}

  http::response<http::string_body> send(http::verb verb, const std::string& target, const std::string& body = {},
                                         const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!stream_) {
          stream_ = std::make_unique<beast::tcp_stream>(io_);
          stream_->connect(endpoint_);
        }
        http::request<http::string_body> request{verb, target, 11};
        request.set(http::field::host, "origin");
        for (const auto& [name, value] : headers) request.insert(name, value);
        request.body() = body;
        request.prepare_payload();
        stream_->expires_after(std::chrono::seconds(30));
        http::write(*stream_, request);
        http::response<http::string_body> response;
        http::read(*stream_, buffer_, response);
        if (!response.keep_alive()) stream_.reset();
        return response;
      } catch (const std::exception&) {
        stream_.reset();
        buffer_.clear();
      }
    }
    http::response<http::string_body> failed;
    failed.result(http::status::service_unavailable);
    return failed;
  }

 private:
  net::io_context io_;
  tcp::endpoint endpoint_;
  std::unique_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

std::string segment_name(int rendition, int n) {
  return "chunk-stream" + std::to_string(rendition) + "-" + std::to_string(n) + ".m4s";
}

// What one pipeline does with one segment (drawn up front, so the run is reproducible).
struct fate {
  bool dropped = false;
  bool shortened = false;
  bool late = false;
  int jitter_ms = 0;
};

std::vector<fate> draw_fates(const options& o, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> chance(0, 1);
  std::uniform_int_distribution<int> jitter(-o.jitter_ms, o.jitter_ms);
  std::vector<fate> fates(static_cast<std::size_t>(o.segments) + 1);
  for (auto& f : fates) {
    f.dropped = chance(random) < o.drop_rate;
    f.shortened = chance(random) < o.defect_rate;
    f.late = chance(random) < o.late_rate;
    f.jitter_ms = jitter(random);
  }
  return fates;
}

void publish(const options& o, const std::string& pipeline, const std::vector<fate>& fates,
             std::int64_t availability_ms, std::atomic<int>& refused) {
  client ingest(o.host, o.ingest);
  auto base = "/" + o.tenant + "/" + o.stream + "/";
  std::vector<std::pair<std::string, std::string>> who{{"X-Origin-Pipeline", pipeline}};
  for (int r = 0; r < o.renditions; ++r)
    if (ingest
            .send(http::verb::put, base + "init-stream" + std::to_string(r) + ".m4s", "init " + std::to_string(r), who)
            .result_int() >= 400)
      ++refused;
  for (int n = 1; n <= o.segments; ++n) {
    bool stopped =
        pipeline == "a" && o.stop_a_at >= 0 && n >= o.stop_a_at && (o.restart_a_at < 0 || n < o.restart_a_at);
    const auto& f = fates[static_cast<std::size_t>(n)];
    // Segment n is due at availability + (n + 1) * duration; a packager finishes it half a segment early,
    // a late one a whole segment after it was due.
    auto due = availability_ms + (n + 1) * static_cast<std::int64_t>(o.segment_ms);
    sleep_until_ms(due - o.segment_ms / 2 + f.jitter_ms + (f.late ? o.segment_ms : 0));
    if (stopped || f.dropped) continue;
    for (int r = 0; r < o.renditions; ++r) {
      std::string body(static_cast<std::size_t>(o.segment_bytes), static_cast<char>('A' + (n + r) % 26));
      auto headers = who;
      if (f.shortened) {
        body.resize(body.size() / 2);
        headers.emplace_back("X-Origin-Defects", "short");
      }
      if (ingest.send(http::verb::put, base + segment_name(r, n), body, headers).result_int() >= 400) ++refused;
    }
    std::string manifest = "<MPD segment=\"" + std::to_string(n) + "\"/>";
    if (ingest.send(http::verb::put, base + "manifest.mpd", manifest, who).result_int() >= 400) ++refused;
  }
}

struct viewer_report {
  int served = 0, served_defective = 0, not_found = 0, gone = 0, server_errors = 0, other = 0;
  std::vector<double> waits_ms;
};

viewer_report watch(const options& o, std::int64_t availability_ms) {
  client delivery(o.host, o.delivery);
  viewer_report report;
  auto base = "/" + o.tenant + "/" + o.stream + "/";
  // From segment 2 on: the origin holds requests only for tracks a packager has started publishing, and
  // segment 1 is the first of this stream.
  for (int n = 2; n <= o.segments; ++n) {
    // Segment n becomes the next one when n - 1 is due: a CDN node asks for it then and is held.
    sleep_until_ms(availability_ms + n * static_cast<std::int64_t>(o.segment_ms));
    auto asked = now_ms();
    auto response = delivery.send(http::verb::get, base + segment_name(0, n));
    report.waits_ms.push_back(static_cast<double>(now_ms() - asked));
    auto status = response.result_int();
    if (status == 200) {
      ++report.served;
      if (response.find("X-Origin-Defects") != response.end()) ++report.served_defective;
    } else if (status == 404) {
      ++report.not_found;
    } else if (status == 410) {
      ++report.gone;
    } else if (status >= 500) {
      ++report.server_errors;
    } else {
      ++report.other;
    }
  }
  return report;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1,
                         static_cast<std::size_t>(std::lround(p * static_cast<double>(values.size() - 1))))];
}

bool parse(int argc, char** argv, options& o) {
  std::map<std::string, std::string> values;
  for (int i = 1; i + 1 < argc; i += 2) values[argv[i]] = argv[i + 1];
  if (argc % 2 == 0) return false;
  try {
    for (const auto& [flag, value] : values) {
      if (flag == "--host")
        o.host = value;
      else if (flag == "--ingest")
        o.ingest = static_cast<unsigned short>(std::stoi(value));
      else if (flag == "--delivery")
        o.delivery = static_cast<unsigned short>(std::stoi(value));
      else if (flag == "--admin")
        o.admin = static_cast<unsigned short>(std::stoi(value));
      else if (flag == "--tenant")
        o.tenant = value;
      else if (flag == "--stream")
        o.stream = value;
      else if (flag == "--segment-ms")
        o.segment_ms = std::stoi(value);
      else if (flag == "--segments")
        o.segments = std::stoi(value);
      else if (flag == "--renditions")
        o.renditions = std::stoi(value);
      else if (flag == "--segment-bytes")
        o.segment_bytes = std::stoi(value);
      else if (flag == "--jitter-ms")
        o.jitter_ms = std::stoi(value);
      else if (flag == "--defect-rate")
        o.defect_rate = std::stod(value);
      else if (flag == "--drop-rate")
        o.drop_rate = std::stod(value);
      else if (flag == "--late-rate")
        o.late_rate = std::stod(value);
      else if (flag == "--stop-a-at")
        o.stop_a_at = std::stoi(value);
      else if (flag == "--restart-a-at")
        o.restart_a_at = std::stoi(value);
      else if (flag == "--seed")
        o.seed = static_cast<unsigned>(std::stoul(value));
      else
        return false;
    }
  } catch (const std::exception&) {
    return false;
  }
  return o.segment_ms >= 10 && o.segments >= 2 && o.segments <= 100'000 && o.renditions >= 1 && o.renditions <= 16 &&
         o.segment_bytes >= 2 && o.jitter_ms >= 0 && o.jitter_ms < o.segment_ms / 2;
}

}  // namespace

int run(int argc, char** argv) {
  options o;
  if (!parse(argc, argv, o)) {
    std::cerr << "usage: live-origin-sim [--host 127.0.0.1] [--ingest 8081] [--delivery 8080] [--admin 8082]\n"
                 "  [--tenant demo] [--stream sim] [--segment-ms 2000] [--segments 30] [--renditions 2]\n"
                 "  [--segment-bytes 50000] [--jitter-ms 50] [--defect-rate 0.1] [--drop-rate 0] [--late-rate 0]\n"
                 "  [--stop-a-at N] [--restart-a-at N] [--seed 1]\n";
    return 2;
  }
  // Segment 1 is due one segment from now (segment 0 is never published: the timeline starts before it).
  auto availability = now_ms();
  client admin(o.host, o.admin);
  auto configured =
      admin.send(http::verb::put, "/streams/" + o.tenant + "/" + o.stream,
                 "{\"segment_duration_ms\": " + std::to_string(o.segment_ms) +
                     ", \"start_number\": 0, \"availability_start_ms\": " + std::to_string(availability) + "}");
  if (configured.result_int() != 200) {
    std::cerr << "cannot configure the stream's timeline: HTTP " << configured.result_int() << " " << configured.body();
    return 1;
  }
  auto fates_a = draw_fates(o, o.seed * 2 + 1);
  auto fates_b = draw_fates(o, o.seed * 2 + 2);
  std::atomic<int> refused{0};
  std::thread a([&] { publish(o, "a", fates_a, availability, refused); });
  std::thread b([&] { publish(o, "b", fates_b, availability, refused); });
  auto report = watch(o, availability);
  a.join();
  b.join();

  int both_defective = 0;  // what the origin cannot hide: neither pipeline has a clean segment n
  for (int n = 2; n <= o.segments; ++n) {
    auto clean = [&](const std::vector<fate>& f, bool is_a) {
      bool stopped = is_a && o.stop_a_at >= 0 && n >= o.stop_a_at && (o.restart_a_at < 0 || n < o.restart_a_at);
      const auto& x = f[static_cast<std::size_t>(n)];
      return !stopped && !x.dropped && !x.shortened;
    };
    if (!clean(fates_a, true) && !clean(fates_b, false)) ++both_defective;
  }
  std::printf(
      "segments=%d served=%d served_with_defects=%d (%.2f%%, both pipelines defective or missing: %d) "
      "404=%d 410=%d 5xx=%d other=%d refused_uploads=%d hold_p50=%.0fms hold_p99=%.0fms\n",
      o.segments - 1, report.served, report.served_defective, 100.0 * report.served_defective / (o.segments - 1),
      both_defective, report.not_found, report.gone, report.server_errors, report.other, refused.load(),
      percentile(report.waits_ms, 0.5), percentile(report.waits_ms, 0.99));
  return report.server_errors == 0 && refused.load() == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "live-origin-sim: " << e.what() << "\n";
    return 1;
  }
}
