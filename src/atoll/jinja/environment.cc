#include "atoll/jinja/environment.h"

#include "atoll/jinja/interp.h"
#include "atoll/jinja/parser.h"

namespace atl::jinja {

Environment::Environment() = default;

Environment::~Environment() {
  for (auto& f : macro_frames_) f->Clear();
}

void Environment::SetGlobal(std::string name, Value value) {
  globals_[std::move(name)] = std::move(value);
}

const Value* Environment::FindGlobal(std::string_view name) const {
  auto it = globals_.find(name);
  return it == globals_.end() ? nullptr : &it->second;
}

void Environment::AddFilter(std::string name, FilterFunction filter) {
  filters_[std::move(name)] = std::move(filter);
}

void Environment::AddTest(std::string name, TestFunction test) {
  tests_[std::move(name)] = std::move(test);
}

void Environment::SetLoader(TemplateLoader loader) { loader_ = std::move(loader); }

const FilterFunction* Environment::FindFilter(const std::string& name) const {
  auto it = filters_.find(name);
  return it == filters_.end() ? nullptr : &it->second;
}

const TestFunction* Environment::FindTest(const std::string& name) const {
  auto it = tests_.find(name);
  return it == tests_.end() ? nullptr : &it->second;
}

bool Environment::HasFilter(const std::string& name) const {
  return filters_.count(name) > 0 || IsBuiltinFilter(name);
}

bool Environment::HasTest(const std::string& name) const {
  return tests_.count(name) > 0 || IsBuiltinTest(name);
}

Result<std::shared_ptr<const Template>> Environment::ParseSource(std::string_view source,
                                                                 std::string_view file_name) const {
  ParseOptions options;
  options.has_filter = [this](const std::string& n) { return HasFilter(n); };
  options.has_test = [this](const std::string& n) { return HasTest(n); };
  options.max_nesting = limits_.max_nesting;
  options.dbt_blocks = dbt_blocks_;
  return Parse(source, file_name, options);
}

Result<std::shared_ptr<const Template>> Environment::LoadTemplate(const std::string& name) const {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(name);
    if (it != cache_.end()) return it->second;
  }
  if (!loader_) return NotFound("template '", name, "' not found (no template loader)");
  auto source = loader_(name);
  if (!source.ok()) {
    if (source.status().code() == StatusCode::kNotFound) return source.status();
    return source.status().WithContext(StrCat("loading template '", name, "'"));
  }
  ATOLL_ASSIGN_OR_RETURN(auto tmpl, ParseSource(*source, name));
  std::lock_guard<std::mutex> lock(cache_mu_);
  cache_[name] = tmpl;
  return tmpl;
}

namespace {

// The root frame of a render: the context dict's string keys as variables.
Result<std::shared_ptr<Frame>> RootFrame(const Value& context) {
  auto frame = std::make_shared<Frame>(nullptr);
  if (context.is_undefined() || context.is_none()) return frame;
  if (!context.is_dict()) return InvalidArgument("the render context must be a dict");
  for (const auto& [k, v] : context.dict()->entries) {
    if (k.is_string()) frame->Set(k.as_string(), v);
  }
  return frame;
}

}  // namespace

Result<std::string> Environment::Render(std::string_view source, std::string_view file_name,
                                        const Value& context) const {
  ATOLL_ASSIGN_OR_RETURN(auto tmpl, ParseSource(source, file_name));
  ATOLL_ASSIGN_OR_RETURN(auto frame, RootFrame(context));
  Interp interp(*this);
  std::string out;
  Status st = interp.RenderTemplate(*tmpl, frame, out);
  frame->Clear();
  ATOLL_RETURN_NOT_OK(st);
  return out;
}

Status Environment::LoadMacros(std::string_view source, std::string_view file_name) {
  ATOLL_ASSIGN_OR_RETURN(auto tmpl, ParseSource(source, file_name));
  auto frame = std::make_shared<Frame>(nullptr);
  std::string discarded;
  {
    Interp interp(*this);
    ATOLL_RETURN_NOT_OK(interp.RenderTemplate(*tmpl, frame, discarded));
    for (auto& f : interp.TakeMacroFrames()) macro_frames_.push_back(std::move(f));
  }
  macro_frames_.push_back(frame);
  for (const auto& [name, value] : frame->vars()) {
    if (value.is_callable() && value.callable()->IsMacro()) globals_[name] = value;
  }
  return Status::OK();
}

Result<Value> Environment::Call(const Value& callable, const CallArgs& args) const {
  Interp interp(*this);
  return interp.CallValue(callable, args, 0);
}

}  // namespace atl::jinja
