// JsonBox<J>: one JSON value of type J (nlohmann::json or nlohmann::ordered_json) held
// behind a pointer, so that a struct in a widely included header can carry a JSON member
// while that header includes only <nlohmann/json_fwd.hpp> (J may be incomplete there).
//
// Value semantics: copies are deep, == compares the JSON values, a moved-from box holds
// some valid JSON value (never a dangling pointer). get(), * and -> give the value itself.
//
// The member functions are defined in json_box_impl.h and instantiated once per J, by the
// library that owns that JSON type (`template class JsonBox<J>;` in a .cc that includes the
// full <nlohmann/json.hpp>); headers declare `extern template class JsonBox<J>;`. So no
// translation unit but that one needs J complete to copy, compare or destroy a box.
#pragma once

#include <memory>

namespace atl {

template <typename J>
class JsonBox {
 public:
  JsonBox();                // JSON null
  JsonBox(const J& value);  // NOLINT(google-explicit-constructor): a J converts to its box
  JsonBox(J&& value);       // NOLINT(google-explicit-constructor)
  JsonBox(const JsonBox& other);
  JsonBox(JsonBox&& other) noexcept;
  JsonBox& operator=(const JsonBox& other);
  JsonBox& operator=(JsonBox&& other) noexcept;
  ~JsonBox();

  J& get() { return *value_; }
  const J& get() const { return *value_; }
  J& operator*() { return *value_; }
  const J& operator*() const { return *value_; }
  J* operator->() { return value_.get(); }
  const J* operator->() const { return value_.get(); }

  bool operator==(const JsonBox& other) const;

 private:
  std::unique_ptr<J> value_;  // never null
};

}  // namespace atl
