#include "lienthong/net/http_server.hpp"

#include <atomic>
#include <csignal>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "lienthong/core/result.hpp"
#include "lienthong/core/thread_name.hpp"

#include "beast_conversions.hpp"
#include "drain_state.hpp"
#include "read_deadline.hpp"
#include "request_framing.hpp"
#include "tls_stream.hpp"

namespace lienthong::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr auto kShutdownTimeout = std::chrono::seconds(2);
// How long a client whose read deadline passed gets to take its 408.
constexpr auto kAnswerGrace = std::chrono::seconds(2);

Error read_error(const beast::error_code& ec) {
  if (ec == http::error::body_limit) {
    return make_error(ErrorCode::kClientPayloadTooLarge, "the request body exceeds the limit");
  }
  if (ec == http::error::header_limit) {
    return make_error(ErrorCode::kClientHeadersTooLarge, "the request headers exceed the limit");
  }
  return make_error(ErrorCode::kClientBadRequest, "malformed HTTP request");
}

// Whether a failed read can still be answered: a closed or reset connection
// cannot, and neither can one whose idle or handshake deadline passed.
bool can_answer(const beast::error_code& ec) {
  return ec != beast::error::timeout && ec != http::error::end_of_stream &&
         ec != asio::error::eof && ec != asio::error::connection_reset &&
         ec != asio::ssl::error::stream_truncated && ec != asio::error::operation_aborted;
}

HttpRequest to_request(http::request_parser<http::string_body>& parser, const PeerInfo& peer) {
  HttpRequest request;
  request.peer = peer;
  request.received_at = std::chrono::system_clock::now();
  if (!parser.is_header_done())
    return request;
  auto& message = parser.get();
  request.method = std::string(message.method_string());
  request.target = detail::origin_form(message.target());
  request.headers = detail::copy_headers(message.base());
  if (parser.is_done())
    request.body = std::move(message.body());
  return request;
}

// Sends a streamed body as HTTP/1.1 chunks, one piece at a time, so memory
// holds one piece however long the body. False when the connection must end
// (a failed write, a failed piece, or no keep-alive).
template <class Stream, class Layer>
asio::awaitable<bool> write_streamed(Stream& stream, Layer& tcp_layer, const ServerOptions& options,
                                     HttpResponse& response, unsigned version, bool keep_alive) {
  auto source = std::move(response.stream);
  auto head = detail::to_beast_chunked_head(response, version, keep_alive);
  http::response_serializer<http::empty_body> serializer(head);
  tcp_layer.expires_after(std::chrono::milliseconds(options.read_timeout_ms));
  if (auto [ec, n] = co_await http::async_write_header(stream, serializer, kNoThrow); ec)
    co_return false;
  for (;;) {
    std::string piece;
    try {
      piece = co_await source->next();
    } catch (const std::exception&) {
      co_return false;  // no last chunk: the client sees the body is incomplete
    }
    tcp_layer.expires_after(std::chrono::milliseconds(options.read_timeout_ms));
    if (piece.empty()) {
      auto [ec, n] = co_await asio::async_write(stream, http::make_chunk_last(), kNoThrow);
      co_return !ec && head.keep_alive();
    }
    if (auto [ec, n] =
            co_await asio::async_write(stream, http::make_chunk(asio::buffer(piece)), kNoThrow);
        ec)
      co_return false;
  }
}

// Idle keep-alive: waits for the first bytes of the next request.
asio::awaitable<beast::error_code> next_request(beast::tcp_stream& stream,
                                                beast::flat_buffer& buffer) {
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kNoThrow);
  buffer.commit(n);
  co_return ec;
}

// Over TLS an idle connection holds no buffer and no read in progress, so
// OpenSSL keeps none either: it reads only once the socket has data.
asio::awaitable<beast::error_code> next_request(TlsStream& stream, beast::flat_buffer& buffer) {
  buffer.shrink_to_fit();
  if (auto [ec] = co_await stream.async_wait_readable(kNoThrow); ec)
    co_return ec;
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kNoThrow);
  buffer.commit(n);
  co_return ec;
}

