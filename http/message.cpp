#include "http/message.hpp"

#include <boost/beast/http/field.hpp>

namespace live_origin::http {

response text_response(beast_http::status status, std::string_view text, std::optional<model::rejection> rejection,
                       std::string_view content_type) {
  auto answer = bytes_response(status, std::make_shared<const std::string>(text), content_type);
  answer.rejection = rejection;
  return answer;
}

response bytes_response(beast_http::status status, std::shared_ptr<const std::string> bytes,
                        std::string_view content_type) {
  response answer;
  answer.message.result(status);
  answer.message.version(11);
  answer.message.set(beast_http::field::content_type, content_type);
  answer.message.body() = boost::beast::span<const char>(bytes->data(), bytes->size());
  answer.message.content_length(bytes->size());
  answer.owner = std::move(bytes);
  return answer;
}

responder::responder(std::function<void(response)> deliver) : state_(std::make_shared<state>()) {
  state_->deliver = std::move(deliver);
}

void responder::operator()(response answer) const {
  if (!state_->answered.exchange(true)) state_->deliver(std::move(answer));
}

void responder::on_abandon(std::function<void()> callback) const {
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->abandoned) {
      state_->abandon_callback = std::move(callback);
      return;
    }
  }
  callback();
}

void responder::abandon() const {
  std::function<void()> callback;
  {
    std::lock_guard lock(state_->mutex);
    state_->abandoned = true;
    callback = std::move(state_->abandon_callback);
  }
  if (callback) callback();
}

void responder::watch_handle::abandon() const {
  if (auto shared = state_.lock()) responder(std::move(shared)).abandon();
}

responder::state::~state() {
  if (!answered.load())
    deliver(text_response(beast_http::status::service_unavailable, "request dropped\n", model::rejection::dropped));
}

}  // namespace live_origin::http
