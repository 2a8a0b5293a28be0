/*
 * Self-checking test of the C kernels (Sources/CEmbeddingKernels), at every instruction-set level this
 * CPU supports, against double-precision references written here. Built and run by
 * scripts/test-kernels.sh natively and, cross-compiled for arm64, under qemu-aarch64 with and without
 * BF16. Prints what it tested and which levels it skipped; exits 1 on any mismatch.
 *
 * Tolerances. A float sum of n products is off from the exact sum by at most about n·2⁻²⁴·Σ|products|
 * (any order, with or without FMA), and in practice by a few 2⁻²⁴·Σ|products|: rounding errors are
 * random in sign. The checks allow 1e-5·Σ|products| (2e-5 for BFDOT, whose sums round to odd, i.e. up
 * to an ulp instead of half an ulp): for the shapes here that is hundreds of times the rounding seen,
 * while a product that is missing, doubled or taken from the wrong weight moves the result by about
 * Σ|products|/n, at least 6e-4·Σ|products| for n ≤ 1536. Errors are measured against Σ|products|, not
 * the result, because the result may cancel to near zero.
 */
#include "EmbeddingKernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static long checks = 0;

#define EXPECT(condition, ...)                                                          \
    do {                                                                                \
        checks++;                                                                       \
        if (!(condition)) {                                                             \
            if (failures < 30) {                                                        \
                fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                    \
                fprintf(stderr, __VA_ARGS__);                                           \
                fputc('\n', stderr);                                                    \
            }                                                                           \
            failures++;                                                                 \
        }                                                                               \
    } while (0)

static uint64_t random_state = 0x9E3779B97F4A7C15ull;

/* A uniform float in [-1, 1). */
static float uniform(void) {
    random_state = random_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((int64_t)(random_state >> 40) - (1 << 23)) / (float)(1 << 23);
}

static void *allocate(size_t bytes) {
    void *memory = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!memory) { fprintf(stderr, "out of memory\n"); exit(2); }
    return memory;
}

static void fill(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) values[i] = uniform();
}

/* The test's own rounding to bfloat16 (to nearest, ties to even), as the header specifies. */
static uint16_t to_bfloat16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40u);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

static float from_bfloat16(uint16_t value) {
    uint32_t bits = (uint32_t)value << 16;
    float result;
    memcpy(&result, &bits, sizeof result);
    return result;
}

static const char *level_name(int level) {
    switch (level) {
    case ENGRAM_KERNELS_NONE: return "portable";
    case ENGRAM_KERNELS_AVX2: return "avx2";
    case ENGRAM_KERNELS_AVX512: return "avx512";
    case ENGRAM_KERNELS_AVX512_BF16: return "avx512-bf16";
    case ENGRAM_KERNELS_NEON: return "neon";
    case ENGRAM_KERNELS_NEON_BF16: return "neon-bf16";
    default: return "?";
    }
}

/* The levels of this architecture, lowest first, and the best one the CPU has. */
#if defined(__x86_64__) || defined(__i386__)
static const int family[] = {ENGRAM_KERNELS_NONE, ENGRAM_KERNELS_AVX2, ENGRAM_KERNELS_AVX512, ENGRAM_KERNELS_AVX512_BF16};
static const int bf16_level = ENGRAM_KERNELS_AVX512_BF16;
#elif defined(__aarch64__)
static const int family[] = {ENGRAM_KERNELS_NONE, ENGRAM_KERNELS_NEON, ENGRAM_KERNELS_NEON_BF16};
static const int bf16_level = ENGRAM_KERNELS_NEON_BF16;
#else
static const int family[] = {ENGRAM_KERNELS_NONE};
static const int bf16_level = -1;
#endif
enum { FAMILY_SIZE = sizeof family / sizeof family[0] };

static int supported;

/* The family is this architecture's, so a level of it is supported when not above the CPU's best. */
static int level_supported(int level) { return level <= supported; }

/* Shapes of the linear tests: every row-block remainder, odd and even input counts, 1 to 3 panels. */
static const int row_counts[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 16, 24, 40, 47, 64, 300};
static const int input_counts[] = {8, 9, 33, 127, 384, 1536};
static const int output_counts[] = {32, 96};
enum { ROW_SHAPES = sizeof row_counts / sizeof row_counts[0], INPUT_SHAPES = sizeof input_counts / sizeof input_counts[0],
       OUTPUT_SHAPES = sizeof output_counts / sizeof output_counts[0] };

