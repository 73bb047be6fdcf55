// Checking backward formulas against finite differences, in float64.
#pragma once

#include "ember/autograd/functional.h"

namespace ember::autograd {

struct GradcheckOptions {
  double eps = 1e-6;   // central-difference step
  double atol = 1e-5;
  double rtol = 1e-3;
};

// Compares every element of the Jacobian that backward gives for `f` at `inputs` (float64
// tensors that require grad) with central differences; throws an ember::Error naming the first
// input, input element and output element that disagree.
void gradcheck(const DifferentiableFunction& f, const TensorVector& inputs, GradcheckOptions options = {});

// The same check one order up: gradcheck of x -> <grad(f(x), x, v, create_graph), w> for fixed
// random v and w, which exercises the backward of every backward formula f uses.
void gradgradcheck(const DifferentiableFunction& f, const TensorVector& inputs, GradcheckOptions options = {});

}  // namespace ember::autograd
