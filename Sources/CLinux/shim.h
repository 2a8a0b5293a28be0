#ifndef ENGRAM_CLINUX_SHIM_H
#define ENGRAM_CLINUX_SHIM_H
/* Linux readiness and wake-up primitives that Glibc's Swift module does not export. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
