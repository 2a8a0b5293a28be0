#include "EmbeddingKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ENGRAM_X86 1
#endif

void engram_pack_panels(const float *weight, int outputs, int inputs, float *packed) {
    for (int panel = 0; panel < outputs / ENGRAM_PANEL_WIDTH; panel++) {
        const float *rows = weight + (size_t)panel * ENGRAM_PANEL_WIDTH * inputs;
        float *out = packed + (size_t)panel * ENGRAM_PANEL_WIDTH * inputs;
        for (int i = 0; i < inputs; i++) {
            for (int j = 0; j < ENGRAM_PANEL_WIDTH; j++) {
                out[(size_t)i * ENGRAM_PANEL_WIDTH + j] = rows[(size_t)j * inputs + i];
            }
        }
    }
}

/* Round to nearest, ties to even, as VCVTNEPS2BF16 does for normal numbers; NaN stays NaN. */
static inline uint16_t bfloat16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40u);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

void engram_pack_panels_bf16(const float *weight, int outputs, int inputs, uint16_t *packed) {
    const int pairs = (inputs + 1) / 2;
    for (int panel = 0; panel < outputs / ENGRAM_PANEL_WIDTH; panel++) {
        const float *rows = weight + (size_t)panel * ENGRAM_PANEL_WIDTH * inputs;
        uint16_t *out = packed + (size_t)panel * ENGRAM_PANEL_WIDTH * 2 * pairs;
        for (int q = 0; q < pairs; q++) {
            for (int j = 0; j < ENGRAM_PANEL_WIDTH; j++) {
                for (int h = 0; h < 2; h++) {
                    const int i = 2 * q + h;
                    out[((size_t)q * ENGRAM_PANEL_WIDTH + j) * 2 + h] = i < inputs ? bfloat16(rows[(size_t)j * inputs + i]) : 0;
                }
            }
        }
    }
}

#ifdef ENGRAM_X86
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define VECTOR_CLONES
#endif

/* eˣ within about 2 ulp of expf for x in [-87.3, 88.3] (clamped there), branch-free so loops over it
 * vectorise: eˣ = 2ⁿ · eʳ with n = round(x / ln 2) and a minimax polynomial for eʳ on |r| ≤ ln 2 / 2. */
static inline float exponential(float value) {
    float x = value < -87.3f ? -87.3f : (value > 88.3f ? 88.3f : value);
    const float rounding_shift = 12582912.0f;
    float shifted = x * 1.44269504f + rounding_shift;
    float n = shifted - rounding_shift;
    float r = x - n * 0.693145751953125f - n * 1.428606765330187e-6f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    union { float f; int i; } bits = { .f = shifted };
    union { int i; float f; } scale = { .i = (bits.i - 0x4B400000 + 127) << 23 };
    return p * scale.f;
}

VECTOR_CLONES
void engram_gelu(float *values, ptrdiff_t count) {
    for (ptrdiff_t index = 0; index < count; index++) {
        float x = values[index];
        float z = x * 0.7071067811865475f;
        float magnitude = z < 0 ? -z : z;
        float t = 1.0f / (1.0f + 0.3275911f * magnitude);
        float p = 1.061405429f;
        p = p * t - 1.453152027f;
        p = p * t + 1.421413741f;
        p = p * t - 0.284496736f;
        p = p * t + 0.254829592f;
        float complement = p * t * exponential(-(magnitude * magnitude));
        float one_plus_erf = z < 0 ? complement : 2.0f - complement;
        values[index] = 0.5f * x * one_plus_erf;
    }
}

/* Reductions keep 16 partial results, lane j taking every 16th value, so the loops vectorise without
 * reassociating floating-point sums: every build and clone adds in the same order. */
enum { SOFTMAX_LANES = 16 };

VECTOR_CLONES
void engram_softmax_rows(float *values, int rows, int count) {
    for (int row = 0; row < rows; row++) {
        float *v = values + (size_t)row * count;
        const int whole = count - count % SOFTMAX_LANES;
        float partial[SOFTMAX_LANES];
        for (int j = 0; j < SOFTMAX_LANES; j++) partial[j] = v[0];
        for (int i = 0; i < whole; i += SOFTMAX_LANES) {
            for (int j = 0; j < SOFTMAX_LANES; j++) partial[j] = v[i + j] > partial[j] ? v[i + j] : partial[j];
        }
        float largest = v[0];
        for (int j = 0; j < SOFTMAX_LANES; j++) largest = partial[j] > largest ? partial[j] : largest;
        for (int i = whole; i < count; i++) largest = v[i] > largest ? v[i] : largest;

        for (int i = 0; i < count; i++) v[i] = exponential(v[i] - largest);

        for (int j = 0; j < SOFTMAX_LANES; j++) partial[j] = 0;
        for (int i = 0; i < whole; i += SOFTMAX_LANES) {
            for (int j = 0; j < SOFTMAX_LANES; j++) partial[j] += v[i + j];
        }
        float sum = 0;
        for (int j = 0; j < SOFTMAX_LANES; j++) sum += partial[j];
        for (int i = whole; i < count; i++) sum += v[i];

        const float inverse = 1.0f / sum;
        for (int i = 0; i < count; i++) v[i] *= inverse;
    }
}

/* One attention head of one sequence, as plain loops the compiler vectorises (and clones for AVX-512
 * and AVX2). Kᵀ is copied into the scratch first, each row padded with zeros to a multiple of 16, so a
 * block of 4 query rows × 16 keys keeps its scores in registers while it runs over the head's
 * dimensions; the weighted sum of the values keeps 4 rows × the head's dimensions in registers the same
 * way while it runs over the keys. */
enum { ATTENTION_ROWS = 4, ATTENTION_KEYS = 16 };

