#include "background_loader.h"

#include <chrono>
#include <utility>

namespace smc::proxy {

std::unique_ptr<BackgroundLoader> BackgroundLoader::Create(su_root_t* root, Load load,
                                                           Done done, std::string* error) {
  std::unique_ptr<BackgroundLoader> bl(new BackgroundLoader());
  bl->load_ = std::move(load);
  bl->done_ = std::move(done);
  BackgroundLoader* raw = bl.get();
  bl->pipe_ = WakeupPipe::Create(
      root, [raw](std::string_view) { raw->Finish(); }, "background loader", error);
  if (!bl->pipe_) return nullptr;
  return bl;
}

BackgroundLoader::~BackgroundLoader() {
  if (worker_.joinable()) worker_.join();
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
    pipe_->Notify(1);
  });
}

void BackgroundLoader::Finish() {
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
