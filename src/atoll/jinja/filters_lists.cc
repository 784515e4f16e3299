// The built-in filters over sequences: sort, unique, min/max, sum, batch, slice,
// dictsort, map, select/reject(attr), groupby (jinja2/filters.py semantics).
#include <algorithm>

#include "atoll/jinja/filters.h"
#include "atoll/jinja/text.h"

namespace atl::jinja::filters {

Value Str(std::string s) { return Value::String(std::move(s)); }

Result<std::string> S(Interp& in, const Value& v) { return in.ToStr(v); }

bool BoolArg(const CallArgs& a, size_t i, std::string_view name, bool dflt) {
  const Value* v = Arg(a, i, name);
  return v ? v->Truthy() : dflt;
}

Result<int64_t> IntArg(const CallArgs& a, size_t i, std::string_view name, int64_t dflt) {
  const Value* v = Arg(a, i, name);
  if (v == nullptr) return dflt;
  if (v->is_int() || v->is_bool()) return v->as_int();
  if (v->is_float()) return static_cast<int64_t>(v->as_double());
  return InvalidArgument("'", v->TypeName(), "' object cannot be interpreted as an integer");
}

// jinja2's make_attrgetter: "a.b.0" looks up a, then b, then item 0.
Result<Value> AttrPath(Interp& in, const Value& v, const std::string& path) {
  Value cur = v;
  static const std::string kDot = ".";
  for (const std::string& part : text::Split(path, &kDot, -1)) {
    bool digits = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    if (cur.is_undefined()) return cur;
    ATOLL_ASSIGN_OR_RETURN(
        cur, in.GetItem(cur, digits ? Value::Int(std::stoll(part.substr(0, 18))) : Str(part)));
  }
  return cur;
}

// The sort key of an item: its attribute (if any), lower-cased when not case sensitive.
Result<Value> SortKey(Interp& in, const Value& v, const Value* attribute, bool case_sensitive) {
  Value key = v;
  if (attribute != nullptr && !attribute->is_none()) {
    ATOLL_ASSIGN_OR_RETURN(key, AttrPath(in, v, attribute->Str()));
  }
  if (!case_sensitive && key.is_string()) key = Str(text::Lower(key.as_string()));
  return key;
}

Result<std::vector<Value>> SortedItems(Interp& in, const Value& v, const Value* attribute,
                                       bool case_sensitive, bool reverse) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  std::vector<std::pair<Value, Value>> keyed;
  for (Value& item : items) {
    ATOLL_ASSIGN_OR_RETURN(Value k, SortKey(in, item, attribute, case_sensitive));
    if (k.is_undefined()) return InvalidArgument(k.undefined_message());
    keyed.emplace_back(std::move(k), std::move(item));
  }
  Status err;
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    if (!err.ok()) return false;
    auto c = Compare(x.first, y.first, "<");
    if (!c.ok()) {
      err = c.status();
      return false;
    }
    return reverse ? *c > 0 : *c < 0;
  });
  ATOLL_RETURN_NOT_OK(err);
  std::vector<Value> out;
  for (auto& [k, item] : keyed) out.push_back(std::move(item));
  return out;
}

Result<Value> Sort(Interp& in, const Value& v, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items,
                         SortedItems(in, v, Arg(a, 2, "attribute"), BoolArg(a, 1, "case_sensitive"),
                                     BoolArg(a, 0, "reverse")));
  return Value::List(std::move(items));
}

Result<Value> Unique(Interp& in, const Value& v, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  bool cs = BoolArg(a, 0, "case_sensitive");
  const Value* attribute = Arg(a, 1, "attribute");
  std::vector<Value> seen, out;
  for (Value& item : items) {
    ATOLL_RETURN_NOT_OK(in.Step());
    ATOLL_ASSIGN_OR_RETURN(Value k, SortKey(in, item, attribute, cs));
    bool dup = false;
    for (const Value& s : seen) dup = dup || s.Equals(k);
    if (dup) continue;
    seen.push_back(k);
    out.push_back(std::move(item));
  }
  return Value::List(std::move(out));
}

