// The CPU fallback: operators a device plugin has no kernel for run on the CPU backend.
#pragma once

namespace ember {

// What a call does when its device has no kernel for the operator (or the kernel declined).
enum class CpuFallbackMode {
  Warn,    // run it on the CPU and say so once per operator and backend (the default)
  Silent,  // run it on the CPU quietly
  Error,   // fail with an ember::Error naming the operator and the backend
};

// The mode in force; EMBER_CPU_FALLBACK=warn|silent|error sets the one a process starts with.
CpuFallbackMode cpu_fallback_mode();
void set_cpu_fallback_mode(CpuFallbackMode mode);

}  // namespace ember
