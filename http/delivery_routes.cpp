#include <caf/event_based_actor.hpp>

#include "http/representation.hpp"
#include "http/route_helpers.hpp"
#include "http/routes.hpp"
#include "model/content_digest.hpp"
#include "model/media_type.hpp"
#include "model/selection.hpp"

namespace live_origin::http {
namespace {

// Counts delivery requests waiting for a stream actor, for load shedding; released when the bridge is done.
class inflight_ticket {
 public:
  explicit inflight_ticket(std::atomic<std::size_t>& count) : count_(count) { count_.fetch_add(1); }
  ~inflight_ticket() { count_.fetch_sub(1); }
  inflight_ticket(const inflight_ticket&) = delete;
  inflight_ticket& operator=(const inflight_ticket&) = delete;

 private:
  std::atomic<std::size_t>& count_;
};

response answer_for(const request_header& header, const std::string& object, const std::string& region,
                    actors::read_reply&& reply) {
  response answer;
  if (reply.status == 200) {
    representation rep{reply.object.body.bytes, model::entity_tag(reply.object.digest), reply.object.stored_at_ms,
                       model::media_type_for(object)};
    answer = serve_representation(header, rep);
    // Provenance: which pipeline's candidate this is, from which node, and what is known to be wrong with it.
    answer.message.set("X-Origin-Pipeline", reply.pipeline);
    answer.message.set("X-Origin-Region", region);
    if (reply.object.defects != model::defects::none)
      answer.message.set("X-Origin-Defects", model::format_defects(reply.object.defects));
    if (!reply.events.empty()) answer.message.set("X-Origin-Events", reply.events);
  } else {
    static constexpr std::string_view bodies[] = {"not found\n", "gone\n", "overloaded, retry\n"};
    auto body = reply.status == 410 ? bodies[1] : reply.status == 503 ? bodies[2] : bodies[0];
    answer = text_response(static_cast<beast_http::status>(reply.status), body, model::rejection_for(reply.outcome));
  }
  if (!reply.cache_control.empty()) answer.message.set(beast_http::field::cache_control, reply.cache_control);
  if (reply.ttl_ms >= 0) answer.message.set("X-Origin-TTL-Ms", std::to_string(reply.ttl_ms));
  if (reply.segment_number >= 0) answer.message.set("X-Origin-Segment", std::to_string(reply.segment_number));
  return answer;
}

class delivery_handler final : public handler {
 public:
  explicit delivery_handler(route_context context) : context_(std::move(context)) {}

  std::string tenant_label(std::string_view target) const override {
    return configured_tenant(*context_.directory, target);
  }

  route_result route(const request_header& header, const peer_info& peer) override {
    if (!model::client_allowed(context_.delivery_allow, peer.bytes()))
      return text_response(beast_http::status::forbidden, "forbidden\n", model::rejection::client_not_allowed);
    auto verb = header.method();
    if (verb != beast_http::verb::get && verb != beast_http::verb::head) return method_not_allowed("GET, HEAD");
    auto parsed = model::parse_object_path(header.target(), context_.max_target_bytes);
    if (auto* error = std::get_if<model::path_error>(&parsed)) return bad_path(*error);
    auto path = std::get<model::object_path>(std::move(parsed));
    // Unknown tenants and streams are answered from the directory, without touching any actor.
    auto tenant = context_.directory->tenant(path.tenant);
    if (!tenant) return unknown();
    // In a cluster the stream may live on another node: opening it here asks its owner.
    auto stream = context_.directory->stream(path.tenant, path.stream);
    if (!stream && !context_.clustered) return unknown();
    return read_object(std::move(*tenant), std::move(path.stream), std::move(path.object), std::move(stream));
  }

 private:
  response unknown() const {
    auto answer = text_response(beast_http::status::not_found, "not found\n");
    answer.message.set(beast_http::field::cache_control,
                       "public, max-age=" + std::to_string(context_.cache.miss_max_age_s));
    return answer;
  }

  // Over the load bound, DVR reads are shed. Held requests are not load: they cost a promise each.
  bool overloaded() const {
    auto inflight = inflight_.load();
    auto held = context_.held_total->load();
    return inflight > held && inflight - held > context_.shed_inflight_requests;
  }

  continuation read_object(actors::tenant_supervisor_actor tenant, std::string stream_name, std::string object,
                           std::optional<actors::stream_actor> stream) {
    return [this, tenant = std::move(tenant), stream_name = std::move(stream_name), object = std::move(object),
            stream = std::move(stream)](request&& req, const responder& respond) {
      auto header = std::make_shared<const request_header>(std::move(req.base()));
      auto ticket = std::make_shared<inflight_ticket>(inflight_);
      actors::object_read read{object, next_token_.fetch_add(1), overloaded()};
      // The request and, if the client leaves, its release go through the same bridge, so the release
      // can never overtake the request it cancels. (A request that moved on to a restarted stream's new
      // actor is not released there; its hold ends at its deadline.)
      auto& bridges = *context_.bridges;
      if (stream)
        respond.on_abandon([&bridges, stream = *stream, object, token = read.token] {
          bridges.post([=](caf::event_based_actor* self) { self->send(stream, actors::release_atom_v, object, token); },
                       token);
        });
      bridges.post(make_stream_job<actors::read_reply>(
                       tenant, stream_name, stream, stream_open::existing, context_.request_timeout + context_.max_hold,
                       [header, object, respond, ticket, region = context_.region](actors::read_reply&& reply) {
                         respond(answer_for(*header, object, region, std::move(reply)));
                       },
                       [this, respond, ticket](const caf::error& error) {
                         respond(error == caf::sec::remote_lookup_failed ? unknown() : actor_unavailable(error));
                       },
                       actors::get_atom_v, read),
                   read.token);
    };
  }

  route_context context_;
  std::atomic<std::size_t> inflight_{0};
  std::atomic<std::uint64_t> next_token_{1};
};

}  // namespace

std::shared_ptr<handler> make_delivery_handler(route_context context) {
  return std::make_shared<delivery_handler>(std::move(context));
}

}  // namespace live_origin::http
