/* Quantizes f32 values (stdin, little-endian) with ggml's own reference quantizers and
 * writes the blocks to stdout: the C side of scripts/ref-vectors-ggml-c.sh. Built against a
 * ggml checkout's src/ggml-quants.c; the type is the first argument (ggml's names:
 * q4_0 … q8_K, iq4_nl = quantize_iq4_nl as llama-quantize calls it without an importance
 * matrix, iq4_nl_ref = quantize_row_iq4_nl_ref). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml-common.h"
#include "ggml-quants.h"

/* ggml-quants.c refers to these; the reference quantizers never call them. */
void ggml_abort(const char * file, int line, const char * fmt, ...) {
    fprintf(stderr, "ggml_abort at %s:%d (%s)\n", file, line, fmt);
    abort();
}
size_t ggml_row_size(enum ggml_type type, int64_t ne) { (void) type; (void) ne; return 0; }
const char * ggml_type_name(enum ggml_type type) { (void) type; return "?"; }
size_t ggml_type_size(enum ggml_type type) { (void) type; return 0; }

#define MAX_VALUES (1 << 20)

int main(int argc, char ** argv) {
    static float x[MAX_VALUES];
    static uint8_t y[MAX_VALUES * 2];
    if (argc != 2) {
        fprintf(stderr, "usage: %s TYPE < values.f32 > blocks.bin\n", argv[0]);
        return 2;
    }
    const char * t = argv[1];
    const size_t n = fread(x, sizeof(float), MAX_VALUES, stdin);
    size_t bytes = 0;
#define REF(name, block, per)                                  \
    if (strcmp(t, #name) == 0) {                               \
        if (n % per) return 3;                                 \
        quantize_row_##name##_ref(x, (block *) y, (int64_t) n); \
        bytes = n / per * sizeof(block);                       \
    }
    REF(q4_0, block_q4_0, QK4_0)
    REF(q4_1, block_q4_1, QK4_1)
    REF(q5_0, block_q5_0, QK5_0)
    REF(q5_1, block_q5_1, QK5_1)
    REF(q8_0, block_q8_0, QK8_0)
    REF(q2_K, block_q2_K, QK_K)
    REF(q3_K, block_q3_K, QK_K)
    REF(q4_K, block_q4_K, QK_K)
    REF(q5_K, block_q5_K, QK_K)
    REF(q6_K, block_q6_K, QK_K)
    REF(q8_K, block_q8_K, QK_K)
    if (strcmp(t, "iq4_nl") == 0) {
        /* llama-quantize's path (a search over 15 scales), not the _ref one below. */
        if (n % QK4_NL) return 3;
        quantize_iq4_nl(x, y, 1, (int64_t) n, NULL);
        bytes = n / QK4_NL * sizeof(block_iq4_nl);
    }
    if (strcmp(t, "iq4_nl_ref") == 0) {
        if (n % QK4_NL) return 3;
        quantize_row_iq4_nl_ref(x, (block_iq4_nl *) y, (int64_t) n);
        bytes = n / QK4_NL * sizeof(block_iq4_nl);
    }
    if (bytes == 0) {
        fprintf(stderr, "unknown type %s\n", t);
        return 2;
    }
    fwrite(y, 1, bytes, stdout);
    return 0;
}
