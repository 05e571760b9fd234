#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actors/write_fence.hpp"
#include "cluster/etcd_client.hpp"
#include "model/lease.hpp"

namespace live_origin::cluster {

struct lease_settings {
  std::vector<model::endpoint_url> members;  // etcd's
  std::chrono::seconds ttl{5};
  std::chrono::milliseconds margin{1000};   // model::lease_validity
  std::chrono::milliseconds timeout{1000};  // one call to one member
};

// What GET /cluster shows of the lease.
struct lease_status {
  std::int64_t id = 0;  // 0: none held
  std::int64_t ttl_s = 0;
  bool valid = false;             // writes are accepted
  std::int64_t valid_for_ms = 0;  // how much longer without another renewal
  std::uint64_t leases_granted = 0;
  std::string last_error;  // the last failed call to etcd, while the lease is not valid
};

// Holds this node's etcd lease on a thread of its own: grants one, sends a keep-alive every third of the
// TTL, and grants a new one when etcd says the old one is gone. After every answer it moves the write
// fence to where the lease surely still lives (model::lease_validity); when renewals fail the fence
// closes by itself at that time, before etcd could expire the lease. Until the first lease is granted
// (etcd unreachable at start) the node serves reads and answers writes 503.
class lease_keeper {
 public:
  lease_keeper(lease_settings settings, std::shared_ptr<actors::write_fence> fence);
  ~lease_keeper();
  lease_keeper(const lease_keeper&) = delete;
  lease_keeper& operator=(const lease_keeper&) = delete;

  void start();
  // Closes the fence, revokes the lease (so another node need not wait for it to expire) within the
  // call timeout, and stops the thread.
  void stop();

  lease_status status() const;

 private:
  void grant();
  void renew();
  void after(std::chrono::milliseconds delay, void (lease_keeper::*next)());
  // An answer (or failure) from etcd to a call sent at `sent_ms`.
  void renewed(std::int64_t sent_ms, std::int64_t id, std::int64_t ttl_s);
  void failed(const std::string& what, const char* call);

  lease_settings settings_;
  std::shared_ptr<actors::write_fence> fence_;
  boost::asio::io_context io_;
  etcd::client client_;
  boost::asio::steady_timer timer_;
  std::thread thread_;
  mutable std::mutex mutex_;  // guards what status() reads; the rest is the thread's own
  model::lease_validity validity_;
  std::int64_t lease_ = 0;
  std::uint64_t granted_ = 0;
  std::string last_error_;
};

}  // namespace live_origin::cluster
