#pragma once
// Result<T>: a value or an Error, in the spirit of std::expected (C++23) and
// Chromium's base::expected. Deliberately no operator bool: write
// `if (!r.has_value())` so a reader sees which branch is the error.

#include <cassert>
#include <utility>
#include <variant>

#include "lienthong/core/error.hpp"

namespace lienthong {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool has_value() const { return state_.index() == 0; }

  T& value() & {
    assert(has_value());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(state_));
  }

  const Error& error() const& {
    assert(!has_value());
    return std::get<1>(state_);
  }
  Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

// For operations that produce nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace lienthong

// Pass an error up to the caller (plain functions; coroutines spell it out).
#define LIENTHONG_RETURN_IF_ERROR(expr)            \
  do {                                             \
    auto lienthong_status_ = (expr);               \
    if (!lienthong_status_.has_value())            \
      return std::move(lienthong_status_).error(); \
  } while (false)
