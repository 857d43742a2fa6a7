#ifndef ATTNLAB_CPU_SUPPORT_H
#define ATTNLAB_CPU_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "Prefetch.h"

/// Checks, before `main` and before any library code runs, that the CPU has every instruction-set
/// extension this build was compiled for (Package.swift's `ATTNLAB_TARGET_CPU`); on a CPU that lacks
/// one, the process prints one line naming what is missing and the command to rebuild, and exits with
/// status 1 instead of dying of SIGILL later. Compiled without `-target-cpu`, so it runs on any x86-64;
/// on other architectures it checks nothing.

/// The `ATTNLAB_TARGET_CPU` this build was compiled for after aliases ("znver3", "native", "generic").
const char *attnlab_target_cpu(void);

/// Bit i set when feature i of `attnlab_cpu_feature_name` is usable here (CPUID, and XGETBV for the
/// register state the OS saves); 0 on non-x86 machines.
uint64_t attnlab_cpu_present_features(void);

/// Bit i set when this build requires feature i.
uint64_t attnlab_cpu_required_features(void);

/// The name of feature `index` ("avx2", "avx512f", …), or NULL past the last one.
const char *attnlab_cpu_feature_name(int index);

/// Writes the one-line error (no newline) for a CPU with features `present` into `out` and returns its
/// length; returns 0 and writes "" when `present` has every required feature.
size_t attnlab_cpu_check_message(uint64_t present, char *out, size_t capacity);

#endif
