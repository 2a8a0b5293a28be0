/*
 * The arm64 paths of the kernels declared in EmbeddingKernels.h: NEON (Advanced SIMD, which every
 * AArch64 CPU has) for the packed float panels and the exact-search scans, and BFDOT for the bfloat16
 * panels where the CPU has FEAT_BF16 (Neoverse V1/V2/N2, Graviton 3 and 4, Apple M2 and later).
 * EmbeddingKernels.c holds the shared code (packing, the portable loops, GELU, softmax, attention) and,
 * on arm64, leaves the dispatching entry points to this file.
 */
#if defined(__aarch64__)

#include "EmbeddingKernels.h"

#include <arm_neon.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP2_BF16
#define HWCAP2_BF16 (1UL << 14)
#endif
#elif defined(__APPLE__)
#include <sys/sysctl.h>
#endif

/* The baseline loops of EmbeddingKernels.c (level ENGRAM_KERNELS_NONE). */
__attribute__((visibility("hidden")))
void engram_arm_dot_rows_i8_scalar(const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores);
__attribute__((visibility("hidden")))
void engram_arm_quantize_rows_scalar(const float *rows, int dimension, ptrdiff_t count, int8_t *codes, float *scales,
                                     float *residuals, float *norms);

static int detect_level(void) {
#if defined(__linux__)
    if (getauxval(AT_HWCAP2) & HWCAP2_BF16) return ENGRAM_KERNELS_NEON_BF16;
#elif defined(__APPLE__)
    int value = 0;
    size_t size = sizeof value;
    if (sysctlbyname("hw.optional.arm.FEAT_BF16", &value, &size, NULL, 0) == 0 && value) return ENGRAM_KERNELS_NEON_BF16;
#endif
    return ENGRAM_KERNELS_NEON;
}

int engram_kernels_supported(void) {
    static int level = -1;
    int current = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (current < 0) {
        current = detect_level();
        __atomic_store_n(&level, current, __ATOMIC_RELAXED);
    }
    return current;
}

/*
 * Float panels. AArch64 has 32 vector registers of 4 floats, so a block of 8 rows × 32 outputs (64
 * accumulators, as AVX-512 keeps in 16 of its 32 registers) does not fit: a block is MR ≤ 6 rows against
 * one half (16 outputs) of a panel, 4·MR accumulators (at most 24) plus the 4 weight vectors of one input
 * and the broadcast input values (`fmla` by element, one `ldr s` per row and input). Each weight is
 * loaded once per row block. The half panels of one input are the two 64-byte lines of its 128 bytes, so
 * the two halves read disjoint lines. The first row block of a panel prefetches the next panel (see the
 * BF16 kernel of EmbeddingKernels.c: a pass over a short text streams the weights from memory).
 */
#define NEON_BLOCK __attribute__((always_inline)) static inline

NEON_BLOCK void block_neon(int mr, int inputs, const float *input, ptrdiff_t input_stride,
                           const float *half_panel, const float *ahead, float *output, ptrdiff_t output_stride) {
    float32x4_t acc[5][4];
    for (int r = 0; r < mr; r++) {
        for (int k = 0; k < 4; k++) acc[r][k] = vdupq_n_f32(0);
    }
    for (int i = 0; i < inputs; i++) {
        const float *w = half_panel + (size_t)i * 32;
        const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4), w2 = vld1q_f32(w + 8), w3 = vld1q_f32(w + 12);
        if (ahead) {
            __builtin_prefetch(ahead + (size_t)i * 32, 0, 3);
            __builtin_prefetch(ahead + (size_t)i * 32 + 16, 0, 3);
        }
        for (int r = 0; r < mr; r++) {
            const float x = input[r * input_stride + i];
            acc[r][0] = vfmaq_n_f32(acc[r][0], w0, x);
            acc[r][1] = vfmaq_n_f32(acc[r][1], w1, x);
            acc[r][2] = vfmaq_n_f32(acc[r][2], w2, x);
            acc[r][3] = vfmaq_n_f32(acc[r][3], w3, x);
        }
    }
    for (int r = 0; r < mr; r++) {
        float *row = output + r * output_stride;
        for (int k = 0; k < 4; k++) vst1q_f32(row + 4 * k, vaddq_f32(vld1q_f32(row + 4 * k), acc[r][k]));
    }
}

