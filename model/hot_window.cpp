#include "model/hot_window.hpp"

#include <cassert>

namespace live_origin::model {

void hot_window::remove(std::uint64_t bytes) {
  assert(bytes <= bytes_ && "more bytes leave memory than came in");
  bytes_ -= bytes;
}

std::vector<hot_window::candidate> hot_window::take_to_cool(
    std::uint64_t process_excess_bytes, const std::function<std::uint64_t(const candidate&)>& bytes_in_memory) {
  std::vector<candidate> chosen;
  std::uint64_t freed = 0;
  auto over = [&] { return bytes_ - freed > stream_limit_bytes_ || freed < process_excess_bytes; };
  while (over() && !coolable_.empty()) {
    auto which = coolable_.extract(coolable_.begin()).value();
    auto bytes = bytes_in_memory(which);
    if (bytes == 0) continue;  // stale
    freed += bytes;
    chosen.push_back(std::move(which));
  }
  return chosen;
}

}  // namespace live_origin::model
