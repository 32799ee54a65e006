// Function wrappers for C macros that Swift cannot import, and a few helpers that are
// awkward to express in Swift. Keep this file tiny: everything else is written in Swift.
#ifndef YIZHAN_CSHIMS_H
#define YIZHAN_CSHIMS_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <zlib.h>
#include <sys/socket.h>

// zlib: deflateInit2 / inflateInit2 are macros that pass the library version and struct size.
int yz_deflate_init2(z_streamp strm, int level, int window_bits, int mem_level);
int yz_inflate_init2(z_streamp strm, int window_bits);

// OpenSSL: macros around SSL_CTX_ctrl / BIO_ctrl.
long yz_ssl_ctx_set_mode(SSL_CTX *ctx, long mode);
long yz_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version);
long yz_bio_pending(BIO *bio);
long yz_bio_set_mem_eof_return(BIO *bio, int value);
// Server-side options whose constants are cast macros: no renegotiation, server cipher preference.
void yz_ssl_ctx_set_server_options(SSL_CTX *ctx);

// accept4 needs _GNU_SOURCE, which Swift's Glibc module does not define.
int yz_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

// OpenSSL client side (HTTPClient): SNI is a macro around SSL_ctrl; the option constants are cast macros.
long yz_ssl_set_tlsext_host_name(SSL *ssl, const char *name);
// Treats a peer closing without close_notify as end of stream, as most HTTPS servers do exactly that.
void yz_ssl_ctx_set_client_options(SSL_CTX *ctx);

#endif
