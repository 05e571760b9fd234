#include "http/representation.hpp"
#include "http/route_helpers.hpp"
#include "http/routes.hpp"
#include "model/content_digest.hpp"
#include "model/media_type.hpp"

namespace live_origin::http {
namespace {

class delivery_handler final : public handler {
 public:
  explicit delivery_handler(route_context context) : context_(std::move(context)) {}

  route_result route(const request_header& header) override {
    auto verb = header.method();
    if (verb != beast_http::verb::get && verb != beast_http::verb::head) return method_not_allowed("GET, HEAD");
    auto parsed = model::parse_object_path(header.target(), context_.max_target_bytes);
    if (auto* error = std::get_if<model::path_error>(&parsed)) return bad_path(*error);
    auto path = std::get<model::object_path>(std::move(parsed));
    // Unknown tenants and streams are answered from the directory, without touching any actor.
    if (!context_.directory->tenant(path.tenant)) return text_response(beast_http::status::not_found, "not found\n");
    auto stream = context_.directory->stream(path.tenant, path.stream);
    if (!stream) return text_response(beast_http::status::not_found, "not found\n");
    return read_object(std::move(path.object), std::move(*stream));
  }

 private:
  continuation read_object(std::string object, actors::stream_actor stream) {
    return [this, object = std::move(object), stream = std::move(stream)](request&& req, responder respond) {
      auto header = std::make_shared<const request_header>(std::move(req.base()));
      auto on_reply = [header, object, respond](actors::read_reply&& reply) {
        if (reply.status != 200)
          return respond(text_response(static_cast<beast_http::status>(reply.status), "not found\n"));
        representation rep{reply.object.body.bytes, model::entity_tag(reply.object.digest), reply.object.stored_at_ms,
                           model::media_type_for(object)};
        respond(serve_representation(*header, rep));
      };
      ask_actor<actors::read_reply>(*context_.bridges, stream, context_.request_timeout, on_reply,
                                    answer_unavailable(respond), actors::get_atom_v, object);
    };
  }

  route_context context_;
};

}  // namespace

std::shared_ptr<handler> make_delivery_handler(route_context context) {
  return std::make_shared<delivery_handler>(std::move(context));
}

}  // namespace live_origin::http
