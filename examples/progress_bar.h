// A one-line progress bar for training loops: redrawn in place on a terminal, one line per epoch
// when the output is a file or a pipe (CI logs stay readable).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

class ProgressBar {
 public:
  ProgressBar(int epoch, int epochs, int64_t steps)
      : epoch_(epoch), epochs_(epochs), steps_(steps), interactive_(isatty(STDOUT_FILENO) != 0),
        start_(std::chrono::steady_clock::now()) {}

  // After `step` of the epoch's steps: the running mean loss, accuracy and throughput.
  void update(int64_t step, double loss, double accuracy, int64_t samples) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const bool last = step == steps_;
    if (!interactive_ && !last) return;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(kWidth * step / steps_);
    std::string bar(static_cast<size_t>(filled), '=');
    if (filled < kWidth) bar += '>' + std::string(static_cast<size_t>(kWidth - filled - 1), ' ');
    std::printf("%sepoch %2d/%d [%s] %3lld/%lld  loss %.4f  accuracy %5.1f%%  %7.0f samples/s%s",
                interactive_ ? "\r" : "", epoch_, epochs_, bar.c_str(), static_cast<long long>(step),
                static_cast<long long>(steps_), loss, 100 * accuracy, seconds > 0 ? samples / seconds : 0.0,
                last ? "\n" : "");
    std::fflush(stdout);
  }

 private:
  int epoch_, epochs_;
  int64_t steps_;
  bool interactive_;
  std::chrono::steady_clock::time_point start_;
};
