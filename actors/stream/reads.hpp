#pragma once

// What a GET gets: the candidate selection allows now (model::select_candidate, model::choose_manifest)
// and the model's decision (model::decide_read), turned into a reply.

#include <optional>
#include <string>

#include "actors/stream/state.hpp"
#include "model/read_policy.hpp"
#include "model/selection.hpp"

namespace live_origin::actors::stream {

struct read_plan {
  model::read_decision decision;
  std::optional<std::size_t> chosen;  // the candidate to serve when the decision is serve
};

// Decides a read now. `shed_dvr` is the delivery side's overload signal for a new request; held requests
// are decided again with `new_request = false` and are never shed. `may_wait`: false when a hold is
// ending, so a defective candidate is served rather than nothing.
read_plan decide(stream_pointer self, const model::object_class& object, const std::string& name, bool new_request,
                 bool shed_dvr, std::int64_t now, bool may_wait = true);

// Turns a decision into the reply; a 200 marks the chosen candidate served (its bytes are now fixed) and a
// 410 for a missed segment remembers it as gone.
read_reply reply_for(stream_state& st, const model::object_class& object, const std::string& name,
                     const read_plan& plan, const model::answer_headers& headers);

// A GET: answered now (through storage where the answer depends on it), or held.
caf::result<read_reply> read_object(stream_pointer self, const object_read& read);

}  // namespace live_origin::actors::stream
