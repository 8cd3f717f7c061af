#ifndef CONVTUTOR_CPU_FEATURES_H
#define CONVTUTOR_CPU_FEATURES_H

#include <stddef.h>

/// The instruction-set extensions a build compiled with `-target-cpu haswell` may use (the
/// x86-64-v3 level, beyond SSE4.2 and POPCNT), one bit each. The kernel modules are compiled that
/// way on x86-64 unless CONVTUTOR_PORTABLE=1 was set at build time; on such a build a CPU without
/// them stops at the first AVX2 instruction with a bare "Illegal instruction".
enum {
    CONVTUTOR_CPU_AVX2 = 1u << 0,
    CONVTUTOR_CPU_FMA = 1u << 1,
    CONVTUTOR_CPU_BMI1 = 1u << 2,
    CONVTUTOR_CPU_BMI2 = 1u << 3,
    CONVTUTOR_CPU_F16C = 1u << 4,
    CONVTUTOR_CPU_LZCNT = 1u << 5,
    CONVTUTOR_CPU_MOVBE = 1u << 6,
    CONVTUTOR_CPU_ALL_FEATURES = (1u << 7) - 1,
};

/// The extensions this build was compiled to use: all of them for an x86-64 build made without
/// CONVTUTOR_PORTABLE=1, none for a portable build or another architecture.
unsigned convtutor_cpu_features_required(void);

/// The extensions this CPU, and the operating system (which must save the AVX registers), support;
/// none on another architecture. Uses no instruction beyond baseline x86-64.
unsigned convtutor_cpu_features_present(void);

/// Writes the message for a CPU that lacks `missing` to standard error, with a newline. In C so that
/// nothing compiled for Haswell runs on the way: Swift code, even in main.swift, may call a generic
/// specialisation that the linker took from a kernel module's copy (it keeps one of the identical
/// copies, and that one may use BMI2 or AVX2).
void convtutor_print_cpu_requirement(unsigned missing);

/// Writes the message for a CPU that lacks `missing` (bits from the enum above) into `buffer`, like
/// snprintf: always NUL-terminated when `size` > 0, and returns the length the whole message needs.
/// Writes an empty string when `missing` is 0. One line, no trailing newline.
size_t convtutor_cpu_requirement_message(unsigned missing, char *buffer, size_t size);

#endif
