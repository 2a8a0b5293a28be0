#ifndef ENGRAM_CLINUX_SHIM_H
#define ENGRAM_CLINUX_SHIM_H
/* Linux interfaces that Glibc's Swift module does not export. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

/* accept4 is declared only under _GNU_SOURCE, which the Glibc module is not built with. */
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/* Accepts one connection as a non-blocking, close-on-exec descriptor. */
static inline int clinux_accept_nonblocking(int listener) {
    return accept4(listener, (struct sockaddr *)0, (socklen_t *)0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
#endif