VECTOR_CLONES
void engram_attention_head(int length, int head_size, const float *queries, const float *keys, const float *values,
                           ptrdiff_t stride, float scale, float *scratch, float *output, ptrdiff_t output_stride) {
    const int padded = (length + ATTENTION_KEYS - 1) / ATTENTION_KEYS * ATTENTION_KEYS;
    float *transposed = scratch;                            /* head_size × padded */
    float *scores = scratch + (size_t)head_size * padded;  /* length × length */
    for (int d = 0; d < head_size; d++) {
        float *row = transposed + (size_t)d * padded;
        for (int j = 0; j < length; j++) row[j] = keys[(ptrdiff_t)j * stride + d];
        for (int j = length; j < padded; j++) row[j] = 0;
    }
    for (int i0 = 0; i0 < length; i0 += ATTENTION_ROWS) {
        const float *q[ATTENTION_ROWS];
        for (int r = 0; r < ATTENTION_ROWS; r++) {
            const int i = i0 + r < length ? i0 + r : length - 1; /* rows past the end repeat the last, unused */
            q[r] = queries + (ptrdiff_t)i * stride;
        }
        for (int j0 = 0; j0 < padded; j0 += ATTENTION_KEYS) {
            float acc[ATTENTION_ROWS][ATTENTION_KEYS];
            for (int r = 0; r < ATTENTION_ROWS; r++) for (int j = 0; j < ATTENTION_KEYS; j++) acc[r][j] = 0;
            for (int d = 0; d < head_size; d++) {
                const float *column = transposed + (size_t)d * padded + j0;
                for (int r = 0; r < ATTENTION_ROWS; r++) {
                    const float x = q[r][d];
                    for (int j = 0; j < ATTENTION_KEYS; j++) acc[r][j] += x * column[j];
                }
            }
            const int keys_here = length - j0 < ATTENTION_KEYS ? length - j0 : ATTENTION_KEYS;
            for (int r = 0; r < ATTENTION_ROWS && i0 + r < length; r++) {
                float *row = scores + (size_t)(i0 + r) * length + j0;
                for (int j = 0; j < keys_here; j++) row[j] = acc[r][j] * scale;
            }
        }
    }
    engram_softmax_rows(scores, length, length);
    for (int i0 = 0; i0 < length; i0 += ATTENTION_ROWS) {
        const int rows_here = length - i0 < ATTENTION_ROWS ? length - i0 : ATTENTION_ROWS;
        for (int d0 = 0; d0 < head_size; d0 += 32) {
            const int width = head_size - d0 < 32 ? head_size - d0 : 32;
            float acc[ATTENTION_ROWS][32];
            for (int r = 0; r < ATTENTION_ROWS; r++) for (int d = 0; d < 32; d++) acc[r][d] = 0;
            if (width == 32) {
                for (int j = 0; j < length; j++) {
                    const float *value = values + (ptrdiff_t)j * stride + d0;
                    for (int r = 0; r < ATTENTION_ROWS; r++) {
                        const float w = r < rows_here ? scores[(size_t)(i0 + r) * length + j] : 0;
                        for (int d = 0; d < 32; d++) acc[r][d] += w * value[d];
                    }
                }
            } else {
                for (int j = 0; j < length; j++) {
                    const float *value = values + (ptrdiff_t)j * stride + d0;
                    for (int r = 0; r < rows_here; r++) {
                        const float w = scores[(size_t)(i0 + r) * length + j];
                        for (int d = 0; d < width; d++) acc[r][d] += w * value[d];
                    }
                }
            }
            for (int r = 0; r < rows_here; r++) {
                float *out = output + (ptrdiff_t)(i0 + r) * output_stride + d0;
                for (int d = 0; d < width; d++) out[d] = acc[r][d];
            }
        }
    }
}

/* The portable linear kernels: plain loops over the same packed panels, four rows at a time (each
 * weight loaded once for four rows), which the compiler vectorises for the CPU it builds for (SSE2 on a
 * baseline x86-64, NEON on arm64) and clones for AVX-512 and AVX2 on x86. */
VECTOR_CLONES
void engram_linear_panels_portable(int rows, int inputs, const float *input, ptrdiff_t input_stride,
                                   const float *packed, int first_panel, int end_panel,
                                   float *output, ptrdiff_t output_stride) {
    enum { W = ENGRAM_PANEL_WIDTH, R = 4 };
    for (int p = first_panel; p < end_panel; p++) {
        const float *panel = packed + (size_t)p * W * inputs;
        float *out = output + (size_t)p * W;
        int t = 0;
        for (; t + R <= rows; t += R) {
            float acc[R][W];
            for (int r = 0; r < R; r++) for (int j = 0; j < W; j++) acc[r][j] = 0;
            for (int i = 0; i < inputs; i++) {
                const float *w = panel + (size_t)i * W;
                for (int r = 0; r < R; r++) {
                    const float x = input[(ptrdiff_t)(t + r) * input_stride + i];
                    for (int j = 0; j < W; j++) acc[r][j] += x * w[j];
                }
            }
            for (int r = 0; r < R; r++) {
                float *y = out + (ptrdiff_t)(t + r) * output_stride;
                for (int j = 0; j < W; j++) y[j] += acc[r][j];
            }
        }
        for (; t < rows; t++) {
            float acc[W];
            for (int j = 0; j < W; j++) acc[j] = 0;
            for (int i = 0; i < inputs; i++) {
                const float x = input[(ptrdiff_t)t * input_stride + i];
                const float *w = panel + (size_t)i * W;
                for (int j = 0; j < W; j++) acc[j] += x * w[j];
            }
            float *y = out + (ptrdiff_t)t * output_stride;
            for (int j = 0; j < W; j++) y[j] += acc[j];
        }
    }
}

