// The start-up CPU check: see include/CPUSupport.h. The feature names and the levels of the rebuild
// hint mirror X86Features in Package.swift, which passes the required names as ATTNLAB_REQUIRED_FEATURES.
#include "CPUSupport.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#ifndef ATTNLAB_TARGET_CPU_NAME
#define ATTNLAB_TARGET_CPU_NAME "generic"
#endif
#ifndef ATTNLAB_REQUIRED_FEATURES
#define ATTNLAB_REQUIRED_FEATURES ""
#endif

enum Feature {
    SSE3, SSSE3, SSE4_1, SSE4_2, POPCNT, AVX, AVX2, FMA, BMI1, BMI2, F16C, LZCNT, MOVBE,
    AVX512F, AVX512BW, AVX512CD, AVX512DQ, AVX512VL, AVX512IFMA, AVX512VBMI, AVX512VBMI2, AVX512VNNI,
    AVX512BITALG, AVX512VPOPCNTDQ, AVX512BF16, AVX512FP16, AVXVNNI, GFNI, VAES, VPCLMULQDQ, FEATURE_COUNT
};

static const char *const names[FEATURE_COUNT] = {
    "sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "lzcnt",
    "movbe", "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl", "avx512ifma", "avx512vbmi",
    "avx512vbmi2", "avx512vnni", "avx512bitalg", "avx512vpopcntdq", "avx512bf16", "avx512fp16", "avxvnni",
    "gfni", "vaes", "vpclmulqdq",
};

#define BIT(feature) (UINT64_C(1) << (feature))
#define SSE42_SET (BIT(SSE3) | BIT(SSSE3) | BIT(SSE4_1) | BIT(SSE4_2) | BIT(POPCNT))
#define AVX2_SET \
    (SSE42_SET | BIT(AVX) | BIT(AVX2) | BIT(FMA) | BIT(BMI1) | BIT(BMI2) | BIT(F16C) | BIT(LZCNT) | BIT(MOVBE))
#define AVX512_SET (AVX2_SET | BIT(AVX512F) | BIT(AVX512BW) | BIT(AVX512CD) | BIT(AVX512DQ) | BIT(AVX512VL))
/// Everything that needs the OS to save the YMM (and for AVX-512 the ZMM and mask) registers.
#define YMM_SET (BIT(AVX) | BIT(AVX2) | BIT(FMA) | BIT(F16C) | BIT(AVXVNNI) | BIT(VAES) | BIT(VPCLMULQDQ))
#define ZMM_SET                                                                                             \
    (BIT(AVX512F) | BIT(AVX512BW) | BIT(AVX512CD) | BIT(AVX512DQ) | BIT(AVX512VL) | BIT(AVX512IFMA)        \
     | BIT(AVX512VBMI) | BIT(AVX512VBMI2) | BIT(AVX512VNNI) | BIT(AVX512BITALG) | BIT(AVX512VPOPCNTDQ)     \
     | BIT(AVX512BF16) | BIT(AVX512FP16))

/// The rebuild hint: the widest ATTNLAB_TARGET_CPU alias whose features the CPU has.
static const struct { const char *alias; uint64_t features; } levels[] = {
    {"avx512", AVX512_SET}, {"avx2", AVX2_SET}, {"sse", SSE42_SET}, {"x86-64", 0},
};

const char *attnlab_target_cpu(void) { return ATTNLAB_TARGET_CPU_NAME; }

const char *attnlab_cpu_feature_name(int index) {
    return index >= 0 && index < FEATURE_COUNT ? names[index] : NULL;
}

uint64_t attnlab_cpu_required_features(void) {
    static const char list[] = ATTNLAB_REQUIRED_FEATURES;  // comma-separated
    uint64_t required = 0;
    for (const char *name = list; *name;) {
        size_t length = strcspn(name, ",");
        for (int i = 0; i < FEATURE_COUNT; i++) {
            if (strlen(names[i]) == length && strncmp(names[i], name, length) == 0) required |= BIT(i);
        }
        name += length + (name[length] == ',');
    }
    return required;
}

#if defined(__x86_64__)
/// Sets `feature` in `present` when bit `bit` of `reg` is set.
#define CPUID_BIT(reg, bit, feature) present |= ((reg) >> (bit) & 1) ? BIT(feature) : 0