/*
 * One linear product on packed panels: input rows `inputs + 3` floats apart, output rows `outputs + 5`
 * apart, starting from random values (the kernels add), over the panels `first ..< end` (columns outside
 * them must stay as they were). With `bf16`, the bfloat16 panels and rounded inputs, and the reference
 * multiplies the bfloat16 roundings of both factors; `bf16` 2 runs the AMX kernel on them.
 */
static void check_linear(int level, int bf16, int rows, int inputs, int outputs, int first, int end, double *worst) {
    const ptrdiff_t input_stride = inputs + 3, output_stride = outputs + 5;
    const int width = (inputs + 1) & ~1;
    float *weight = allocate((size_t)outputs * inputs * sizeof(float));
    float *input = allocate((size_t)rows * input_stride * sizeof(float));
    float *output = allocate((size_t)rows * output_stride * sizeof(float));
    float *before = allocate((size_t)rows * output_stride * sizeof(float));
    fill(weight, (size_t)outputs * inputs);
    fill(input, (size_t)rows * input_stride);
    fill(output, (size_t)rows * output_stride);
    memcpy(before, output, (size_t)rows * output_stride * sizeof(float));

    if (bf16) {
        uint16_t *packed = allocate((size_t)outputs * width * sizeof(uint16_t));
        uint16_t *rounded = allocate((size_t)rows * width * sizeof(uint16_t));
        engram_pack_panels_bf16(weight, outputs, inputs, packed);
        memset(rounded, 0xAB, (size_t)rows * width * sizeof(uint16_t));
        engram_round_rows_bf16(rows, inputs, input, input_stride, rounded);
        for (int t = 0; t < rows; t++) {
            for (int i = 0; i < width; i++) {
                const uint16_t expected = i < inputs ? to_bfloat16(input[t * input_stride + i]) : 0;
                EXPECT(rounded[(size_t)t * width + i] == expected, "%s round_rows_bf16 row %d column %d: %04x, expected %04x",
                       level_name(level), t, i, rounded[(size_t)t * width + i], expected);
            }
        }
        if (bf16 == 2) {
            engram_linear_panels_amx(rows, inputs, rounded, width, packed, first, end, output, output_stride);
        } else {
            engram_linear_panels_bf16(rows, inputs, rounded, width, packed, first, end, output, output_stride);
        }
        free(packed);
        free(rounded);
    } else {
        float *packed = allocate((size_t)outputs * inputs * sizeof(float));
        engram_pack_panels(weight, outputs, inputs, packed);
        engram_linear_panels(level, rows, inputs, input, input_stride, packed, first, end, output, output_stride);
        free(packed);
    }

    const double tolerance = bf16 ? 2e-5 : 1e-5;
    for (int t = 0; t < rows; t++) {
        for (int o = 0; o < output_stride; o++) {
            const float got = output[t * output_stride + o];
            if (o >= outputs || o < first * ENGRAM_PANEL_WIDTH || o >= end * ENGRAM_PANEL_WIDTH) {
                EXPECT(memcmp(&got, &before[t * output_stride + o], sizeof got) == 0,
                       "%s linear rows %d inputs %d outputs %d: column %d outside panels %d..<%d was written",
                       level_name(level), rows, inputs, outputs, o, first, end);
                continue;
            }
            double sum = before[t * output_stride + o], magnitude = fabs(sum);
            for (int i = 0; i < inputs; i++) {
                double x = input[t * input_stride + i], w = weight[(size_t)o * inputs + i];
                if (bf16) {
                    x = from_bfloat16(to_bfloat16((float)x));
                    w = from_bfloat16(to_bfloat16((float)w));
                }
                sum += x * w;
                magnitude += fabs(x * w);
            }
            const double error = fabs(got - sum) / magnitude;
            if (error > *worst) *worst = error;
            EXPECT(error <= tolerance, "%s%s linear rows %d inputs %d outputs %d [%d][%d]: %.9g, expected %.9g (error %.3g of the products' sum)",
                   level_name(level), bf16 ? " bf16" : "", rows, inputs, outputs, t, o, got, sum, error);
        }
    }
    free(weight); free(input); free(output); free(before);
}