Result<Value> MinMax(Interp& in, const Value& v, const CallArgs& a, bool max) {
  ATOLL_ASSIGN_OR_RETURN(
      std::vector<Value> items,
      SortedItems(in, v, Arg(a, 1, "attribute"), BoolArg(a, 0, "case_sensitive"), false));
  if (items.empty()) return Value::Undefined("No aggregated item, sequence was empty.");
  if (!max) return items.front();
  // The first of the largest, as Python's max() returns.
  Value best = items.back();
  ATOLL_ASSIGN_OR_RETURN(
      Value bk, SortKey(in, best, Arg(a, 1, "attribute"), BoolArg(a, 0, "case_sensitive")));
  for (const Value& item : items) {
    ATOLL_ASSIGN_OR_RETURN(
        Value k, SortKey(in, item, Arg(a, 1, "attribute"), BoolArg(a, 0, "case_sensitive")));
    if (k.Equals(bk)) return item;
  }
  return best;
}

Result<Value> Sum(Interp& in, const Value& v, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  const Value* attribute = Arg(a, 0, "attribute");
  const Value* start = Arg(a, 1, "start");
  Value total = start ? *start : Value::Int(0);
  for (Value& item : items) {
    if (attribute && !attribute->is_none()) {
      ATOLL_ASSIGN_OR_RETURN(item, AttrPath(in, item, attribute->Str()));
    }
    ATOLL_ASSIGN_OR_RETURN(total, in.Arith("+", total, item, 0));
  }
  return total;
}

Result<Value> Batch(Interp& in, const Value& v, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(int64_t n, IntArg(a, 0, "linecount", 0));
  if (n <= 0) return InvalidArgument("batch size must be positive");
  const Value* fill = Arg(a, 1, "fill_with");
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  std::vector<Value> out, cur;
  for (Value& item : items) {
    cur.push_back(std::move(item));
    if (static_cast<int64_t>(cur.size()) == n) {
      out.push_back(Value::List(std::move(cur)));
      cur.clear();
    }
  }
  if (!cur.empty()) {
    if (fill && !fill->is_none()) {
      while (static_cast<int64_t>(cur.size()) < n) cur.push_back(*fill);
    }
    out.push_back(Value::List(std::move(cur)));
  }
  return Value::List(std::move(out));
}

Result<Value> DictSort(Interp& in, const Value& v, const CallArgs& a) {
  if (!v.is_dict()) return InvalidArgument("dictsort expects a dict, got ", v.TypeName());
  bool cs = BoolArg(a, 0, "case_sensitive");
  std::string by = Arg(a, 1, "by") ? Arg(a, 1, "by")->Str() : "key";
  if (by != "key" && by != "value")
    return InvalidArgument("You can only sort by either \"key\" or \"value\"");
  Value pairs = Value::List();
  for (const auto& [k, val] : v.dict()->entries)
    pairs.list()->items.push_back(Value::Tuple({k, val}));
  Value attr = Value::String(by == "key" ? "0" : "1");
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items,
                         SortedItems(in, pairs, &attr, cs, BoolArg(a, 2, "reverse")));
  return Value::List(std::move(items));
}

Result<Value> MapFilter(Interp& in, const Value& v, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  std::vector<Value> out;
  if (const Value* attribute = a.Find("attribute")) {
    const Value* dflt = a.Find("default");
    for (const Value& item : items) {
      ATOLL_ASSIGN_OR_RETURN(Value x, AttrPath(in, item, attribute->Str()));
      if (x.is_undefined() && dflt) x = *dflt;
      out.push_back(std::move(x));
    }
    return Value::List(std::move(out));
  }
  if (a.positional.empty()) return Value::List(std::move(items));
  std::string name = a.positional[0].Str();
  CallArgs rest;
  rest.positional.assign(a.positional.begin() + 1, a.positional.end());
  rest.keyword = a.keyword;
  for (const Value& item : items) {
    ATOLL_ASSIGN_OR_RETURN(Value x, in.ApplyFilter(name, item, rest));
    out.push_back(std::move(x));
  }
  return Value::List(std::move(out));
}

