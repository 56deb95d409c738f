#include "tls_stream.hpp"

#include <cerrno>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "lienthong/core/digest.hpp"

namespace lienthong::net {
namespace asio = boost::asio;
using boost::system::error_code;

// Shared with the deadline timer's handler, which may run after the stream
// is gone; the generation keeps an old timer from acting on a new deadline.
struct TlsStream::Deadline {
  asio::ip::tcp::socket* socket = nullptr;
  std::uint64_t generation = 0;
  bool expired = false;
};

bool TlsStream::append(Outgoing& outgoing, asio::const_buffer buffer) {
  if (buffer.size() == 0)
    return true;
  if (outgoing.view.size() == 0) {
    outgoing.view = buffer;
    return buffer.size() < kRecordBytes;
  }
  if (outgoing.copy.empty()) {
    const auto* first = static_cast<const char*>(outgoing.view.data());
    outgoing.copy.assign(first, first + outgoing.view.size());
  }
  const std::size_t room = kRecordBytes - outgoing.copy.size();
  const auto* data = static_cast<const char*>(buffer.data());
  outgoing.copy.insert(outgoing.copy.end(), data, data + std::min(room, buffer.size()));
  outgoing.view = asio::buffer(outgoing.copy);
  return outgoing.copy.size() < kRecordBytes;
}

namespace {

// The error_code for an OpenSSL call that failed with `ssl_error`, in the
// terms asio::ssl::stream used, so callers need not know which stream it is.
error_code to_error_code(int ssl_error) {
  if (ssl_error == SSL_ERROR_ZERO_RETURN)
    return asio::error::eof;
  const unsigned long queued = ERR_peek_last_error();
  if (ssl_error == SSL_ERROR_SYSCALL && queued == 0) {
    if (errno != 0)
      return error_code(errno, boost::system::system_category());
    return asio::ssl::error::stream_truncated;
  }
  if (ERR_GET_REASON(queued) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    ERR_clear_error();
    return asio::ssl::error::stream_truncated;
  }
  const unsigned long first = ERR_get_error();
  ERR_clear_error();
  return error_code(static_cast<int>(first), asio::error::get_ssl_category());
}

// Each operation is one OpenSSL call, retried while it asks to wait.
struct Handshake {
  TlsStream::Done handler;
  int attempt(SSL* ssl) { return SSL_do_handshake(ssl); }
  void complete(const error_code& ec) { std::move(handler)(ec); }
};

struct Shutdown {
  TlsStream::Done handler;
  // 0 means close_notify went out and the peer's has not come: enough.
  int attempt(SSL* ssl) { return SSL_shutdown(ssl) >= 0 ? 1 : -1; }
  void complete(const error_code& ec) { std::move(handler)(ec); }
};

struct Read {
  asio::mutable_buffer buffer;
  TlsStream::Transferred handler;
  std::size_t done = 0;
  int attempt(SSL* ssl) { return SSL_read_ex(ssl, buffer.data(), buffer.size(), &done); }
  void complete(const error_code& ec) { std::move(handler)(ec, ec ? 0 : done); }
};

struct Write {
  // The bytes: `buffer` points into `copy` when the caller's buffers were
  // gathered, else into the caller's own buffer. Moving a vector keeps its bytes in place.
  asio::const_buffer buffer;
  std::vector<char> copy;
  TlsStream::Transferred handler;
  std::size_t done = 0;
  int attempt(SSL* ssl) { return SSL_write_ex(ssl, buffer.data(), buffer.size(), &done); }
  void complete(const error_code& ec) { std::move(handler)(ec, ec ? 0 : done); }
};

// Waits for readability only when OpenSSL holds nothing already read.
struct WaitReadable {
  TlsStream::Done handler;
  bool waited = false;
  int attempt(SSL* ssl) {
    if (waited || SSL_has_pending(ssl))
      return 1;
    waited = true;
    return -1;
  }
  void complete(const error_code& ec) { std::move(handler)(ec); }
};

}  // namespace

TlsStream::TlsStream(asio::ip::tcp::socket socket, SSL_CTX* context)
    : socket_(std::move(socket)),
      ssl_(SSL_new(context)),
      timer_(socket_.get_executor()),
      deadline_(std::make_shared<Deadline>()) {
  deadline_->socket = &socket_;
  if (ssl_ == nullptr)
    throw std::runtime_error("SSL_new failed");
  socket_.native_non_blocking(true);
  if (SSL_set_fd(ssl_, static_cast<int>(socket_.native_handle())) != 1) {
    SSL_free(ssl_);
    throw std::runtime_error("SSL_set_fd failed");
  }
  SSL_set_accept_state(ssl_);
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                         SSL_MODE_RELEASE_BUFFERS);
  SSL_set_read_ahead(ssl_, 1);  // whole records (or more) per recv, not header then body
}

