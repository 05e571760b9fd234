#include "cluster/lease_keeper.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <future>

namespace live_origin::cluster {

namespace net = boost::asio;
using std::chrono::milliseconds;

lease_keeper::lease_keeper(lease_settings settings, std::shared_ptr<actors::write_fence> fence)
    : settings_(std::move(settings)),
      fence_(std::move(fence)),
      client_(io_.get_executor(), settings_.members, settings_.timeout),
      timer_(io_),
      validity_(settings_.margin.count()) {}

lease_keeper::~lease_keeper() { stop(); }

void lease_keeper::start() {
  net::post(io_, [this] { grant(); });
  thread_ = std::thread([this] {
    auto work = net::make_work_guard(io_);
    io_.run();
  });
}

void lease_keeper::stop() {
  if (!thread_.joinable()) return;
  fence_->close();
  std::promise<void> revoked;
  net::post(io_, [this, &revoked] {
    timer_.cancel();
    if (lease_ == 0) return revoked.set_value();
    client_.revoke_lease(lease_, [this, &revoked](etcd::answer<bool> answer) {
      if (auto* failure = std::get_if<etcd::failure>(&answer))
        spdlog::warn("etcd: could not revoke lease {} on shutdown ({}); it expires on its own", lease_, failure->what);
      revoked.set_value();
    });
  });
  // Every member tried once, each within the timeout.
  revoked.get_future().wait_for(settings_.timeout * static_cast<int>(settings_.members.size() + 1));
  io_.stop();
  thread_.join();
}

lease_status lease_keeper::status() const {
  std::lock_guard lock(mutex_);
  auto now = actors::write_fence::now_ms();
  auto until = validity_.valid_until_ms();
  bool valid = validity_.valid(now);
  return {.id = lease_,
          .ttl_s = settings_.ttl.count(),
          .valid = valid,
          .valid_for_ms = valid ? *until - now : 0,
          .leases_granted = granted_,
          .last_error = valid ? std::string() : last_error_};
}

void lease_keeper::grant() {
  auto sent = actors::write_fence::now_ms();
  client_.grant_lease(settings_.ttl.count(), [this, sent](etcd::answer<etcd::lease_grant> answer) {
    if (auto* failure = std::get_if<etcd::failure>(&answer)) return failed(failure->what, "granting a lease");
    const auto& lease = std::get<etcd::lease_grant>(answer);
    spdlog::info("etcd: lease {} granted (TTL {} s); this node accepts writes", lease.id, lease.ttl_s);
    {
      std::lock_guard lock(mutex_);
      ++granted_;
    }
    renewed(sent, lease.id, lease.ttl_s);
  });
}

void lease_keeper::renew() {
  auto sent = actors::write_fence::now_ms();
  client_.keep_alive(lease_, [this, sent](etcd::answer<etcd::lease_renewal> answer) {
    if (auto* failure = std::get_if<etcd::failure>(&answer)) return failed(failure->what, "renewing the lease");
    auto ttl = std::get<etcd::lease_renewal>(answer).ttl_s;
    if (ttl > 0) return renewed(sent, lease_, ttl);
    spdlog::error("etcd: lease {} has expired in etcd; writes stop until a new one is granted", lease_);
    {
      std::lock_guard lock(mutex_);
      validity_.lost();
      lease_ = 0;
      last_error_ = "the lease expired in etcd";
    }
    fence_->close();
    grant();
  });
}

void lease_keeper::renewed(std::int64_t sent_ms, std::int64_t id, std::int64_t ttl_s) {
  std::int64_t next = 0;
  {
    std::lock_guard lock(mutex_);
    if (!last_error_.empty() && lease_ == id) spdlog::info("etcd: lease {} renewed again", id);
    lease_ = id;
    last_error_.clear();
    validity_.renewed(sent_ms, ttl_s);
    if (auto until = validity_.valid_until_ms()) fence_->open_until(*until);
    auto now = actors::write_fence::now_ms();
    next = validity_.next_renewal_ms(now) - now;
  }
  after(milliseconds(next), &lease_keeper::renew);
}

void lease_keeper::failed(const std::string& what, const char* call) {
  auto now = actors::write_fence::now_ms();
  bool first = false;
  std::int64_t left_ms = 0;
  {
    std::lock_guard lock(mutex_);
    first = last_error_.empty();
    last_error_ = std::string(call) + ": " + what;
    left_ms = validity_.valid(now) ? *validity_.valid_until_ms() - now : 0;
  }
  // The first failure after a success says what it means; the retries that follow would only repeat it.
  if (first)
    spdlog::error("etcd: {} failed ({}); {}", call, what,
                  left_ms > 0 ? fmt::format("writes stop in {} ms unless it is renewed", left_ms)
                              : std::string("writes are refused until a lease is held"));
  // Soon, but not in a loop: a tenth of the TTL.
  after(milliseconds(settings_.ttl) / 10, lease_ == 0 ? &lease_keeper::grant : &lease_keeper::renew);
}

void lease_keeper::after(milliseconds delay, void (lease_keeper::*next)()) {
  timer_.expires_after(delay);
  timer_.async_wait([this, next](boost::system::error_code error) {
    if (!error) (this->*next)();
  });
}

}  // namespace live_origin::cluster