static void test_linear(int level, int bf16) {
    double worst = 0;
    int products = 0;
    for (int a = 0; a < ROW_SHAPES; a++) {
        for (int b = 0; b < INPUT_SHAPES; b++) {
            if (bf16 == 2 && input_counts[b] % ENGRAM_AMX_INPUT_STEP != 0) continue;
            for (int c = 0; c < OUTPUT_SHAPES; c++) {
                const int panels = output_counts[c] / ENGRAM_PANEL_WIDTH;
                /* All panels, and (with three) the middle one alone, as a helper thread would run it. */
                check_linear(level, bf16, row_counts[a], input_counts[b], output_counts[c], 0, panels, &worst);
                products++;
                if (panels == 3 && row_counts[a] % 4 == 1) {
                    check_linear(level, bf16, row_counts[a], input_counts[b], output_counts[c], 1, 2, &worst);
                    products++;
                }
            }
        }
    }
    printf("  %-12s %s panels: %d products (rows 1..300, inputs %s, outputs 32/96), worst error %.2g of Σ|products|\n",
           bf16 == 2 ? "amx-bf16" : level_name(level), bf16 ? "bf16 " : "float", products,
           bf16 == 2 ? "384 and 1536" : "8..1536", worst);
}

static void test_row_major(void) {
    double worst = 0;
    const int shapes[][3] = {{1, 8, 1}, {3, 17, 5}, {13, 384, 7}, {5, 33, 40}};
    for (int s = 0; s < 4; s++) {
        const int rows = shapes[s][0], inputs = shapes[s][1], outputs = shapes[s][2];
        float *weight = allocate((size_t)outputs * inputs * sizeof(float));
        float *input = allocate((size_t)rows * inputs * sizeof(float));
        float *output = allocate((size_t)rows * outputs * sizeof(float));
        float *before = allocate((size_t)rows * outputs * sizeof(float));
        fill(weight, (size_t)outputs * inputs); fill(input, (size_t)rows * inputs); fill(output, (size_t)rows * outputs);
        memcpy(before, output, (size_t)rows * outputs * sizeof(float));
        engram_linear_row_major(rows, inputs, outputs, input, weight, output);
        for (int t = 0; t < rows; t++) {
            for (int o = 0; o < outputs; o++) {
                double sum = before[t * outputs + o], magnitude = fabs(sum);
                for (int i = 0; i < inputs; i++) {
                    sum += (double)input[t * inputs + i] * weight[(size_t)o * inputs + i];
                    magnitude += fabs((double)input[t * inputs + i] * weight[(size_t)o * inputs + i]);
                }
                const double error = fabs(output[t * outputs + o] - sum) / magnitude;
                if (error > worst) worst = error;
                EXPECT(error <= 1e-5, "row-major rows %d inputs %d outputs %d [%d][%d]: %.9g, expected %.9g",
                       rows, inputs, outputs, t, o, output[t * outputs + o], sum);
            }
        }
        free(weight); free(input); free(output); free(before);
    }
    printf("  row-major linear (unpackable weights): 4 shapes, worst error %.2g of Σ|products|\n", worst);
}

/* GELU: A&S 7.1.26 is within 1.5e-7 of erf, so the result within 0.5·|x|·1.5e-7 of the exact GELU, plus
 * float rounding of a handful of operations and of eˣ (about 2 ulp): allowed 1e-7·|x| + 1e-6·|GELU|. */
static void test_gelu(void) {
    enum { COUNT = 4099 };
    float *values = allocate(COUNT * sizeof(float)), *original = allocate(COUNT * sizeof(float));
    for (int i = 0; i < COUNT; i++) values[i] = -12.0f + 24.0f * (float)i / (COUNT - 1);
    values[0] = 0; values[1] = -0.0f; values[2] = 1e-30f; values[3] = -50; values[4] = 50; values[5] = -5.5f;
    memcpy(original, values, COUNT * sizeof(float));
    engram_gelu(values, COUNT);
    double worst = 0;
    for (int i = 0; i < COUNT; i++) {
        const double x = original[i], exact = 0.5 * x * (1 + erf(x / sqrt(2.0)));
        const double error = fabs(values[i] - exact), allowed = 1e-7 * fabs(x) + 1e-6 * fabs(exact) + 1e-37;
        if (error / allowed > worst) worst = error / allowed;
        EXPECT(error <= allowed, "gelu(%.9g) = %.9g, expected %.9g", x, values[i], exact);
    }
    printf("  gelu: %d values in [-12, 12] and edge cases, worst error %.2g of the allowance\n", COUNT, worst);
    free(values); free(original);
}

