// nlpp/socket/socket.hpp: a move-only netlink socket with a correct
// request / dump / notification loop.
//
// One socket speaks one netlink protocol (NETLINK_ROUTE, NETLINK_GENERIC,
// NETLINK_NETFILTER...) in the network namespace it was opened in: the
// caller's, or one given by name (/run/netns/NAME) or by fd. Every socket
// enables NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK and
// NETLINK_PKTINFO (to tell multicast from unicast).
//
// The receive loop (reply_reader.hpp) checks seq and port id, queues
// notifications that arrive during a request, turns NLMSG_ERROR/DONE into
// values with extended ACK, reports NLM_F_DUMP_INTR as a retryable
// errc::dump_interrupted after the dump ends, reports a truncated datagram
// (MSG_TRUNC) as errc::truncated and lost notifications (ENOBUFS) as an
// errno error (a request whose ACK the overrun dropped too fails with
// ENOBUFS as soon as nothing is left to read), and keeps the socket usable
// after each. EINTR is retried.
// A timeout (socket_options::timeout) bounds every wait. Batches (several
// requests in one datagram: exchange, request_batch) are sorted out by the
// pure batch_reader (batch_reader.hpp), one reply_reader per request.
//
// Thread safety: a socket is not synchronised. Use one socket per thread,
// or guard each call with a mutex. Distinct sockets are independent.
//
// Example:
//   auto sock = nlpp::socket::open(NETLINK_ROUTE, {.netns = "blue"});
//   if (!sock) return nlpp::fail(sock.error());
//   nlpp::message_builder b(RTM_GETLINK, 0);
//   b.put_header(ifinfomsg{});
//   for (nlpp::message_view m : sock->dump(b)) { /* ... */ }   // streamed, constant memory
//   return sock->dump(b, [](nlpp::message_view m) -> nlpp::result<void> {   // or with a callback
//       std::printf("type %u, %u bytes\n", unsigned{m.type()}, m.length());
//       return {};
//   });
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlpp/core/builder.hpp>
#include <nlpp/core/message.hpp>
#include <nlpp/socket/batch_reader.hpp>
#include <nlpp/socket/reply_reader.hpp>

namespace nlpp {

/// How a socket opens.
struct socket_options {
    std::string netns{};     ///< a name under /run/netns; empty: the caller's namespace
    int netns_fd = -1;       ///< or an open namespace fd (wins over netns)
    int receive_buffer = 0;  ///< SO_RCVBUF in bytes; 0: the kernel's default
    /// Bytes per datagram read. The kernel sizes dump buffers after the
    /// reader's (up to 32 KiB): large for big dumps, 4 KiB for many small ones.
    std::size_t read_size = 64 * 1024;
    std::size_t read_batch = 4;            ///< datagrams per receive system call (recvmmsg)
    std::chrono::milliseconds timeout{0};  ///< bound on every wait; 0: none
    bool nonblocking = false;  ///< receive() returns errc::would_block instead of waiting
};

/// A received message copied out of the receive buffer.
struct owned_message {
    std::vector<std::byte> data;  ///< the message's bytes
    /// A view of the message.
    message_view view() const { return message_view::parse(data).value(); }
};

/// One datagram as received: its bytes (valid until the next receive) and
/// the multicast group it was sent to (0: unicast).
struct datagram {
    bytes data;               ///< the datagram's bytes
    std::uint32_t group = 0;  ///< the multicast group; 0: unicast
};

using reply_handler = std::function<result<void>(message_view)>;
/// A reply to request `index` of a batch.
using batch_handler = std::function<result<void>(std::size_t index, message_view)>;

class socket;

/// The replies to one request, received lazily as the range is walked. Each
/// message_view is valid until the iterator advances. After the loop,
/// error() tells whether the request failed (kernel error, interrupted dump,
/// I/O error). Walking it to the end is what keeps the socket in step; a
/// range abandoned early leaves late replies that the next request skips.
class NLPP_API reply_range {
public:
    /// An input iterator over the replies.
    class iterator {
    public:
        using value_type = message_view;                    ///< A view of one reply
        using difference_type = std::ptrdiff_t;             ///< iterator distance
        using iterator_category = std::input_iterator_tag;  ///< an input iterator
        iterator() = default;
        message_view operator*() const noexcept { return *r_->current_; }  ///< the current reply
        /// The next reply.
        iterator& operator++() {
            r_->advance();
            return *this;
        }
        void operator++(int) { r_->advance(); }  ///< the next reply
        /// At the end (or stopped by an error).
        bool operator==(std::default_sentinel_t) const noexcept { return !r_ || !r_->current_; }