/* A weight that cannot be packed (its outputs are not a multiple of 32), read in place: each output is a
 * dot product, summed in 16 interleaved partial sums so the loop vectorises in a fixed order. */
VECTOR_CLONES
void engram_linear_row_major(int rows, int inputs, int outputs, const float *input, const float *weight, float *output) {
    enum { LANES = 16 };
    const int whole = inputs - inputs % LANES;
    for (int t = 0; t < rows; t++) {
        const float *x = input + (size_t)t * inputs;
        for (int o = 0; o < outputs; o++) {
            const float *w = weight + (size_t)o * inputs;
            float partial[LANES];
            for (int j = 0; j < LANES; j++) partial[j] = 0;
            for (int i = 0; i < whole; i += LANES) {
                for (int j = 0; j < LANES; j++) partial[j] += x[i + j] * w[i + j];
            }
            float sum = 0;
            for (int j = 0; j < LANES; j++) sum += partial[j];
            for (int i = whole; i < inputs; i++) sum += x[i] * w[i];
            output[(size_t)t * outputs + o] += sum;
        }
    }
}

/* Baseline loops of the int8 scan and of quantization, for CPUs without AVX-512 (and other architectures). */
static void dot_rows_i8_scalar(const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    for (ptrdiff_t r = 0; r < count; r++) {
        const int8_t *row = rows + r * dimension;
        float total = 0;
        for (int i = 0; i < dimension; i++) total += query[i] * (float)row[i];
        scores[r] = total;
    }
}

/* Per row: scale = max |v| / 127, codes = v / scale rounded to the nearest integer (within -127...127),
 * and, in float, the norms of the row and of its residual v - scale * codes (the residual by FMA, so
 * each of its components is rounded once). A NaN gives code 0; the row's norm tells the caller. */
static void quantize_rows_scalar(const float *rows, int dimension, ptrdiff_t count, int8_t *codes, float *scales,
                                 float *residuals, float *norms) {
    for (ptrdiff_t r = 0; r < count; r++) {
        const float *row = rows + r * dimension;
        int8_t *out = codes + r * dimension;
        float top = 0;
        for (int i = 0; i < dimension; i++) top = fabsf(row[i]) > top ? fabsf(row[i]) : top;
        const float scale = top / 127.0f;
        const float inverse = top > 0 ? 127.0f / top : 0.0f;
        float residual = 0, norm = 0;
        for (int i = 0; i < dimension; i++) {
            float code = nearbyintf(row[i] * inverse);
            code = code > 127 ? 127 : (code < -127 ? -127 : code);
            if (code != code) code = 0;
            out[i] = (int8_t)code;
            const float difference = fmaf(-scale, code, row[i]);
            residual = fmaf(difference, difference, residual);
            norm = fmaf(row[i], row[i], norm);
        }
        scales[r] = scale;
        residuals[r] = sqrtf(residual);
        norms[r] = sqrtf(norm);
    }
}

#ifdef ENGRAM_X86

int engram_kernels_supported(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16")) return ENGRAM_KERNELS_AVX512_BF16;
    if (__builtin_cpu_supports("avx512f")) return ENGRAM_KERNELS_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ENGRAM_KERNELS_AVX2;
    return ENGRAM_KERNELS_NONE;
}

/*
 * AVX-512: a block of MR rows against one 32-wide panel keeps 2·MR accumulators in registers (at most
 * 16 of the 32), loads two vectors of weights per input and broadcasts one input value per row.
 * MR is a constant at every call site, so the loops unroll fully. The first row block of a panel
 * prefetches the next panel, as the BF16 kernel below does (see there).
 */
#define AVX512 __attribute__((target("avx512f"), always_inline)) static inline

AVX512 void block512(int mr, int inputs, const float *input, ptrdiff_t input_stride,
                     const float *panel, const float *ahead, float *output, ptrdiff_t output_stride) {
    __m512 low[8], high[8];
    for (int r = 0; r < mr; r++) {
        low[r] = _mm512_setzero_ps();
        high[r] = _mm512_setzero_ps();
    }
    for (int i = 0; i < inputs; i++) {
        __m512 w0 = _mm512_load_ps(panel + (size_t)i * 32);
        __m512 w1 = _mm512_load_ps(panel + (size_t)i * 32 + 16);
        if (ahead) {
            _mm_prefetch((const char *)(ahead + (size_t)i * 32), _MM_HINT_T0);
            _mm_prefetch((const char *)(ahead + (size_t)i * 32 + 16), _MM_HINT_T0);
        }
        for (int r = 0; r < mr; r++) {
            __m512 x = _mm512_set1_ps(input[r * input_stride + i]);
            low[r] = _mm512_fmadd_ps(x, w0, low[r]);
            high[r] = _mm512_fmadd_ps(x, w1, high[r]);
        }
    }
    for (int r = 0; r < mr; r++) {
        float *row = output + r * output_stride;
        _mm512_storeu_ps(row, _mm512_add_ps(_mm512_loadu_ps(row), low[r]));
        _mm512_storeu_ps(row + 16, _mm512_add_ps(_mm512_loadu_ps(row + 16), high[r]));
    }
}