/* Softmax, relative error per value: the float x − max rounds eˣ's argument by up to |x − max|·2⁻²⁴
 * (up to 2e-6 here, where |x − max| ≤ 40), eˣ is within about 2 ulp, the float sum of n terms in 16
 * interleaved partial sums errs by at most (n/16 + 16)·2⁻²⁴, and one multiply rounds: allowed twice
 * |x − max|·2⁻²⁴ + (n/16 + 20)·2⁻²⁴. */
static void test_softmax(void) {
    const int counts[] = {1, 5, 16, 17, 100, 385};
    double worst = 0;
    for (int c = 0; c < 6; c++) {
        const int count = counts[c], rows = 3;
        float *values = allocate((size_t)rows * count * sizeof(float)), *original = allocate((size_t)rows * count * sizeof(float));
        for (int i = 0; i < rows * count; i++) values[i] = 20 * uniform();
        memcpy(original, values, (size_t)rows * count * sizeof(float));
        engram_softmax_rows(values, rows, count);
        for (int r = 0; r < rows; r++) {
            double largest = -INFINITY, sum = 0;
            for (int i = 0; i < count; i++) largest = fmax(largest, original[r * count + i]);
            for (int i = 0; i < count; i++) sum += exp(original[r * count + i] - largest);
            for (int i = 0; i < count; i++) {
                const double allowed = 2 * (fabs(original[r * count + i] - largest) + count / 16.0 + 20) * ldexp(1, -24);
                const double exact = exp(original[r * count + i] - largest) / sum;
                const double error = fabs(values[r * count + i] - exact) / exact;
                if (error / allowed > worst) worst = error / allowed;
                EXPECT(error <= allowed,
                       "softmax count %d row %d [%d]: %.9g, expected %.9g", count, r, i, values[r * count + i], exact);
            }
        }
        free(values); free(original);
    }
    printf("  softmax: rows of 1..385, worst error %.2g of the allowance\n", worst);
}

/* One attention head against softmax(scale·Q·Kᵀ)·V in double. A score, a float sum of head_size
 * products (the query scaled first, one more rounding), errs by at most (head_size + 1)·2⁻²⁴·S, S the
 * largest Σ|scale·q·k| of the row; a weight then errs relatively by at most twice that plus the
 * softmax's own few 2⁻²⁴, and the output, an average of values, by that times max|v| plus the rounding
 * of its own sum over the keys: allowed max|v|·2⁻²⁴·(2·(head_size + 1)·S + 2·length + 40). */
static void test_attention(void) {
    const int lengths[] = {1, 2, 7, 13, 40};
    const int head_sizes[] = {32, 64};
    double worst = 0;
    int heads = 0;
    for (int l = 0; l < 5; l++) {
        for (int h = 0; h < 2; h++) {
            const int length = lengths[l], head_size = head_sizes[h];
            const ptrdiff_t stride = 3 * head_size + 7, output_stride = head_size + 3;
            const float scale = 1.0f / sqrtf((float)head_size);
            float *qkv = allocate((size_t)length * stride * sizeof(float));
            float *scratch = allocate(ENGRAM_ATTENTION_SCRATCH(length, head_size) * sizeof(float));
            float *output = allocate((size_t)length * output_stride * sizeof(float));
            double *scores = malloc((size_t)length * sizeof(double));
            fill(qkv, (size_t)length * stride);
            for (int i = 0; i < length * stride; i++) qkv[i] *= 3; /* scores of a few units, as in BERT */
            const float *queries = qkv, *keys = qkv + head_size, *values = qkv + 2 * head_size;
            engram_attention_head(length, head_size, queries, keys, values, stride, scale, scratch, output, output_stride);
            for (int i = 0; i < length; i++) {
                double largest = -INFINITY, sum = 0, magnitude = 0, top = 0;
                for (int j = 0; j < length; j++) {
                    double s = 0, m = 0;
                    for (int d = 0; d < head_size; d++) {
                        s += (double)queries[i * stride + d] * scale * keys[j * stride + d];
                        m += fabs((double)queries[i * stride + d] * scale * keys[j * stride + d]);
                    }
                    scores[j] = s;
                    largest = fmax(largest, s);
                    magnitude = fmax(magnitude, m);
                    for (int d = 0; d < head_size; d++) top = fmax(top, fabs(values[j * stride + d]));
                }
                const double allowed = top * ldexp(1, -24) * (2 * (head_size + 1) * magnitude + 2 * length + 40);
                for (int j = 0; j < length; j++) sum += (scores[j] = exp(scores[j] - largest));
                for (int d = 0; d < head_size; d++) {
                    double exact = 0;
                    for (int j = 0; j < length; j++) exact += scores[j] / sum * values[j * stride + d];
                    const double error = fabs(output[i * output_stride + d] - exact);
                    if (error / allowed > worst) worst = error / allowed;
                    EXPECT(error <= allowed, "attention length %d head %d [%d][%d]: %.9g, expected %.9g",
                           length, head_size, i, d, output[i * output_stride + d], exact);
                }
            }
            heads++;
            free(qkv); free(scratch); free(output); free(scores);
        }
    }
    printf("  attention: %d heads (lengths 1..40, head sizes 32/64), worst error %.2g of the allowance\n", heads, worst);
}

