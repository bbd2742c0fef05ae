// zlib and zstd, exposed to Swift as one system module: ImageStore inflates gzip layers,
// deflates the layers it builds, and decompresses zstd layers.
#include <zlib.h>
#include <zstd.h>

// `deflateInit2`/`inflateInit2` are macros in zlib.h that Swift cannot import.
static inline int czlib_inflate_init_gzip(z_streamp s) {
    return inflateInit2_(s, 15 + 32, ZLIB_VERSION, (int)sizeof(z_stream)); // 32: detect gzip/zlib header
}
static inline int czlib_deflate_init_gzip(z_streamp s, int level) {
    return deflateInit2_(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, (int)sizeof(z_stream));
}

// Filesystem calls Swift's Glibc module leaves out, needed to unpack layers: extended
// attributes (<sys/xattr.h>) and O_PATH (a _GNU_SOURCE flag).
#include <fcntl.h>
#include <sys/xattr.h>
#ifndef O_PATH
#define O_PATH 010000000 /* the Linux value on every architecture skiff builds for; glibc hides it without _GNU_SOURCE, which would change zlib.h types */
#endif
static inline int skiff_o_path(void) { return O_PATH; }
