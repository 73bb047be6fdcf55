#include "ember/autograd/grad_mode.h"

namespace ember::autograd {
namespace {
thread_local bool tls_grad_enabled = true;
}

bool grad_mode_enabled() { return tls_grad_enabled; }

NoGradGuard::NoGradGuard() : exclude_(DispatchKey::Autograd), saved_(tls_grad_enabled) { tls_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { tls_grad_enabled = saved_; }

EnableGradGuard::EnableGradGuard() : saved_keys_(tls_local_dispatch_key_set), saved_(tls_grad_enabled) {
  tls_grad_enabled = true;
  tls_local_dispatch_key_set.excluded = tls_local_dispatch_key_set.excluded - DispatchKeySet(DispatchKey::Autograd);
}
EnableGradGuard::~EnableGradGuard() {
  tls_grad_enabled = saved_;
  tls_local_dispatch_key_set = saved_keys_;
}

}  // namespace ember::autograd
