#include "load_meter.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace smc::proxy {
namespace {

// "run_ns wait_ns timeslices\n"; false when the file is not there or not in that form.
bool ReadSchedstat(const std::string& path, uint64_t* run_ns, uint64_t* wait_ns) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[128];
  const ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  unsigned long long run = 0;
  unsigned long long wait = 0;
  if (std::sscanf(buf, "%llu %llu", &run, &wait) != 2) return false;
  *run_ns = run;
  *wait_ns = wait;
  return true;
}

}  // namespace

LoadMeter::LoadMeter() {
  schedstat_path_ = "/proc/self/task/" + std::to_string(syscall(SYS_gettid)) + "/schedstat";
  uint64_t run = 0;
  uint64_t wait = 0;
  schedstat_ = ReadSchedstat(schedstat_path_, &run, &wait);
  last_busy_ns_ = ThreadBusyNs();
  last_wall_ = std::chrono::steady_clock::now();
}

uint64_t LoadMeter::ThreadBusyNs() {
  if (schedstat_) {
    uint64_t run = 0;
    uint64_t wait = 0;
    if (ReadSchedstat(schedstat_path_, &run, &wait)) return run + wait;
    schedstat_ = false;  // gone: fall back for good, from the next sample on
  }
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

double LoadMeter::Sample() {
  const bool had_schedstat = schedstat_;
  const uint64_t busy = ThreadBusyNs();
  const auto now = std::chrono::steady_clock::now();
  const auto wall =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_wall_).count();
  // After a fallback the two readings come from different clocks: no sample this time.
  const bool comparable = had_schedstat == schedstat_ && busy >= last_busy_ns_;
  const double load =
      comparable && wall > 0 ? static_cast<double>(busy - last_busy_ns_) / wall : 0.0;
  last_busy_ns_ = busy;
  last_wall_ = now;
  return load;
}

}  // namespace smc::proxy
