#include "background_loader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <chrono>
#include <utility>

namespace smc::proxy {
namespace {

bool SetNonBlockingCloexec(int fd) {
  const int fl = fcntl(fd, F_GETFL);
  return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 &&
         fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

}  // namespace

std::unique_ptr<BackgroundLoader> BackgroundLoader::Create(su_root_t* root, Load load,
                                                           Done done, std::string* error) {
  std::unique_ptr<BackgroundLoader> bl(new BackgroundLoader());
  bl->root_ = root;
  bl->load_ = std::move(load);
  bl->done_ = std::move(done);
  int fds[2];
  if (pipe(fds) != 0) {
    *error = std::string("background loader: pipe: ") + strerror(errno);
    return nullptr;
  }
  bl->read_fd_ = fds[0];
  bl->write_fd_ = fds[1];
  if (!SetNonBlockingCloexec(fds[0]) || !SetNonBlockingCloexec(fds[1])) {
    *error = std::string("background loader: fcntl: ") + strerror(errno);
    return nullptr;
  }
  if (su_wait_create(bl->wait_, bl->read_fd_, SU_WAIT_IN) != 0) {
    *error = "background loader: su_wait_create failed";
    return nullptr;
  }
  bl->wait_created_ = true;
  bl->registration_ =
      su_root_register(root, bl->wait_, &BackgroundLoader::OnReadable, bl.get(), 0);
  if (bl->registration_ < 0) {
    *error = "background loader: su_root_register failed";
    return nullptr;
  }
  return bl;
}

BackgroundLoader::~BackgroundLoader() {
  if (worker_.joinable()) worker_.join();
  if (registration_ >= 0) su_root_unregister(root_, wait_, &BackgroundLoader::OnReadable, this);
  if (wait_created_) su_wait_destroy(wait_);
  if (read_fd_ >= 0) close(read_fd_);
  if (write_fd_ >= 0) close(write_fd_);
}

void BackgroundLoader::Request(const std::string& path) {
  if (worker_.joinable()) {
    queued_ = path;
    return;
  }
  Start(path);
}

void BackgroundLoader::Start(const std::string& path) {
  worker_ = std::thread([this, path] {
    const auto start = std::chrono::steady_clock::now();
    ProxyConfigResult result = load_(path);
    const std::chrono::duration<double, std::milli> took =
        std::chrono::steady_clock::now() - start;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      result_ = std::move(result);
      load_ms_ = took.count();
    }
    // One byte in an empty pipe (one load at a time): it cannot be full.
    const unsigned char byte = 1;
    ssize_t ignored = write(write_fd_, &byte, 1);
    (void)ignored;
  });
}

int BackgroundLoader::OnReadable(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) {
  static_cast<BackgroundLoader*>(arg)->Finish();
  return 0;
}

void BackgroundLoader::Finish() {
  unsigned char buf[16];
  while (read(read_fd_, buf, sizeof buf) > 0) {
  }
  std::optional<ProxyConfigResult> result;
  double load_ms = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    result.swap(result_);
    load_ms = load_ms_;
  }
  if (!result) return;  // a stray wake-up: the worker has not finished
  worker_.join();       // it has written its byte: it is about to return
  if (queued_) {
    std::string next = std::move(*queued_);
    queued_.reset();
    Start(next);
  }
  done_(std::move(*result), load_ms);
}

}  // namespace smc::proxy