__attribute__((target("avx512f")))
static void linear512(int rows, int inputs, const float *input, ptrdiff_t input_stride,
                      const float *packed, int first_panel, int end_panel,
                      float *output, ptrdiff_t output_stride) {
    for (int p = first_panel; p < end_panel; p++) {
        const float *panel = packed + (size_t)p * 32 * inputs;
        const float *ahead = p + 1 < end_panel ? panel + 32 * inputs : NULL;
        float *out = output + (size_t)p * 32;
        int t = 0;
        for (; t + 8 <= rows; t += 8) {
            block512(8, inputs, input + t * input_stride, input_stride, panel, t == 0 ? ahead : NULL,
                     out + t * output_stride, output_stride);
        }
        const float *x = input + t * input_stride;
        const float *tail_ahead = t == 0 ? ahead : NULL;
        float *y = out + t * output_stride;
        switch (rows - t) {
        case 7: block512(7, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 6: block512(6, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 5: block512(5, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 4: block512(4, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 3: block512(3, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 2: block512(2, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 1: block512(1, inputs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        default: break;
        }
    }
}

/*
 * AVX2 has 16 vector registers: a block is MR rows against one half (16 outputs) of a panel, 2·MR
 * accumulators (at most 12) plus two weight vectors and one broadcast.
 */
#define AVX2 __attribute__((target("avx2,fma"), always_inline)) static inline

AVX2 void block256(int mr, int inputs, const float *input, ptrdiff_t input_stride,
                   const float *half_panel, float *output, ptrdiff_t output_stride) {
    __m256 low[6], high[6];
    for (int r = 0; r < mr; r++) {
        low[r] = _mm256_setzero_ps();
        high[r] = _mm256_setzero_ps();
    }
    for (int i = 0; i < inputs; i++) {
        __m256 w0 = _mm256_load_ps(half_panel + (size_t)i * 32);
        __m256 w1 = _mm256_load_ps(half_panel + (size_t)i * 32 + 8);
        for (int r = 0; r < mr; r++) {
            __m256 x = _mm256_broadcast_ss(input + r * input_stride + i);
            low[r] = _mm256_fmadd_ps(x, w0, low[r]);
            high[r] = _mm256_fmadd_ps(x, w1, high[r]);
        }
    }
    for (int r = 0; r < mr; r++) {
        float *row = output + r * output_stride;
        _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), low[r]));
        _mm256_storeu_ps(row + 8, _mm256_add_ps(_mm256_loadu_ps(row + 8), high[r]));
    }
}

__attribute__((target("avx2,fma")))
static void linear256(int rows, int inputs, const float *input, ptrdiff_t input_stride,
                      const float *packed, int first_panel, int end_panel,
                      float *output, ptrdiff_t output_stride) {
    for (int p = first_panel; p < end_panel; p++) {
        for (int half = 0; half < 2; half++) {
            const float *panel = packed + (size_t)p * 32 * inputs + half * 16;
            float *out = output + (size_t)p * 32 + half * 16;
            int t = 0;
            for (; t + 6 <= rows; t += 6) {
                block256(6, inputs, input + t * input_stride, input_stride, panel, out + t * output_stride, output_stride);
            }
            const float *x = input + t * input_stride;
            float *y = out + t * output_stride;
            switch (rows - t) {
            case 5: block256(5, inputs, x, input_stride, panel, y, output_stride); break;
            case 4: block256(4, inputs, x, input_stride, panel, y, output_stride); break;
            case 3: block256(3, inputs, x, input_stride, panel, y, output_stride); break;
            case 2: block256(2, inputs, x, input_stride, panel, y, output_stride); break;
            case 1: block256(1, inputs, x, input_stride, panel, y, output_stride); break;
            default: break;
            }
        }
    }
}

/*
 * AVX-512 BF16: the same blocking as the float kernel, but each step takes a pair of inputs. A panel
 * holds, per input pair, 32 outputs × 2 bfloat16 (two vectors); VDPBF16PS multiplies each output's pair
 * by the row's broadcast input pair and adds both products to a float accumulator. Half the bytes of
 * weights to stream and twice the multiply-adds per instruction.
 *
 * A pass over a short text reads each weight once, from memory (the weights of the six layers, 21 MB,
 * do not stay cached between requests), so the first row block of a panel also prefetches the next
 * panel: the load of one overlaps the arithmetic of the other. With 13 rows this took a pass over all
 * the layers' products from 1.23 to about 0.85 ms.
 */
#define AVX512BF16 __attribute__((target("avx512f,avx512bf16"), always_inline)) static inline

AVX512BF16 void block_bf16(int mr, int pairs, const uint16_t *input, ptrdiff_t input_stride,
                           const uint16_t *panel, const uint16_t *ahead, float *output, ptrdiff_t output_stride) {
    __m512 low[8], high[8];
    for (int r = 0; r < mr; r++) {
        low[r] = _mm512_setzero_ps();
        high[r] = _mm512_setzero_ps();
    }
    for (int q = 0; q < pairs; q++) {
        __m512bh w0 = (__m512bh)_mm512_load_si512(panel + (size_t)q * 64);
        __m512bh w1 = (__m512bh)_mm512_load_si512(panel + (size_t)q * 64 + 32);
        if (ahead) {
            _mm_prefetch((const char *)(ahead + (size_t)q * 64), _MM_HINT_T0);
            _mm_prefetch((const char *)(ahead + (size_t)q * 64 + 32), _MM_HINT_T0);
        }
        for (int r = 0; r < mr; r++) {
            int32_t pair;
            memcpy(&pair, input + r * input_stride + 2 * q, sizeof pair);
            __m512bh x = (__m512bh)_mm512_set1_epi32(pair);
            low[r] = _mm512_dpbf16_ps(low[r], x, w0);
            high[r] = _mm512_dpbf16_ps(high[r], x, w1);
        }
    }
    for (int r = 0; r < mr; r++) {
        float *row = output + r * output_stride;
        _mm512_storeu_ps(row, _mm512_add_ps(_mm512_loadu_ps(row), low[r]));
        _mm512_storeu_ps(row + 16, _mm512_add_ps(_mm512_loadu_ps(row + 16), high[r]));
    }
}

__attribute__((target("avx512f,avx512bf16")))
void engram_linear_panels_bf16(int rows, int inputs, const uint16_t *input, ptrdiff_t input_stride,
                               const uint16_t *packed, int first_panel, int end_panel,
                               float *output, ptrdiff_t output_stride) {
    const int pairs = (inputs + 1) / 2;
    for (int p = first_panel; p < end_panel; p++) {
        const uint16_t *panel = packed + (size_t)p * 64 * pairs;
        const uint16_t *ahead = p + 1 < end_panel ? panel + 64 * pairs : NULL;
        float *out = output + (size_t)p * 32;
        int t = 0;
        for (; t + 8 <= rows; t += 8) {
            block_bf16(8, pairs, input + t * input_stride, input_stride, panel, t == 0 ? ahead : NULL,
                       out + t * output_stride, output_stride);
        }
        const uint16_t *x = input + t * input_stride;
        const uint16_t *tail_ahead = t == 0 ? ahead : NULL;
        float *y = out + t * output_stride;
        switch (rows - t) {
        case 7: block_bf16(7, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 6: block_bf16(6, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 5: block_bf16(5, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 4: block_bf16(4, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 3: block_bf16(3, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 2: block_bf16(2, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        case 1: block_bf16(1, pairs, x, input_stride, panel, tail_ahead, y, output_stride); break;
        default: break;
        }
    }
}

__attribute__((target("avx512f,avx512bf16")))
void engram_round_rows_bf16(int rows, int columns, const float *input, ptrdiff_t input_stride, uint16_t *output) {
    const int width = (columns + 1) & ~1;
    for (int t = 0; t < rows; t++) {
        const float *from = input + t * input_stride;
        uint16_t *to = output + (size_t)t * width;
        int i = 0;
        for (; i + 16 <= columns; i += 16) {
            __m256bh rounded = _mm512_cvtneps_pbh(_mm512_loadu_ps(from + i));
            _mm256_storeu_si256((__m256i *)(to + i), (__m256i)rounded);
        }
        for (; i < columns; i++) to[i] = bfloat16(from[i]);
        if (width > columns) to[columns] = 0;
    }
}

void engram_linear_panels(int level, int rows, int inputs, const float *input, ptrdiff_t input_stride,
                          const float *packed, int first_panel, int end_panel,
                          float *output, ptrdiff_t output_stride) {
    if (level >= ENGRAM_KERNELS_AVX512) {
        linear512(rows, inputs, input, input_stride, packed, first_panel, end_panel, output, output_stride);
    } else if (level == ENGRAM_KERNELS_AVX2) {
        linear256(rows, inputs, input, input_stride, packed, first_panel, end_panel, output, output_stride);
    } else {
        engram_linear_panels_portable(rows, inputs, input, input_stride, packed, first_panel, end_panel, output, output_stride);
    }
}

/* Dot products of one query with many rows: two accumulators per row hide the FMA latency. */
__attribute__((target("avx512f")))
static void dot_rows512(const float *query, const float *rows, int dimension, ptrdiff_t count, float *scores) {
    const __mmask16 tail = (__mmask16)((1u << (dimension % 16)) - 1u);
    for (ptrdiff_t r = 0; r < count; r++) {
        const float *row = rows + r * dimension;
        __m512 even = _mm512_setzero_ps(), odd = _mm512_setzero_ps();
        int i = 0;
        for (; i + 32 <= dimension; i += 32) {
            even = _mm512_fmadd_ps(_mm512_loadu_ps(query + i), _mm512_loadu_ps(row + i), even);
            odd = _mm512_fmadd_ps(_mm512_loadu_ps(query + i + 16), _mm512_loadu_ps(row + i + 16), odd);
        }
        if (i + 16 <= dimension) {
            even = _mm512_fmadd_ps(_mm512_loadu_ps(query + i), _mm512_loadu_ps(row + i), even);
            i += 16;
        }
        if (i < dimension) {
            odd = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, query + i), _mm512_maskz_loadu_ps(tail, row + i), odd);
        }
        scores[r] = _mm512_reduce_add_ps(_mm512_add_ps(even, odd));
    }
}

__attribute__((target("avx2,fma")))
static void dot_rows256(const float *query, const float *rows, int dimension, ptrdiff_t count, float *scores) {
    for (ptrdiff_t r = 0; r < count; r++) {
        const float *row = rows + r * dimension;
        __m256 even = _mm256_setzero_ps(), odd = _mm256_setzero_ps();
        int i = 0;
        for (; i + 16 <= dimension; i += 16) {
            even = _mm256_fmadd_ps(_mm256_loadu_ps(query + i), _mm256_loadu_ps(row + i), even);
            odd = _mm256_fmadd_ps(_mm256_loadu_ps(query + i + 8), _mm256_loadu_ps(row + i + 8), odd);
        }
        __m256 sum = _mm256_add_ps(even, odd);
        __m128 half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
        half = _mm_add_ps(half, _mm_movehl_ps(half, half));
        half = _mm_add_ss(half, _mm_movehdup_ps(half));
        float total = _mm_cvtss_f32(half);
        for (; i < dimension; i++) total += query[i] * row[i];
        scores[r] = total;
    }
}

static void dot_rows_scalar(const float *query, const float *rows, int dimension, ptrdiff_t count, float *scores) {
    for (ptrdiff_t r = 0; r < count; r++) {
        const float *row = rows + r * dimension;
        float total = 0;
        for (int i = 0; i < dimension; i++) total += query[i] * row[i];
        scores[r] = total;
    }
}

/* The same products against rows of int8 codes: each code is widened to a float, so the only rounding is
 * that of the float sums (the caller's error bound counts on this). */
__attribute__((target("avx512f")))
static void dot_rows_i8_512(const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    const __mmask16 tail = (__mmask16)((1u << (dimension % 16)) - 1u);
    for (ptrdiff_t r = 0; r < count; r++) {
        const int8_t *row = rows + r * dimension;
        __m512 even = _mm512_setzero_ps(), odd = _mm512_setzero_ps();
        int i = 0;
        for (; i + 32 <= dimension; i += 32) {
            __m512 low = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(row + i))));
            __m512 high = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(row + i + 16))));
            even = _mm512_fmadd_ps(_mm512_loadu_ps(query + i), low, even);
            odd = _mm512_fmadd_ps(_mm512_loadu_ps(query + i + 16), high, odd);
        }
        if (i + 16 <= dimension) {
            __m512 low = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(row + i))));
            even = _mm512_fmadd_ps(_mm512_loadu_ps(query + i), low, even);
            i += 16;
        }
        if (i < dimension) {
            int8_t rest[16] = {0};
            memcpy(rest, row + i, (size_t)(dimension - i));
            __m128i codes = _mm_loadu_si128((const __m128i *)rest);
            __m512 low = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(codes));
            odd = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, query + i), low, odd);
        }
        scores[r] = _mm512_reduce_add_ps(_mm512_add_ps(even, odd));
    }
}

