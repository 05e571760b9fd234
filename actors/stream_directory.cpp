#include "actors/stream_directory.hpp"

#include <mutex>

namespace live_origin::actors {

void stream_directory::add_tenant(const std::string& tenant, tenant_supervisor_actor supervisor) {
  std::unique_lock lock(mutex_);
  tenants_[tenant].supervisor = std::move(supervisor);
}

void stream_directory::erase_tenant(std::string_view tenant) {
  std::unique_lock lock(mutex_);
  if (auto it = tenants_.find(tenant); it != tenants_.end()) tenants_.erase(it);
}

std::optional<tenant_supervisor_actor> stream_directory::tenant(std::string_view tenant) const {
  std::shared_lock lock(mutex_);
  auto it = tenants_.find(tenant);
  if (it == tenants_.end()) return std::nullopt;
  return it->second.supervisor;
}

void stream_directory::set_stream(std::string_view tenant, const std::string& stream, stream_actor actor) {
  std::unique_lock lock(mutex_);
  auto it = tenants_.find(tenant);
  if (it != tenants_.end()) it->second.streams[stream] = std::move(actor);
}

void stream_directory::erase_stream(std::string_view tenant, std::string_view stream) {
  std::unique_lock lock(mutex_);
  auto it = tenants_.find(tenant);
  if (it == tenants_.end()) return;
  if (auto s = it->second.streams.find(stream); s != it->second.streams.end()) it->second.streams.erase(s);
}

std::optional<stream_actor> stream_directory::stream(std::string_view tenant, std::string_view stream) const {
  std::shared_lock lock(mutex_);
  auto it = tenants_.find(tenant);
  if (it == tenants_.end()) return std::nullopt;
  auto s = it->second.streams.find(stream);
  if (s == it->second.streams.end()) return std::nullopt;
  return s->second;
}

std::size_t stream_directory::stream_count() const {
  std::shared_lock lock(mutex_);
  std::size_t count = 0;
  for (const auto& [name, entry] : tenants_) count += entry.streams.size();
  return count;
}

std::vector<tenant_supervisor_actor> stream_directory::tenant_supervisors() const {
  std::shared_lock lock(mutex_);
  std::vector<tenant_supervisor_actor> out;
  for (const auto& [name, entry] : tenants_) out.push_back(entry.supervisor);
  return out;
}

std::vector<std::pair<std::string, std::string>> stream_directory::streams() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [tenant, entry] : tenants_)
    for (const auto& [stream, actor] : entry.streams) out.emplace_back(tenant, stream);
  return out;
}

std::size_t stream_directory::stream_count(std::string_view tenant) const {
  std::shared_lock lock(mutex_);
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? 0 : it->second.streams.size();
}

void stream_directory::clear() {
  std::unique_lock lock(mutex_);
  tenants_.clear();
}

}  // namespace live_origin::actors
