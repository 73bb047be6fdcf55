// Standard gamma draws for a run of consecutive counters, their first round's Philox blocks and
// normals formed in bulk where the processor has AVX2.
#pragma once

#include <cstdint>

#include "philox_tile.h"

namespace ember::cpu {

// draws[j] for shapes[j] at counter first + j, j < count <= kPhiloxTile: sdk::gamma_draw's values,
// to within the few ulp by which libmvec's log and cos differ from the C library's where the vector
// path runs.
void gamma_tile(uint64_t seed, uint64_t first, int64_t count, const double* shapes, double* draws);

}  // namespace ember::cpu
