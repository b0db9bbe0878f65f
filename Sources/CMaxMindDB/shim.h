#ifndef RUNME_CMAXMINDDB_SHIM_H
#define RUNME_CMAXMINDDB_SHIM_H
#include <maxminddb.h>
#include <stddef.h>

/* MMDB_get_value is variadic; MMDB_aget_value takes a NULL-terminated path array. This
 * reads one UTF-8 string at a path of up to four keys, so Swift needs no variadic call and
 * no access to the entry's anonymous union. Returns the length, or -1 when absent. */
static inline int runme_mmdb_string(MMDB_entry_s *entry, const char *k1, const char *k2,
                                    const char *k3, const char *k4, const char **out) {
    const char *path[5] = { k1, k2, k3, k4, NULL };
    MMDB_entry_data_s data;
    if (MMDB_aget_value(entry, &data, path) != MMDB_SUCCESS) return -1;
    if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) return -1;
    *out = data.utf8_string;
    return (int)data.data_size;
}
#endif
