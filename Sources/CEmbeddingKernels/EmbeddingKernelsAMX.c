/*
 * Intel AMX (Advanced Matrix Extensions) for the linear layers, on the bfloat16 panels of
 * `engram_pack_panels_bf16`.
 *
 * AMX adds eight tile registers of up to 16 rows × 64 bytes and TDPBF16PS, which multiplies a 16 × 32
 * tile of bfloat16 inputs by a 32 × 16 tile of bfloat16 weights into a 16 × 16 tile of float sums: 8192
 * multiply-adds per instruction, about 16 times the rate of VDPBF16PS on one core. Its weight operand
 * holds, per row, the pairs of consecutive inputs of 16 outputs; that is exactly how a bfloat16 panel
 * stores the pairs of its 32 outputs, so the two halves of a panel load as two weight tiles with a
 * stride of 128 bytes and the weights need no layout of their own.
 *
 * Blocking: two 16-row blocks of inputs against one panel keep four sum tiles (32 rows × 32 outputs),
 * two input tiles and two weight tiles, all eight registers; each weight tile is used twice and each
 * input tile twice per load. The sums start from the output (which holds the bias and the residual),
 * so the product adds to it like the other kernels.
 *
 * Linux grants a process the 8 KB of tile state only on request (arch_prctl ARCH_REQ_XCOMP_PERM for
 * XTILEDATA); `engram_amx_supported` asks once. Each call ends with TILERELEASE, so a thread that has
 * left the kernel has no tile state for the kernel to save at a context switch.
 */

#include "EmbeddingKernels.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

static int amx_usable = 0;

static void request_tiles(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bf16")) return;
    /* CPUID leaf 7, subleaf 0, EDX: bit 22 AMX-BF16, bit 24 AMX-TILE. */
    unsigned int eax, ebx, ecx, edx;
    __asm__ __volatile__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(7), "c"(0));
    if (!(edx & (1u << 22)) || !(edx & (1u << 24))) return;
    /* The kernel refuses where it does not manage the tile state (before Linux 5.16, or XFD off). */
    amx_usable = syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
}

int engram_amx_supported(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, request_tiles);
    return amx_usable;
}

/* The 64-byte operand of LDTILECFG: palette 1, and per tile its bytes per row and rows. */
struct tile_config {
    uint8_t palette;
    uint8_t start_row;
    uint8_t reserved[14];
    uint16_t bytes_per_row[16];
    uint8_t rows[16];
};

/* Tiles 0–3: sums (block 0 outputs 0–15 and 16–31, block 1 likewise); 4, 5: inputs of blocks 0 and 1;
 * 6, 7: the weights of outputs 0–15 and 16–31 of a panel. A block of `first` rows and one of `second`
 * (0 when there is a single block). */
#define AMX __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bf16")))

/* Rows per chunk: 256 rows of 1536 rounded inputs are 768 KB. A multiple of 32. */
enum { ROW_CHUNK = 256 };

AMX static void configure(int first, int second) {
    struct tile_config config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    const int rows[8] = {first, first, second, second, first, second, 16, 16};
    for (int tile = 0; tile < 8; tile++) {
        if (rows[tile] == 0) continue;
        config.rows[tile] = (uint8_t)rows[tile];
        config.bytes_per_row[tile] = 64;
    }
    _tile_loadconfig(&config);
}

/* `pairs` pairs of row blocks (the pair at row 32·j: blocks of rows 32·j and 32·j + 16, inputs `input`,
 * rows `input_stride` values apart, results in `output`) against the panels `first_panel ..< end_panel`,
 * `steps` steps of 32 inputs each; the tiles are configured for the blocks. A pair's inputs (at most
 * 96 KB) stay in the first-level cache while the panels pass; the panels of one product (at most 1.2 MB
 * for this model) stay in the second-level cache from one pair to the next. Measured against panels
 * outside and pairs inside, this order was as fast for a long text and 10 % faster for a batch. */
