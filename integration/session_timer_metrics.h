// The session-timer enforcer's counters as Prometheus series (smc_session_timer_*).
//
// The enforcer keeps plain totals on the proxy's thread; Publish() brings the exported series
// up to them. Only the fields that moved since the last call touch a Prometheus counter, so
// calling it after every enforcer step costs a dozen integer comparisons.
#ifndef SMC_INTEGRATION_SESSION_TIMER_METRICS_H_
#define SMC_INTEGRATION_SESSION_TIMER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <vector>

#include "smc/session_timer.h"

namespace smc::proxy {

class SessionTimerMetrics {
 public:
  explicit SessionTimerMetrics(prometheus::Registry& registry);
  SessionTimerMetrics(const SessionTimerMetrics&) = delete;
  SessionTimerMetrics& operator=(const SessionTimerMetrics&) = delete;

  // `counters`: the enforcer's totals since it was created (never smaller than the last
  // ones published, gauges aside).
  void Publish(const SessionTimerCounters& counters);

 private:
  struct CounterSeries {
    uint64_t SessionTimerCounters::*field;
    prometheus::Counter* series;
  };
  struct GaugeSeries {
    uint64_t SessionTimerCounters::*field;
    prometheus::Gauge* series;
  };
  std::vector<CounterSeries> counters_;
  std::vector<GaugeSeries> gauges_;
  SessionTimerCounters published_;
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_SESSION_TIMER_METRICS_H_
