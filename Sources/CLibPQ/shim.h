#ifndef ENGRAM_CLIBPQ_SHIM_H
#define ENGRAM_CLIBPQ_SHIM_H
/* pkg-config libpq adds -I/usr/include/postgresql, where Debian keeps this header. */
#include <libpq-fe.h>
#endif
