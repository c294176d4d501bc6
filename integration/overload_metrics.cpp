#include "overload_metrics.h"

namespace smc::proxy {

OverloadMetrics::OverloadMetrics(prometheus::Registry& registry) {
  auto& shed = prometheus::BuildCounter()
                   .Name("smc_overload_shed_total")
                   .Help("New INVITEs answered 503 by the overload guard, by the signal that "
                         "was over its limit")
                   .Register(registry);
  shed_calls_in_setup_ = &shed.Add({{"reason", "calls_in_setup"}});
  shed_queue_delay_ = &shed.Add({{"reason", "queue_delay"}});
  shed_retransmissions_absorbed_ =
      &prometheus::BuildCounter()
           .Name("smc_overload_retransmissions_absorbed_total")
           .Help("Retransmissions of shed INVITEs dropped because they were sent before "
                 "their 503 could reach the caller (the 503 is sent again to a later one)")
           .Register(registry)
           .Add({});
  calls_in_setup_ = &prometheus::BuildGauge()
                         .Name("smc_calls_in_setup")
                         .Help("INVITEs forwarded and not yet finally answered")
                         .Register(registry)
                         .Add({});
  queue_delay_ = &prometheus::BuildGauge()
                      .Name("smc_overload_queue_delay_seconds")
                      .Help("How long a message waited in the UDP socket before the proxy "
                            "read it, averaged over the last second")
                      .Register(registry)
                      .Add({});
  admitted_share_ = &prometheus::BuildGauge()
                         .Name("smc_overload_admitted_share")
                         .Help("Share of new INVITEs the queueing-delay signal lets through "
                               "(1: all)")
                         .Register(registry)
                         .Add({});
  admitted_share_->Set(1.0);
}

void OverloadMetrics::CountShed(Admission why) {
  if (why == Admission::kShedCallsInSetup) {
    shed_calls_in_setup_->Increment();
  } else if (why == Admission::kShedQueueDelay) {
    shed_queue_delay_->Increment();
  }
}

void OverloadMetrics::Publish(const OverloadGuard& guard) {
  calls_in_setup_->Set(guard.calls_in_setup());
  queue_delay_->Set(guard.delay_ms() / 1000.0);
  admitted_share_->Set(guard.admitted_share());
}

}  // namespace smc::proxy
