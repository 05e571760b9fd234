#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <variant>

#include "http/route_helpers.hpp"
#include "http/routes.hpp"

namespace live_origin::http {
namespace {

// Admin calls fan out over the whole actor tree; they get a little more time than a segment read.
constexpr std::chrono::milliseconds introspection_timeout{3000};
constexpr std::chrono::milliseconds readiness_timeout{1000};

nlohmann::ordered_json to_json(const actors::stream_info& stream) {
  // A stream owned by another node is listed with the owner's actor (a remote actor) and that node.
  nlohmann::ordered_json json{
      {"kind", stream.node.empty() ? "stream" : "remote_stream"}, {"name", stream.name}, {"actor_id", stream.actor_id}};
  if (!stream.node.empty()) json["node"] = stream.node;
  json.update(nlohmann::ordered_json{{"objects", stream.objects},
                                     {"bytes", stream.bytes},
                                     {"mailbox", stream.mailbox},
                                     {"writes", stream.writes},
                                     {"reads", stream.reads},
                                     {"held_requests", stream.held_requests},
                                     {"messages_handled", stream.messages_handled},
                                     {"responsive", stream.responsive}});
  return json;
}

std::string_view state_name(cluster::node_state state) {
  return state == cluster::node_state::active ? "active" : "joining";
}

nlohmann::ordered_json to_json(const cluster::cluster_member& member) {
  const auto& node = member.record;
  return {{"id", node.id},
          {"state", state_name(node.state)},
          {"self", member.self},
          {"actor_id", member.actor_id},
          {"cluster", cluster::cluster_address(node.host, node.port)},
          {"delivery", node.delivery},
          {"ingest", node.ingest},
          {"admin", node.admin}};
}

nlohmann::ordered_json to_json(const cluster::lease_status& lease) {
  return {{"id", lease.id},
          {"ttl_s", lease.ttl_s},
          {"valid", lease.valid},
          {"valid_for_ms", lease.valid_for_ms},
          {"leases_granted", lease.leases_granted},
          {"last_error", lease.last_error}};
}

nlohmann::ordered_json to_json(const cluster::cluster_info& cluster) {
  auto nodes = nlohmann::ordered_json::array();
  for (const auto& member : cluster.members) nodes.push_back(to_json(member));
  auto streams = nlohmann::ordered_json::array();
  for (const auto& s : cluster.streams)
    streams.push_back({{"tenant", s.tenant}, {"stream", s.stream}, {"owner", s.owner}, {"replica", s.replica}});
  return {{"self", cluster.self},
          {"version", cluster.version},
          {"nodes", std::move(nodes)},
          {"streams", std::move(streams)}};
}

// /actors: this node's cluster actor and, as its children, the remote cluster actors of its peers.
nlohmann::ordered_json cluster_tree(const cluster::cluster_info& cluster) {
  auto children = nlohmann::ordered_json::array();
  std::uint64_t own_id = 0;
  for (const auto& member : cluster.members) {
    if (member.self) {
      own_id = member.actor_id;
      continue;
    }
    children.push_back({{"kind", "remote_cluster"},
                        {"name", member.record.id},
                        {"node", member.record.id},
                        {"actor_id", member.actor_id},
                        {"state", state_name(member.record.state)},
                        {"address", cluster::cluster_address(member.record.host, member.record.port)}});
  }
  return {{"kind", "cluster"},
          {"name", cluster.self},
          {"node", cluster.self},
          {"actor_id", own_id},
          {"children", std::move(children)}};
}

nlohmann::ordered_json to_json(const actors::tenant_info& tenant) {
  auto children = nlohmann::ordered_json::array();
  for (const auto& stream : tenant.streams) children.push_back(to_json(stream));
  return {{"kind", "tenant_supervisor"},     {"name", tenant.name},
          {"actor_id", tenant.actor_id},     {"mailbox", tenant.mailbox},
          {"restarts", tenant.restarts},     {"messages_handled", tenant.messages_handled},
          {"responsive", tenant.responsive}, {"children", std::move(children)}};
}

nlohmann::ordered_json to_json(const actors::origin_info& origin) {
  auto children = nlohmann::ordered_json::array();
  for (const auto& tenant : origin.tenants) children.push_back(to_json(tenant));
  return {{"kind", "origin_supervisor"},
          {"name", "origin"},
          {"actor_id", origin.actor_id},
          {"mailbox", origin.mailbox},
          {"messages_handled", origin.messages_handled},
          {"children", std::move(children)}};
}

nlohmann::ordered_json masks_json(const std::vector<actors::pipeline_mask>& masks) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& mask : masks) out.push_back({{"pipeline", mask.pipeline}, {"from", mask.from}, {"to", mask.to}});
  return out;
}

