#ifndef ENGRAM_CBLAS_SHIM_H
#define ENGRAM_CBLAS_SHIM_H
/* pkg-config openblas adds the include path of Debian's OpenBLAS flavour. */
#include <cblas.h>
#endif