// Serves requests on one connection until it closes. `Stream` is the TLS or
// the plain stream; `tcp_layer` carries the deadlines (the TLS stream itself,
// or the plain tcp_stream).
template <class Stream, class Layer>
asio::awaitable<void> serve_requests(Stream& stream, Layer& tcp_layer, const ServerOptions& options,
                                     HttpHandler& handler, const PeerInfo& peer,
                                     DrainState& drain) {
  beast::flat_buffer buffer;
  ReadDeadline<Layer> deadline(co_await asio::this_coro::executor, tcp_layer);
  for (;;) {
    if (buffer.size() == 0) {
      if (drain.draining.load())
        co_return;  // shutting down: an idle connection just closes
      tcp_layer.expires_after(std::chrono::milliseconds(options.idle_timeout_ms));
      if (co_await next_request(stream, buffer))
        co_return;
    }
    // From its first byte until its answer is written, the request counts as
    // in flight: a graceful shutdown waits for it.
    const InFlight in_flight(drain.in_flight);
    // From the first byte on, the whole request must arrive within the read
    // deadline, so a client trickling bytes cannot hold the connection. The
    // stream's own expiry stays as a backstop a little later.
    const std::chrono::milliseconds read_timeout(options.read_timeout_ms);
    tcp_layer.expires_after(read_timeout + kAnswerGrace);
    deadline.arm(read_timeout);
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_bytes));
    parser.body_limit(static_cast<std::uint64_t>(options.body_bytes));

    auto [header_ec, header_n] = co_await http::async_read_header(stream, buffer, parser, kNoThrow);
    beast::error_code ec = header_ec;
    // A head whose body cannot be framed unambiguously is answered and the
    // connection closed, before a byte of the body is read as anything.
    std::optional<Error> unframed;
    if (!ec)
      unframed = detail::framing_error(parser.get().base());
    if (!ec && !unframed && parser.get()[http::field::expect] == "100-continue") {
      http::response<http::empty_body> go_on{http::status::continue_, 11};
      auto [write_ec, written] = co_await http::async_write(stream, go_on, kNoThrow);
      ec = write_ec;
    }
    if (!ec && !unframed) {
      auto [body_ec, body_n] = co_await http::async_read(stream, buffer, parser, kNoThrow);
      ec = body_ec;
    }
    deadline.disarm();

    HttpResponse response;
    bool keep_alive = false;
    if (ec && deadline.expired()) {
      response =
          co_await handler.reject(to_request(parser, peer),
                                  make_error(ErrorCode::kClientRequestTimeout,
                                             "the request did not arrive within " +
                                                 std::to_string(options.read_timeout_ms) + " ms"));
    } else if (ec) {
      if (!can_answer(ec))
        co_return;
      response = co_await handler.reject(to_request(parser, peer), read_error(ec));
    } else if (unframed) {
      response = co_await handler.reject(to_request(parser, peer), std::move(*unframed));
    } else {
      keep_alive = parser.get().keep_alive();
      response = co_await handler.handle(to_request(parser, peer));
    }
    // During a shutdown each connection's last answer says Connection: close.
    keep_alive = keep_alive && !drain.closing.load();
    const unsigned version = parser.is_header_done() ? parser.get().version() : 11;
    if (response.stream) {
      if (!co_await write_streamed(stream, tcp_layer, options, response, version, keep_alive))
        co_return;
      continue;
    }
    auto message = detail::to_beast(std::move(response), version, keep_alive);
    tcp_layer.expires_after(ec || unframed ? std::chrono::milliseconds(kAnswerGrace)
                                           : read_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, message, kNoThrow);
    if (write_ec || !message.keep_alive())
      co_return;
  }
}

}  // namespace

struct HttpServer::Impl {
  struct Worker {
    asio::io_context context{1};
    // Keeps run() going while the thread has no connection yet.
    asio::executor_work_guard<asio::io_context::executor_type> keep_running{context.get_executor()};
    std::shared_ptr<HttpHandler> handler;
    std::thread thread;
  };

  ServerOptions options;
  const bool plain;  // no TLS (demo and test providers)
  mutable std::mutex tls_mutex;
  std::shared_ptr<asio::ssl::context> tls;  // for new connections; replace_tls swaps it
  HandlerFactory factory;
  std::shared_ptr<spdlog::logger> logger;
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<int> open{0};
  DrainState drain;
  std::uint16_t port = 0;
  bool running = false;

  explicit Impl(bool without_tls) : plain(without_tls) {}

  std::shared_ptr<asio::ssl::context> current_tls() const {
    std::lock_guard lock(tls_mutex);
    return tls;
  }

