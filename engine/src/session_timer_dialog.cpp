#include "session_timer_dialog.h"

namespace smc::internal::sst {

std::string_view DialogText::Get(DialogField field) const {
  const size_t f = static_cast<size_t>(field);
  const size_t start = f == 0 ? 0 : end_[f - 1];
  return std::string_view(text_).substr(start, end_[f] - start);
}

bool DialogText::Set(DialogField field, std::string_view value) {
  const size_t f = static_cast<size_t>(field);
  const size_t start = f == 0 ? 0 : end_[f - 1];
  const size_t old_end = end_[f];
  const size_t new_size = text_.size() - (old_end - start) + value.size();
  if (new_size > kMaxSize) return false;
  // Built aside, so that `value` may be a view of this very text; sized exactly, because a
  // dialog lives for the whole call.
  std::string next;
  next.reserve(new_size);
  next.append(text_, 0, start);
  next.append(value);
  next.append(text_, old_end, std::string::npos);
  text_.swap(next);
  for (size_t i = f; i < kFields; ++i) {
    end_[i] = static_cast<uint16_t>(end_[i] - old_end + start + value.size());
  }
  return true;
}

}  // namespace smc::internal::sst
