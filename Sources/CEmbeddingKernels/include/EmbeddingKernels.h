#ifndef ENGRAM_EMBEDDING_KERNELS_H
#define ENGRAM_EMBEDDING_KERNELS_H

/*
 * Linear layers for short inputs: Y += X · Wᵀ with W pre-packed once, at model load, into panels of
 * 32 outputs. A general BLAS packs the weight matrix again on every call; for the few tokens of a
 * sentence that copy costs about as much as the arithmetic, so a kernel reading packed weights in place
 * runs about twice as fast. Code paths exist for AVX-512 with BF16 (weights and inputs rounded to
 * bfloat16, products summed in float), AVX-512 and AVX2 with FMA, chosen at run time; on arm64 for NEON
 * and, where the CPU has FEAT_BF16, BFDOT on the same bfloat16 panels (EmbeddingKernelsARM.c); and
 * portable C loops for other CPUs (`engram_kernels_supported` reports 0 there). No BLAS library is
 * involved.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Outputs per packed panel. A packable weight has a multiple of this many outputs. */
enum { ENGRAM_PANEL_WIDTH = 32 };

/**
 * Instruction-set levels of the kernels. The x86 levels (1 to 3) and the arm64 levels (4 and 5) are two
 * families, each ordered by width; a CPU supports levels of its own family only. A `level` passed below
 * must not exceed `engram_kernels_supported()`, so on x86 the arm64 levels are never valid; on arm64 the
 * x86 levels (all below NEON) run the portable loops.
 */
enum {
    ENGRAM_KERNELS_NONE = 0,
    ENGRAM_KERNELS_AVX2 = 1,
    ENGRAM_KERNELS_AVX512 = 2,
    ENGRAM_KERNELS_AVX512_BF16 = 3,
    /** arm64 Advanced SIMD (every AArch64 CPU): float panels, the scans and quantization. */
    ENGRAM_KERNELS_NEON = 4,
    /** NEON plus FEAT_BF16 (BFDOT; Linux HWCAP2_BF16): also the bfloat16 panels. */
    ENGRAM_KERNELS_NEON_BF16 = 5,
};

/** The best level this CPU supports (ENGRAM_KERNELS_NONE when no path fits it; on arm64 at least NEON). */
int engram_kernels_supported(void);

/**
 * The fastest level on this CPU: the supported one, except that where AVX-512 BF16 is supported both it
 * and the float AVX-512 kernel are timed on one small product (once per process, under a millisecond) and
 * BF16 is chosen only when it is at least 10 % faster. On arm64 likewise: where NEON BF16 is supported,
 * the BFDOT kernel is timed against the NEON float kernel and chosen only when at least 10 % faster.
 * Where AMX is usable (`engram_amx_supported`), its kernel runs the same product too; whether it won is
 * `engram_amx_fastest`. The measured rates (multiply-adds per second, in billions) are stored through the
 * pointers that are not NULL (0 when nothing was measured).
 */
int engram_kernels_fastest(double *float_rate, double *bf16_rate, double *amx_rate);

/** 1 when AMX was usable and measured at least 10 % faster than the level `engram_kernels_fastest` returns. */
int engram_amx_fastest(void);

/**
 * Packs a weight stored `outputs × inputs`, row-major (as PyTorch stores a linear layer), into
 * `packed`, which holds `outputs · inputs` floats and is 64-byte aligned. Panel p holds, for each input
 * i in order, the 32 weights of outputs 32p … 32p+31. `outputs` must be a multiple of 32.
 */
void engram_pack_panels(const float *weight, int outputs, int inputs, float *packed);

/**
 * For the panels `first_panel ..< end_panel`: `output[t][o] += Σᵢ input[t][i] · W[o][i]` for every row
 * t < rows, with input rows `input_stride` floats apart and output rows `output_stride` apart. Runs the
 * code path of `level`, which must not exceed `engram_kernels_supported()`. Different panel ranges
 * write disjoint columns, so ranges may run on different threads at once.
 */
void engram_linear_panels(
    int level, int rows, int inputs,
    const float *input, ptrdiff_t input_stride,
    const float *packed, int first_panel, int end_panel,
    float *output, ptrdiff_t output_stride);

/**
 * `engram_linear_panels` in plain C, for CPUs without AVX2 and other architectures (the compiler
 * vectorises it for the target: SSE2, NEON); `engram_linear_panels` at level ENGRAM_KERNELS_NONE.
 */
void engram_linear_panels_portable(int rows, int inputs, const float *input, ptrdiff_t input_stride,
                                   const float *packed, int first_panel, int end_panel,
                                   float *output, ptrdiff_t output_stride);

/**
 * `output[t][o] += Σᵢ input[t][i] · weight[o][i]` for a weight read in place, row-major `outputs × inputs`
 * (one that cannot be packed); input and output rows are `inputs` and `outputs` wide.
 */
void engram_linear_row_major(int rows, int inputs, int outputs, const float *input, const float *weight, float *output);

/**
 * Packs like `engram_pack_panels`, rounding each weight to bfloat16 (to nearest, ties to even), with
 * inputs taken in pairs: panel p holds, for each pair q of inputs 2q and 2q+1, the 32 pairs of outputs
 * 32p … 32p+31 (output j's pair at 2j, low input first). An odd last input is paired with a zero.
 * `packed` holds `outputs · (inputs rounded up to even)` values and is 64-byte aligned.
 */
void engram_pack_panels_bf16(const float *weight, int outputs, int inputs, uint16_t *packed);

