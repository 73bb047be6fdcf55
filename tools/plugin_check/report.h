// The lines ember-plugin-check prints, one per check, as they finish (so a plugin that crashes
// the process leaves the checks before it on screen), and the count of failures.
#pragma once

#include <cstdio>
#include <string>

namespace ember::plugin_check {

class Report {
 public:
  void section(const std::string& title) { std::printf("\n%s:\n", title.c_str()); }
  void ok(const std::string& what, const std::string& detail) { line(what, "ok", detail); }
  void fail(const std::string& what, const std::string& detail) {
    ++failures_;
    line(what, "FAIL", detail);
  }
  // Neither a pass nor a failure: something the plugin's user should know.
  void note(const std::string& what, const std::string& detail) { line(what, "-", detail); }
  int failures() const { return failures_; }

 private:
  void line(const std::string& what, const char* verdict, const std::string& detail) {
    std::printf("  %-26s %-5s %s\n", what.c_str(), verdict, detail.c_str());
    std::fflush(stdout);
  }
  int failures_ = 0;
};

}  // namespace ember::plugin_check
