#include "ember/dispatcher/local_dispatch_key_set.h"

namespace ember {

thread_local LocalDispatchKeySet tls_local_dispatch_key_set;

IncludeDispatchKeyGuard::IncludeDispatchKeyGuard(DispatchKeySet keys)
    : saved_(tls_local_dispatch_key_set.included) {
  tls_local_dispatch_key_set.included = saved_ | keys;
}
IncludeDispatchKeyGuard::~IncludeDispatchKeyGuard() { tls_local_dispatch_key_set.included = saved_; }

ExcludeDispatchKeyGuard::ExcludeDispatchKeyGuard(DispatchKeySet keys)
    : saved_(tls_local_dispatch_key_set.excluded) {
  tls_local_dispatch_key_set.excluded = saved_ | keys;
}
ExcludeDispatchKeyGuard::~ExcludeDispatchKeyGuard() { tls_local_dispatch_key_set.excluded = saved_; }

}  // namespace ember
