#include "cpu_features.h"

#include <stdio.h>
#include <string.h>

// This file is compiled for baseline x86-64 (the C targets get no -target-cpu flag), so it runs on
// any x86-64 CPU and can say what is missing before any kernel code does.

static const struct {
    unsigned bit;
    const char *name;
} feature_names[] = {
    {CONVTUTOR_CPU_AVX2, "AVX2"},   {CONVTUTOR_CPU_FMA, "FMA"},     {CONVTUTOR_CPU_BMI1, "BMI1"},
    {CONVTUTOR_CPU_BMI2, "BMI2"},   {CONVTUTOR_CPU_F16C, "F16C"},   {CONVTUTOR_CPU_LZCNT, "LZCNT"},
    {CONVTUTOR_CPU_MOVBE, "MOVBE"},
};

unsigned convtutor_cpu_features_required(void) {
#if defined(__x86_64__) && defined(CONVTUTOR_BUILT_FOR_HASWELL)
    return CONVTUTOR_CPU_ALL_FEATURES;
#else
    return 0;
#endif
}

unsigned convtutor_cpu_features_present(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    // The compiler's runtime reads CPUID, and for AVX also XGETBV (whether the OS saves the
    // registers); it initialises itself in a constructor, and calling it again is harmless.
    __builtin_cpu_init();
    unsigned present = 0;
    if (__builtin_cpu_supports("avx2")) present |= CONVTUTOR_CPU_AVX2;
    if (__builtin_cpu_supports("fma")) present |= CONVTUTOR_CPU_FMA;
    if (__builtin_cpu_supports("bmi")) present |= CONVTUTOR_CPU_BMI1;
    if (__builtin_cpu_supports("bmi2")) present |= CONVTUTOR_CPU_BMI2;
    if (__builtin_cpu_supports("f16c")) present |= CONVTUTOR_CPU_F16C;
    if (__builtin_cpu_supports("lzcnt")) present |= CONVTUTOR_CPU_LZCNT;
    if (__builtin_cpu_supports("movbe")) present |= CONVTUTOR_CPU_MOVBE;
    return present;
#else
    return 0;
#endif
}

size_t convtutor_cpu_requirement_message(unsigned missing, char *buffer, size_t size) {
    char names[128] = "";
    for (size_t index = 0; index < sizeof feature_names / sizeof feature_names[0]; index++) {
        if (!(missing & feature_names[index].bit)) continue;
        if (names[0] != '\0') strcat(names, ", ");
        strcat(names, feature_names[index].name);
    }
    int length;
    if (names[0] == '\0') {
        length = snprintf(buffer, size, "%s", "");
    } else {
        length = snprintf(buffer, size,
                          "convtutor: this build needs a CPU with AVX2 and FMA (x86-64-v3, 2013 or later); "
                          "this CPU lacks %s. Build for any x86-64 CPU with: "
                          "CONVTUTOR_PORTABLE=1 swift build -c release",
                          names);
    }
    return length < 0 ? 0 : (size_t)length;
}

void convtutor_print_cpu_requirement(unsigned missing) {
    char message[512];
    convtutor_cpu_requirement_message(missing, message, sizeof message);
    fprintf(stderr, "%s\n", message);
    fflush(stderr);
}