static const int dimensions[] = {1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 37, 384, 385, 1536};
enum { DIMENSIONS = sizeof dimensions / sizeof dimensions[0], SCAN_ROWS = 23 };

static void test_dot_rows(void) {
    double worst = 0;
    for (int d = 0; d < DIMENSIONS; d++) {
        const int dimension = dimensions[d];
        float *query = allocate((size_t)dimension * sizeof(float)), *rows = allocate((size_t)SCAN_ROWS * dimension * sizeof(float));
        float scores[SCAN_ROWS];
        fill(query, (size_t)dimension); fill(rows, (size_t)SCAN_ROWS * dimension);
        engram_dot_rows(query, rows, dimension, SCAN_ROWS, scores);
        for (int r = 0; r < SCAN_ROWS; r++) {
            double sum = 0, magnitude = 1e-300;
            for (int i = 0; i < dimension; i++) {
                sum += (double)query[i] * rows[r * dimension + i];
                magnitude += fabs((double)query[i] * rows[r * dimension + i]);
            }
            const double error = fabs(scores[r] - sum) / magnitude;
            if (error > worst) worst = error;
            EXPECT(error <= 1e-5, "dot_rows dimension %d row %d: %.9g, expected %.9g", dimension, r, scores[r], sum);
        }
        free(query); free(rows);
    }
    printf("  dot_rows (the CPU's best path): dimensions 1..1536, worst error %.2g of Σ|products|\n", worst);
}

/* The int8 scan: codes widen exactly, so the same float-sum tolerance holds; codes span all of -128..127. */
static void test_dot_rows_i8(int level) {
    double worst = 0;
    for (int d = 0; d < DIMENSIONS; d++) {
        const int dimension = dimensions[d];
        float *query = allocate((size_t)dimension * sizeof(float));
        int8_t *rows = allocate((size_t)SCAN_ROWS * dimension);
        float scores[SCAN_ROWS], best[SCAN_ROWS];
        fill(query, (size_t)dimension);
        for (int i = 0; i < SCAN_ROWS * dimension; i++) rows[i] = (int8_t)(int)floorf(128 * uniform());
        engram_dot_rows_i8_at(level, query, rows, dimension, SCAN_ROWS, scores);
        if (level == supported) {
            engram_dot_rows_i8(query, rows, dimension, SCAN_ROWS, best);
            EXPECT(memcmp(best, scores, sizeof best) == 0, "dot_rows_i8 differs from dot_rows_i8_at(%s), dimension %d",
                   level_name(level), dimension);
        }
        for (int r = 0; r < SCAN_ROWS; r++) {
            double sum = 0, magnitude = 1e-300;
            for (int i = 0; i < dimension; i++) {
                sum += (double)query[i] * rows[r * dimension + i];
                magnitude += fabs((double)query[i] * rows[r * dimension + i]);
            }
            const double error = fabs(scores[r] - sum) / magnitude;
            if (error > worst) worst = error;
            EXPECT(error <= 1e-5, "%s dot_rows_i8 dimension %d row %d: %.9g, expected %.9g", level_name(level), dimension, r, scores[r], sum);
        }
        free(query); free(rows);
    }
    printf("  %-12s dot_rows_i8: dimensions 1..1536, worst error %.2g of Σ|products|\n", level_name(level), worst);
}

