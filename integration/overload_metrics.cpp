#include "overload_metrics.h"

namespace smc::proxy {

OverloadMetrics::OverloadMetrics(prometheus::Registry& registry) {
  auto& shed = prometheus::BuildCounter()
                   .Name("smc_overload_shed_total")
                   .Help("New INVITEs answered 503 by the overload guard, by the signal that "
                         "was over its limit")
                   .Register(registry);
  shed_calls_in_setup_ = &shed.Add({{"reason", "calls_in_setup"}});
  shed_load_ = &shed.Add({{"reason", "load"}});
  calls_in_setup_ = &prometheus::BuildGauge()
                         .Name("smc_calls_in_setup")
                         .Help("INVITEs forwarded and not yet finally answered")
                         .Register(registry)
                         .Add({});
  load_ = &prometheus::BuildGauge()
               .Name("smc_overload_load")
               .Help("Share of one core the proxy's thread needed over the last second "
                     "(running or ready to run)")
               .Register(registry)
               .Add({});
  admitted_share_ = &prometheus::BuildGauge()
                         .Name("smc_overload_admitted_share")
                         .Help("Share of new INVITEs the load signal lets through (1: all)")
                         .Register(registry)
                         .Add({});
  admitted_share_->Set(1.0);
}

void OverloadMetrics::CountShed(Admission why) {
  if (why == Admission::kShedCallsInSetup) {
    shed_calls_in_setup_->Increment();
  } else if (why == Admission::kShedLoad) {
    shed_load_->Increment();
  }
}

void OverloadMetrics::Publish(const OverloadGuard& guard) {
  calls_in_setup_->Set(guard.calls_in_setup());
  load_->Set(guard.load());
  admitted_share_->Set(guard.admitted_share());
}

}  // namespace smc::proxy
