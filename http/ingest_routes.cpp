#include <caf/send.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <mutex>

#include "http/route_helpers.hpp"
#include "http/routes.hpp"
#include "model/content_digest.hpp"
#include "model/events.hpp"
#include "model/selection.hpp"
#include "model/write_policy.hpp"

namespace live_origin::http {
namespace {

using actors::stream_actor;

constexpr std::int64_t max_segment_duration_ms = 3'600'000;

response write_answer(const actors::write_reply& reply) {
  auto status = static_cast<beast_http::status>(reply.status);
  if (reply.status < 400) return empty_response(status);
  // Packagers never read this; the reason is for the counters and the log.
  auto answer = text_response(status, "refused: " + std::string(model::to_string(reply.outcome)) + "\n",
                              model::rejection_for(reply.outcome));
  // Over a quota, or not able to store it now (storage, or a node that lost its lease): ask again soon.
  if (reply.status == 429 || reply.status == 503) answer.message.set(beast_http::field::retry_after, "1");
  return answer;
}

// X-Origin-Segment-Duration: whole milliseconds, 1 ms to 1 hour; 0 when absent, -1 when malformed.
std::int64_t segment_duration_header(const request_header& header) {
  auto value = header["X-Origin-Segment-Duration"];
  if (value.empty()) return 0;
  std::int64_t ms = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
  if (ec != std::errc() || end != value.data() + value.size() || ms < 1 || ms > max_segment_duration_ms) return -1;
  return ms;
}

class ingest_handler final : public handler {
 public:
  explicit ingest_handler(route_context context) : context_(std::move(context)) {}

  std::string tenant_label(std::string_view target) const override {
    return configured_tenant(*context_.directory, target);
  }

  route_result route(const request_header& header, const peer_info& peer) override {
    auto verb = header.method();
    if (verb != beast_http::verb::put && verb != beast_http::verb::post && verb != beast_http::verb::delete_)
      return method_not_allowed("PUT, POST, DELETE");
    auto parsed = model::parse_object_path(header.target(), context_.max_target_bytes);
    if (auto* error = std::get_if<model::path_error>(&parsed)) return bad_path(*error);
    auto path = std::get<model::object_path>(std::move(parsed));
    auto tenant = context_.directory->tenant(path.tenant);
    if (!tenant)
      return text_response(beast_http::status::not_found, "unknown tenant\n", model::rejection::unknown_tenant);
    auto policy = policy_of(path.tenant);
    auto authorization = model::authorize_ingest(policy.tokens, header[beast_http::field::authorization],
                                                 peer.is_loopback(), header["X-Origin-Pipeline"]);
    if (authorization.outcome != model::auth_outcome::allowed) return auth_refusal(authorization.outcome);
    const auto& quota = policy.quota;
    if (!take_request_token(path.tenant, quota)) return quota_refusal(model::quota_refusal::request_rate);
    if (verb == beast_http::verb::delete_) return delete_object(std::move(path));
    auto opens_stream = !context_.directory->stream(path.tenant, path.stream);
    if (auto refused = model::check_write(quota, opens_stream, context_.directory->stream_count(path.tenant),
                                          content_length(header)))
      return quota_refusal(*refused);
    auto duration_ms = segment_duration_header(header);
    if (duration_ms < 0)
      return text_response(beast_http::status::bad_request, "bad X-Origin-Segment-Duration\n",
                           model::rejection::bad_segment_duration);
    // The header, else the pipeline the token is bound to, else the first pipeline.
    auto pipeline = std::string(header["X-Origin-Pipeline"]);
    if (pipeline.empty()) pipeline = authorization.pipeline.value_or(context_.pipelines.front());
    if (std::find(context_.pipelines.begin(), context_.pipelines.end(), pipeline) == context_.pipelines.end())
      return text_response(beast_http::status::bad_request, "unknown X-Origin-Pipeline\n",
                           model::rejection::unknown_pipeline);
    model::defect_set defects = model::defects::none;
    std::vector<std::string> events;
    for (const auto& field : header) {
      if (boost::beast::iequals(field.name_string(), "X-Origin-Pipeline") && field.value() != pipeline)
        return text_response(beast_http::status::bad_request, "conflicting X-Origin-Pipeline\n",
                             model::rejection::unknown_pipeline);
      if (boost::beast::iequals(field.name_string(), "X-Origin-Defects")) {  // repeated headers add up
        auto reported = model::parse_defects(field.value());
        if (!reported)
          return text_response(beast_http::status::bad_request, "bad X-Origin-Defects\n",
                               model::rejection::bad_defects);
        defects |= *reported;
      }
      if (!boost::beast::iequals(field.name_string(), "X-Origin-Event")) continue;
      if (events.size() == model::max_events_per_write || !model::is_valid_event(field.value()))
        return text_response(beast_http::status::bad_request, "bad X-Origin-Event\n", model::rejection::bad_event);
      events.emplace_back(field.value());
    }
    actors::object_write write{path.object, {}, 0, duration_ms, false, std::move(pipeline), defects, std::move(events)};
    return store_object(std::move(path), *tenant, std::move(write));
  }

