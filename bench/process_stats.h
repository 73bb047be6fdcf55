// Wall time and peak memory of a child process, for "process start to first op".
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace bench {

struct ProcessStats {
  double wall_ms = 0;
  double peak_rss_mib = 0;
  bool ok = false;
};

// Runs `path arg` to completion with stdout silenced.
inline ProcessStats run_process(const std::string& path, const std::string& arg) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stdout)) _exit(127);
    execl(path.c_str(), path.c_str(), arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  ProcessStats stats;
  stats.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  stats.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  stats.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return stats;
}

}  // namespace bench
