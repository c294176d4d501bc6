// smc-proxy --config FILE [--log-level LEVEL]: load, listen, serve until SIGTERM/SIGINT.
// For tests only, and hidden from --help: --session-timer-clock-scale N runs the session-timer
// enforcer's clock N times faster (docs/session-timers.md).
#include <prometheus/exposer.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/logger.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "proxy.h"
#include "proxy_metrics.h"
#include "session_timer_adapter.h"
#include "session_timer_metrics.h"
#include "smc/clock.h"
#include "smc/proxy_config.h"

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitStartup = 1;

std::string HostPort(const smc::IpPort& a) {
  return a.ip.find(':') != std::string::npos ? "[" + a.ip + "]:" + std::to_string(a.port)
                                             : a.ip + ":" + std::to_string(a.port);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"smc-proxy: a SIP proxy that applies SMC profiles per trunk"};
  std::string config_path;
  std::string log_level;
  app.add_option("-c,--config", config_path, "configuration file (JSON)")->required();
  app.add_option("-l,--log-level", log_level, "overrides the configuration's log_level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  uint32_t clock_scale = 1;
  app.add_option("--session-timer-clock-scale", clock_scale,
                 "for tests: the session-timer enforcer's clock runs N times faster")
      ->check(CLI::Range(1u, 1000u))
      ->group("");  // hidden: not for production
  CLI11_PARSE(app, argc, argv);

  auto log = std::make_shared<spdlog::logger>(
      "smc-proxy", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  log->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  log->flush_on(spdlog::level::trace);

  smc::ProxyConfigResult loaded = smc::LoadProxyConfig(config_path);
  for (const smc::Diagnostic& d : loaded.diagnostics) {
    if (d.severity == smc::Severity::kError) {
      log->error("{}", smc::FormatDiagnostic(d));
    } else {
      log->warn("{}", smc::FormatDiagnostic(d));
    }
  }
  if (!loaded.ok()) {
    log->error("{}: the configuration has errors; not starting", config_path);
    return kExitConfig;
  }

  smc::proxy::ProxyMetrics metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  if (loaded.config->metrics.enabled) {
    const std::string address = HostPort(loaded.config->metrics.address);
    try {
      exposer = std::make_unique<prometheus::Exposer>(address, 1);
    } catch (const std::exception& e) {
      log->error("cannot serve metrics on {}: {}", address, e.what());
      return kExitStartup;
    }
    exposer->RegisterCollectable(metrics.registry());
    log->info("metrics on http://{}/metrics", address);
  }

  smc::proxy::SessionTimerMetrics session_timer_metrics(*metrics.registry());
  smc::SteadyClock clock;
  if (clock_scale != 1) {
    log->warn("the session-timer clock runs {} times faster than real time (a test setting)",
              clock_scale);
  }
  smc::proxy::SessionTimerAdapterDeps session_timer_deps;
  session_timer_deps.clock = &clock;
  session_timer_deps.clock_scale = clock_scale;
  session_timer_deps.metrics = &session_timer_metrics;
  session_timer_deps.log = log;
  smc::proxy::SessionTimerAdapter session_timer(std::move(session_timer_deps));

  su_init();
  smc::proxy::ProxyDeps deps;
  deps.metrics = &metrics;
  deps.log = log;
  deps.session_timer = &session_timer;
  deps.log_level_override = log_level;
  std::string error;
  std::unique_ptr<smc::proxy::Proxy> proxy =
      smc::proxy::Proxy::Create(config_path, loaded.config, std::move(deps), &error);
  if (!proxy) {
    log->error("cannot start: {}", error);
    su_deinit();
    return kExitStartup;
  }
  proxy->Run();
  proxy.reset();
  su_deinit();
  log->info("stopped");
  return 0;
}