 private:
  // The tenant's policy in the current configuration (a reload may change it between requests).
  tenant_policy policy_of(std::string_view tenant) const {
    auto policies = context_.tenants->current();
    auto it = policies->find(tenant);
    return it == policies->end() ? tenant_policy{} : it->second;
  }

  // One token bucket per tenant, so one tenant's burst never spends another's allowance. A reload
  // that changes the rate starts a new bucket.
  bool take_request_token(const std::string& tenant, const model::tenant_quota& quota) {
    if (quota.max_requests_per_s <= 0) return true;
    using namespace std::chrono;
    auto now = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    std::lock_guard lock(buckets_mutex_);
    auto it = buckets_.find(tenant);
    if (it == buckets_.end() || it->second.first != quota.max_requests_per_s)
      it = buckets_
               .insert_or_assign(tenant,
                                 std::pair{quota.max_requests_per_s, model::token_bucket(quota.max_requests_per_s)})
               .first;
    return it->second.second.try_take(now);
  }

  static std::optional<std::uint64_t> content_length(const request_header& header) {
    auto text = header[beast_http::field::content_length];
    std::uint64_t length = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return length;
  }

  static response quota_refusal(model::quota_refusal refusal) {
    if (refusal == model::quota_refusal::object_size)
      return text_response(beast_http::status::payload_too_large, "over the tenant's object size\n",
                           model::rejection_for(refusal));
    auto answer = text_response(beast_http::status::too_many_requests, "over the tenant's quota\n",
                                model::rejection_for(refusal));
    answer.message.set(beast_http::field::retry_after, "1");
    return answer;
  }

  // The stream actor is spawned by the tenant supervisor on the first write to it. A known stream is
  // told at once that an upload has started, so that GETs for it wait rather than 404 (ffmpeg sends the
  // playlist naming a segment before that segment's upload completes).
  continuation store_object(model::object_path path, actors::tenant_supervisor_actor tenant,
                            actors::object_write write_header) {
    auto known = context_.directory->stream(path.tenant, path.stream);
    if (known) caf::anon_send(*known, actors::upload_atom_v, path.object);
    auto aborted = [known, object = path.object] {
      if (known) caf::anon_send(*known, actors::abort_atom_v, object);
    };
    auto complete = [this, path = std::move(path), tenant = std::move(tenant), known,
                     write_header = std::move(write_header)](request&& req, const responder& respond) {
      auto quota = policy_of(path.tenant).quota;  // a chunked body's size is known only now
      if (quota.max_object_bytes > 0 && req.body().size() > quota.max_object_bytes) {
        if (known) caf::anon_send(*known, actors::abort_atom_v, path.object);  // the upload it was told of ends
        return respond(quota_refusal(model::quota_refusal::object_size));
      }
      auto body = storage::object_body::adopt(std::move(req.body()));
      auto digest = model::content_digest(body.view());
      // Looked up again: the actor may have been restarted during a long (LL-DASH) upload.
      auto current = context_.directory->stream(path.tenant, path.stream);
      auto write = write_header;
      write.body = std::move(body);
      write.digest = digest;
      write.announced_to = known ? known->id() : 0;
      context_.bridges->post(make_stream_job<actors::write_reply>(
          tenant, path.stream, current, stream_open::create, context_.request_timeout,
          [respond](actors::write_reply&& reply) { respond(write_answer(reply)); }, answer_unavailable(respond),
          actors::put_atom_v, write));
    };
    return continuation(std::move(complete), std::move(aborted));
  }

  // DELETE means "expire later"; for a stream that does not exist there is nothing to schedule.
  continuation delete_object(model::object_path path) {
    return [this, path = std::move(path)](request&&, const responder& respond) {
      auto stream = context_.directory->stream(path.tenant, path.stream);
      auto tenant = context_.directory->tenant(path.tenant);
      if (!tenant || (!stream && !context_.clustered)) return respond(empty_response(beast_http::status::no_content));
      context_.bridges->post(make_stream_job<actors::write_reply>(
          *tenant, path.stream, stream, stream_open::existing, context_.request_timeout,
          [respond](actors::write_reply&& reply) { respond(write_answer(reply)); },
          [respond](const caf::error& error) {
            // Nothing to schedule for a stream no node has.
            respond(error == caf::sec::remote_lookup_failed ? empty_response(beast_http::status::no_content)
                                                            : actor_unavailable(error));
          },
          actors::delete_atom_v, path.object));
    };
  }

  route_context context_;
  std::mutex buckets_mutex_;
  std::map<std::string, std::pair<double, model::token_bucket>, std::less<>> buckets_;  // rate, bucket
};

}  // namespace

std::shared_ptr<handler> make_ingest_handler(route_context context) {
  return std::make_shared<ingest_handler>(std::move(context));
}

}  // namespace live_origin::http
