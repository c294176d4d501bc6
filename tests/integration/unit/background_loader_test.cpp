// The background loader: loads run off the root thread, results come back on it, a burst of
// requests is at most two loads, and the root keeps running while a load takes long.
#include "background_loader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace smc::proxy {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class Root {
 public:
  Root() {
    su_init();
    root_ = su_root_create(nullptr);
  }
  ~Root() {
    su_root_destroy(root_);
    su_deinit();
  }
  su_root_t* get() const { return root_; }
  // Runs the root until `done` or 5 s have passed; whether `done` became true.
  template <typename Pred>
  bool RunUntil(Pred done) {
    const auto deadline = steady_clock::now() + std::chrono::seconds(5);
    while (!done() && steady_clock::now() < deadline) su_root_step(root_, 10);
    return done();
  }

 private:
  su_root_t* root_ = nullptr;
};

// A load that blocks until released, recording where and what it ran.
class GatedLoad {
 public:
  ProxyConfigResult operator()(const std::string& path) {
    std::unique_lock<std::mutex> lock(mutex_);
    threads_.push_back(std::this_thread::get_id());
    paths_.push_back(path);
    cv_.wait(lock, [this] { return open_ > 0; });
    --open_;
    ProxyConfigResult r;
    if (path != "bad") r.config = std::make_shared<ProxyConfig>();
    return r;
  }
  void Release(int n = 1) {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ += n;
    cv_.notify_all();
  }
  std::vector<std::string> paths() {
    std::lock_guard<std::mutex> lock(mutex_);
    return paths_;
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard<std::mutex> lock(mutex_);
    return threads_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int open_ = 0;
  std::vector<std::string> paths_;
  std::vector<std::thread::id> threads_;
};

struct Outcome {
  std::vector<bool> ok;
  std::vector<std::thread::id> threads;
};

std::unique_ptr<BackgroundLoader> MakeLoader(Root& root, GatedLoad& load, Outcome& out) {
  std::string error;
  auto loader = BackgroundLoader::Create(
      root.get(), [&load](const std::string& p) { return load(p); },
      [&out](ProxyConfigResult r, double) {
        out.ok.push_back(r.ok());
        out.threads.push_back(std::this_thread::get_id());
      },
      &error);
  EXPECT_TRUE(loader) << error;
  return loader;
}

// A root, a load that waits to be released, what was delivered, and the loader on them
// (declared in that order: the loader goes first, waiting for its worker).
class BackgroundLoaderTest : public ::testing::Test {
 protected:
  Root root;
  GatedLoad load;
  Outcome out;
  std::unique_ptr<BackgroundLoader> loader = MakeLoader(root, load, out);
};

TEST_F(BackgroundLoaderTest, LoadsOffTheRootThreadAndDeliversOnIt) {
  loader->Request("a.json");
  EXPECT_TRUE(loader->busy());
  load.Release();
  ASSERT_TRUE(root.RunUntil([&] { return out.ok.size() == 1; }));
  EXPECT_TRUE(out.ok[0]);
  EXPECT_EQ(out.threads[0], std::this_thread::get_id());
  ASSERT_EQ(load.threads().size(), 1u);
  EXPECT_NE(load.threads()[0], std::this_thread::get_id());
  EXPECT_FALSE(loader->busy());
}

TEST_F(BackgroundLoaderTest, TheRootKeepsRunningWhileALoadTakesLong) {
  loader->Request("a.json");
  // While the load is held, the root's other work goes on (here: 20 steps of 10 ms).
  const auto t0 = steady_clock::now();
  for (int i = 0; i < 20; ++i) su_root_step(root.get(), 10);
  EXPECT_LT(steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_TRUE(out.ok.empty());
  load.Release();
  ASSERT_TRUE(root.RunUntil([&] { return out.ok.size() == 1; }));
}

TEST_F(BackgroundLoaderTest, AFailedLoadIsDeliveredAsSuch) {
  loader->Request("bad");
  load.Release();
  ASSERT_TRUE(root.RunUntil([&] { return out.ok.size() == 1; }));
  EXPECT_FALSE(out.ok[0]);
}

TEST_F(BackgroundLoaderTest, ABurstOfRequestsIsAtMostTwoLoadsTheLastOneLast) {
  loader->Request("first");
  loader->Request("second");
  loader->Request("third");  // replaces "second": the file is read as it is after this
  load.Release(2);
  ASSERT_TRUE(root.RunUntil([&] { return out.ok.size() == 2; }));
  for (int i = 0; i < 20; ++i) su_root_step(root.get(), 10);  // nothing more arrives
  EXPECT_EQ(out.ok.size(), 2u);
  EXPECT_EQ(load.paths(), (std::vector<std::string>{"first", "third"}));
  EXPECT_FALSE(loader->busy());
}

TEST_F(BackgroundLoaderTest, DestroyingItWaitsForTheLoadUnderWay) {
  loader->Request("a.json");
  std::thread release([this] {
    std::this_thread::sleep_for(milliseconds(50));
    load.Release();
  });
  loader.reset();  // must not return before the worker is done, nor deliver afterwards
  release.join();
  EXPECT_TRUE(out.ok.empty());
}

}  // namespace
}  // namespace smc::proxy