// select / reject / selectattr / rejectattr.
Result<Value> Select(Interp& in, const Value& v, const CallArgs& a, bool attr, bool keep) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  size_t off = 0;
  std::string attribute;
  if (attr) {
    if (a.positional.empty()) return InvalidArgument("Missing parameter for attribute name");
    attribute = a.positional[0].Str();
    off = 1;
  }
  std::string test;
  if (a.positional.size() > off) test = a.positional[off].Str();
  CallArgs rest;
  if (a.positional.size() > off + 1)
    rest.positional.assign(a.positional.begin() + off + 1, a.positional.end());
  rest.keyword = a.keyword;
  std::vector<Value> out;
  for (Value& item : items) {
    Value x = item;
    if (attr) {
      ATOLL_ASSIGN_OR_RETURN(x, AttrPath(in, item, attribute));
    }
    bool pass;
    if (test.empty()) {
      pass = x.Truthy();
    } else {
      ATOLL_ASSIGN_OR_RETURN(pass, in.ApplyTest(test, x, rest));
    }
    if (pass == keep) out.push_back(std::move(item));
  }
  return Value::List(std::move(out));
}

Result<Value> Slice(Interp& in, const Value& v, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(int64_t slices, IntArg(a, 0, "slices", 1));
  if (slices <= 0 || slices > 100000) return InvalidArgument("slices must be positive");
  const Value* fill = Arg(a, 1, "fill_with");
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> seq, in.Iterate(v));
  int64_t length = static_cast<int64_t>(seq.size());
  int64_t per = length / slices, extra = length % slices, offset = 0;
  std::vector<Value> out;
  for (int64_t i = 0; i < slices; ++i) {
    int64_t start = offset + i * per;
    if (i < extra) offset += 1;
    int64_t end = offset + (i + 1) * per;
    std::vector<Value> part(seq.begin() + start, seq.begin() + end);
    if (fill && !fill->is_none() && i >= extra) part.push_back(*fill);
    out.push_back(Value::List(std::move(part)));
  }
  return Value::List(std::move(out));
}

Result<Value> GroupBy(Interp& in, const Value& v, const CallArgs& a) {
  const Value* attribute = Arg(a, 0, "attribute");
  if (attribute == nullptr) return InvalidArgument("groupby() needs an attribute");
  const Value* dflt = Arg(a, 1, "default");
  bool cs = BoolArg(a, 2, "case_sensitive");
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  // Sort by the (lower-cased) key, then group runs of equal keys; the grouper shown is
  // the first item's own value, as jinja2 does.
  std::vector<std::pair<Value, Value>> keyed;
  for (Value& item : items) {
    ATOLL_ASSIGN_OR_RETURN(Value raw, AttrPath(in, item, attribute->Str()));
    if (raw.is_undefined() && dflt) raw = *dflt;
    if (raw.is_undefined()) return InvalidArgument(raw.undefined_message());
    Value key = !cs && raw.is_string() ? Str(text::Lower(raw.as_string())) : raw;
    keyed.emplace_back(std::move(key), std::move(item));
  }
  Status err;
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    if (!err.ok()) return false;
    auto c = Compare(x.first, y.first, "<");
    if (!c.ok()) {
      err = c.status();
      return false;
    }
    return *c < 0;
  });
  ATOLL_RETURN_NOT_OK(err);
  std::vector<Value> groups;
  for (size_t i = 0; i < keyed.size();) {
    size_t j = i;
    std::vector<Value> members;
    while (j < keyed.size() && keyed[j].first.Equals(keyed[i].first))
      members.push_back(keyed[j++].second);
    ATOLL_ASSIGN_OR_RETURN(Value grouper, AttrPath(in, members[0], attribute->Str()));
    if (grouper.is_undefined() && dflt) grouper = *dflt;
    Value group = Value::Tuple({grouper, Value::List(std::move(members))});
    group.list()->group = true;
    groups.push_back(std::move(group));
    i = j;
  }
  return Value::List(std::move(groups));
}

}  // namespace atl::jinja::filters
