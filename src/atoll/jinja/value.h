// Value: the data a Jinja template computes with, modelled on the Python objects that
// jinja2 hands around (dbt's templates are written against Python semantics).
//
// Kinds: undefined (jinja2's default Undefined: prints empty, is falsy, iterates as empty;
// an attribute of it or a call of it is an error), none, bool, int (int64), float
// (double), string (UTF-8 bytes; lengths and indices count code points), list (also
// tuples: a list with the tuple flag), dict (insertion-ordered like a Python dict; also
// `namespace()` objects), callable (a native function or a macro), object (a C++ object
// with attributes and its own str(), such as dbt's relations: `{{ this }}`,
// `{{ this.identifier }}`).
//
// Lists, dicts and callables are shared by reference, as in Python: a copy of a Value
// that holds a list sees `.append()` made through the other copy.
//
// Thread safety: a Value is not synchronised; values shared between threads must not be
// mutated (the Environment's globals are only read while rendering).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"

namespace atl::jinja {

class Value;
struct ListObject;
struct DictObject;
class Callable;
class Object;
class CallContext;  // the running render (internal); null when called from outside one

// The arguments of a call: positional, then keyword (in call order).
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;

  // The keyword argument `name`, or null.
  const Value* Find(std::string_view name) const;
};

// A function written in C++ that templates may call: `ref('x')`, `config(k=v)`.
// Return a Value, or an error Status (its message reaches the user with file and line).
using NativeFunction = std::function<Result<Value>(const CallArgs& args)>;

class Value {
 public:
  enum class Kind {
    kUndefined,
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,
    kDict,
    kCallable,
    kObject
  };

  Value() = default;  // undefined
  // `message` is the error an operation on it reports ("'x' is undefined").
  static Value Undefined(std::string message = "");
  static Value None();
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Float(double d);
  static Value String(std::string s);
  static Value List(std::vector<Value> items = {});
  static Value Tuple(std::vector<Value> items);
  static Value Dict();       // an empty ordered dict
  static Value Namespace();  // an empty namespace() object (attributes are settable)
  static Value Function(std::string name, NativeFunction fn);
  static Value FromCallable(std::shared_ptr<Callable> callable);
  static Value FromObject(std::shared_ptr<const Object> object);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  bool is_number() const { return kind_ == Kind::kInt || kind_ == Kind::kFloat; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_tuple() const;
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_namespace() const;
  bool is_callable() const { return kind_ == Kind::kCallable; }
  bool is_object() const { return kind_ == Kind::kObject; }

  // Accessors; calling one for another kind is a bug (returns a zero value).
  bool as_bool() const { return kind_ == Kind::kBool && int_ != 0; }
  int64_t as_int() const { return int_; }
  // The number as a double (ints and bools convert).
  double as_double() const;
  const std::string& as_string() const { return str_; }
  // What an operation on this undefined value reports ("'x' is undefined").
  const std::string& undefined_message() const { return str_; }
  ListObject* list() const { return list_.get(); }
  DictObject* dict() const { return dict_.get(); }
  Callable* callable() const { return callable_.get(); }
  const Object* object() const { return object_.get(); }
  // True when this value is the only owner of its list or dict.
  bool owns_container() const {
    return (list_ && list_.use_count() == 1) || (dict_ && dict_.use_count() == 1);
  }

  // Python truthiness: undefined, none, false, 0, 0.0, "", [], {} are false.
  bool Truthy() const;
  // Python's str(): what {{ value }} prints (undefined prints as "").
  std::string Str() const;
  // Python's repr(): 'a', [1, 'a'], {'k': None}, (1,), True.
  std::string Repr() const;
  // Appends str() (or repr()) to `out`; false, with `out` cut short, when `out` would
  // grow beyond `max_bytes` or containers nest deeper than 100 (a list holding itself).
  bool AppendStr(std::string& out, size_t max_bytes) const;
  bool AppendRepr(std::string& out, size_t max_bytes, int depth = 0) const;
  // The Python type name used in error messages: 'int', 'str', 'dict', 'NoneType'.
  std::string TypeName() const;

  // Python ==: 1 == 1.0, True == 1; lists and dicts compare by content.
  bool Equals(const Value& other, int depth = 0) const;

 private:
  Kind kind_ = Kind::kUndefined;
  int64_t int_ = 0;  // bool and int
  double float_ = 0;
  std::string str_;  // string, or the name of an undefined value
  std::shared_ptr<ListObject> list_;
  std::shared_ptr<DictObject> dict_;
  std::shared_ptr<Callable> callable_;
  std::shared_ptr<const Object> object_;
};

// Containers free deeply nested contents without recursion (a list nested a million
// levels deep must not overflow the stack when it goes).
struct ListObject {
  ListObject() = default;
  ListObject(const ListObject&) = delete;
  ListObject& operator=(const ListObject&) = delete;
  ~ListObject();
  std::vector<Value> items;
  bool tuple = false;
  bool group = false;  // groupby's (grouper, list) tuple: `.grouper` and `.list` name its items
};

// An insertion-ordered dict. Keys are hashable Values (strings, numbers, bools, none,
// tuples); lookups are linear beyond a small index of string keys.
struct DictObject {
  DictObject() = default;
  DictObject(const DictObject&) = delete;
  DictObject& operator=(const DictObject&) = delete;
  ~DictObject();
  std::vector<std::pair<Value, Value>> entries;
  bool is_namespace = false;

  const Value* Find(const Value& key) const;
  const Value* FindString(std::string_view key) const;
  void Set(Value key, Value value);
  bool Erase(const Value& key);
};

// Something a template can call: a native function, a macro, a bound method.
class Callable {
 public:
  virtual ~Callable() = default;
  virtual const std::string& name() const = 0;
  // `context` is the running render when called from a template (macros use its
  // limits and output), null when called from C++.
  virtual Result<Value> Call(const CallArgs& args, CallContext* context) const = 0;
  // True for macros (the `is callable` test is true for both kinds).
  virtual bool IsMacro() const { return false; }
  // An attribute of the callable (dbt's `config.get(...)` on the callable `config`);
  // undefined when it has none.
  virtual Value GetAttr(const std::string& name) const;
};

// An object of the embedding program: templates read its attributes and print it.
// It is truthy, equal only to itself, not iterable and not JSON-serialisable.
class Object {
 public:
  virtual ~Object() = default;
  // The type name used in error messages ("Relation").
  virtual std::string TypeName() const = 0;
  // What {{ object }} prints.
  virtual std::string Str() const = 0;
  // The attribute `name` (a value, or Value::Function for a method); undefined if none.
  virtual Value GetAttr(const std::string& name) const = 0;
};

// Python-like comparisons: numbers with numbers, strings with strings, lists
// element-wise; anything else is a TypeError-like error ("'<' not supported between
// instances of 'str' and 'int'").
Result<int> Compare(const Value& a, const Value& b, std::string_view op);

// Python's repr of a float: 1.0, 0.1, 1e+16, 1.5e-05, inf, nan.
std::string FloatRepr(double d);
// Python's repr of a string: 'it''s' → "it's", with \n, \t, \\, \x01 escapes.
std::string StringRepr(std::string_view s);

}  // namespace atl::jinja
