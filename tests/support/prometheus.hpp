#pragma once

// A strict parser for the Prometheus text exposition format (0.0.4), for tests of /metrics. It rejects
// what a lenient scraper would let through: samples before their family's TYPE, a family split into
// several groups, repeated HELP/TYPE or series, bad names, label syntax or values, counters not named
// *_total, and histograms whose buckets are not cumulative or whose +Inf bucket is not the _count.

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/http_client.hpp"

namespace live_origin::test {

class prometheus_text {
 public:
  explicit prometheus_text(const std::string& text) { parse(text); }

  // The value of one series, e.g. value("live_origin_streams") or
  // value("live_origin_http_requests_total", {{"listener", "ingest"}, ...}); throws if it is absent.
  double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    auto it = series_.find(key(name, labels));
    if (it == series_.end()) throw std::out_of_range("no series " + key(name, labels));
    return it->second;
  }
  double value_or(const std::string& name, const std::map<std::string, std::string>& labels, double fallback) const {
    auto it = series_.find(key(name, labels));
    return it == series_.end() ? fallback : it->second;
  }
  // The sum over every series of `name` whose labels include `labels`.
  double sum(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    double total = 0;
    for (const auto& [series, labels_of] : labels_)
      if (series.substr(0, series.find('{')) == name && includes(labels_of, labels)) total += series_.at(series);
    return total;
  }
  const std::string& type_of(const std::string& family) const { return types_.at(family); }

 private:
  static std::string key(const std::string& name, const std::map<std::string, std::string>& labels) {
    std::string out = name + "{";
    for (const auto& [k, v] : labels) out += k + "=\"" + v + "\",";
    return out + "}";
  }
  static bool includes(const std::map<std::string, std::string>& all, const std::map<std::string, std::string>& some) {
    for (const auto& [k, v] : some) {
      auto it = all.find(k);
      if (it == all.end() || it->second != v) return false;
    }
    return true;
  }
  [[noreturn]] static void fail(int line, const std::string& what, const std::string& text) {
    throw std::runtime_error("metrics line " + std::to_string(line) + ": " + what + ": " + text);
  }

  // The family a sample belongs to: histogram samples carry _bucket, _sum and _count suffixes.
  std::string family_of(const std::string& name) const {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s(suffix);
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
        auto base = name.substr(0, name.size() - s.size());
        auto type = types_.find(base);
        if (type != types_.end() && type->second == "histogram") return base;
      }
    }
    return name;
  }

  void parse(const std::string& text) {
    static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
    static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
    static const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+))");
    static const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)\"(,|$))");
    if (text.empty() || text.back() != '\n') throw std::runtime_error("metrics text must end with a newline");
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    std::string current;  // the family whose samples are being read
    std::set<std::string> finished, helped;
    while (std::getline(lines, line)) {
      ++number;
      std::smatch m;
      if (line.empty()) fail(number, "empty line", line);
      if (line[0] == '#') {
        if (std::regex_match(line, m, help)) {
          if (!helped.insert(m[1]).second) fail(number, "second HELP", line);
          continue;
        }
        if (!std::regex_match(line, m, type)) fail(number, "comment that is neither HELP nor TYPE", line);
        std::string name = m[1];
        if (types_.count(name)) fail(number, "second TYPE", line);
        if (m[2] == "counter" && name.size() < 6) fail(number, "counter not named *_total", line);
        if (m[2] == "counter" && name.compare(name.size() - 6, 6, "_total") != 0)
          fail(number, "counter not named *_total", line);
        types_[name] = m[2];
        continue;
      }
      if (!std::regex_match(line, m, sample)) fail(number, "not a sample", line);
      std::string name = m[1];
      auto family = family_of(name);
      if (!types_.count(family)) fail(number, "sample before its family's TYPE", line);
      if (family != current) {
        if (finished.count(family)) fail(number, "family split into several groups", line);
        if (!current.empty()) finished.insert(current);
        current = family;
      }
      std::map<std::string, std::string> labels;
      std::string rest = m[3];
      while (!rest.empty()) {
        std::smatch l;
        if (!std::regex_search(rest, l, label, std::regex_constants::match_continuous))
          fail(number, "bad labels", line);
        if (!labels.emplace(l[1], l[2]).second) fail(number, "repeated label", line);
        rest = l.suffix();
      }
      double value = 0;
      std::string text_value = m[4];
      if (text_value == "+Inf")
        value = std::numeric_limits<double>::infinity();
      else if (text_value == "-Inf")
        value = -std::numeric_limits<double>::infinity();
      else if (text_value == "NaN")
        value = NAN;
      else {
        std::size_t used = 0;
        try {
          value = std::stod(text_value, &used);
        } catch (const std::exception&) {
          fail(number, "bad value", line);
        }
        if (used != text_value.size()) fail(number, "bad value", line);
      }
      if (types_[family] == "counter" && !(value >= 0)) fail(number, "negative counter", line);
      auto series = key(name, labels);
      if (!series_.emplace(series, value).second) fail(number, "repeated series", line);
      labels_[series] = labels;
      if (types_[family] == "histogram") check_histogram(number, name, family, labels, value, line);
    }
  }

  void check_histogram(int number, const std::string& name, const std::string& family,
                       std::map<std::string, std::string> labels, double value, const std::string& line) {
    if (name == family + "_bucket") {
      auto le = labels.find("le");
      if (le == labels.end()) fail(number, "bucket without le", line);
      labels.erase(le);
      auto& last = last_bucket_[key(family, labels)];
      if (value < last) fail(number, "buckets not cumulative", line);
      last = value;
      if (line.find("le=\"+Inf\"") != std::string::npos) inf_bucket_[key(family, labels)] = value;
    } else if (name == family + "_count") {
      auto inf = inf_bucket_.find(key(family, labels));
      if (inf == inf_bucket_.end() || inf->second != value) fail(number, "_count is not the +Inf bucket", line);
    }
  }

  std::map<std::string, std::string> types_;
  std::map<std::string, double> series_;
  std::map<std::string, std::map<std::string, std::string>> labels_;
  std::map<std::string, double> last_bucket_, inf_bucket_;
};

// /metrics from `admin`, scraped until `complete(metrics)` holds or two seconds have passed: a request is
// counted once its answer's last byte is written, which may be just after its client read the answer.
template <class Complete>
prometheus_text scrape_metrics_until(const tcp::endpoint& admin, Complete complete, const header_list& headers = {}) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (;;) {
    prometheus_text metrics(fetch(admin, bhttp::verb::get, "/metrics", {}, headers).body);
    if (complete(metrics) || std::chrono::steady_clock::now() >= deadline) return metrics;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace live_origin::test
