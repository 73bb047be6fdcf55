// The hook through which autograd attaches its state to a TensorImpl. Core only owns and frees
// it; what it holds (grad, grad_fn, hooks) is autograd's business (autograd/autograd_meta.h).
#pragma once

namespace ember {

class AutogradMetaInterface {
 public:
  virtual ~AutogradMetaInterface() = default;
};

}  // namespace ember
