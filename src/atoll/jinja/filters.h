// Helpers shared by the built-in filters (internal): argument access, jinja2's attribute
// paths ("a.b.0") and sort keys, and the filters over sequences (filters_lists.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "atoll/jinja/interp.h"

namespace atl::jinja::filters {

Value Str(std::string s);
// str() of `v` under the render's size limit.
Result<std::string> S(Interp& in, const Value& v);
bool BoolArg(const CallArgs& a, size_t i, std::string_view name, bool dflt = false);
Result<int64_t> IntArg(const CallArgs& a, size_t i, std::string_view name, int64_t dflt);
// jinja2's make_attrgetter: "a.b.0" looks up a, then b, then item 0.
Result<Value> AttrPath(Interp& in, const Value& v, const std::string& path);
// The sort key of an item: its attribute (if any), lower-cased unless case sensitive.
Result<Value> SortKey(Interp& in, const Value& v, const Value* attribute, bool case_sensitive);
Result<std::vector<Value>> SortedItems(Interp& in, const Value& v, const Value* attribute,
                                       bool case_sensitive, bool reverse);

Result<Value> Sort(Interp& in, const Value& v, const CallArgs& a);
Result<Value> Unique(Interp& in, const Value& v, const CallArgs& a);
Result<Value> MinMax(Interp& in, const Value& v, const CallArgs& a, bool max);
Result<Value> Sum(Interp& in, const Value& v, const CallArgs& a);
Result<Value> Batch(Interp& in, const Value& v, const CallArgs& a);
Result<Value> Slice(Interp& in, const Value& v, const CallArgs& a);
Result<Value> DictSort(Interp& in, const Value& v, const CallArgs& a);
Result<Value> MapFilter(Interp& in, const Value& v, const CallArgs& a);
// select / reject (attr false) and selectattr / rejectattr (attr true).
Result<Value> Select(Interp& in, const Value& v, const CallArgs& a, bool attr, bool keep);
Result<Value> GroupBy(Interp& in, const Value& v, const CallArgs& a);

}  // namespace atl::jinja::filters
