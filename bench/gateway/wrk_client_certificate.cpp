// Gives wrk a client certificate. wrk has no option for one, and both the hub
// and the nginx baseline require mutual TLS, so the load generator must
// present a member system's certificate. Preloaded into wrk
// (LD_PRELOAD=liblienthong_wrk_client_certificate.so), this wraps OpenSSL's
// SSL_CTX_new: every context wrk makes also loads the certificate chain and
// key named by LT_WRK_CLIENT_CERT and LT_WRK_CLIENT_KEY. Benchmark tooling
// only; nothing in the hub uses it.
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>

#include <openssl/ssl.h>

extern "C" SSL_CTX* SSL_CTX_new(const SSL_METHOD* method) {
  using Real = SSL_CTX* (*)(const SSL_METHOD*);
  static const auto real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "SSL_CTX_new"));
  if (real == nullptr)
    return nullptr;
  SSL_CTX* context = real(method);
  const char* certificate = std::getenv("LT_WRK_CLIENT_CERT");
  const char* key = std::getenv("LT_WRK_CLIENT_KEY");
  if (context == nullptr || certificate == nullptr || key == nullptr)
    return context;
  if (SSL_CTX_use_certificate_chain_file(context, certificate) != 1 ||
      SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) != 1) {
    std::fprintf(stderr, "wrk client certificate: cannot load %s / %s\n", certificate, key);
    std::abort();  // a load run without the certificate would only measure refusals
  }
  return context;
}
