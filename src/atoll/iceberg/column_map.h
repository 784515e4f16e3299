// ColumnMap<V>: the per-column metrics of a data file (value counts, bounds, ...) keyed by
// field id, stored as one sorted vector instead of a tree.
//
// Why: a table's plan holds one DataFile per data file, each with six such maps of a few
// entries; as std::map that is one allocation per entry (about 20 per file), which made
// planning 100,000-file tables allocation-bound. The interface is the subset of std::map
// the code base uses (find, at, operator[], count, insert_or_assign, emplace, erase,
// ordered iteration over std::pair<int32_t, V>), with the same results.
//
// Costs: lookups are binary searches; inserting in increasing key order (what decoders and
// metric readers do) appends, inserting out of order shifts the tail. Iterators and
// references are invalidated by any insertion or erasure (unlike std::map).
// Thread safety: as for a std::vector.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

namespace atl::iceberg {

template <typename V>
class ColumnMap {
 public:
  using key_type = int32_t;
  using mapped_type = V;
  using value_type = std::pair<int32_t, V>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  ColumnMap() = default;
  // Like std::map: the first of equal keys is kept.
  ColumnMap(std::initializer_list<value_type> items) {
    for (const value_type& item : items) emplace(item.first, item.second);
  }

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  void clear() { items_.clear(); }
  void reserve(size_t n) { items_.reserve(n); }

  iterator find(int32_t key) {
    auto it = LowerBound(key);
    return it != items_.end() && it->first == key ? it : items_.end();
  }
  const_iterator find(int32_t key) const {
    auto it = std::lower_bound(items_.begin(), items_.end(), key, KeyLess);
    return it != items_.end() && it->first == key ? it : items_.end();
  }
  size_t count(int32_t key) const { return find(key) == end() ? 0 : 1; }
  bool contains(int32_t key) const { return find(key) != end(); }

  // std::out_of_range when absent, as std::map::at.
  V& at(int32_t key) {
    auto it = find(key);
    if (it == end()) throw std::out_of_range("ColumnMap::at: no such field id");
    return it->second;
  }
  const V& at(int32_t key) const {
    auto it = find(key);
    if (it == end()) throw std::out_of_range("ColumnMap::at: no such field id");
    return it->second;
  }

  V& operator[](int32_t key) { return emplace(key, V{}).first->second; }

  // Inserts when absent; {position, inserted}.
  template <typename T>
  std::pair<iterator, bool> emplace(int32_t key, T&& value) {
    if (items_.empty() || items_.back().first < key) {
      items_.emplace_back(key, std::forward<T>(value));
      return {items_.end() - 1, true};
    }
    auto it = LowerBound(key);
    if (it != items_.end() && it->first == key) return {it, false};
    return {items_.emplace(it, key, std::forward<T>(value)), true};
  }
  std::pair<iterator, bool> insert(value_type item) {
    return emplace(item.first, std::move(item.second));
  }

  template <typename T>
  std::pair<iterator, bool> insert_or_assign(int32_t key, T&& value) {
    auto [it, inserted] = emplace(key, std::forward<T>(value));
    if (!inserted) it->second = std::forward<T>(value);
    return {it, inserted};
  }
  // The hint is ignored (appending in key order is already constant time).
  template <typename T>
  iterator insert_or_assign(const_iterator /*hint*/, int32_t key, T&& value) {
    return insert_or_assign(key, std::forward<T>(value)).first;
  }

  size_t erase(int32_t key) {
    auto it = find(key);
    if (it == end()) return 0;
    items_.erase(it);
    return 1;
  }
  iterator erase(const_iterator it) { return items_.erase(it); }

  bool operator==(const ColumnMap&) const = default;

 private:
  static bool KeyLess(const value_type& item, int32_t key) { return item.first < key; }
  iterator LowerBound(int32_t key) {
    return std::lower_bound(items_.begin(), items_.end(), key, KeyLess);
  }

  std::vector<value_type> items_;
};

}  // namespace atl::iceberg
