// Mixed precision (torch.autocast): inside an AutocastGuard, matrix products and convolutions of
// float32 tensors run in bfloat16 or float16, and operators that need float32's range run in
// float32, with no change to the model's code (Note [Autocast]).
//
//   {
//     AutocastGuard autocast("cpu", DType::BFloat16);
//     loss = cross_entropy(model(x), y);      // the Linear layers multiply in bfloat16
//   }
//   loss.backward();                           // float32 gradients for float32 parameters
#pragma once

#include <string_view>

#include "ember/core/device.h"
#include "ember/core/dtype.h"

namespace ember {

// This thread's autocast region.
struct AutocastState {
  bool enabled = false;
  BackendSlot device_type = 0;
  DType dtype = DType::BFloat16;
};

class AutocastGuard {
 public:
  // Autocasting of tensors on the backend `device_type` ("cpu", "cuda", a plugin's) to `dtype`,
  // bfloat16 or float16, for the guard's lifetime on this thread; `enabled` false turns an
  // enclosing region off (code that must run in float32).
  explicit AutocastGuard(std::string_view device_type = "cpu", DType dtype = DType::BFloat16, bool enabled = true);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  AutocastState saved_;
};

// Whether autocasting is on for this thread, and to which dtype.
bool autocast_enabled();
DType autocast_dtype();

}  // namespace ember