TlsStream::~TlsStream() {
  deadline_->socket = nullptr;
  ++deadline_->generation;
  SSL_free(ssl_);  // the socket BIO does not own the descriptor; socket_ closes it
}

void TlsStream::expires_after(std::chrono::steady_clock::duration timeout) {
  const auto generation = ++deadline_->generation;
  deadline_->expired = false;
  timer_.expires_after(timeout);
  timer_.async_wait([deadline = deadline_, generation](const error_code& ec) {
    if (ec || deadline->generation != generation || deadline->socket == nullptr)
      return;
    deadline->expired = true;
    deadline->socket->cancel();
  });
}

void TlsStream::cancel() {
  socket_.cancel();
}

void TlsStream::start_handshake(Done handler) {
  drive(std::make_shared<Handshake>(Handshake{std::move(handler)}), true);
}

void TlsStream::start_wait_readable(Done handler) {
  drive(std::make_shared<WaitReadable>(WaitReadable{std::move(handler)}), true);
}

void TlsStream::start_read(asio::mutable_buffer buffer, Transferred handler) {
  drive(std::make_shared<Read>(Read{buffer, std::move(handler)}), true);
}

void TlsStream::start_write(Outgoing outgoing, Transferred handler) {
  drive(std::make_shared<Write>(Write{outgoing.view, std::move(outgoing.copy), std::move(handler)}),
        true);
}

void TlsStream::start_shutdown(Done handler) {
  drive(std::make_shared<Shutdown>(Shutdown{std::move(handler)}), true);
}

// Tries the operation; while OpenSSL needs the socket readable or writable,
// waits for that and tries again. A completion found at once is posted: a
// handler never runs inside the call that started its operation.
template <class Operation>
void TlsStream::drive(std::shared_ptr<Operation> operation, bool initiating) {
  const auto finish = [this, &operation, initiating](const error_code& ec) {
    if (!initiating) {
      operation->complete(ec);
      return;
    }
    asio::post(socket_.get_executor(),
               [operation = std::move(operation), ec] { operation->complete(ec); });
  };
  if (deadline_->expired) {
    finish(boost::beast::error::timeout);
    return;
  }
  if constexpr (std::is_same_v<Operation, Read> || std::is_same_v<Operation, Write>) {
    if (operation->buffer.size() == 0) {
      finish({});
      return;
    }
  }
  ERR_clear_error();
  errno = 0;
  const int result = operation->attempt(ssl_);
  if (result > 0) {
    finish({});
    return;
  }
  const int ssl_error =
      std::is_same_v<Operation, WaitReadable> ? SSL_ERROR_WANT_READ : SSL_get_error(ssl_, result);
  if (ssl_error != SSL_ERROR_WANT_READ && ssl_error != SSL_ERROR_WANT_WRITE) {
    finish(to_error_code(ssl_error));
    return;
  }
  const auto wait = ssl_error == SSL_ERROR_WANT_READ ? asio::socket_base::wait_read
                                                     : asio::socket_base::wait_write;
  socket_.async_wait(wait, [this, operation = std::move(operation),
                            deadline = deadline_](const error_code& ec) mutable {
    if (ec) {
      operation->complete(deadline->expired ? error_code(boost::beast::error::timeout) : ec);
      return;
    }
    drive(std::move(operation), false);
  });
}

std::string peer_certificate_sha256(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK)
    return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &length) != 1)
    return {};
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace lienthong::net