uint64_t attnlab_cpu_present_features(void) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    uint64_t present = 0;
    int osxsave = 0;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        CPUID_BIT(c, 0, SSE3); CPUID_BIT(c, 9, SSSE3); CPUID_BIT(c, 12, FMA); CPUID_BIT(c, 19, SSE4_1);
        CPUID_BIT(c, 20, SSE4_2); CPUID_BIT(c, 22, MOVBE); CPUID_BIT(c, 23, POPCNT); CPUID_BIT(c, 28, AVX);
        CPUID_BIT(c, 29, F16C);
        osxsave = (c >> 27) & 1;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        CPUID_BIT(b, 3, BMI1); CPUID_BIT(b, 5, AVX2); CPUID_BIT(b, 8, BMI2); CPUID_BIT(b, 16, AVX512F);
        CPUID_BIT(b, 17, AVX512DQ); CPUID_BIT(b, 21, AVX512IFMA); CPUID_BIT(b, 28, AVX512CD);
        CPUID_BIT(b, 30, AVX512BW); CPUID_BIT(b, 31, AVX512VL);
        CPUID_BIT(c, 1, AVX512VBMI); CPUID_BIT(c, 6, AVX512VBMI2); CPUID_BIT(c, 8, GFNI); CPUID_BIT(c, 9, VAES);
        CPUID_BIT(c, 10, VPCLMULQDQ); CPUID_BIT(c, 11, AVX512VNNI); CPUID_BIT(c, 12, AVX512BITALG);
        CPUID_BIT(c, 14, AVX512VPOPCNTDQ);
        CPUID_BIT(d, 23, AVX512FP16);
    }
    if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) {
        CPUID_BIT(a, 4, AVXVNNI); CPUID_BIT(a, 5, AVX512BF16);
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) CPUID_BIT(c, 5, LZCNT);
    // XCR0: bits 1–2 = SSE and YMM state saved by the OS, bits 5–7 = opmask and ZMM state.
    unsigned xcr0 = 0, xcr0High = 0;
    if (osxsave) __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(xcr0High) : "c"(0));
    if ((xcr0 & 0x06) != 0x06) present &= ~(YMM_SET | ZMM_SET);
    if ((xcr0 & 0xE6) != 0xE6) present &= ~ZMM_SET;
    return present;
}
#else
uint64_t attnlab_cpu_present_features(void) { return 0; }
#endif

size_t attnlab_cpu_check_message(uint64_t present, char *out, size_t capacity) {
    uint64_t missing = attnlab_cpu_required_features() & ~present;
    if (capacity > 0) out[0] = '\0';
    if (missing == 0 || capacity == 0) return 0;
    char list[512] = "";
    for (int i = 0; i < FEATURE_COUNT; i++) {
        if (!(missing & BIT(i))) continue;
        if (list[0]) strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, names[i], sizeof list - strlen(list) - 1);
    }
    const char *alias = "x86-64";
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        if ((present & levels[i].features) == levels[i].features) { alias = levels[i].alias; break; }
    }
    int native = strcmp(ATTNLAB_TARGET_CPU_NAME, "native") == 0;
    int length = snprintf(out, capacity,
                          "AttentionLab was built for %s%s (ATTNLAB_TARGET_CPU) and this CPU lacks %s; "
                          "rebuild with: ATTNLAB_TARGET_CPU=%s swift build -c release",
                          native ? "the CPU of the machine that built it" : ATTNLAB_TARGET_CPU_NAME,
                          native ? "" : " CPUs", list, alias);
    return length < 0 ? 0 : (size_t)length < capacity ? (size_t)length : capacity - 1;
}

#if defined(__x86_64__)
/// Runs when the binary or library is loaded, before `main` and before any Swift code.
__attribute__((constructor(101))) static void attnlab_check_cpu(void) {
    char message[1024];
    size_t length = attnlab_cpu_check_message(attnlab_cpu_present_features(), message, sizeof message - 1);
    if (length == 0) return;
    message[length] = '\n';
    ssize_t written = write(STDERR_FILENO, message, length + 1);
    (void)written;
    _exit(1);
}
#endif
