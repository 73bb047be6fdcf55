// Reading device bytes on the host, for item() and printing.
#pragma once

#include <cstddef>

#include "ember/core/scalar.h"
#include "ember/core/storage.h"

namespace ember {

// Copies `nbytes` from `storage` at `byte_offset` into host memory `dst`.
void read_to_host(const Storage& storage, size_t byte_offset, size_t nbytes, void* dst);
// The element of `dtype` stored at `bytes`, as a Scalar (float16/bfloat16 widen to double).
Scalar scalar_from_bytes(DType dtype, const void* bytes);

}  // namespace ember
