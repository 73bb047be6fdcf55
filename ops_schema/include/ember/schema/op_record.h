// One row of the generated operator table: an ops.yaml entry (or a variant derived from one).
#pragma once

#include <typeinfo>

namespace ember::schema {

struct OpRecord {
  const char* schema;       // the full schema text
  const char* structured;   // meta kind, "" when not structured
  const char* composite;    // "implicit", "explicit" or ""
  bool factory;             // BackendSelect picks the backend from `device`
  const std::type_info* signature;  // the C++ signature of its typed kernels
};

}  // namespace ember::schema
