#pragma once

#include <utility>

namespace live_origin::actors {

namespace detail {
template <class Self, class F, class R, class C, class... Ts>
auto counted_as(Self self, F handler, R (C::*)(Ts...) const) {
  return [self, handler](Ts... xs) -> R {
    ++self->state.messages_handled;
    return handler(std::forward<Ts>(xs)...);
  };
}
}  // namespace detail

// Wraps a message handler so that the actor counts it in `state.messages_handled` (for /actors). The
// wrapper has exactly the handler's signature, so CAF matches it against the typed interface as before.
template <class Self, class F>
auto counted(Self self, F handler) {
  return detail::counted_as(self, std::move(handler), &F::operator());
}

}  // namespace live_origin::actors