__attribute__((target("avx2,fma")))
static void dot_rows_i8_256(const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    for (ptrdiff_t r = 0; r < count; r++) {
        const int8_t *row = rows + r * dimension;
        __m256 even = _mm256_setzero_ps(), odd = _mm256_setzero_ps();
        int i = 0;
        for (; i + 16 <= dimension; i += 16) {
            __m256 low = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(row + i))));
            __m256 high = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(row + i + 8))));
            even = _mm256_fmadd_ps(_mm256_loadu_ps(query + i), low, even);
            odd = _mm256_fmadd_ps(_mm256_loadu_ps(query + i + 8), high, odd);
        }
        __m256 sum = _mm256_add_ps(even, odd);
        __m128 half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
        half = _mm_add_ps(half, _mm_movehl_ps(half, half));
        half = _mm_add_ss(half, _mm_movehdup_ps(half));
        float total = _mm_cvtss_f32(half);
        for (; i < dimension; i++) total += query[i] * (float)row[i];
        scores[r] = total;
    }
}

/* quantize_rows_scalar with 16 lanes. */
__attribute__((target("avx512f")))
static void quantize_rows512(const float *rows, int dimension, ptrdiff_t count, int8_t *codes, float *scales,
                             float *residuals, float *norms) {
    for (ptrdiff_t r = 0; r < count; r++) {
        const float *row = rows + r * dimension;
        int8_t *out = codes + r * dimension;
        __m512 largest = _mm512_setzero_ps();
        for (int i = 0; i < dimension; i += 16) {
            const __mmask16 mask = dimension - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (dimension - i)) - 1u);
            largest = _mm512_max_ps(largest, _mm512_abs_ps(_mm512_maskz_loadu_ps(mask, row + i)));
        }
        const float top = _mm512_reduce_max_ps(largest);
        const float scale = top / 127.0f;
        const __m512 inverse = _mm512_set1_ps(top > 0 ? 127.0f / top : 0.0f);
        const __m512 scaled = _mm512_set1_ps(-scale);
        __m512 residual = _mm512_setzero_ps(), norm = _mm512_setzero_ps();
        for (int i = 0; i < dimension; i += 16) {
            const __mmask16 mask = dimension - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (dimension - i)) - 1u);
            const __m512 value = _mm512_maskz_loadu_ps(mask, row + i);
            const __m512 quotient = _mm512_mul_ps(value, inverse);
            __m512i code = _mm512_cvtps_epi32(quotient);
            code = _mm512_max_epi32(_mm512_min_epi32(code, _mm512_set1_epi32(127)), _mm512_set1_epi32(-127));
            /* A NaN converts to INT_MIN (then -127): code it 0, as the scalar loop does. */
            code = _mm512_maskz_mov_epi32(_mm512_cmp_ps_mask(quotient, quotient, _CMP_ORD_Q), code);
            _mm512_mask_cvtsepi32_storeu_epi8(out + i, mask, code);
            const __m512 difference = _mm512_fmadd_ps(scaled, _mm512_cvtepi32_ps(code), value);
            residual = _mm512_fmadd_ps(difference, difference, residual);
            norm = _mm512_fmadd_ps(value, value, norm);
        }
        scales[r] = scale;
        residuals[r] = sqrtf(_mm512_reduce_add_ps(residual));
        norms[r] = sqrtf(_mm512_reduce_add_ps(norm));
    }
}