/* The documented quantization, scalar and in double where it sums: codes and scales must match bit for bit. */
static void reference_quantize(const float *row, int dimension, int8_t *codes, float *scale_out, double *residual, double *norm) {
    float top = 0;
    for (int i = 0; i < dimension; i++) top = fabsf(row[i]) > top ? fabsf(row[i]) : top;
    const float scale = top / 127.0f, inverse = top > 0 ? 127.0f / top : 0.0f;
    *residual = 0; *norm = 0;
    for (int i = 0; i < dimension; i++) {
        float code = nearbyintf(row[i] * inverse);
        code = code > 127 ? 127 : (code < -127 ? -127 : code);
        if (code != code) code = 0;
        codes[i] = (int8_t)code;
        const double difference = (double)row[i] - (double)scale * code;
        *residual += difference * difference;
        *norm += (double)row[i] * row[i];
    }
    *residual = sqrt(*residual); *norm = sqrt(*norm);
    *scale_out = scale;
}

/*
 * Quantization: random rows of every dimension, a zero row, and a row whose values scale to exact
 * halves (ties go to even: 2.5 → 2, 3.5 → 4, -2.5 → -2, 0.5 → 0) — a kernel rounding half away from zero
 * would differ there. Norms: float sums of squares, relative error well under 1e-5 (see the top); the
 * residual's components are rounded once (FMA), so it too is within 1e-5 relative, plus 1e-7 of the norm
 * for a residual that is nearly zero. A row with a NaN or an infinity must have a norm that is not finite.
 */
static void test_quantize(int level) {
    int rows_checked = 0;
    for (int d = 0; d < DIMENSIONS + 2; d++) {
        const int dimension = d < DIMENSIONS ? dimensions[d] : 19;
        const int count = 9;
        float *rows = allocate((size_t)count * dimension * sizeof(float));
        for (int i = 0; i < count * dimension; i++) rows[i] = uniform() * (1 + (i / dimension));
        memset(rows, 0, (size_t)dimension * sizeof(float)); /* row 0: all zero */
        if (d == DIMENSIONS) {
            const float ties[] = {127, 2.5f, 3.5f, -2.5f, -0.5f, 0.5f, 126.5f, -126.5f, 1.5f, -3.5f, 64.5f, -0.25f, 0, -0.0f, 5.5f, 6.5f, -7.5f, 8.5f, 9.5f};
            memcpy(rows + dimension, ties, sizeof ties);
        }
        if (d == DIMENSIONS + 1) {
            rows[2 * dimension + 5] = NAN;
            rows[3 * dimension + 17] = INFINITY;
            rows[4 * dimension + 1] = -INFINITY;
        }
        int8_t *codes = allocate((size_t)count * dimension), *expected = allocate((size_t)dimension);
        float scales[9], residuals[9], norms[9];
        engram_quantize_rows_at(level, rows, dimension, count, codes, scales, residuals, norms);
        if (level == supported) {
            int8_t *best = allocate((size_t)count * dimension);
            float s2[9], r2[9], n2[9];
            engram_quantize_rows(rows, dimension, count, best, s2, r2, n2);
            EXPECT(memcmp(best, codes, (size_t)count * dimension) == 0 && memcmp(s2, scales, sizeof s2) == 0 &&
                   memcmp(r2, residuals, sizeof r2) == 0, "quantize_rows differs from quantize_rows_at(%s)", level_name(level));
            free(best);
        }
        for (int r = 0; r < count; r++) {
            const float *row = rows + (size_t)r * dimension;
            int finite = 1;
            for (int i = 0; i < dimension; i++) finite &= isfinite(row[i]) != 0;
            if (!finite) {
                EXPECT(!isfinite(norms[r]), "%s quantize dimension %d row %d: not finite, norm %g", level_name(level), dimension, r, norms[r]);
                continue;
            }
            float scale;
            double residual, norm;
            reference_quantize(row, dimension, expected, &scale, &residual, &norm);
            EXPECT(memcmp(&scale, &scales[r], sizeof scale) == 0, "%s quantize dimension %d row %d: scale %.9g, expected %.9g",
                   level_name(level), dimension, r, scales[r], scale);
            for (int i = 0; i < dimension; i++) {
                EXPECT(codes[(size_t)r * dimension + i] == expected[i], "%s quantize dimension %d row %d [%d] = %.9g: code %d, expected %d",
                       level_name(level), dimension, r, i, row[i], codes[(size_t)r * dimension + i], expected[i]);
            }
            EXPECT(fabs(norms[r] - norm) <= 1e-5 * norm, "%s quantize dimension %d row %d: norm %.9g, expected %.9g",
                   level_name(level), dimension, r, norms[r], norm);
            EXPECT(fabs(residuals[r] - residual) <= 1e-5 * residual + 1e-7 * norm, "%s quantize dimension %d row %d: residual %.9g, expected %.9g",
                   level_name(level), dimension, r, residuals[r], residual);
            rows_checked++;
        }
        free(rows); free(codes); free(expected);
    }
    printf("  %-12s quantize_rows: %d rows (dimensions 1..1536, zero row, ties to even, NaN and infinities)\n",
           level_name(level), rows_checked);
}

