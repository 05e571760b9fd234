#pragma once

// Waiting for several answers at once in CAF 0.17, which has no fan_out_request.

#include <caf/error.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "actors/type_ids.hpp"

namespace live_origin::actors {

// Returns what to call once per finished piece of work: the `count`-th call runs `done` (which runs at once
// when there is no work).
inline std::function<void()> countdown(std::size_t count, std::function<void()> done) {
  if (count == 0) {
    done();
    return [] {};
  }
  auto left = std::make_shared<std::size_t>(count);
  return [left, done = std::move(done)] {
    if (--*left == 0) done();
  };
}

// Collects one reply per child and delivers the parent's answer when the last one is in.
template <class Info, class ChildInfo>
struct fan_in {
  Info info;
  std::vector<ChildInfo> Info::*children;
  std::size_t pending;
  caf::typed_response_promise<Info> promise;

  void add(ChildInfo child) {
    (info.*children).push_back(std::move(child));
    if (--pending == 0) promise.deliver(std::move(info));
  }
};

// Asks every child (name, handle) for its info and answers with `info` holding all of them; a child that
// does not answer within `timeout` is listed as unresponsive rather than holding up the whole tree.
template <class Info, class ChildInfo, class Self, class Children>
caf::result<Info> gather_children(Self self, Info info, std::vector<ChildInfo> Info::*field, const Children& children,
                                  std::chrono::milliseconds timeout) {
  auto promise = self->template make_response_promise<Info>();
  if (children.empty()) return promise.deliver(std::move(info));
  using collector = fan_in<Info, ChildInfo>;
  auto gather = std::make_shared<collector>(collector{std::move(info), field, children.size(), promise});
  for (const auto& [name, actor] : children) {
    self->request(actor, timeout, info_atom_v)
        .then([gather](ChildInfo& child) { gather->add(std::move(child)); },
              [gather, name = name, id = actor.id()](caf::error&) {
                ChildInfo missing{};
                missing.name = name;
                missing.actor_id = id;
                missing.responsive = false;
                gather->add(std::move(missing));
              });
  }
  return promise;
}

}  // namespace live_origin::actors