static int dot_rows_level(void) {
    static int level = -1;
    int current = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (current < 0) {
        current = engram_kernels_supported();
        __atomic_store_n(&level, current, __ATOMIC_RELAXED);
    }
    return current;
}

void engram_quantize_rows_at(int level, const float *rows, int dimension, ptrdiff_t count, int8_t *codes,
                             float *scales, float *residuals, float *norms) {
    if (level >= ENGRAM_KERNELS_AVX512) {
        quantize_rows512(rows, dimension, count, codes, scales, residuals, norms);
    } else {
        quantize_rows_scalar(rows, dimension, count, codes, scales, residuals, norms);
    }
}

void engram_quantize_rows(const float *rows, int dimension, ptrdiff_t count, int8_t *codes, float *scales,
                          float *residuals, float *norms) {
    engram_quantize_rows_at(dot_rows_level(), rows, dimension, count, codes, scales, residuals, norms);
}

void engram_dot_rows_i8(const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    engram_dot_rows_i8_at(dot_rows_level(), query, rows, dimension, count, scores);
}

void engram_dot_rows_i8_at(int level, const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    if (level >= ENGRAM_KERNELS_AVX512) {
        dot_rows_i8_512(query, rows, dimension, count, scores);
    } else if (level == ENGRAM_KERNELS_AVX2) {
        dot_rows_i8_256(query, rows, dimension, count, scores);
    } else {
        dot_rows_i8_scalar(query, rows, dimension, count, scores);
    }
}