    private:
        friend class reply_range;
        explicit iterator(reply_range* r) : r_(r) {}
        reply_range* r_ = nullptr;
    };

    /// The first reply.
    iterator begin() {
        if (!started_) {
            started_ = true;
            advance();
        }
        return iterator(this);
    }
    std::default_sentinel_t end() const noexcept { return {}; }  ///< the end

    /// The outcome once the walk ended; nullopt means success.
    const std::optional<nlpp::error>& error() const noexcept { return error_; }
    /// Walks the remaining replies (discarding them) and returns the outcome.
    result<void> finish();

private:
    friend class socket;
    reply_range(socket* s, std::uint32_t seq, request_info info);
    void advance();
    void end_with(nlpp::error e);

    socket* s_;
    reply_reader reader_;
    bytes datagram_{};
    std::size_t offset_ = 0;
    std::uint32_t group_ = 0;
    std::optional<message_view> current_;
    std::optional<nlpp::error> error_;
    bool started_ = false;
    bool ended_ = false;
    bool dump_ = false;
};

/// Owns a file descriptor: closes it when destroyed or reset; a move hands
/// it over. The socket's descriptor, so that its moves are the defaults.
class NLPP_API unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}                      ///< owns fd
    unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}  ///< moves
    /// Moves; closes the fd held before.
    unique_fd& operator=(unique_fd&& o) noexcept {
        reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~unique_fd() { reset(); }
    int get() const noexcept { return fd_; }  ///< the fd; -1: none
    /// Closes the descriptor held (unless it is `fd`), then holds `fd`.
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

/// A netlink socket, move-only: requests, dumps, batches and notifications, in a network namespace,
/// with timeouts or non-blocking.
class NLPP_API socket {
public:
    /// Opens, configures and binds a socket of `protocol` (NETLINK_ROUTE...).
    static result<socket> open(int protocol, const socket_options& options = {});

    int fd() const noexcept { return fd_.get(); }             ///< the file descriptor
    std::uint32_t port_id() const noexcept { return port_; }  ///< the port id the kernel assigned
    /// The netlink protocol (NETLINK_ROUTE...).
    int protocol() const noexcept { return protocol_; }

    /// A request that expects an ACK; data replies (a "do") go to on_reply.
    /// NLM_F_REQUEST and NLM_F_ACK are added to every message in `b`. On a
    /// subscribed socket whose receive buffer overran (ENOBUFS), the kernel
    /// may drop the ACK too: once the socket has nothing left to read and the
    /// ACK was not among it, the request fails with ENOBUFS ("the reply was
    /// lost"; it may or may not have been carried out: check the state) at
    /// once, not at the timeout. Notifications are then lost too, as
    /// next_notification() reports; the socket stays usable.
    result<void> request(message_builder& b, const reply_handler& on_reply = {},
                         request_info info = {});
    /// A dump: NLM_F_REQUEST | NLM_F_DUMP are added. Streams every message.
    /// The kernel never drops a dump's replies: an overrun only loses notifications.
    result<void> dump(message_builder& b, const reply_handler& on_message, request_info info = {});
    /// The same dump as a range: `for (message_view m : sock.dump(b))`.
    reply_range dump(message_builder& b, request_info info = {});

    /// A batch in one datagram: the messages of `b` (built with begin()),
    /// flags as built, seqs assigned; answers[i] says how message i is
    /// answered (batch_reader.hpp: ack, dump, errors_only), in any order.
    /// Replies go to on_reply with the message's index; `describe(i)` names
    /// message i in its error. Reads until every message is answered or the
    /// kernel has nothing more to say (then the unanswered ones of a failed
    /// batch are errc::not_answered). Returns one outcome per message, in
    /// order (nullopt: success); fails as a whole on I/O errors (answers
    /// lost to a receive buffer overrun included), on_reply's error, or a
    /// message addressed to another port.
    result<batch_outcomes> exchange(message_builder& b, std::vector<batch_reader::answer> answers,
                                    const batch_handler& on_reply = {},
                                    batch_reader::describer describe = {});

    /// Pipelined requests that answer with an ACK only (no data replies):
    /// the messages of `b` (a batch built with begin()) are sent in chunks of
    /// at most chunk_messages messages and 32 KiB. Within a chunk only the
    /// last message carries NLM_F_ACK; the kernel reports every failure
    /// regardless, in order, so that ACK closes the chunk, with one system
    /// call each way instead of one receive per message. A chunk's error
    /// reports must fit the receive buffer (the kernel charges about 1 KiB
    /// each). Returns one outcome per message, in order (nullopt: success);
    /// `describe(i)` names message i in its error. Fails as a whole only on
    /// I/O errors, including reports lost to a receive buffer overrun.
    result<batch_outcomes> request_batch(message_builder& b,
                                         const batch_reader::describer& describe = {},
                                         std::size_t chunk_messages = 64);

    /// Multicast groups (NETLINK_ADD_MEMBERSHIP; works for group ids > 32).
    result<void> subscribe(std::uint32_t group);
    result<void> unsubscribe(std::uint32_t group);  ///< leaves a multicast group
    /// The next notification: queued ones first, then from the socket.
    /// ENOBUFS (as errno) means notifications were lost: resynchronise with
    /// a dump; the socket stays usable.
    result<owned_message> next_notification();
    /// Notifications queued while requests were running.
    std::size_t pending_notifications() const noexcept { return pending_.size(); }

    /// Low level, for event loops: send a finished builder (flags as built,
    /// seqs assigned; returns the first seq) and receive one datagram.
    result<std::uint32_t> send(message_builder& b);
    result<datagram> receive();  ///< receives one datagram
    /// True when receive() would return at once (data buffered or queued in
    /// the kernel). Requests are handled while they are sent, so once a
    /// request's replies are not readable, none are coming (dumps excepted).
    bool readable() const noexcept;
    /// Queues a notification met while waiting for a reply.
    void queue_notification(message_view m);

private:
    friend class reply_range;
    socket(unique_fd fd, std::uint32_t port, int protocol, const socket_options& o);
    /// Finishes `b`, adds NLM_F_REQUEST | add_flags (when add_flags is set)
    /// to every message, assigns seqs, keeps a copy for extack paths, sends.
    result<std::uint32_t> send_request(message_builder& b, std::uint16_t add_flags);
    /// Sets flags and seqs of every message in place; returns the first seq.
    result<std::uint32_t> stamp(mutable_bytes wire, std::uint16_t set_flags,
                                std::uint16_t clear_flags, std::vector<std::size_t>* starts);
    result<void> transmit(bytes data, std::string_view what);
    /// Reads the answers to a sent batch into `r` until it is finished or
    /// nothing is left to read with no dump running (then r.end()).
    result<void> await(batch_reader& r, const batch_handler& on_reply);

    unique_fd fd_;
    std::uint32_t port_ = 0;
    int protocol_ = 0;
    std::uint32_t next_seq_ = 1;
    std::chrono::milliseconds timeout_{0};
    bool nonblocking_ = false;
    bool lost_notifications_ = false;
    /// An overrun (ENOBUFS) was seen and the socket not yet read empty since: the kernel drops
    /// ACKs until then, so a request whose ACK is not queued lost it.
    bool overrun_ = false;
    std::size_t subscriptions_ = 0;
    struct slot {
        std::size_t length = 0;
        std::uint32_t group = 0;
        bool truncated = false;
        bool from_kernel = true;
    };
    result<void> fill();         ///< one recvmmsg into the slots
    std::vector<std::byte> rx_;  ///< read_batch slots of read_size bytes
    std::size_t read_size_ = 0;
    std::vector<slot> slots_;
    std::size_t filled_ = 0, next_ = 0;  ///< received slots, next one to hand out
    std::vector<std::byte> sent_;        ///< the last request, for extack paths
    std::deque<owned_message> pending_;
};

}  // namespace nlpp
