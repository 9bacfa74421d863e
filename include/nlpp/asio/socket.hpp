// nlpp/asio/socket.hpp: an nlpp socket on an Asio io_context, driven by
// C++20 coroutines: co_await a request, a do-operation or a dump (an async
// range in constant memory), notifications as an async stream with a typed
// events_lost item, per-operation cancellation and timeouts.
//
// The model (docs/async.md): the socket owns a non-blocking nlpp::socket and
// an asio::posix::stream_descriptor on its fd. It has no thread and no
// background task: whichever operation waits reads for everyone (one reader
// at a time), and each message read is routed by its sequence number to the
// operation it answers (nlpp::reply_reader classifies it), multicast messages
// to the notification queue. So several operations may be in flight on one
// socket (pipelined requests), several sockets share one io_context thread,
// and a reply meant for an operation that waits is handed to it in place, not
// copied. Call a socket from one thread (the io_context's): with all calls on
// that thread no strand is needed. Errors are values: nlpp::result, never
// exceptions. A cancelled operation (asio::bind_cancellation_slot, the ||
// of asio's awaitable_operators, a timeout) completes with ECANCELED
// (asio::error::operation_aborted) or errc::timeout; the replies still due to
// it are read and dropped, so the socket stays usable. close() completes
// every pending operation with ECANCELED.
//
// Example (given asio::io_context& io, nlpp::asio::socket& sock):
//   #include <asio/co_spawn.hpp>
//   #include <asio/detached.hpp>
//   #include <asio/io_context.hpp>
//   asio::co_spawn(io, [&]() -> asio::awaitable<void> {
//       nlpp::message_builder b(RTM_GETLINK, 0);
//       b.put_header(ifinfomsg{});
//       auto links = sock.dump(b, {"dump links"});
//       for (;;) {
//           auto m = co_await links.next();             // each message in place, constant memory
//           if (!m) { std::fprintf(stderr, "%s\n", m.error().what().c_str()); break; }
//           if (!*m) break;                               // the end of the dump
//           std::printf("type %u, %u bytes\n", unsigned{(*m)->type()}, (*m)->length());
//       }
//   }, asio::detached);
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <variant>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <nlpp/core/builder.hpp>
#include <nlpp/core/message.hpp>
#include <nlpp/socket/socket.hpp>

/// The Asio layer: nlpp sockets driven by C++20 coroutines (docs/async.md).
namespace nlpp::asio {

/// Notifications were lost (the receive buffer overran: ENOBUFS); the socket
/// stays usable. Resynchronise: socket::resync().
struct events_lost {};

/// One item of the notification stream: a notification, or the news that some were lost.
using notification = std::variant<owned_message, events_lost>;

namespace detail {
struct state;
struct operation;
}  // namespace detail

/// The replies of a dump as an async range: `while (auto m = co_await d.next())`. The request is
/// sent by the first next(). Destroying the range before its end abandons the dump: its remaining
/// replies are read and dropped by the socket.
class NLPP_API dump_range {
public:
    /// The next message (valid until this coroutine suspends again), nullopt at the end, or the
    /// dump's error (the kernel's, ECANCELED when cancelled or closed, errc::timeout).
    ::asio::awaitable<result<std::optional<message_view>>> next();

    dump_range(dump_range&&) noexcept;             ///< moves
    dump_range& operator=(dump_range&&) noexcept;  ///< moves; abandons the dump held before
    ~dump_range();                                 ///< abandons the dump unless it ended

private:
    friend class socket;
    dump_range(std::shared_ptr<detail::state> s, std::shared_ptr<detail::operation> op);
    std::shared_ptr<detail::state> s_;
    std::shared_ptr<detail::operation> op_;
};

/// A netlink socket on an io_context, move-only; every wait is a coroutine.
class NLPP_API socket {
public:
    /// Opens an nlpp::socket of `protocol` with `options` (nonblocking is forced on; timeout
    /// bounds each wait of each operation here, never next_notification()) on executor `ex`.
    static result<socket> open(::asio::any_io_executor ex, int protocol,
                               socket_options options = {});

    socket(socket&&) noexcept;             ///< moves
    socket& operator=(socket&&) noexcept;  ///< moves; closes the socket held before
    ~socket();                             ///< closes

    /// A request that expects an ACK (NLM_F_REQUEST | NLM_F_ACK are added); data replies go to
    /// on_reply. Sent when awaited. On a subscribed socket whose receive buffer overran, the kernel
    /// may drop the ACK too: once the socket is read empty without it, every request still waiting
    /// for its ACK fails with ENOBUFS ("the reply was lost"; it may or may not have been carried
    /// out: check the state) at once, not at the timeout. Dumps go on; next_notification() still
    /// yields events_lost; the socket stays usable.
    ::asio::awaitable<result<void>> request(message_builder& b, reply_handler on_reply = {},
                                            request_info info = {});
    /// A do-operation: the request, and its data reply (nullopt when it sent only the ACK).
    ::asio::awaitable<result<std::optional<owned_message>>> do_request(message_builder& b,
                                                                       request_info info = {});
    /// A dump (NLM_F_REQUEST | NLM_F_DUMP are added), streamed. One dump runs at a time on a
    /// socket (the kernel's rule); an abandoned dump is drained before the next is sent.
    dump_range dump(message_builder& b, request_info info = {});

    /// Joins a multicast group.
    result<void> subscribe(std::uint32_t group);
    /// The next notification, or events_lost after an overrun (then resync()). Cancelling it loses
    /// nothing: queued notifications stay queued.
    ::asio::awaitable<result<notification>> next_notification();
    /// After events_lost: drops the queued notifications and those the kernel holds, then runs the
    /// dump `b`, each message to on_state (the current state). The subscriptions stay on
    /// throughout, so the notifications that arrive during and after the dump follow through
    /// next_notification(): apply them on top of the state.
    ::asio::awaitable<result<void>> resync(message_builder& b, reply_handler on_state,
                                           request_info info = {});

    /// Closes the socket: every pending operation completes with ECANCELED; later calls fail.
    void close();
    /// The socket underneath (port id, fd); do not receive from it.
    nlpp::socket& raw();

private:
    explicit socket(std::shared_ptr<detail::state> s);
    std::shared_ptr<detail::state> s_;
};

}  // namespace nlpp::asio