  asio::awaitable<void> accept_loop() {
    std::size_t next = 0;
    for (;;) {
      Worker& worker = *workers[next];
      next = (next + 1) % workers.size();
      auto [ec, socket] = co_await acceptor->async_accept(worker.context, kNoThrow);
      if (ec == asio::error::operation_aborted)
        co_return;
      if (ec) {
        logger->warn("accept failed: {}", ec.message());
        continue;
      }
      if (open.load(std::memory_order_relaxed) >= options.max_connections) {
        logger->warn("connection limit {} reached; refusing a connection", options.max_connections);
        continue;  // the socket closes as it goes out of scope
      }
      asio::co_spawn(worker.context, session(std::move(socket), worker.handler), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket, std::shared_ptr<HttpHandler> handler) {
    open.fetch_add(1, std::memory_order_relaxed);
    struct Release {
      std::atomic<int>& counter;
      ~Release() { counter.fetch_sub(1, std::memory_order_relaxed); }
    } release{open};

    socket.set_option(tcp::no_delay(true));
    PeerInfo peer;
    beast::error_code ignored;
    peer.address = socket.remote_endpoint(ignored).address().to_string();
    try {
      if (plain) {
        beast::tcp_stream stream(std::move(socket));
        co_await serve_requests(stream, stream, options, *handler, peer, drain);
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
      // The connection keeps the context it started with (SSL_new takes a
      // reference), so a certificate reload never touches open connections.
      TlsStream stream(std::move(socket), current_tls()->native_handle());
      stream.expires_after(std::chrono::milliseconds(options.handshake_timeout_ms));
      auto [ec] = co_await stream.async_handshake(kNoThrow);
      if (ec) {
        logger->debug("TLS handshake with {} failed: {}", peer.address, ec.message());
        co_return;
      }
      peer.certificate_sha256 = peer_certificate_sha256(stream.native_handle());
      co_await serve_requests(stream, stream, options, *handler, peer, drain);
      // Bounded close_notify; a peer that never reads must not pin the connection.
      stream.expires_after(kShutdownTimeout);
      co_await stream.async_shutdown(kNoThrow);
    } catch (const std::exception& e) {
      // Handlers answer errors as values; reaching here is a bug, never the caller's fault.
      logger->error("connection from {} ended by an unexpected exception: {}", peer.address,
                    e.what());
    }
  }
};

HttpServer::HttpServer(ServerOptions options, std::shared_ptr<asio::ssl::context> tls,
                       HandlerFactory factory, std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>(tls == nullptr)) {
  impl_->options = std::move(options);
  impl_->tls = std::move(tls);
  impl_->factory = std::move(factory);
  impl_->logger = std::move(logger);
}

HttpServer::~HttpServer() {
  stop();
  // The acceptor lives in the first worker's context: it goes first, or its
  // destructor reaches into a destroyed context (a start() that failed to
  // bind leaves it open).
  impl_->acceptor.reset();
  // Destroying each context destroys its suspended sessions (and with the
  // last of them, its handler). Work completed by other threads after stop()
  // (e.g. audit commits) was posted into these contexts and is dropped here.
  impl_->workers.clear();
}

void HttpServer::start() {
  Impl& s = *impl_;
  if (s.running)
    return;
  // OpenSSL writes to client sockets with write(2): a peer that has gone
  // must make that fail with EPIPE, not end the process with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const int threads = std::max(1, s.options.threads);
  for (int i = 0; i < threads; ++i) {
    auto worker = std::make_unique<Impl::Worker>();
    worker->handler = s.factory(worker->context);
    s.workers.push_back(std::move(worker));
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(s.options.listen.host, ec);
  if (ec)
    throw std::runtime_error("listen address '" + s.options.listen.host + "' is not an IP");
  const tcp::endpoint endpoint(address, s.options.listen.port);
  s.acceptor = std::make_unique<tcp::acceptor>(s.workers.front()->context);
  s.acceptor->open(endpoint.protocol());
  s.acceptor->set_option(asio::socket_base::reuse_address(true));
  s.acceptor->bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + s.options.listen.to_string() + ": " +
                             ec.message());
  }
  s.acceptor->listen(asio::socket_base::max_listen_connections);
  s.port = s.acceptor->local_endpoint().port();

  asio::co_spawn(s.workers.front()->context, s.accept_loop(), asio::detached);
  for (std::size_t i = 0; i < s.workers.size(); ++i) {
    s.workers[i]->thread =
        std::thread([&context = s.workers[i]->context, name = "lt-io-" + std::to_string(i)] {
          name_this_thread(name);
          context.run();
        });
  }
  s.running = true;
}

void HttpServer::stop() {
  Impl& s = *impl_;
  if (!s.running)
    return;
  s.running = false;
  for (auto& worker : s.workers)
    worker->context.stop();
  for (auto& worker : s.workers) {
    if (worker->thread.joinable())
      worker->thread.join();
  }
  boost::system::error_code ignored;
  if (s.acceptor)
    s.acceptor->close(ignored);
}

void HttpServer::close_after_answers() {
  impl_->drain.closing.store(true);
}

bool HttpServer::drain(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  if (!s.running)
    return true;
  s.drain.closing.store(true);
  s.drain.draining.store(true);
  // The acceptor belongs to the first I/O thread: close it there.
  std::promise<void> closed;
  asio::post(s.workers.front()->context, [&] {
    boost::system::error_code ignored;
    s.acceptor->close(ignored);
    closed.set_value();
  });
  closed.get_future().wait();
  // Done when nothing has been in flight for a short quiet spell: a request
  // whose bytes are already in a socket buffer counts only once its thread
  // runs, so a single look at zero could stop the server under it.
  constexpr auto kQuiet = std::chrono::milliseconds(50);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  auto quiet_since = std::chrono::steady_clock::now();
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (s.drain.in_flight.load() > 0)
      quiet_since = now;
    else if (now - quiet_since >= kQuiet)
      return true;
    if (now >= deadline)
      return s.drain.in_flight.load() == 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int HttpServer::requests_in_flight() const {
  return impl_->drain.in_flight.load();
}

void HttpServer::replace_tls(std::shared_ptr<asio::ssl::context> tls) {
  if (impl_->plain || !tls)
    throw std::logic_error("replace_tls: a TLS server needs a TLS context");
  std::lock_guard lock(impl_->tls_mutex);
  impl_->tls = std::move(tls);
}

std::uint16_t HttpServer::port() const {
  return impl_->port;
}

int HttpServer::open_connections() const {
  return impl_->open.load();
}

}  // namespace lienthong::net
