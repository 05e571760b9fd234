#include "http/route_helpers.hpp"
#include "http/routes.hpp"
#include "model/content_digest.hpp"

namespace live_origin::http {
namespace {

using actors::stream_actor;

response write_answer(const actors::write_reply& reply) {
  return empty_response(static_cast<beast_http::status>(reply.status));
}

class ingest_handler final : public handler {
 public:
  explicit ingest_handler(route_context context) : context_(std::move(context)) {}

  route_result route(const request_header& header) override {
    auto verb = header.method();
    if (verb != beast_http::verb::put && verb != beast_http::verb::post && verb != beast_http::verb::delete_)
      return method_not_allowed("PUT, POST, DELETE");
    auto parsed = model::parse_object_path(header.target(), context_.max_target_bytes);
    if (auto* error = std::get_if<model::path_error>(&parsed)) return bad_path(*error);
    auto path = std::get<model::object_path>(std::move(parsed));
    auto tenant = context_.directory->tenant(path.tenant);
    if (!tenant)
      return text_response(beast_http::status::not_found, "unknown tenant\n", "unknown_tenant");
    if (verb == beast_http::verb::delete_) return delete_object(std::move(path));
    return store_object(std::move(path), *tenant);
  }

 private:
  // The stream actor is spawned by the tenant supervisor on the first write to it.
  continuation store_object(model::object_path path, actors::tenant_supervisor_actor tenant) {
    return [this, path = std::move(path), tenant = std::move(tenant)](request&& req, responder respond) {
      auto body = actors::object_body::adopt(std::move(req.body()));
      auto digest = model::content_digest(body.view());
      actors::object_write write{path.object, std::move(body), digest};
      auto known = context_.directory->stream(path.tenant, path.stream);
      auto timeout = context_.request_timeout;
      auto& bridges = *context_.bridges;
      auto put = [&bridges, timeout, write, respond](const stream_actor& stream) {
        ask_actor<actors::write_reply>(
            bridges, stream, timeout, [respond](actors::write_reply&& reply) { respond(write_answer(reply)); },
            answer_unavailable(respond), actors::put_atom_v, write);
      };
      if (known) return put(*known);
      ask_actor<stream_actor>(bridges, tenant, timeout, put, answer_unavailable(respond), actors::open_atom_v,
                              path.stream);
    };
  }

  // DELETE means "expire later"; for a stream that does not exist there is nothing to schedule.
  continuation delete_object(model::object_path path) {
    return [this, path = std::move(path)](request&&, responder respond) {
      auto stream = context_.directory->stream(path.tenant, path.stream);
      if (!stream) return respond(empty_response(beast_http::status::no_content));
      ask_actor<actors::write_reply>(
          *context_.bridges, *stream, context_.request_timeout,
          [respond](actors::write_reply&& reply) { respond(write_answer(reply)); }, answer_unavailable(respond),
          actors::delete_atom_v, path.object);
    };
  }

  route_context context_;
};

}  // namespace

std::shared_ptr<handler> make_ingest_handler(route_context context) {
  return std::make_shared<ingest_handler>(std::move(context));
}

}  // namespace live_origin::http
