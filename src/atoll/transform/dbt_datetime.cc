#include "atoll/transform/dbt_datetime.h"

#include <ctime>

#include "atoll/common/clock.h"

namespace atl::transform {

namespace {

using jinja::CallArgs;
using jinja::Value;

std::tm UtcTm(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::string Format(const std::tm& tm, const char* fmt) {
  char buf[256];
  const size_t n = std::strftime(buf, sizeof(buf), fmt, &tm);
  return std::string(buf, n);
}

class Datetime : public jinja::Object {
 public:
  Datetime(int64_t ms, bool date_only) : ms_(ms), date_only_(date_only), tm_(UtcTm(ms)) {}
  std::string TypeName() const override { return date_only_ ? "date" : "datetime"; }
  std::string Str() const override { return Iso(" "); }
  Value GetAttr(const std::string& name) const override {
    if (name == "year") return Value::Int(tm_.tm_year + 1900);
    if (name == "month") return Value::Int(tm_.tm_mon + 1);
    if (name == "day") return Value::Int(tm_.tm_mday);
    if (!date_only_) {
      if (name == "hour") return Value::Int(tm_.tm_hour);
      if (name == "minute") return Value::Int(tm_.tm_min);
      if (name == "second") return Value::Int(tm_.tm_sec);
      if (name == "microsecond") return Value::Int(Micros());
    }
    const std::tm tm = tm_;
    if (name == "strftime") {
      return Value::Function("strftime", [tm](const CallArgs& a) -> Result<Value> {
        if (a.positional.empty() || !a.positional[0].is_string()) {
          return InvalidArgument("strftime() takes a format string");
        }
        if (a.positional[0].as_string().size() > 200) {
          return InvalidArgument("strftime(): format longer than 200 characters");
        }
        return Value::String(Format(tm, a.positional[0].as_string().c_str()));
      });
    }
    const std::string iso = Iso("T");
    if (name == "isoformat") {
      return Value::Function(
          "isoformat", [iso](const CallArgs&) -> Result<Value> { return Value::String(iso); });
    }
    const int64_t ms = ms_;
    if (name == "date") {
      return Value::Function(
          "date", [ms](const CallArgs&) -> Result<Value> { return DatetimeValue(ms, true); });
    }
    return Value::Undefined(StrCat("'", TypeName(), "' object has no attribute '", name, "'"));
  }

 private:
  int64_t Micros() const { return ((ms_ % 1000 + 1000) % 1000) * 1000; }
  // Python's isoformat(sep): microseconds only when not zero.
  std::string Iso(const char* sep) const {
    if (date_only_) return Format(tm_, "%Y-%m-%d");
    std::string s = Format(tm_, "%Y-%m-%d") + sep + Format(tm_, "%H:%M:%S");
    if (Micros() != 0) {
      std::string us = std::to_string(Micros());
      s += "." + std::string(6 - us.size(), '0') + us;
    }
    return s;
  }

  int64_t ms_;
  bool date_only_;
  std::tm tm_;
};

}  // namespace

Value DatetimeValue(int64_t ms, bool date_only) {
  return Value::FromObject(std::make_shared<Datetime>(ms, date_only));
}

Value DatetimeModule(int64_t now_ms) {
  auto now = [now_ms](bool date_only) {
    return Value::Function(date_only ? "today" : "now", [now_ms, date_only](const CallArgs&) {
      return Result<Value>(DatetimeValue(now_ms ? now_ms : SystemNowMs(), date_only));
    });
  };
  Value datetime = Value::Dict();
  datetime.dict()->Set(Value::String("now"), now(false));
  datetime.dict()->Set(Value::String("utcnow"), now(false));
  Value date = Value::Dict();
  date.dict()->Set(Value::String("today"), now(true));
  Value module = Value::Dict();
  module.dict()->Set(Value::String("datetime"), datetime);
  module.dict()->Set(Value::String("date"), date);
  return module;
}

}  // namespace atl::transform
