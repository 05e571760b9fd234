#pragma once

// A client of etcd's JSON gateway over plain HTTP/1.1 (Beast), asynchronous on the executor it is given.
// One connection per call: ownership needs a few calls per lease period, not a stream of them, and a fresh
// connection after a failure is what failing over to another member needs anyway. A call goes to the member
// that answered last; when a member cannot be reached, times out or says it is unavailable (no leader),
// the next one is tried, each at most once per call. Every answer comes back through `done` on the
// executor, exactly once.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "cluster/etcd_protocol.hpp"

namespace live_origin::cluster::etcd {

class client {
 public:
  template <typename Result>
  using callback = std::function<void(answer<Result>)>;

  // `members` not empty; `timeout` bounds each attempt (connect, send and answer).
  client(boost::asio::any_io_executor executor, std::vector<endpoint> members, std::chrono::milliseconds timeout);

  void grant_lease(std::int64_t ttl_s, callback<lease_grant> done);
  void keep_alive(std::int64_t lease, callback<lease_renewal> done);
  void revoke_lease(std::int64_t lease, callback<bool> done);
  void claim(const std::string& key, const std::string& value, std::int64_t lease, callback<claim_outcome> done);
  void release(const std::string& key, std::int64_t create_revision, callback<bool> done);
  void get_prefix(const std::string& prefix, callback<range_result> done);

  const std::vector<endpoint>& members() const { return members_; }

 private:
  // Sends `call` and hands etcd's answer body (or why there is none) to `done`.
  void send(request call, std::function<void(answer<std::string>)> done);

  boost::asio::any_io_executor executor_;
  std::vector<endpoint> members_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<std::atomic<std::size_t>> preferred_;  // shared with the calls in flight
};

}  // namespace live_origin::cluster::etcd
