#include <nlohmann/json.hpp>

#include "http/route_helpers.hpp"
#include "http/routes.hpp"

namespace live_origin::http {
namespace {

// Admin calls fan out over the whole actor tree; they get a little more time than a segment read.
constexpr std::chrono::milliseconds introspection_timeout{3000};
constexpr std::chrono::milliseconds readiness_timeout{1000};

nlohmann::ordered_json to_json(const actors::stream_info& stream) {
  return {{"kind", "stream"},       {"name", stream.name},         {"actor_id", stream.actor_id},
          {"objects", stream.objects}, {"bytes", stream.bytes},     {"mailbox", stream.mailbox},
          {"writes", stream.writes},   {"reads", stream.reads},     {"responsive", stream.responsive}};
}

nlohmann::ordered_json to_json(const actors::tenant_info& tenant) {
  auto children = nlohmann::ordered_json::array();
  for (const auto& stream : tenant.streams) children.push_back(to_json(stream));
  return {{"kind", "tenant_supervisor"}, {"name", tenant.name},         {"actor_id", tenant.actor_id},
          {"mailbox", tenant.mailbox},   {"restarts", tenant.restarts}, {"responsive", tenant.responsive},
          {"children", std::move(children)}};
}

nlohmann::ordered_json to_json(const actors::origin_info& origin) {
  auto children = nlohmann::ordered_json::array();
  for (const auto& tenant : origin.tenants) children.push_back(to_json(tenant));
  return {{"kind", "origin_supervisor"}, {"name", "origin"}, {"actor_id", origin.actor_id},
          {"mailbox", origin.mailbox},   {"children", std::move(children)}};
}

response json_response(const nlohmann::ordered_json& body) {
  auto answer = bytes_response(beast_http::status::ok, std::make_shared<const std::string>(body.dump(2) + "\n"),
                               "application/json");
  answer.message.set(beast_http::field::cache_control, "no-store");
  return answer;
}

class admin_handler final : public handler {
 public:
  explicit admin_handler(route_context context) : context_(std::move(context)) {}

  route_result route(const request_header& header) override {
    if (header.method() != beast_http::verb::get && header.method() != beast_http::verb::head)
      return method_not_allowed("GET, HEAD");
    auto target = header.target();
    auto path = target.substr(0, target.find('?'));
    if (path == "/healthz") return text_response(beast_http::status::ok, "ok\n");
    if (path == "/readyz") return readiness();
    if (path == "/actors") return actor_tree();
    if (path == "/metrics")
      return bytes_response(beast_http::status::ok, std::make_shared<const std::string>(context_.metrics()),
                            "text/plain; version=0.0.4; charset=utf-8");
    return text_response(beast_http::status::not_found, "not found\n");
  }

 private:
  // Ready when the listeners accept and the actor system schedules work (a ping round trip).
  continuation readiness() {
    return [this](request&&, responder respond) {
      if (!context_.accepting())
        return respond(text_response(beast_http::status::service_unavailable, "not ready\n"));
      ask_actor<caf::pong_atom>(
          *context_.bridges, context_.origin, readiness_timeout,
          [respond](caf::pong_atom) { respond(text_response(beast_http::status::ok, "ready\n")); },
          [respond](const caf::error&) {
            respond(text_response(beast_http::status::service_unavailable, "actors not responding\n"));
          },
          caf::ping_atom_v);
    };
  }

  // The live tree, gathered by asking every supervisor and stream actor.
  continuation actor_tree() {
    return [this](request&&, responder respond) {
      ask_actor<actors::origin_info>(
          *context_.bridges, context_.origin, introspection_timeout,
          [respond](actors::origin_info&& info) { respond(json_response(to_json(info))); },
          answer_unavailable(respond), actors::info_atom_v);
    };
  }

  route_context context_;
};

}  // namespace

std::shared_ptr<handler> make_admin_handler(route_context context) {
  return std::make_shared<admin_handler>(std::move(context));
}

}  // namespace live_origin::http
