#ifndef RUNME_CSQLITE_SHIM_H
#define RUNME_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a macro that expands to a cast, which Swift cannot import. */
static inline sqlite3_destructor_type runme_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/* sqlite3_db_config is variadic: typed wrapper for the integer options. */
static inline int runme_sqlite_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}
#endif
