#include "atoll/storage/list_page_builder.h"

namespace atl::storage {

Result<ListPageBuilder> ListPageBuilder::Start(std::string_view prefix,
                                               const ListOptions& options) {
  ListPageBuilder b;
  b.prefix_ = std::string(prefix);
  b.delimiter_ = options.delimiter;
  b.max_items_ = static_cast<size_t>(std::max(1, options.max_keys));
  b.seek_ = b.prefix_;
  const std::string& token = options.continuation_token;
  if (!token.empty()) {
    if (token[0] != 'k' && token[0] != 'p') {
      return InvalidArgument("continuation token '", token, "' was not made by this store");
    }
    b.after_ = token.substr(1);
    b.after_is_prefix_ = token[0] == 'p';
    b.seek_ = std::max(b.seek_, b.after_);
  }
  return b;
}

std::string_view ListPageBuilder::RollUp(std::string_view key) const {
  if (delimiter_.empty()) return {};
  size_t pos = key.find(delimiter_, prefix_.size());
  if (pos == std::string_view::npos) return {};
  return key.substr(0, pos + delimiter_.size());
}

bool ListPageBuilder::SkippedByToken(std::string_view key) const {
  if (after_.empty() && !after_is_prefix_) return false;
  if (key <= after_) return true;
  return after_is_prefix_ && key.starts_with(after_);
}

bool ListPageBuilder::NeedsInfo(std::string_view key) const {
  return !SkippedByToken(key) && RollUp(key).empty();
}

bool ListPageBuilder::Add(ObjectInfo info) {
  if (SkippedByToken(info.key)) return true;
  std::string_view common = RollUp(info.key);
  if (!common.empty() && !page_.common_prefixes.empty() && page_.common_prefixes.back() == common) {
    return true;  // already returned on this page
  }
  if (items_ == max_items_) {
    page_.next_token = last_token_;
    return false;
  }
  ++items_;
  if (!common.empty()) {
    page_.common_prefixes.emplace_back(common);
    last_token_ = StrCat("p", common);
  } else {
    last_token_ = StrCat("k", info.key);
    page_.objects.push_back(std::move(info));
  }
  return true;
}

ListPage ListPageBuilder::Finish() && { return std::move(page_); }

}  // namespace atl::storage
