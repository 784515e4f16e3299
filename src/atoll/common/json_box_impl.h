// The member functions of JsonBox<J> (json_box.h). Include only in the one .cc that
// instantiates JsonBox for a JSON type (with <nlohmann/json.hpp> included first).
#pragma once

#include <memory>
#include <utility>

#include "atoll/common/json_box.h"

namespace atl {

template <typename J>
JsonBox<J>::JsonBox() : value_(std::make_unique<J>()) {}

template <typename J>
JsonBox<J>::JsonBox(const J& value) : value_(std::make_unique<J>(value)) {}

template <typename J>
JsonBox<J>::JsonBox(J&& value) : value_(std::make_unique<J>(std::move(value))) {}

template <typename J>
JsonBox<J>::JsonBox(const JsonBox& other) : value_(std::make_unique<J>(*other.value_)) {}

template <typename J>
JsonBox<J>::JsonBox(JsonBox&& other) noexcept : value_(std::move(other.value_)) {
  other.value_ = std::make_unique<J>();
}

template <typename J>
JsonBox<J>& JsonBox<J>::operator=(const JsonBox& other) {
  if (this != &other) *value_ = *other.value_;
  return *this;
}

template <typename J>
JsonBox<J>& JsonBox<J>::operator=(JsonBox&& other) noexcept {
  if (this != &other) std::swap(value_, other.value_);
  return *this;
}

template <typename J>
JsonBox<J>::~JsonBox() = default;

template <typename J>
bool JsonBox<J>::operator==(const JsonBox& other) const {
  return *value_ == *other.value_;
}

}  // namespace atl