/* Rounding to bfloat16 at its edges: ties both ways, the largest finite value, infinities, NaN. */
static void test_round_bf16(void) {
    const uint32_t patterns[] = {0x3f808000u, 0x3f818000u, 0x3f807fffu, 0x3f808001u, 0xbf808000u, 0xbf818000u,
                                 0x7f7fffffu, 0x7f800000u, 0xff800000u, 0x00000000u, 0x80000000u, 0x3f800000u,
                                 0x4049fdb0u, 0xc2f6e979u, 0x7f7f8000u, 0x01000000u, 0x3e9a209bu};
    enum { N = sizeof patterns / sizeof patterns[0] };
    float values[N + 2];
    uint16_t rounded[N + 3];
    for (int i = 0; i < N; i++) memcpy(&values[i], &patterns[i], sizeof(float));
    values[N] = NAN;
    values[N + 1] = -1.25f;
    engram_round_rows_bf16(1, N + 2, values, N + 2, rounded);
    for (int i = 0; i < N + 2; i++) {
        if (values[i] != values[i]) {
            EXPECT((rounded[i] & 0x7fffu) > 0x7f80u, "round_rows_bf16(NaN) = %04x, not a NaN", rounded[i]);
        } else {
            EXPECT(rounded[i] == to_bfloat16(values[i]), "round_rows_bf16(%08x) = %04x, expected %04x", patterns[i], rounded[i], to_bfloat16(values[i]));
        }
    }
    EXPECT(rounded[N + 2] == 0, "round_rows_bf16 of an odd row does not end with a zero");
    printf("  round_rows_bf16: ties to even, overflow to infinity, infinities, NaN, odd row padding\n");
}

int main(void) {
    supported = engram_kernels_supported();
    double float_rate = 0, bf16_rate = 0, amx_rate = 0;
    const int fastest = engram_kernels_fastest(&float_rate, &bf16_rate, &amx_rate);
    printf("kernels test: supported level %s, fastest %s%s (measured float %.2f, bf16 %.2f, amx %.2f billion multiply-adds/s, meaningless under an emulator)\n",
           level_name(supported), level_name(fastest), engram_amx_fastest() ? " with amx-bf16" : "", float_rate, bf16_rate, amx_rate);
    EXPECT(!engram_amx_fastest() || engram_amx_supported(), "AMX measured fastest but not supported");
    EXPECT(fastest <= supported && level_supported(fastest), "fastest level %d is not supported", fastest);
    /* The script names the level a CPU model must have (qemu's `-cpu max` must run the BF16 path). */
    const char *expected = getenv("ENGRAM_EXPECT_LEVEL");
    EXPECT(!expected || strcmp(expected, level_name(supported)) == 0, "expected level %s on this CPU, found %s",
           expected, level_name(supported));

    for (int f = 0; f < FAMILY_SIZE; f++) {
        const int level = family[f];
        if (!level_supported(level)) {
            printf("  %-12s skipped: %s\n", level_name(level),
                   level == bf16_level ? "no BF16 on this CPU" : "this CPU lacks its instructions");
            continue;
        }
        if (level == bf16_level) {
            test_linear(level, 1);
            test_round_bf16();
            if (engram_amx_supported()) {
                test_linear(level, 2);
            } else {
                printf("  %-12s skipped: %s\n", "amx-bf16",
#if defined(__x86_64__)
                       "no AMX on this CPU, or the system does not grant its tile state"
#else
                       "an x86 path"
#endif
                );
            }
        } else {
            test_linear(level, 0);
            test_dot_rows_i8(level);
            test_quantize(level);
        }
    }
    test_row_major();
    test_dot_rows();
    test_gelu();
    test_softmax();
    test_attention();

    if (failures) {
        printf("kernels test: %d of %ld checks FAILED\n", failures, checks);
        return 1;
    }
    printf("kernels test: all %ld checks passed\n", checks);
    return 0;
}
