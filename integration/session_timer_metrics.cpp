#include "session_timer_metrics.h"

#include <string>

namespace smc::proxy {

SessionTimerMetrics::SessionTimerMetrics(prometheus::Registry& registry) {
  const auto counter = [&registry](const std::string& name, const std::string& help) {
    return &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
  };
  const auto gauge = [&registry](const std::string& name, const std::string& help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
  };
  using C = SessionTimerCounters;
  gauges_ = {
      {&C::sessions, gauge("smc_session_timer_sessions",
                           "Confirmed dialogs whose session timer is armed (tracked)")},
      {&C::pending, gauge("smc_session_timer_pending",
                          "Initial INVITEs forwarded under a session-timer policy, unanswered")},
  };
  counters_ = {
      {&C::refreshed, counter("smc_session_timer_refreshed_total",
                              "2xx to a re-INVITE or UPDATE that re-armed a session timer")},
      {&C::expired, counter("smc_session_timer_expired_total",
                            "Sessions that reached their deadline unrefreshed")},
      {&C::byes, counter("smc_session_timer_byes_total",
                         "BYE requests sent on session expiry (on_expiry bye)")},
      {&C::rejected, counter("smc_session_timer_rejected_total",
                             "422 Session Interval Too Small sent")},
      {&C::inserted, counter("smc_session_timer_inserted_total",
                             "Requests given a Session-Expires")},
      {&C::raised, counter("smc_session_timer_raised_total",
                           "Requests whose Session-Expires (and Min-SE) were raised")},
      {&C::lowered, counter("smc_session_timer_lowered_total",
                            "Requests whose Session-Expires was lowered")},
      {&C::inserted_in_response,
       counter("smc_session_timer_inserted_in_response_total",
               "2xx given Session-Expires;refresher=uac and Require: timer")},
      {&C::disarmed, counter("smc_session_timer_disarmed_total",
                             "Sessions whose timer a 2xx without Session-Expires switched off")},
      {&C::anomalies, counter("smc_session_timer_anomalies_total",
                              "Unasked Session-Expires in a 2xx, or an unreadable one")},
      {&C::abandoned, counter("smc_session_timer_abandoned_total",
                              "Initial INVITEs dropped with no final response seen")},
  };
}

void SessionTimerMetrics::Publish(const SessionTimerCounters& counters) {
  // Gauges first: a scrape in between sees a session gone before the count of why.
  for (const GaugeSeries& g : gauges_) {
    const uint64_t now = counters.*g.field;
    uint64_t& before = published_.*g.field;
    if (now != before) {
      g.series->Set(static_cast<double>(now));
      before = now;
    }
  }
  for (const CounterSeries& c : counters_) {
    const uint64_t now = counters.*c.field;
    uint64_t& before = published_.*c.field;
    if (now > before) {
      c.series->Increment(static_cast<double>(now - before));
      before = now;
    }
  }
}

}  // namespace smc::proxy
