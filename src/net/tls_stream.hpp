#pragma once
// The server side of a TLS connection, with OpenSSL reading and writing the
// non-blocking socket itself (as nginx does) rather than through
// asio::ssl::stream. asio's stream keeps two 17 kB buffers of its own and a
// 2 x 17 kB BIO pair for every connection, busy or idle: 85 kB per idle
// keep-alive connection, 880 MB for 10,000 of them (docs/performance.md).
// Here OpenSSL gives its buffers back between records, nothing is copied
// twice, and an idle connection waits for readability with no read pending.
//
// A Beast AsyncReadStream and AsyncWriteStream; one read and one write at a
// time, all on one thread (the server runs each connection on one thread).
// Deadlines work like beast::tcp_stream's: expires_after() fails the pending
// (or next) operation with beast::error::timeout; cancel() fails the pending
// one with operation_aborted.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <openssl/types.h>

namespace lienthong::net {

class TlsStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using Done = boost::asio::any_completion_handler<void(boost::system::error_code)>;
  using Transferred =
      boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;

  // Takes the accepted socket; the handshake is the server's side.
  // Throws std::runtime_error when OpenSSL cannot make the connection's state.
  TlsStream(boost::asio::ip::tcp::socket socket, SSL_CTX* context);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  SSL* native_handle() const { return ssl_; }

  void expires_after(std::chrono::steady_clock::duration timeout);
  void cancel();

  template <class Token>
  auto async_handshake(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) { start_handshake(Done(std::move(handler))); }, token);
  }

  // Completes when the next read will find data (or the peer went away),
  // without a read pending in between: what an idle connection waits on.
  template <class Token>
  auto async_wait_readable(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) { start_wait_readable(Done(std::move(handler))); }, token);
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, boost::asio::mutable_buffer buffer) {
          start_read(buffer, Transferred(std::move(handler)));
        },
        token, first_non_empty(buffers));
  }

  // Writes at most one TLS record's worth: the first buffer, or the first
  // 16 kB of several copied together (Beast's serializer hands over header
  // and body separately; one record each would double the records sent).
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& data) {
          start_write(gather(data), Transferred(std::move(handler)));
        },
        token, buffers);
  }

  // Sends close_notify; does not wait for the peer's.
  template <class Token>
  auto async_shutdown(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) { start_shutdown(Done(std::move(handler))); }, token);
  }

 private:
  struct Deadline;
  static constexpr std::size_t kRecordBytes = 16384;

  // What one write sends: the caller's buffer, or the first ones copied together.
  struct Outgoing {
    boost::asio::const_buffer view;
    std::vector<char> copy;
  };

  template <class MutableBuffers>
  static boost::asio::mutable_buffer first_non_empty(const MutableBuffers& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      if (boost::asio::mutable_buffer(*it).size() > 0)
        return *it;
    }
    return {};
  }

  template <class ConstBuffers>
  static Outgoing gather(const ConstBuffers& buffers) {
    Outgoing outgoing;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      if (!append(outgoing, boost::asio::const_buffer(*it)))
        break;
    }
    return outgoing;
  }
  // Adds `buffer` (or as much as fits in a record); false when full.
  static bool append(Outgoing& outgoing, boost::asio::const_buffer buffer);

  void start_handshake(Done handler);
  void start_wait_readable(Done handler);
  void start_read(boost::asio::mutable_buffer buffer, Transferred handler);
  void start_write(Outgoing outgoing, Transferred handler);
  void start_shutdown(Done handler);

  template <class Operation>
  void drive(std::shared_ptr<Operation> operation, bool initiating);

  boost::asio::ip::tcp::socket socket_;
  SSL* ssl_ = nullptr;
  boost::asio::steady_timer timer_;
  std::shared_ptr<Deadline> deadline_;
};

// Hex SHA-256 of the client certificate `ssl` verified, or "" when there is
// none or it did not verify.
std::string peer_certificate_sha256(SSL* ssl);

}  // namespace lienthong::net
