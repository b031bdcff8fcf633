#ifndef TRIBUTARY_CRABBITMQ_SHIM_H
#define TRIBUTARY_CRABBITMQ_SHIM_H

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/eventfd.h>

/* amqp_login_with_properties is variadic, which Swift cannot call. */
static inline amqp_rpc_reply_t tributary_login_plain(
    amqp_connection_state_t state, const char *vhost, int channel_max,
    int frame_max, int heartbeat, const amqp_table_t *properties,
    const char *user, const char *password) {
  return amqp_login_with_properties(state, vhost, channel_max, frame_max,
                                    heartbeat, properties,
                                    AMQP_SASL_METHOD_PLAIN, user, password);
}

/* librabbitmq reports a failed certificate check without its cause. This callback notes the
 * first certificate error of a handshake (expired, unknown issuer, ...) in the slot the
 * context's app data points to, and leaves the verdict as OpenSSL gave it. */
static int tributary_note_verify_error(int preverify_ok, X509_STORE_CTX *store) {
  if (!preverify_ok) {
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    SSL_CTX *ctx = ssl ? SSL_get_SSL_CTX(ssl) : NULL;
    long *slot = ctx ? (long *)SSL_CTX_get_app_data(ctx) : NULL;
    if (slot && *slot == 0) {
      *slot = X509_STORE_CTX_get_error(store);
    }
  }
  return preverify_ok;
}

/* Prepares a TLS socket's context: the verify-error slot, and the system's trust store when
 * no CA file is given. Returns 0, or -1 if the context is unavailable or the store can't load. */
static inline int tributary_tls_prepare(amqp_socket_t *socket, long *slot, int use_system_cas) {
  SSL_CTX *ctx = (SSL_CTX *)amqp_ssl_socket_get_context(socket);
  if (!ctx) {
    return -1;
  }
  SSL_CTX_set_app_data(ctx, slot);
  SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), tributary_note_verify_error);
  if (use_system_cas && SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return -1;
  }
  return 0;
}

static inline const char *tributary_tls_verify_error_string(long code) {
  return X509_verify_cert_error_string(code);
}

#endif