void engram_dot_rows(const float *query, const float *rows, int dimension, ptrdiff_t count, float *scores) {
    const int current = dot_rows_level();
    if (current >= ENGRAM_KERNELS_AVX512) {
        dot_rows512(query, rows, dimension, count, scores);
    } else if (current == ENGRAM_KERNELS_AVX2) {
        dot_rows256(query, rows, dimension, count, scores);
    } else {
        dot_rows_scalar(query, rows, dimension, count, scores);
    }
}


#elif defined(__aarch64__)

/* arm64: EmbeddingKernelsARM.c has the entry points (NEON, BFDOT) and calls these for level
 * ENGRAM_KERNELS_NONE. */
__attribute__((visibility("hidden")))
void engram_arm_dot_rows_i8_scalar(const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    dot_rows_i8_scalar(query, rows, dimension, count, scores);
}

__attribute__((visibility("hidden")))
void engram_arm_quantize_rows_scalar(const float *rows, int dimension, ptrdiff_t count, int8_t *codes, float *scales,
                                     float *residuals, float *norms) {
    quantize_rows_scalar(rows, dimension, count, codes, scales, residuals, norms);
}

#else

int engram_kernels_supported(void) { return ENGRAM_KERNELS_NONE; }

void engram_linear_panels(int level, int rows, int inputs, const float *input, ptrdiff_t input_stride,
                          const float *packed, int first_panel, int end_panel,
                          float *output, ptrdiff_t output_stride) {
    (void)level;
    engram_linear_panels_portable(rows, inputs, input, input_stride, packed, first_panel, end_panel, output, output_stride);
}

void engram_linear_panels_bf16(int rows, int inputs, const uint16_t *input, ptrdiff_t input_stride,
                               const uint16_t *packed, int first_panel, int end_panel,
                               float *output, ptrdiff_t output_stride) {
    (void)rows; (void)inputs; (void)input; (void)input_stride; (void)packed;
    (void)first_panel; (void)end_panel; (void)output; (void)output_stride;
}

void engram_round_rows_bf16(int rows, int columns, const float *input, ptrdiff_t input_stride, uint16_t *output) {
    (void)rows; (void)columns; (void)input; (void)input_stride; (void)output;
}

void engram_dot_rows(const float *query, const float *rows, int dimension, ptrdiff_t count, float *scores) {
    for (ptrdiff_t r = 0; r < count; r++) {
        const float *row = rows + r * dimension;
        float total = 0;
        for (int i = 0; i < dimension; i++) total += query[i] * row[i];
        scores[r] = total;
    }
}

void engram_dot_rows_i8_at(int level, const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    (void)level;
    dot_rows_i8_scalar(query, rows, dimension, count, scores);
}

void engram_dot_rows_i8(const float *query, const int8_t *rows, int dimension, ptrdiff_t count, float *scores) {
    dot_rows_i8_scalar(query, rows, dimension, count, scores);
}

void engram_quantize_rows_at(int level, const float *rows, int dimension, ptrdiff_t count, int8_t *codes,
                             float *scales, float *residuals, float *norms) {
    (void)level;
    quantize_rows_scalar(rows, dimension, count, codes, scales, residuals, norms);
}

void engram_quantize_rows(const float *rows, int dimension, ptrdiff_t count, int8_t *codes, float *scales,
                          float *residuals, float *norms) {
    quantize_rows_scalar(rows, dimension, count, codes, scales, residuals, norms);
}

#endif

/* The start-up measurement behind `engram_kernels_fastest`, the same on x86 (AVX-512 against AVX-512
 * BF16) and arm64 (NEON against NEON BF16, EmbeddingKernelsARM.c) through the public entry points. */
#if defined(ENGRAM_X86)
#define CALIBRATION_FLOAT_LEVEL ENGRAM_KERNELS_AVX512
#define CALIBRATION_BF16_LEVEL ENGRAM_KERNELS_AVX512_BF16
#elif defined(__aarch64__)
#define CALIBRATION_FLOAT_LEVEL ENGRAM_KERNELS_NEON
#define CALIBRATION_BF16_LEVEL ENGRAM_KERNELS_NEON_BF16
#else
#define CALIBRATION_FLOAT_LEVEL ENGRAM_KERNELS_NONE
#define CALIBRATION_BF16_LEVEL (-1) /* no BF16 path: the supported level is the fastest */
#endif

/* Times `repeats` runs of `run` and returns the fastest, in seconds. */
static double fastest_of(int repeats, void (*run)(void *), void *context) {
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        run(context);
        clock_gettime(CLOCK_MONOTONIC, &end);
        double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) * 1e-9;
        if (seconds < best) best = seconds;
    }
    return best;
}

enum { CALIBRATION_ROWS = 24, CALIBRATION_INPUTS = 384, CALIBRATION_OUTPUTS = 384 };

struct calibration {
    float *weight, *packed, *input, *output;
    uint16_t *packed_bf16, *input_bf16;
};

_Static_assert(CALIBRATION_INPUTS % ENGRAM_AMX_INPUT_STEP == 0, "the calibration product must fit AMX tiles");

static void run_float(void *context) {
    struct calibration *c = context;
    engram_linear_panels(CALIBRATION_FLOAT_LEVEL, CALIBRATION_ROWS, CALIBRATION_INPUTS, c->input, CALIBRATION_INPUTS, c->packed,
                         0, CALIBRATION_OUTPUTS / ENGRAM_PANEL_WIDTH, c->output, CALIBRATION_OUTPUTS);
}

