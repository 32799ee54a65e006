#define _GNU_SOURCE
#include <sys/socket.h>
#include "CShims.h"

int yz_deflate_init2(z_streamp strm, int level, int window_bits, int mem_level) {
    return deflateInit2(strm, level, Z_DEFLATED, window_bits, mem_level, Z_DEFAULT_STRATEGY);
}

int yz_inflate_init2(z_streamp strm, int window_bits) {
    return inflateInit2(strm, window_bits);
}

long yz_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

long yz_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

long yz_bio_pending(BIO *bio) {
    return BIO_pending(bio);
}

long yz_bio_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}

void yz_ssl_ctx_set_server_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
}

int yz_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

long yz_ssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

void yz_ssl_ctx_set_client_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
}