AMX static void block_pairs(int steps, int pairs, const uint16_t *input, ptrdiff_t input_stride,
                            const uint16_t *packed, int first_panel, int end_panel, float *output, ptrdiff_t output_stride) {
    const size_t input_bytes = (size_t)input_stride * sizeof(uint16_t);
    const size_t output_bytes = (size_t)output_stride * sizeof(float);
    for (int j = 0; j < pairs; j++) {
        const uint16_t *a0 = input + 32 * j * input_stride, *a1 = a0 + 16 * input_stride;
        for (int p = first_panel; p < end_panel; p++) {
            const uint16_t *panel = packed + (size_t)p * 32 * 32 * steps;
            float *y0 = output + 32 * j * output_stride + (size_t)p * 32, *y1 = y0 + 16 * output_stride;
            _tile_loadd(0, y0, output_bytes);
            _tile_loadd(1, y0 + 16, output_bytes);
            _tile_loadd(2, y1, output_bytes);
            _tile_loadd(3, y1 + 16, output_bytes);
            for (int k = 0; k < steps; k++) {
                const uint16_t *weights = panel + (size_t)k * 16 * 64;
                _tile_loadd(4, a0 + k * 32, input_bytes);
                _tile_loadd(6, weights, 128);
                _tile_loadd(7, weights + 32, 128);
                _tile_dpbf16ps(0, 4, 6);
                _tile_dpbf16ps(1, 4, 7);
                _tile_loadd(5, a1 + k * 32, input_bytes);
                _tile_dpbf16ps(2, 5, 6);
                _tile_dpbf16ps(3, 5, 7);
            }
            _tile_stored(0, y0, output_bytes);
            _tile_stored(1, y0 + 16, output_bytes);
            _tile_stored(2, y1, output_bytes);
            _tile_stored(3, y1 + 16, output_bytes);
        }
    }
}

/* One row block: as `block_pairs` with one block and tiles 0, 1, 4, 6 and 7. A short text's product reads its weights
 * from memory, so this also prefetches the next panel into the second-level cache, one row of weights
 * per row of the tile. */
AMX static void one_block(int steps, const uint16_t *a0, size_t input_bytes,
                          const uint16_t *packed, int first_panel, int end_panel, float *out0, size_t output_bytes) {
    for (int p = first_panel; p < end_panel; p++) {
        const uint16_t *panel = packed + (size_t)p * 32 * 32 * steps;
        const char *ahead = p + 1 < end_panel ? (const char *)(panel + 32 * 32 * steps) : NULL;
        float *y0 = out0 + (size_t)p * 32;
        _tile_loadd(0, y0, output_bytes);
        _tile_loadd(1, y0 + 16, output_bytes);
        for (int k = 0; k < steps; k++) {
            const uint16_t *weights = panel + (size_t)k * 16 * 64;
            if (ahead) {
                for (int line = 0; line < 32; line++) _mm_prefetch(ahead + (size_t)k * 2048 + line * 64, _MM_HINT_T1);
            }
            _tile_loadd(4, a0 + k * 32, input_bytes);
            _tile_loadd(6, weights, 128);
            _tile_loadd(7, weights + 32, 128);
            _tile_dpbf16ps(0, 4, 6);
            _tile_dpbf16ps(1, 4, 7);
        }
        _tile_stored(0, y0, output_bytes);
        _tile_stored(1, y0 + 16, output_bytes);
    }
}

AMX void engram_linear_panels_amx(int rows, int inputs, const uint16_t *input, ptrdiff_t input_stride,
                                  const uint16_t *packed, int first_panel, int end_panel,
                                  float *output, ptrdiff_t output_stride) {
    if (rows <= 0 || first_panel >= end_panel) return;
    const int steps = inputs / 32;
    /* Rows in chunks whose rounded inputs stay in the core's second-level cache while the panels pass
     * over them (a batch of long texts has thousands of rows); in each, the whole pairs of 16-row blocks.
     * Then the rows left, as a pair with a shorter second block or as one block: another configuration,
     * and another pass over the panels, which the pairs have just brought into the cache. */
    const int whole = rows / 32 * 32;
    if (whole > 0) configure(16, 16);
    for (int chunk = 0; chunk < whole; chunk += ROW_CHUNK) {
        const int pairs = (whole - chunk < ROW_CHUNK ? whole - chunk : ROW_CHUNK) / 32;
        block_pairs(steps, pairs, input + chunk * input_stride, input_stride, packed, first_panel, end_panel,
                    output + chunk * output_stride, output_stride);
    }
    const int left = rows - whole;
    const uint16_t *x = input + whole * input_stride;
    float *y = output + whole * output_stride;
    if (left > 16) {
        configure(16, left - 16);
        block_pairs(steps, 1, x, input_stride, packed, first_panel, end_panel, y, output_stride);
    } else if (left > 0) {
        configure(left, 0);
        one_block(steps, x, (size_t)input_stride * sizeof(uint16_t), packed, first_panel, end_panel, y,
                  (size_t)output_stride * sizeof(float));
    }
    _tile_release();
}

#else

int engram_amx_supported(void) { return 0; }

void engram_linear_panels_amx(int rows, int inputs, const uint16_t *input, ptrdiff_t input_stride,
                              const uint16_t *packed, int first_panel, int end_panel,
                              float *output, ptrdiff_t output_stride) {
    (void)rows; (void)inputs; (void)input; (void)input_stride; (void)packed;
    (void)first_panel; (void)end_panel; (void)output; (void)output_stride;
    __builtin_trap(); /* never called: engram_amx_supported() is 0 here */
}

#endif
