#ifndef RUNME_CZLIB_SHIM_H
#define RUNME_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro (it passes ZLIB_VERSION and sizeof(z_stream)), which Swift cannot
// import. 16 + MAX_WBITS selects the gzip wrapper, so a zlib or raw stream is rejected.
static inline int runme_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
#endif
