// ember-gen's autograd output: a backward node and an Autograd kernel per operator that has a
// `derivatives:` entry in ops.yaml.
#pragma once

#include <string>
#include <vector>

#include "op_entry.h"

namespace ember::gen {

// The source of the generated nodes, kernels and their registration function.
std::string autograd_source(const std::vector<OpEntry>& ops);

}  // namespace ember::gen
