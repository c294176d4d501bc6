#include "wakeup_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <utility>

namespace smc::proxy {
namespace {

bool SetNonBlockingCloexec(int fd) {
  const int fl = fcntl(fd, F_GETFL);
  return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 &&
         fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

}  // namespace

std::unique_ptr<WakeupPipe> WakeupPipe::Create(su_root_t* root, OnBytes on_bytes,
                                               const std::string& what, std::string* error) {
  std::unique_ptr<WakeupPipe> wp(new WakeupPipe());
  wp->root_ = root;
  wp->on_bytes_ = std::move(on_bytes);
  int fds[2];
  if (pipe(fds) != 0) {
    *error = what + ": pipe: " + strerror(errno);
    return nullptr;
  }
  wp->read_fd_ = fds[0];
  wp->write_fd_ = fds[1];
  if (!SetNonBlockingCloexec(fds[0]) || !SetNonBlockingCloexec(fds[1])) {
    *error = what + ": fcntl: " + strerror(errno);
    return nullptr;
  }
  if (su_wait_create(wp->wait_, wp->read_fd_, SU_WAIT_IN) != 0) {
    *error = what + ": su_wait_create failed";
    return nullptr;
  }
  wp->wait_created_ = true;
  wp->registration_ = su_root_register(root, wp->wait_, &WakeupPipe::OnReadable, wp.get(), 0);
  if (wp->registration_ < 0) {
    *error = what + ": su_root_register failed";
    return nullptr;
  }
  return wp;
}

WakeupPipe::~WakeupPipe() {
  if (registration_ >= 0) su_root_unregister(root_, wait_, &WakeupPipe::OnReadable, this);
  if (wait_created_) su_wait_destroy(wait_);
  if (read_fd_ >= 0) close(read_fd_);
  if (write_fd_ >= 0) close(write_fd_);
}

void WakeupPipe::NotifyFd(int write_fd, unsigned char byte) {
  ssize_t ignored = write(write_fd, &byte, 1);
  (void)ignored;
}

int WakeupPipe::OnReadable(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) {
  WakeupPipe* self = arg;
  // Drain everything first, then hand it over once: a burst is one wake-up.
  std::string bytes;
  char buf[64];
  for (;;) {
    const ssize_t n = read(self->read_fd_, buf, sizeof buf);
    if (n <= 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  if (!bytes.empty()) self->on_bytes_(bytes);
  return 0;
}

}  // namespace smc::proxy