static void run_bf16(void *context) {
    struct calibration *c = context;
    engram_round_rows_bf16(CALIBRATION_ROWS, CALIBRATION_INPUTS, c->input, CALIBRATION_INPUTS, c->input_bf16);
    engram_linear_panels_bf16(CALIBRATION_ROWS, CALIBRATION_INPUTS, c->input_bf16, CALIBRATION_INPUTS, c->packed_bf16,
                              0, CALIBRATION_OUTPUTS / ENGRAM_PANEL_WIDTH, c->output, CALIBRATION_OUTPUTS);
}

static void run_amx(void *context) {
    struct calibration *c = context;
    engram_round_rows_bf16(CALIBRATION_ROWS, CALIBRATION_INPUTS, c->input, CALIBRATION_INPUTS, c->input_bf16);
    engram_linear_panels_amx(CALIBRATION_ROWS, CALIBRATION_INPUTS, c->input_bf16, CALIBRATION_INPUTS, c->packed_bf16,
                             0, CALIBRATION_OUTPUTS / ENGRAM_PANEL_WIDTH, c->output, CALIBRATION_OUTPUTS);
}

static int measured_level = -1, measured_amx_fastest = 0;
static double measured_float = 0, measured_bf16 = 0, measured_amx = 0;

/* Whether the BF16 dot products are worth having: on some CPUs that have them (seen on an Intel Xeon of
 * the 5th generation under a hypervisor) `vdpbf16ps` retires at a quarter of the rate of float FMAs, so
 * the float kernel is faster in spite of reading twice the weight bytes; on arm64, BFDOT's rate against
 * FMLA differs between cores as well. Both kernels run the same
 * small product (24 rows, 384 × 384, about 3.5 million multiply-adds, well under a millisecond), the best
 * of several runs each; the faster path wins. Where AMX is usable its kernel (on the BF16 panels) runs the
 * same product and is the fastest when it beats both by 10 %. */
static void measure_levels(void) {
    int level = engram_kernels_supported();
    if (level != CALIBRATION_BF16_LEVEL) {
        measured_level = level;
        return;
    }
    struct calibration c;
    const size_t weights = (size_t)CALIBRATION_OUTPUTS * CALIBRATION_INPUTS;
    c.weight = aligned_alloc(64, weights * sizeof(float));
    c.packed = aligned_alloc(64, weights * sizeof(float));
    c.packed_bf16 = aligned_alloc(64, weights * sizeof(uint16_t));
    c.input = aligned_alloc(64, (size_t)CALIBRATION_ROWS * CALIBRATION_INPUTS * sizeof(float));
    c.input_bf16 = aligned_alloc(64, (size_t)CALIBRATION_ROWS * CALIBRATION_INPUTS * sizeof(uint16_t));
    c.output = aligned_alloc(64, (size_t)CALIBRATION_ROWS * CALIBRATION_OUTPUTS * sizeof(float));
    if (!c.weight || !c.packed || !c.packed_bf16 || !c.input || !c.input_bf16 || !c.output) {
        measured_level = level;
    } else {
        uint32_t state = 12345;
        for (size_t i = 0; i < weights; i++) {
            state = state * 1664525u + 1013904223u;
            c.weight[i] = (float)(state >> 8) / 16777216.0f - 0.5f;
        }
        for (int i = 0; i < CALIBRATION_ROWS * CALIBRATION_INPUTS; i++) c.input[i] = c.weight[i];
        memset(c.output, 0, (size_t)CALIBRATION_ROWS * CALIBRATION_OUTPUTS * sizeof(float));
        engram_pack_panels(c.weight, CALIBRATION_OUTPUTS, CALIBRATION_INPUTS, c.packed);
        engram_pack_panels_bf16(c.weight, CALIBRATION_OUTPUTS, CALIBRATION_INPUTS, c.packed_bf16);
        /* Warm both (caches, clocks), then time them alternately, one run at a time, keeping each one's
         * fastest: a run slowed by another process on the core is discarded, and both see the same
         * conditions (about 5 ms in all). */
        const int amx = engram_amx_supported();
        run_float(&c); run_bf16(&c);
        if (amx) run_amx(&c);
        double float_time = 1e30, bf16_time = 1e30, amx_time = 1e30;
        for (int round = 0; round < 40; round++) {
            double f = fastest_of(1, run_float, &c), b = fastest_of(1, run_bf16, &c);
            if (f < float_time) float_time = f;
            if (b < bf16_time) bf16_time = b;
            if (amx) {
                double a = fastest_of(1, run_amx, &c);
                if (a < amx_time) amx_time = a;
            }
        }
        const double multiply_adds = (double)CALIBRATION_ROWS * CALIBRATION_INPUTS * CALIBRATION_OUTPUTS;
        measured_float = multiply_adds / float_time / 1e9;
        measured_bf16 = multiply_adds / bf16_time / 1e9;
        measured_amx = amx ? multiply_adds / amx_time / 1e9 : 0;
        /* BF16 must win clearly: it also rounds the inputs, and halves the weight bytes only. */
        measured_level = bf16_time * 1.1 < float_time ? CALIBRATION_BF16_LEVEL : CALIBRATION_FLOAT_LEVEL;
        measured_amx_fastest = amx && amx_time * 1.1 < (bf16_time < float_time ? bf16_time : float_time);
    }
    free(c.weight); free(c.packed); free(c.packed_bf16); free(c.input); free(c.input_bf16); free(c.output);
}

static pthread_once_t measured = PTHREAD_ONCE_INIT;

int engram_kernels_fastest(double *float_rate, double *bf16_rate, double *amx_rate) {
    pthread_once(&measured, measure_levels);
    if (float_rate) *float_rate = measured_float;
    if (bf16_rate) *bf16_rate = measured_bf16;
    if (amx_rate) *amx_rate = measured_amx;
    return measured_level;
}

int engram_amx_fastest(void) {
    pthread_once(&measured, measure_levels);
    return measured_amx_fastest;
}