/**
 * Rounds `rows` rows of `columns` floats (rows `input_stride` apart) to bfloat16 into `output`, whose
 * rows are `columns` rounded up to even values long (an odd row ends with a zero). Needs
 * ENGRAM_KERNELS_AVX512_BF16 on x86 (where subnormals round to zero, as VCVTNEPS2BF16 does); on arm64 it
 * runs at any level and rounds exactly as `engram_pack_panels_bf16`.
 */
void engram_round_rows_bf16(int rows, int columns, const float *input, ptrdiff_t input_stride, uint16_t *output);

/**
 * `engram_linear_panels` on a `engram_pack_panels_bf16` weight and inputs rounded by
 * `engram_round_rows_bf16` (rows `input_stride` values apart): each output adds the products of the
 * bfloat16 values, summed in float. Needs ENGRAM_KERNELS_AVX512_BF16 or ENGRAM_KERNELS_NEON_BF16 (whose
 * BFDOT rounds its sums to odd and flushes subnormals, whatever the FPCR says).
 */
void engram_linear_panels_bf16(
    int rows, int inputs,
    const uint16_t *input, ptrdiff_t input_stride,
    const uint16_t *packed, int first_panel, int end_panel,
    float *output, ptrdiff_t output_stride);

/**
 * Whether Intel AMX with BF16 is usable: the CPU has AMX-TILE and AMX-BF16 (and AVX-512 BF16, which
 * rounds the inputs) and the operating system granted this process the tile state (asked for once, on
 * the first call; Linux only). 0 on other CPUs and systems.
 */
int engram_amx_supported(void);

/** The multiple of inputs `engram_linear_panels_amx` needs: one step of a tile product. */
enum { ENGRAM_AMX_INPUT_STEP = 32 };

/**
 * `engram_linear_panels_bf16` on AMX tiles: the same packed weights, rounded inputs and result (each
 * output adds the products of the bfloat16 values, summed in float). Needs `engram_amx_supported()`,
 * `inputs` a multiple of ENGRAM_AMX_INPUT_STEP, and input rows `input_stride` values apart, a multiple
 * of 32 bytes being best.
 */
void engram_linear_panels_amx(
    int rows, int inputs,
    const uint16_t *input, ptrdiff_t input_stride,
    const uint16_t *packed, int first_panel, int end_panel,
    float *output, ptrdiff_t output_stride);

/**
 * GELU in place over `count` floats, in its exact form `x · ½ · (1 + erf(x / √2))`, with erf as
 * Abramowitz and Stegun 7.1.26 (absolute error below 1.5·10⁻⁷) and, for negative x, 1 + erf computed
 * directly as erfc so small outputs keep their relative precision. Loops compiled for AVX-512, AVX2
 * and the baseline; the loader picks one.
 */
void engram_gelu(float *values, ptrdiff_t count);

/**
 * Softmax in place over each of `rows` rows of `count` floats: the largest value is subtracted before
 * exponentiating, and eˣ is a polynomial within about 2 ulp of expf, saturating instead of overflowing.
 */
void engram_softmax_rows(float *values, int rows, int count);

/**
 * Self-attention of one head over one sequence of `length` tokens: `output = softmax(scale · Q·Kᵀ) · V`,
 * where row t of Q, K and V starts at `queries`, `keys`, `values` + t · `stride` and is `head_size` wide,
 * and row t of the result at `output` + t · `output_stride`. `scratch` holds
 * `ENGRAM_ATTENTION_SCRATCH(length, head_size)` floats. Loops compiled for AVX-512, AVX2 and the baseline; the loader picks one.
 */
#define ENGRAM_ATTENTION_SCRATCH(length, head_size) \
    ((size_t)(head_size) * (((size_t)(length) + 15) / 16 * 16) + (size_t)(length) * (size_t)(length))
void engram_attention_head(int length, int head_size, const float *queries, const float *keys, const float *values,
                           ptrdiff_t stride, float scale, float *scratch, float *output, ptrdiff_t output_stride);

/**
 * `scores[r] = Σᵢ query[i] · rows[r · dimension + i]` for every r < count: the exact-search scan over
 * stored embeddings (cosine similarity of unit vectors), with AVX-512 or AVX2 where the CPU has them, NEON on arm64.
 */
void engram_dot_rows(const float *query, const float *rows, int dimension, ptrdiff_t count, float *scores);

/**
 * `scores[r] = Σᵢ query[i] · rows[r · dimension + i]` over rows of int8 codes (a quantized copy of the
 * stored embeddings, for a first pass that reads a quarter of the bytes). Codes are widened to float
 * exactly; the sums round as float sums do, in any order.
 */
void engram_dot_rows_i8(const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores);

/**
 * Quantizes `count` rows of `dimension` floats for `engram_dot_rows_i8`: per row, `scales[r]` = max |v| / 127
 * and codes v / scale rounded to the nearest integer in -127...127, with the Euclidean norms of the row
 * (`norms`) and of its residual v − scale · codes (`residuals`), summed in float. A row holding a value
 * that is not finite has a norm that is not finite.
 */
void engram_quantize_rows(const float *rows, int dimension, ptrdiff_t count, int8_t *codes, float *scales,
                          float *residuals, float *norms);

/** `engram_dot_rows_i8` and `engram_quantize_rows` on the loops of `level` (at most the supported one), for tests. */
void engram_dot_rows_i8_at(int level, const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores);
void engram_quantize_rows_at(int level, const float *rows, int dimension, ptrdiff_t count, int8_t *codes,
                             float *scales, float *residuals, float *norms);

/** A hint to the CPU that the caller is spinning on a shared value (`pause` on x86). */
static inline void engram_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#ifdef __cplusplus
}
#endif

#endif
