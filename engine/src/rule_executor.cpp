#include "rule_executor.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "line_rewrite.h"
#include "tag_param.h"

namespace smc::internal {
namespace {

using re2::StringPiece;

constexpr std::string_view kRequestUriName = "Request-URI";
constexpr std::string_view kBodyName = "body";

std::string_view View(const StringPiece& s) { return std::string_view(s.data(), s.size()); }

std::string_view NonNull(std::string_view value) {
  return value.data() != nullptr ? value : std::string_view("", 0);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

// The name a target goes by in notes when it has no line to take the name from.
std::string_view TargetName(const Target& target) {
  switch (target.scope) {
    case Scope::kRequestUri:
      return kRequestUriName;
    case Scope::kBody:
      return kBodyName;
    case Scope::kHeader:
      break;
  }
  if (!target.header_written.empty()) return target.header_written;
  if (target.header != HeaderId::kOther) return CanonicalHeaderName(target.header);
  return target.header_lower;
}

// The next header line of the target at or after `from`.
size_t FindLine(const SipMessage& message, const Target& target, size_t from, ExecState* state) {
  return state->lines.Find(message, target, from);
}

std::string_view TransactionMethod(const SipMessage& message, ExecState* state) {
  if (state->method_known && state->method_cached) {
    return std::string_view(state->method_text.data(), state->method_length);
  }
  const std::string_view method = message.transaction_method();
  if (!state->method_known) {
    state->method_known = true;
    state->method_cached = method.size() <= state->method_text.size();
    if (state->method_cached) {
      std::copy(method.begin(), method.end(), state->method_text.begin());
      state->method_length = static_cast<uint8_t>(method.size());
    }
  }
  return method;
}

// The lines of a body, split at LF with a CR before it dropped; a line end after the last
// line does not make an empty line after it.
class BodyLines {
 public:
  explicit BodyLines(std::string_view body) : body_(body) {}

  // The next line, its start offset and the offset after its line end.
  bool Next(std::string_view* line, size_t* begin, size_t* next) {
    if (pos_ >= body_.size()) return false;
    const size_t nl = body_.find('\n', pos_);
    size_t end = body_.size();
    *begin = pos_;
    if (nl == std::string_view::npos) {
      pos_ = body_.size();
    } else {
      end = (nl > pos_ && body_[nl - 1] == '\r') ? nl - 1 : nl;
      pos_ = nl + 1;
    }
    *line = body_.substr(*begin, end - *begin);
    *next = pos_;
    return true;
  }

 private:
  std::string_view body_;
  size_t pos_ = 0;
};

// One line of a target. Its name is looked up only when asked for: only notes show it.
struct TargetLine {
  const SipMessage* message;  // null: the name is `fixed_name`
  size_t index;
  std::string_view fixed_name;
  std::string_view value;

  std::string_view name() const {
    return message != nullptr ? message->header_name(index) : fixed_name;
  }
};

// Calls f(const TargetLine&) for each line of the target until it returns true.
template <typename F>
void ForEachLine(const SipMessage& message, const Target& target, ExecState* state, F f) {
  switch (target.scope) {
    case Scope::kHeader:
      for (size_t i = FindLine(message, target, 0, state); i != SipMessage::npos;
           i = FindLine(message, target, i + 1, state)) {
        if (f(TargetLine{&message, i, {}, message.header_value(i)})) return;
      }
      return;
    case Scope::kRequestUri:
      if (message.is_request()) f(TargetLine{nullptr, 0, kRequestUriName, message.request_uri()});
      return;
    case Scope::kBody: {
      BodyLines lines(message.body());
      std::string_view line;
      size_t begin = 0;
      size_t next = 0;
      while (lines.Next(&line, &begin, &next)) {
        if (f(TargetLine{nullptr, 0, kBodyName, line})) return;
      }
      return;
    }
  }
}

void AppendQuoted(std::string* out, std::string_view text) {
  out->push_back('"');
  out->append(text);
  out->push_back('"');
}

// `NAME "value"`, and with a regex ` matched "extracted"` or ` (no match)`.
void DescribeLine(std::string* out, std::string_view name, std::string_view value,
                  bool has_regex, bool matched, std::string_view extracted) {
  out->append(name);
  out->push_back(' ');
  AppendQuoted(out, value);
  if (!has_regex) return;
  if (matched) {
    out->append(" matched ");
    AppendQuoted(out, extracted);
  } else {
    out->append(" (no match)");
  }
}

std::string ChangeNote(std::string_view name, std::string_view before, std::string_view after) {
  std::string note(name);
  note.append(": ");
  AppendQuoted(&note, before);
  note.append(" -> ");
  AppendQuoted(&note, after);
  return note;
}

std::string LineNote(std::string_view verb, std::string_view name, std::string_view value) {
  std::string note(verb);
  note.push_back(' ');
  note.append(name);
  note.append(": ");
  AppendQuoted(&note, value);
  return note;
}

DefOutcome EditHeaderLines(const DefPlan& plan, SipMessage& message, ExecState* state) {
  const ReplaceDef& def = *plan.def;
  DefOutcome outcome;
  std::vector<std::string>* notes = state->notes;
  size_t i = FindLine(message, def.target, 0, state);
  while (i != SipMessage::npos) {
    const std::string_view value = message.header_value(i);
    const LineEdit edit = RewriteLine(plan, value, &state->value);
    if (edit == LineEdit::kDelete) {
      if (notes) notes->push_back(LineNote("deleted", message.header_name(i), value));
      const HeaderId removed = message.header_id(i);
      message.RemoveHeader(i);
      state->lines.Removed(message, i, removed);
      outcome.changed = true;
      i = FindLine(message, def.target, i, state);
      continue;
    }
    if (edit == LineEdit::kReplace) {
      // The views into the message die with the edit: the note is written first.
      std::string note;
      if (notes) note = ChangeNote(message.header_name(i), value, state->value);
      if (def.guard_tag && TagParam(value) != TagParam(state->value)) {
        ++state->edits_refused;
        if (notes) notes->push_back("refused " + note + ": it would change the tag");
      } else if (message.SetHeaderValue(i, state->value)) {
        outcome.changed = true;
        if (notes) notes->push_back(std::move(note));
      } else {
        ++state->edits_refused;
        if (notes) notes->push_back("refused " + note + ": not a valid header value");
      }
    }
    i = FindLine(message, def.target, i + 1, state);
  }
  return outcome;
}

DefOutcome EditRequestUri(const DefPlan& plan, SipMessage& message, ExecState* state) {
  DefOutcome outcome;
  if (!message.is_request()) return outcome;
  const std::string_view uri = message.request_uri();
  // A Request-URI cannot be deleted: only kReplace does anything.
  if (RewriteLine(plan, uri, &state->value) != LineEdit::kReplace) return outcome;
  std::string note;
  if (state->notes) note = ChangeNote(kRequestUriName, uri, state->value);
  if (message.SetRequestUri(state->value)) {
    outcome.changed = true;
    if (state->notes) state->notes->push_back(std::move(note));
  } else {
    ++state->edits_refused;
    if (state->notes) state->notes->push_back("refused " + note + ": not a valid Request-URI");
  }
  return outcome;
}

DefOutcome EditBodyLines(const DefPlan& plan, SipMessage& message, ExecState* state) {
  DefOutcome outcome;
  const std::string_view body = message.body();
  std::string& rebuilt = state->body;
  bool started = false;  // rebuilt holds body up to the current line
  BodyLines lines(body);
  std::string_view line;
  size_t begin = 0;
  size_t next = 0;
  while (lines.Next(&line, &begin, &next)) {
    const LineEdit edit = RewriteLine(plan, line, &state->value);
    if (edit == LineEdit::kKeep) {
      if (started) rebuilt.append(body.data() + begin, next - begin);
      continue;
    }
    if (!started) {
      rebuilt.assign(body.data(), begin);
      started = true;
    }
    const size_t line_end = begin + line.size();
    if (edit == LineEdit::kReplace) {
      if (state->notes) state->notes->push_back(ChangeNote(kBodyName, line, state->value));
      rebuilt.append(state->value);
      rebuilt.append(body.data() + line_end, next - line_end);  // the line's own line end
    } else if (state->notes) {
      state->notes->push_back(LineNote("deleted", kBodyName, line));
    }
  }
  if (started) {
    message.SetBody(rebuilt);
    outcome.changed = true;
  }
  return outcome;
}

std::string_view BodyLineEnd(std::string_view body) {
  const size_t nl = body.find('\n');
  if (nl != std::string_view::npos && (nl == 0 || body[nl - 1] != '\r')) return "\n";
  return "\r\n";
}

DefOutcome AddLine(const ReplaceDef& def, SipMessage& message, ExecState* state) {
  DefOutcome outcome;
  const Target& target = def.target;
  if (target.scope == Scope::kBody) {
    const std::string_view body = message.body();
    const std::string_view eol = BodyLineEnd(body);
    const bool terminated = body.empty() || body.back() == '\n';
    std::string& rebuilt = state->body;
    rebuilt.assign(body.data(), body.size());
    if (!terminated) rebuilt.append(eol);
    rebuilt.append(def.output);
    if (terminated) rebuilt.append(eol);
    message.SetBody(rebuilt);
    outcome.changed = true;
    if (state->notes) state->notes->push_back(LineNote("added", kBodyName, def.output));
    return outcome;
  }
  if (target.scope != Scope::kHeader) return outcome;  // a Request-URI is never added

  size_t pos = 0;
  const size_t first = FindLine(message, target, 0, state);
  if (def.position == Position::kFirst) {
    pos = first != SipMessage::npos ? first : 0;
  } else {
    size_t last = first;
    for (size_t i = first; i != SipMessage::npos; i = FindLine(message, target, i + 1, state)) {
      last = i;
    }
    pos = last != SipMessage::npos ? last + 1 : message.header_count();
  }
  const std::string_view name = TargetName(target);
  if (message.InsertHeader(pos, name, def.output) == SipMessage::npos) {
    ++state->edits_refused;
    if (state->notes) {
      state->notes->push_back(LineNote("refused to add", name, def.output) +
                              ": not a valid header line");
    }
    return outcome;
  }
  state->lines.Invalidate();
  outcome.changed = true;
  outcome.added_header = true;
  if (state->notes) state->notes->push_back(LineNote("added", name, def.output));
  return outcome;
}

}  // namespace

bool RuleFilterMatches(const Rule& rule, const SipMessage& message, ExecState* state) {
  if (rule.msg_type == MsgType::kRequest && !message.is_request()) return false;
  if (rule.msg_type == MsgType::kResponse && message.is_request()) return false;
  if (!rule.methods.empty()) {
    const std::string_view method = TransactionMethod(message, state);
    bool any = false;
    for (const std::string& m : rule.methods) {
      if (EqualsIgnoreCase(m, method)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  if (!rule.codes.empty() && !message.is_request()) {
    const int code = message.status_code();
    bool any = false;
    for (const Rule::CodeRange& range : rule.codes) {
      if (code >= range.lo && code <= range.hi) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

// One loop over the target's lines.
bool HeaderConditionHolds(const ConditionPlan& plan, const SipMessage& message,
                          ExecState* state) {
  const Target& target = *plan.target;
  const Op op = plan.cmp.op;
  const bool presence = plan.presence;
  bool any_line = false;
  for (size_t i = FindLine(message, target, 0, state); i != SipMessage::npos;
       i = FindLine(message, target, i + 1, state)) {
    any_line = true;
    const std::string_view value = NonNull(message.header_value(i));
    if (!plan.regex1) {
      if (presence) return op == Op::kExists;
      if (Compare(plan.cmp, value)) return true;
      continue;
    }
    StringPiece vec[1];
    const bool matched = ExtractMatch(plan.regex1, plan.regex2, value, vec, presence ? 0 : 1);
    if (presence) {
      if (matched) return op == Op::kExists;
    } else if (Compare(plan.cmp, matched ? View(vec[0]) : std::string_view())) {
      return true;
    }
  }
  if (presence) return op == Op::kNotExists;
  return !any_line && Compare(plan.cmp, std::string_view());
}

bool AnyConditionHolds(const ConditionPlan& plan, const SipMessage& message, ExecState* state) {
  std::vector<std::string>* const notes = state->notes;
  const Condition& condition = *plan.condition;
  const Op op = condition.cmp.op;
  const bool presence = op == Op::kExists || op == Op::kNotExists;
  const bool has_regex = static_cast<bool>(plan.regex1);
  // Presence needs only whether the regexes match, unless the note shows what they matched.
  const int nsub = (presence && notes == nullptr) ? 0 : 1;
  bool any_line = false;
  bool found = false;  // a line that is present (presence) or satisfies the comparison
  std::string seen;    // notes only: the line(s) that decided
  ForEachLine(message, condition.target, state, [&](const TargetLine& line) {
    const std::string_view value = NonNull(line.value);
    any_line = true;
    bool matched = true;
    std::string_view extracted = value;
    if (has_regex) {
      StringPiece vec[1];
      matched = ExtractMatch(plan.regex1, plan.regex2, value, vec, nsub);
      extracted = matched && nsub > 0 ? View(vec[0]) : std::string_view();
    }
    const bool ok = presence ? matched : Compare(plan.cmp, extracted);
    if (notes != nullptr) {
      if (ok) seen.clear();
      if (!seen.empty()) seen.append(", ");
      DescribeLine(&seen, line.name(), value, has_regex, matched, extracted);
    }
    found = ok;
    return ok;
  });
  bool holds = false;
  if (presence) {
    holds = found == (op == Op::kExists);
  } else {
    holds = any_line ? found : Compare(plan.cmp, std::string_view());
  }
  if (notes != nullptr) {
    std::string note = "condition " + condition.pointer + (holds ? " held: " : " did not hold: ");
    if (!any_line) {
      note.append(TargetName(condition.target));
      note.append(" absent");
    } else if (presence && !found) {
      note.append("no ");
      note.append(TargetName(condition.target));
      note.append(" line matched");
    } else {
      note.append(seen);
    }
    notes->push_back(std::move(note));
  }
  return holds;
}

DefOutcome RunReplaceDef(const DefPlan& plan, SipMessage& message, ExecState* state) {
  const ReplaceDef& def = *plan.def;
  if (def.type == ReplaceType::kAddLine) return AddLine(def, message, state);
  switch (def.target.scope) {
    case Scope::kHeader:
      return EditHeaderLines(plan, message, state);
    case Scope::kRequestUri:
      return EditRequestUri(plan, message, state);
    case Scope::kBody:
      return EditBodyLines(plan, message, state);
  }
  return DefOutcome{};
}

}  // namespace smc::internal
