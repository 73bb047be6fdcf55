// Sample calls for the operators a backend implements: the arguments ember-plugin-check passes
// to an operator on the CPU and on the plugin's device, the way ggml's test-backend-ops keeps one
// small case per operator.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/call_by_name.h"
#include "ember/ember.h"

namespace ember::plugin_check {

// How a sample's results are compared across devices.
enum class Compare {
  Elements,    // element by element, within the dtype's tolerance
  Statistics,  // random draws: mean, spread and range
  Error,       // the call is invalid: both devices must raise ember::Error
};

// One call's arguments (positional, then named), all on the CPU; owns the lists its values borrow.
class Sample {
 public:
  explicit Sample(Compare compare = Compare::Elements) : compare_(compare) {}
  Sample& arg(IValue value);
  Sample& ints(std::vector<int64_t> values);
  Sample& named(std::string_view name, IValue value);

  Compare compare() const { return compare_; }
  const std::vector<IValue>& args() const { return args_; }
  const std::vector<ops::NamedArgument>& named() const { return named_; }

 private:
  Compare compare_;
  std::vector<IValue> args_;
  std::vector<ops::NamedArgument> named_;
  std::vector<std::unique_ptr<std::vector<int64_t>>> lists_;  // stable while the sample moves
};

// Deterministic data of `dtype`: floats in [-2, 2), integers in [-5, 5], bools at random.
Tensor sample_data(IntArrayRef shape, DType dtype, unsigned seed);

// The samples for `op` with `dtype` as its data's dtype (empty when the op's samples do not
// vary with the dtype and `dtype` is not float32). Operators this file does not know, such as
// those plugins define, get one sample built from the schema alone.
std::vector<Sample> samples_for(const OperatorHandle& op, DType dtype);

// The operator whose samples serve `op`: "add.Tensor" for "add_.Tensor" and "add.Tensor_out".
std::string functional_name(const schema::FunctionSchema& schema);

}  // namespace ember::plugin_check