static void linear_neon(int rows, int inputs, const float *input, ptrdiff_t input_stride,
                        const float *packed, int first_panel, int end_panel,
                        float *output, ptrdiff_t output_stride) {
    for (int p = first_panel; p < end_panel; p++) {
        const float *next = p + 1 < end_panel ? packed + (size_t)(p + 1) * 32 * inputs : NULL;
        for (int half = 0; half < 2; half++) {
            const float *panel = packed + (size_t)p * 32 * inputs + half * 16;
            const float *ahead = half == 0 ? next : NULL;
            float *out = output + (size_t)p * 32 + half * 16;
            int t = 0;
            for (; t + 5 <= rows; t += 5) {
                block_neon(5, inputs, input + t * input_stride, input_stride, panel, t == 0 ? ahead : NULL,
                           out + t * output_stride, output_stride);
            }
            const float *x = input + t * input_stride;
            const float *tail_ahead = t == 0 ? ahead : NULL;
            float *y = out + t * output_stride;
            switch (rows - t) {
            case 4: block_neon(4, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
            case 3: block_neon(3, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
            case 2: block_neon(2, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
            case 1: block_neon(1, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
            default: break;
            }
        }
    }
}

void engram_linear_panels(int level, int rows, int inputs, const float *input, ptrdiff_t input_stride,
                          const float *packed, int first_panel, int end_panel,
                          float *output, ptrdiff_t output_stride) {
    if (level >= ENGRAM_KERNELS_NEON) {
        linear_neon(rows, inputs, input, input_stride, packed, first_panel, end_panel, output, output_stride);
    } else {
        engram_linear_panels_portable(rows, inputs, input, input_stride, packed, first_panel, end_panel, output, output_stride);
    }
}

/*
 * BF16 panels, on the layout of `engram_pack_panels_bf16` (the x86 one): per input pair, 32 outputs × 2
 * bfloat16, so 8 consecutive values are the pairs of 4 outputs, exactly the operand BFDOT multiplies by
 * a broadcast pair of the row's inputs (`ld1r` of 32 bits) into 4 float accumulators. The blocking is
 * the float kernel's: MR ≤ 6 rows × 16 outputs, 4 weight vectors per pair. (BFMMLA does twice the
 * multiply-adds per instruction but wants 4 consecutive inputs of 2 outputs per operand: on this layout
 * every weight vector would need a ZIP first, and the layout is shared with x86.)
 *
 * BFDOT ignores FPCR: products and sums round to odd and subnormals flush to zero, so results may
 * differ from a float FMA chain by about an ulp per pair; the tests allow for that.
 */
#define BF16_TARGET __attribute__((target("arch=armv8.2-a+bf16")))
#define BF16_BLOCK __attribute__((target("arch=armv8.2-a+bf16"), always_inline)) static inline

BF16_BLOCK void block_bf16(int mr, int pairs, const uint16_t *input, ptrdiff_t input_stride,
                           const uint16_t *half_panel, const uint16_t *ahead, float *output, ptrdiff_t output_stride) {
    float32x4_t acc[5][4];
    for (int r = 0; r < mr; r++) {
        for (int k = 0; k < 4; k++) acc[r][k] = vdupq_n_f32(0);
    }
    for (int q = 0; q < pairs; q++) {
        const uint16_t *w = half_panel + (size_t)q * 64;
        const bfloat16x8_t w0 = vreinterpretq_bf16_u16(vld1q_u16(w));
        const bfloat16x8_t w1 = vreinterpretq_bf16_u16(vld1q_u16(w + 8));
        const bfloat16x8_t w2 = vreinterpretq_bf16_u16(vld1q_u16(w + 16));
        const bfloat16x8_t w3 = vreinterpretq_bf16_u16(vld1q_u16(w + 24));
        if (ahead) {
            __builtin_prefetch(ahead + (size_t)q * 64, 0, 3);
            __builtin_prefetch(ahead + (size_t)q * 64 + 32, 0, 3);
        }
        for (int r = 0; r < mr; r++) {
            uint32_t pair;
            memcpy(&pair, input + r * input_stride + 2 * q, sizeof pair);
            const bfloat16x8_t x = vreinterpretq_bf16_u32(vdupq_n_u32(pair));
            acc[r][0] = vbfdotq_f32(acc[r][0], w0, x);
            acc[r][1] = vbfdotq_f32(acc[r][1], w1, x);
            acc[r][2] = vbfdotq_f32(acc[r][2], w2, x);
            acc[r][3] = vbfdotq_f32(acc[r][3], w3, x);
        }
    }
    for (int r = 0; r < mr; r++) {
        float *row = output + r * output_stride;
        for (int k = 0; k < 4; k++) vst1q_f32(row + 4 * k, vaddq_f32(vld1q_f32(row + 4 * k), acc[r][k]));
    }
}

BF16_TARGET
void engram_linear_panels_bf16(int rows, int inputs, const uint16_t *input, ptrdiff_t input_stride,
                               const uint16_t *packed, int first_panel, int end_panel,
                               float *output, ptrdiff_t output_stride) {
    const int pairs = (inputs + 1) / 2;
    for (int p = first_panel; p < end_panel; p++) {
        const uint16_t *next = p + 1 < end_panel ? packed + (size_t)(p + 1) * 64 * pairs : NULL;
        for (int half = 0; half < 2; half++) {
            const uint16_t *panel = packed + (size_t)p * 64 * pairs + half * 32;
            const uint16_t *ahead = half == 0 ? next : NULL;
            float *out = output + (size_t)p * 32 + half * 16;
            int t = 0;
            for (; t + 5 <= rows; t += 5) {
                block_bf16(5, pairs, input + t * input_stride, input_stride, panel, t == 0 ? ahead : NULL,
                           out + t * output_stride, output_stride);
            }
            const uint16_t *x = input + t * input_stride;
            const uint16_t *tail_ahead = t == 0 ? ahead : NULL;
            float *y = out + t * output_stride;
            switch (rows - t) {
            case 4: block_bf16(4, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
            case 3: block_bf16(3, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
            case 2: block_bf16(2, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
            case 1: block_bf16(1, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
            default: break;
            }
        }
    }
}

/* Round to nearest, ties to even, NaN kept quiet: bit for bit what `engram_pack_panels_bf16` does to the
 * weights (BFCVTN would flush subnormals with FPCR.FZ and needs FEAT_BF16; this needs neither). */
static inline uint16_t bfloat16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40u);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

static inline uint16x4_t bfloat16x4(float32x4_t value) {
    const uint32x4_t bits = vreinterpretq_u32_f32(value);
    const uint32x4_t odd = vandq_u32(vshrq_n_u32(bits, 16), vdupq_n_u32(1));
    const uint32x4_t rounded = vaddq_u32(bits, vaddq_u32(odd, vdupq_n_u32(0x7fffu)));
    const uint32x4_t nan = vcgtq_u32(vandq_u32(bits, vdupq_n_u32(0x7fffffffu)), vdupq_n_u32(0x7f800000u));
    const uint32x4_t quiet = vorrq_u32(bits, vdupq_n_u32(0x400000u));
    return vshrn_n_u32(vbslq_u32(nan, quiet, rounded), 16);
}

void engram_round_rows_bf16(int rows, int columns, const float *input, ptrdiff_t input_stride, uint16_t *output) {
    const int width = (columns + 1) & ~1;
    for (int t = 0; t < rows; t++) {
        const float *from = input + t * input_stride;
        uint16_t *to = output + (size_t)t * width;
        int i = 0;
        for (; i + 8 <= columns; i += 8) {
            vst1q_u16(to + i, vcombine_u16(bfloat16x4(vld1q_f32(from + i)), bfloat16x4(vld1q_f32(from + i + 4))));
        }
        for (; i < columns; i++) to[i] = bfloat16(from[i]);
        if (width > columns) to[columns] = 0;
    }
}

/* The exact-search scans: four accumulators of four lanes per row hide the FMA latency. */
void engram_dot_rows(const float *query, const float *rows, int dimension, ptrdiff_t count, float *scores) {
    for (ptrdiff_t r = 0; r < count; r++) {
        const float *row = rows + r * dimension;
        float32x4_t a0 = vdupq_n_f32(0), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i + 16 <= dimension; i += 16) {
            a0 = vfmaq_f32(a0, vld1q_f32(query + i), vld1q_f32(row + i));
            a1 = vfmaq_f32(a1, vld1q_f32(query + i + 4), vld1q_f32(row + i + 4));
            a2 = vfmaq_f32(a2, vld1q_f32(query + i + 8), vld1q_f32(row + i + 8));
            a3 = vfmaq_f32(a3, vld1q_f32(query + i + 12), vld1q_f32(row + i + 12));
        }
        for (; i + 4 <= dimension; i += 4) a0 = vfmaq_f32(a0, vld1q_f32(query + i), vld1q_f32(row + i));
        float total = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));
        for (; i < dimension; i++) total += query[i] * row[i];
        scores[r] = total;
    }
}

/* Against int8 codes: each code is widened to a float exactly (s8 → s16 → s32 → f32), so the only
 * rounding is that of the float sums. */
static void dot_rows_i8_neon(const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    for (ptrdiff_t r = 0; r < count; r++) {
        const int8_t *row = rows + r * dimension;
        float32x4_t a0 = vdupq_n_f32(0), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i + 16 <= dimension; i += 16) {
            const int8x16_t codes = vld1q_s8(row + i);
            const int16x8_t low = vmovl_s8(vget_low_s8(codes)), high = vmovl_s8(vget_high_s8(codes));
            a0 = vfmaq_f32(a0, vld1q_f32(query + i), vcvtq_f32_s32(vmovl_s16(vget_low_s16(low))));
            a1 = vfmaq_f32(a1, vld1q_f32(query + i + 4), vcvtq_f32_s32(vmovl_s16(vget_high_s16(low))));
            a2 = vfmaq_f32(a2, vld1q_f32(query + i + 8), vcvtq_f32_s32(vmovl_s16(vget_low_s16(high))));
            a3 = vfmaq_f32(a3, vld1q_f32(query + i + 12), vcvtq_f32_s32(vmovl_s16(vget_high_s16(high))));
        }
        if (i + 8 <= dimension) {
            const int16x8_t codes = vmovl_s8(vld1_s8(row + i));
            a0 = vfmaq_f32(a0, vld1q_f32(query + i), vcvtq_f32_s32(vmovl_s16(vget_low_s16(codes))));
            a1 = vfmaq_f32(a1, vld1q_f32(query + i + 4), vcvtq_f32_s32(vmovl_s16(vget_high_s16(codes))));
            i += 8;
        }
        float total = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));
        for (; i < dimension; i++) total += query[i] * (float)row[i];
        scores[r] = total;
    }
}

/*
 * Quantization as the scalar loop of EmbeddingKernels.c does it, four lanes at a time: the largest
 * magnitude by FMAXNM (a NaN is passed over, as the scalar comparison passes over it), codes by FCVTNS
 * (to nearest, ties to even, as nearbyintf in the default rounding mode; a NaN converts to 0, as the
 * scalar loop sets it), clamped to ±127; the residual by FMA. Codes and scales are bit for bit the
 * scalar loop's; the norms differ only in the order of their float sums.
 */
static void quantize_rows_neon(const float *rows, int dimension, ptrdiff_t count, int8_t *codes, float *scales,
                               float *residuals, float *norms) {
    for (ptrdiff_t r = 0; r < count; r++) {
        const float *row = rows + r * dimension;
        int8_t *out = codes + r * dimension;
        float32x4_t largest = vdupq_n_f32(0);
        int i = 0;
        for (; i + 4 <= dimension; i += 4) largest = vmaxnmq_f32(largest, vabsq_f32(vld1q_f32(row + i)));
        float top = vmaxnmvq_f32(largest);
        for (; i < dimension; i++) top = fabsf(row[i]) > top ? fabsf(row[i]) : top;
        const float scale = top / 127.0f;
        const float inverse_value = top > 0 ? 127.0f / top : 0.0f;
        const float32x4_t inverse = vdupq_n_f32(inverse_value);
        const float32x4_t negated = vdupq_n_f32(-scale);
        const int32x4_t upper = vdupq_n_s32(127), lower = vdupq_n_s32(-127);
        float32x4_t residual = vdupq_n_f32(0), norm = vdupq_n_f32(0);
        i = 0;
        for (; i + 8 <= dimension; i += 8) {
            const float32x4_t v0 = vld1q_f32(row + i), v1 = vld1q_f32(row + i + 4);
            const int32x4_t c0 = vmaxq_s32(vminq_s32(vcvtnq_s32_f32(vmulq_f32(v0, inverse)), upper), lower);
            const int32x4_t c1 = vmaxq_s32(vminq_s32(vcvtnq_s32_f32(vmulq_f32(v1, inverse)), upper), lower);
            vst1_s8(out + i, vmovn_s16(vcombine_s16(vmovn_s32(c0), vmovn_s32(c1))));
            const float32x4_t d0 = vfmaq_f32(v0, negated, vcvtq_f32_s32(c0));
            const float32x4_t d1 = vfmaq_f32(v1, negated, vcvtq_f32_s32(c1));
            residual = vfmaq_f32(vfmaq_f32(residual, d0, d0), d1, d1);
            norm = vfmaq_f32(vfmaq_f32(norm, v0, v0), v1, v1);
        }
        float residual_sum = vaddvq_f32(residual), norm_sum = vaddvq_f32(norm);
        for (; i < dimension; i++) {
            float code = nearbyintf(row[i] * inverse_value);
            code = code > 127 ? 127 : (code < -127 ? -127 : code);
            if (code != code) code = 0;
            out[i] = (int8_t)code;
            const float difference = fmaf(-scale, code, row[i]);
            residual_sum = fmaf(difference, difference, residual_sum);
            norm_sum = fmaf(row[i], row[i], norm_sum);
        }
        scales[r] = scale;
        residuals[r] = sqrtf(residual_sum);
        norms[r] = sqrtf(norm_sum);
    }
}

void engram_dot_rows_i8_at(int level, const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    if (level >= ENGRAM_KERNELS_NEON) {
        dot_rows_i8_neon(query, rows, dimension, count, scores);
    } else {
        engram_arm_dot_rows_i8_scalar(query, rows, dimension, count, scores);
    }
}

void engram_dot_rows_i8(const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    dot_rows_i8_neon(query, rows, dimension, count, scores);
}

void engram_quantize_rows_at(int level, const float *rows, int dimension, ptrdiff_t count, int8_t *codes,
                             float *scales, float *residuals, float *norms) {
    if (level >= ENGRAM_KERNELS_NEON) {
        quantize_rows_neon(rows, dimension, count, codes, scales, residuals, norms);
    } else {
        engram_arm_quantize_rows_scalar(rows, dimension, count, codes, scales, residuals, norms);
    }
}

void engram_quantize_rows(const float *rows, int dimension, ptrdiff_t count, int8_t *codes, float *scales,
                          float *residuals, float *norms) {
    quantize_rows_neon(rows, dimension, count, codes, scales, residuals, norms);
}

#else
/* Other architectures: nothing here (ISO C wants a declaration in every translation unit). */
typedef int engram_kernels_arm_unused;
#endif
