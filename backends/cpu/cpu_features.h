// What the processor offers, for the kernels that have a vector path beside the plain one.
#pragma once

namespace ember::cpu {

// Each is asked once, on first use: __builtin_cpu_supports reads what libgcc's constructor
// records, and a static initialiser of this library may run before that constructor does.
inline bool has_avx2() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
  }();
  return yes;
}

inline bool has_f16c() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx");
  }();
  return yes;
}

}  // namespace ember::cpu