nlohmann::ordered_json recent_defects_json(const std::vector<actors::defect_report>& reports) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& r : reports)
    out.push_back({{"object", r.object}, {"defects", r.defects}, {"found", r.found}, {"at_ms", r.at_ms}});
  return out;
}

nlohmann::ordered_json pipelines_json(const actors::stream_status& status) {
  auto out = nlohmann::ordered_json::object();
  for (const auto& p : status.pipelines) {
    auto optional = [](std::int64_t value) {
      return value >= 0 ? nlohmann::ordered_json(value) : nlohmann::ordered_json();
    };
    out[p.pipeline] = {{"segments_received", p.segments_received},
                       {"defects",
                        {{"short", p.defects_short},
                         {"missing", p.defects_missing},
                         {"discontinuity", p.defects_discontinuity},
                         {"slate", p.defects_slate},
                         {"corrupt", p.defects_corrupt}}},
                       {"recent_defects", recent_defects_json(p.recent_defects)},
                       {"last_segment", optional(p.last_segment)},
                       {"lag_segments", optional(p.lag_segments)},
                       {"segments_served", p.segments_served}};
  }
  return out;
}

nlohmann::ordered_json to_json(const std::string& tenant, const std::string& stream,
                               const actors::stream_status& status) {
  nlohmann::ordered_json timeline = nullptr;
  if (status.has_timeline)
    timeline = {{"segment_duration_ms", status.segment_duration_ms},
                {"start_number", status.start_number},
                {"availability_start_ms", status.availability_start_ms}};
  return {{"tenant", tenant},
          {"stream", stream},
          {"now_ms", status.now_ms},
          {"timeline", timeline},
          {"segment_duration_ms", status.segment_duration_ms},
          {"live_edge", status.live_edge >= 0 ? nlohmann::ordered_json(status.live_edge) : nlohmann::ordered_json()},
          {"retry_budget_ms", status.retry_budget_ms},
          {"dvr_window_s", status.dvr_window_ms / 1000},
          {"max_hold_ms", status.max_hold_ms},
          {"live_window_segments", status.live_window_segments},
          {"force_shedding", status.force_shedding},
          {"objects", status.objects},
          {"bytes", status.bytes},
          {"hot_bytes", status.hot_bytes},
          {"held_requests", status.held_requests},
          {"uploads_in_flight", status.uploads_in_flight},
          {"pipeline_order", status.pipeline_order},
          {"pipelines", pipelines_json(status)},
          {"masks", masks_json(status.masks)}};
}

