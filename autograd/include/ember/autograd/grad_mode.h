// Whether operators record the graph on this thread.
#pragma once

#include "ember/dispatcher/local_dispatch_key_set.h"

namespace ember::autograd {

// True unless a NoGradGuard is active on this thread.
bool grad_mode_enabled();

// Stops recording for its lifetime: operators skip the Autograd key entirely.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  ExcludeDispatchKeyGuard exclude_;
  bool saved_;
};

// Records again inside a NoGradGuard, for its lifetime.
class EnableGradGuard {
 public:
  EnableGradGuard();
  ~EnableGradGuard();
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  LocalDispatchKeySet saved_keys_;
  bool saved_;
};

}  // namespace ember::autograd
