#ifndef ENGRAM_CLIBPQ_SHIM_H
#define ENGRAM_CLIBPQ_SHIM_H
/* pkg-config libpq adds -I/usr/include/postgresql, where Debian keeps this header. */
#include <libpq-fe.h>
#include <postgres_ext.h>

/* PG_DIAG_SQLSTATE is a character macro; this returns the five-character SQLSTATE of a failed result,
   or NULL when the failure came from libpq itself (a lost connection, say). */
static inline const char *clibpq_result_sqlstate(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_SQLSTATE);
}

/* A notice processor that drops server notices (such as "text-search query contains only stop words"),
   which libpq's default processor would print on standard error. */
static inline void clibpq_discard_notice(void *argument, const char *message) {
    (void)argument;
    (void)message;
}

/* Installs clibpq_discard_notice on a connection. */
static inline void clibpq_discard_notices(PGconn *connection) {
    PQsetNoticeProcessor(connection, clibpq_discard_notice, NULL);
}
#endif
