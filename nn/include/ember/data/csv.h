// Numeric CSV files (plain or gzip-compressed, told apart by their content) as a 2-D tensor.
#pragma once

#include <string>

#include "ember/core/tensor.h"

namespace ember::data {

struct CsvOptions {
  char delimiter = ',';
  bool header = false;  // skip the first line
  DType dtype = DType::Float32;
};

// One row per non-empty line; every line must have the same number of numeric fields.
Tensor read_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace ember::data