// Parses PUT /streams/{tenant}/{stream}: every key optional, every value checked; unknown keys refused.
std::variant<actors::stream_settings, std::string> parse_stream_settings(const std::string& body,
                                                                         std::chrono::milliseconds max_hold_ceiling,
                                                                         const std::vector<std::string>& pipelines) {
  auto document = nlohmann::json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return std::string("body must be a JSON object");
  actors::stream_settings settings;
  struct field {
    const char* key;
    std::int64_t actors::stream_settings::*member;
    std::int64_t min;
    std::int64_t max;
    std::int64_t scale;  // dvr_window_s is given in seconds, held in ms
  };
  const field fields[] = {
      {"segment_duration_ms", &actors::stream_settings::segment_duration_ms, 1, 3'600'000, 1},
      {"start_number", &actors::stream_settings::start_number, 0, INT64_MAX, 1},
      {"availability_start_ms", &actors::stream_settings::availability_start_ms, 0, INT64_MAX, 1},
      {"retry_budget_ms", &actors::stream_settings::retry_budget_ms, 0, 3'600'000, 1},
      {"dvr_window_s", &actors::stream_settings::dvr_window_ms, 1, std::int64_t{30} * 86'400, 1000},
      {"max_hold_ms", &actors::stream_settings::max_hold_ms, 0, max_hold_ceiling.count(), 1},
      {"live_window_segments", &actors::stream_settings::live_window_segments, 0, 1'000'000, 1},
  };
  for (const auto& item : document.items()) {
    const auto& key = item.key();  // named, not a structured binding: lambdas below capture it
    const auto& value = item.value();
    if (key == "pipeline_order") {
      std::vector<std::string> order;
      if (value.is_array())
        for (const auto& id : value)
          if (id.is_string()) order.push_back(id.get<std::string>());
      if (order.size() != value.size() ||
          !std::is_permutation(order.begin(), order.end(), pipelines.begin(), pipelines.end()))
        return std::string("pipeline_order must list every configured pipeline once");
      settings.pipeline_order = std::move(order);
      continue;
    }
    if (key == "force_shedding") {
      if (!value.is_boolean()) return std::string("force_shedding must be true or false");
      settings.force_shedding = value.get<bool>() ? 1 : 0;
      continue;
    }
    auto known = std::find_if(std::begin(fields), std::end(fields), [&](const field& f) { return key == f.key; });
    if (known == std::end(fields)) return "unknown key '" + key + "'";
    if (!value.is_number_integer()) return key + " must be an integer";
    auto number = value.get<std::int64_t>();
    if (number < known->min || number > known->max)
      return key + " must be between " + std::to_string(known->min) + " and " + std::to_string(known->max);
    settings.*(known->member) = number * known->scale;
  }
  return settings;
}

std::variant<actors::pipeline_mask, std::string> parse_mask(const std::string& body,
                                                            const std::vector<std::string>& pipelines) {
  auto document = nlohmann::json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return std::string("body must be a JSON object");
  for (const auto& [key, value] : document.items())
    if (key != "pipeline" && key != "from" && key != "to") return "unknown key '" + key + "'";
  const auto& pipeline = document["pipeline"];
  if (!pipeline.is_string() ||
      std::find(pipelines.begin(), pipelines.end(), pipeline.get<std::string>()) == pipelines.end())
    return std::string("pipeline must name a configured pipeline");
  const auto& from = document["from"];
  const auto& to = document["to"];
  if (!from.is_number_unsigned() || !to.is_number_unsigned() || from.get<std::uint64_t>() > to.get<std::uint64_t>())
    return std::string("from and to must be segment numbers with from <= to");
  return actors::pipeline_mask{pipeline.get<std::string>(), from.get<std::uint64_t>(), to.get<std::uint64_t>()};
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

  route_result route(const request_header& header, const peer_info& peer) override {
    auto target = header.target();
    auto path = target.substr(0, target.find('?'));
    // Probes stay open (load balancers and orchestrators call them); everything else needs the admin token,
    // or a loopback peer when none is configured.
    if (path != "/healthz" && path != "/readyz") {
      auto outcome =
          model::authorize_admin(context_.admin_token, header[beast_http::field::authorization], peer.is_loopback());
      if (outcome != model::auth_outcome::allowed) return auth_refusal(outcome);
    }
    if (path.substr(0, streams_prefix.size()) == streams_prefix)
      return stream_route(header, path.substr(streams_prefix.size()));
    if (path == "/config/reload") {
      if (header.method() != beast_http::verb::post) return method_not_allowed("POST");
      return reload_config();
    }
    if (header.method() != beast_http::verb::get && header.method() != beast_http::verb::head)
      return method_not_allowed("GET, HEAD");
    if (path == "/healthz") return text_response(beast_http::status::ok, "ok\n");
    if (path == "/readyz") return readiness();
    if (path == "/actors") return actor_tree();
    if (path == "/cluster") return cluster_state();
    if (path == "/streams") return stream_list();
    if (path == "/metrics")
      return bytes_response(beast_http::status::ok, std::make_shared<const std::string>(context_.metrics()),
                            "text/plain; version=0.0.4; charset=utf-8");
    return text_response(beast_http::status::not_found, "not found\n");
  }

 private:
  static constexpr std::string_view streams_prefix = "/streams/";

  // /streams/{tenant}/{stream}: GET shows the timeline and live edge; PUT (JSON) configures them and
  // opens the stream if it does not exist yet.
  route_result stream_route(const request_header& header, std::string_view rest) {
    constexpr std::string_view masks_suffix = "/masks";
    constexpr std::string_view crash_suffix = "/crash";
    bool masks = rest.size() > masks_suffix.size() && rest.substr(rest.size() - masks_suffix.size()) == masks_suffix;
    if (masks) rest.remove_suffix(masks_suffix.size());
    bool crash = rest.size() > crash_suffix.size() && rest.substr(rest.size() - crash_suffix.size()) == crash_suffix;
    if (crash) rest.remove_suffix(crash_suffix.size());
    auto slash = rest.find('/');
    auto tenant_name = std::string(rest.substr(0, slash));
    auto stream_name = slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash + 1));
    if (!model::is_valid_name(tenant_name) || !model::is_valid_name(stream_name))
      return text_response(beast_http::status::bad_request, "expected /streams/{tenant}/{stream}\n",
                           model::rejection::bad_stream_path);
    auto tenant = context_.directory->tenant(tenant_name);
    if (!tenant) return text_response(beast_http::status::not_found, "unknown tenant\n");
    auto verb = header.method();
    if (masks) return mask_route(verb, tenant_name, stream_name);
    if (crash) return crash_route(verb, tenant_name, stream_name);
    if (verb == beast_http::verb::get || verb == beast_http::verb::head) {
      auto stream = context_.directory->stream(tenant_name, stream_name);
      if (!stream) return text_response(beast_http::status::not_found, "unknown stream\n");
      return [this, stream = *stream, tenant_name, stream_name](request&&, const responder& respond) {
        ask_actor<actors::stream_status>(
            *context_.bridges, stream, context_.request_timeout,
            [respond, tenant_name, stream_name](actors::stream_status&& status) {
              respond(json_response(to_json(tenant_name, stream_name, status)));
            },
            answer_unavailable(respond), actors::settings_atom_v);
      };
    }
    if (verb != beast_http::verb::put) return method_not_allowed("GET, HEAD, PUT");
    return [this, tenant = *tenant, tenant_name, stream_name](request&& req, const responder& respond) {
      auto update = parse_stream_settings(req.body(), context_.max_hold, context_.pipelines);
      if (auto* problem = std::get_if<std::string>(&update))
        return respond(
            text_response(beast_http::status::bad_request, *problem + "\n", model::rejection::bad_stream_settings));
      auto settings = std::get<actors::stream_settings>(update);
      auto& bridges = *context_.bridges;
      auto timeout = context_.request_timeout;
      ask_actor<actors::stream_actor>(
          bridges, tenant, timeout,
          [&bridges, timeout, settings, respond, tenant_name, stream_name](actors::stream_actor&& stream) {
            ask_actor<actors::stream_status>(
                bridges, stream, timeout,
                [respond, tenant_name, stream_name](actors::stream_status&& status) {
                  respond(json_response(to_json(tenant_name, stream_name, status)));
                },
                answer_unavailable(respond), actors::settings_atom_v, settings);
          },
          answer_unavailable(respond), actors::open_atom_v, stream_name);
    };
  }

  // /streams/{tenant}/{stream}/crash (POST): makes the stream actor throw, to drill supervision. Only
  // when [debug] fault_injection is on; otherwise the path does not exist.
  route_result crash_route(beast_http::verb verb, const std::string& tenant_name, const std::string& stream_name) {
    if (!context_.fault_injection) return text_response(beast_http::status::not_found, "not found\n");
    if (verb != beast_http::verb::post) return method_not_allowed("POST");
    auto stream = context_.directory->stream(tenant_name, stream_name);
    if (!stream) return text_response(beast_http::status::not_found, "unknown stream\n");
    caf::anon_send(*stream, actors::crash_atom_v);
    return text_response(beast_http::status::accepted, "crashing\n");
  }

  // /streams/{tenant}/{stream}/masks: GET lists, POST adds, DELETE removes {"pipeline", "from", "to"}.
  route_result mask_route(beast_http::verb verb, const std::string& tenant_name, const std::string& stream_name) {
    auto stream = context_.directory->stream(tenant_name, stream_name);
    if (!stream) return text_response(beast_http::status::not_found, "unknown stream\n");
    auto reply_with_masks = [](const responder& respond, beast_http::status status) {
      return [respond, status](actors::stream_status&& current) {
        auto answer = json_response(masks_json(current.masks));
        answer.message.result(status);
        respond(std::move(answer));
      };
    };
    if (verb == beast_http::verb::get || verb == beast_http::verb::head)
      return [this, stream = *stream, reply_with_masks](request&&, const responder& respond) {
        ask_actor<actors::stream_status>(*context_.bridges, stream, context_.request_timeout,
                                         reply_with_masks(respond, beast_http::status::ok), answer_unavailable(respond),
                                         actors::settings_atom_v);
      };
    if (verb != beast_http::verb::post && verb != beast_http::verb::delete_)
      return method_not_allowed("GET, HEAD, POST, DELETE");
    return [this, stream = *stream, verb, reply_with_masks](request&& req, const responder& respond) {
      auto mask = parse_mask(req.body(), context_.pipelines);
      if (auto* problem = std::get_if<std::string>(&mask))
        return respond(text_response(beast_http::status::bad_request, *problem + "\n", model::rejection::bad_mask));
      auto& bridges = *context_.bridges;
      auto value = std::get<actors::pipeline_mask>(mask);
      if (verb == beast_http::verb::post)
        return ask_actor<actors::stream_status>(bridges, stream, context_.request_timeout,
                                                reply_with_masks(respond, beast_http::status::created),
                                                answer_unavailable(respond), actors::mask_atom_v, value);
      ask_actor<actors::stream_status>(bridges, stream, context_.request_timeout,
                                       reply_with_masks(respond, beast_http::status::ok), answer_unavailable(respond),
                                       actors::mask_atom_v, actors::delete_atom_v, value);
    };
  }

  // Ready when the listeners accept and the actor system schedules work (a ping round trip).
  // Like SIGHUP: tenants, tokens and quotas from the configuration file; a bad file changes nothing.
  continuation reload_config() {
    return [this](request&&, const responder& respond) {
      context_.reload([respond](reload_result result) {
        nlohmann::ordered_json body{{"reloaded", result.applied},
                                    {result.applied ? "message" : "error", result.message}};
        auto answer = json_response(body);
        if (!result.applied) {
          answer.message.result(beast_http::status::bad_request);
          answer.rejection = model::rejection::bad_config;
        }
        respond(std::move(answer));
      });
    };
  }

  continuation readiness() {
    return [this](request&&, const responder& respond) {
      if (!context_.accepting()) return respond(text_response(beast_http::status::service_unavailable, "not ready\n"));
      ask_actor<caf::pong_atom>(
          *context_.bridges, context_.origin, readiness_timeout,
          [respond](caf::pong_atom) { respond(text_response(beast_http::status::ok, "ready\n")); },
          [respond](const caf::error&) {
            respond(text_response(beast_http::status::service_unavailable, "actors not responding\n"));
          },
          caf::ping_atom_v);
    };
  }

  // Every stream, per tenant, with its size and held requests (the same fan-out as /actors).
  continuation stream_list() {
    return [this](request&&, const responder& respond) {
      ask_actor<actors::origin_info>(
          *context_.bridges, context_.origin, introspection_timeout,
          [respond](actors::origin_info&& info) {
            auto tenants = nlohmann::ordered_json::object();
            for (const auto& tenant : info.tenants) {
              auto streams = nlohmann::ordered_json::array();
              for (const auto& stream : tenant.streams)
                streams.push_back({{"stream", stream.name},
                                   {"objects", stream.objects},
                                   {"bytes", stream.bytes},
                                   {"held_requests", stream.held_requests}});
              tenants[tenant.name] = std::move(streams);
            }
            respond(json_response(tenants));
          },
          answer_unavailable(respond), actors::info_atom_v);
    };
  }

  // The live tree, gathered by asking every supervisor and stream actor; in a cluster, with the cluster
  // actors of this node and its peers.
  continuation actor_tree() {
    return [this](request&&, const responder& respond) {
      auto cluster = context_.cluster;
      context_.bridges->post([origin = context_.origin, cluster, respond](caf::event_based_actor* self) {
        self->request(origin, introspection_timeout, actors::info_atom_v)
            .then(
                [self, cluster, respond](actors::origin_info& info) {
                  auto tree = to_json(info);
                  if (!cluster) return respond(json_response(tree));
                  self->request(*cluster, introspection_timeout, actors::info_atom_v)
                      .then(
                          [tree, respond](cluster::cluster_info& nodes) mutable {
                            tree["cluster"] = cluster_tree(nodes);
                            respond(json_response(tree));
                          },
                          [tree, respond](caf::error&) { respond(json_response(tree)); });
                },
                [respond](caf::error& error) { respond(actor_unavailable(error)); });
      });
    };
  }

  // GET /cluster: the members this node sees, their state, and where the streams it knows live.
  route_result cluster_state() {
    if (!context_.cluster)
      return text_response(beast_http::status::not_found, "this origin is not part of a cluster\n",
                           model::rejection::no_cluster);
    return continuation([this](request&&, const responder& respond) {
      ask_actor<cluster::cluster_info>(
          *context_.bridges, *context_.cluster, introspection_timeout,
          [respond, lease = context_.lease](cluster::cluster_info&& info) {
            auto json = to_json(info);
            if (lease) json["lease"] = to_json(lease->status());
            respond(json_response(json));
          },
          answer_unavailable(respond), actors::info_atom_v);
    });
  }

  route_context context_;
};

}  // namespace

std::shared_ptr<handler> make_admin_handler(route_context context) {
  return std::make_shared<admin_handler>(std::move(context));
}

}  // namespace live_origin::http
