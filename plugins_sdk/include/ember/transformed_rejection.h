// One round of Hoermann's transformed rejection with squeeze, the part that poisson_draw.h (PTRS)
// and binomial_draw.h (BTRS) share. From the round's Philox block, U = u - 1/2 and us = 1/2 - |U|
// make the candidate floor((2a / us + b) U + c). A candidate with us >= 0.07 and v under the
// squeeze's bound is taken without evaluating a probability; the others compare v with the target
// probability over the hat a / us^2 + b, each sampler by its own terms.
#pragma once

#include <cmath>

#include "ember/host_device.h"
#include "ember/philox.h"

namespace ember::sdk {

struct TransformedRejectionRound {
  double us, v, candidate;

  EMBER_HOST_DEVICE TransformedRejectionRound(const Philox& block, double a, double b, double c) {
    const double centred = block.uniform(0) - 0.5;
    us = 0.5 - EMBER_MATH(fabs)(centred);
    v = block.uniform(2);
    candidate = EMBER_MATH(floor)((2 * a / us + b) * centred + c);
  }

  EMBER_HOST_DEVICE bool squeezed(double bound) const { return us >= 0.07 && v <= bound; }
  EMBER_HOST_DEVICE double hat(double a, double b) const { return a / (us * us) + b; }
};

}  // namespace ember::sdk
