// The overload guard's series: new INVITEs shed, by signal, and gauges of the signals.
#ifndef SMC_INTEGRATION_OVERLOAD_METRICS_H_
#define SMC_INTEGRATION_OVERLOAD_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "overload_guard.h"

namespace smc::proxy {

class OverloadMetrics {
 public:
  explicit OverloadMetrics(prometheus::Registry& registry);
  OverloadMetrics(const OverloadMetrics&) = delete;
  OverloadMetrics& operator=(const OverloadMetrics&) = delete;

  // One new INVITE answered 503 for `why` (not kAdmit).
  void CountShed(Admission why);
  // A retransmission of a shed INVITE dropped: it was sent before its 503 could arrive.
  void CountRetransmissionAbsorbed() { shed_retransmissions_absorbed_->Increment(); }
  // The gauges, from the guard's state (once per housekeeping tick).
  void Publish(const OverloadGuard& guard);

 private:
  prometheus::Counter* shed_calls_in_setup_;
  prometheus::Counter* shed_queue_delay_;
  prometheus::Counter* shed_retransmissions_absorbed_;
  prometheus::Gauge* calls_in_setup_;
  prometheus::Gauge* queue_delay_;
  prometheus::Gauge* admitted_share_;
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_OVERLOAD_METRICS_H_
