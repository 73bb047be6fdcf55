// Running a sample call on a device and comparing its results with the CPU's: what the kernel,
// concurrency and timing sections of ember-plugin-check share.
#pragma once

#include <string>
#include <vector>

#include "ember/call_by_name.h"
#include "op_samples.h"

namespace ember::plugin_check {

// Strided: tensors of two or more dims with their first and last dims' memory order swapped.
enum class Layout { Contiguous, Strided };
const char* layout_name(Layout layout);

// An operator's arguments on one device, ready for ops::call_boxed.
struct Arguments {
  std::vector<IValue> positional;
  std::vector<ops::NamedArgument> named;
};

// An operator and the float32 sample its kernel ran and passed with (samples_for(op, Float32)).
struct PassedCall {
  const OperatorHandle* op;
  size_t sample;
};

// The sample `passed` ran with, made again (samples are deterministic).
Sample sample_of(const PassedCall& passed);

// Where `op`'s expected results come from: the CPU, or, for an operator the CPU has no kernel for
// (one a plugin defines), `device` itself: its kernel must at least give the same answer twice.
Device reference_device(const OperatorHandle& op, Device device);

// The results of `op`'s functional form on the CPU, for an out= operator's `out` arguments
// (empty for other operators).
std::vector<IValue> functional_results(const OperatorHandle& op, const Sample& sample);

// The sample's arguments, fresh copies on `device` in `layout` (in-place operators must not touch
// the sample), with an empty `out` shaped like each of `outs`.
Arguments place_arguments(const OperatorHandle& op, const Sample& sample, const std::vector<IValue>& outs,
                          Device device, Layout layout);

// `op` called by name with `arguments`.
std::vector<IValue> call(const OperatorHandle& op, const Arguments& arguments);

// "" when `got` (on `device`) has `expected`'s dtype, shape and values (Compare::Elements, within
// tolerance()) or draws (Compare::Statistics); else what differs.
std::string compare(const Tensor& expected, const Tensor& got, Device device, Compare mode);
// compare() over an operator's returned tensors (one that writes an argument also returns it).
std::string compare_results(const std::vector<IValue>& expected, const std::vector<IValue>& got, Device device,
                            Compare mode);

}  // namespace ember::plugin_check
