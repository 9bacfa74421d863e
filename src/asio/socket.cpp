// The Asio socket: operations routed by sequence number, one reader at a time (docs/async.md).
#include <nlpp/asio/socket.hpp>

#include <linux/netlink.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <asio/post.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace nlpp::asio {
namespace detail {

/// One request in flight, or the notification stream (no reader), or a dump not yet sent.
struct operation {
    explicit operation(const ::asio::any_io_executor& ex) : wake(ex), deadline(ex) {}

    std::vector<std::byte> request;       ///< the request as sent, for extack paths
    std::optional<reply_reader> reader;   ///< set once sent
    std::deque<owned_message> queue;      ///< replies read while it did not wait
    owned_message held;                   ///< the queued reply handed out last
    std::optional<message_view> current;  ///< a reply handed over in place
    std::optional<error> failure;
    std::shared_ptr<operation> blocker;  ///< wait until this one finished instead
    request_info info;
    bool finished = false;   ///< done, failed or closed: no more replies
    bool abandoned = false;  ///< cancelled: its replies are dropped
    bool waiting = false;    ///< suspended on `wake`
    bool woken = false;      ///< `wake` was cancelled to resume it
    bool reading = false;    ///< suspended on the descriptor
    bool yielding = false;   ///< suspended in a post before it reads
    bool timed_out = false;
    bool is_dump = false;
    bool is_stream = false;         ///< the notification stream
    ::asio::steady_timer wake;      ///< never expires; cancelled to resume the operation
    ::asio::steady_timer deadline;  ///< the per-wait timeout

    bool has_item() const noexcept { return current || !queue.empty() || failure || finished; }
};

struct state {
    state(nlpp::socket s, const ::asio::any_io_executor& ex, std::chrono::milliseconds t)
        : sock(std::move(s)), desc(ex, sock->fd()), timeout(t),
          stream(std::make_shared<operation>(ex)) {
        stream->is_stream = true;
    }

    std::optional<nlpp::socket> sock;
    ::asio::posix::stream_descriptor desc;
    std::chrono::milliseconds timeout;
    bytes dgram{};  ///< the datagram being routed
    std::size_t offset = 0;
    std::uint32_t group = 0;
    std::vector<std::shared_ptr<operation>> ops;  ///< sent and not finished (abandoned ones too)
    std::shared_ptr<operation> stream;            ///< the notifications
    std::vector<operation*> waiters;              ///< every operation inside wait()
    std::optional<error> stream_error;            ///< an I/O error for the notification waiter
    bool lost = false;     ///< notifications were lost since the last events_lost
    bool overrun = false;  ///< ENOBUFS seen, not read empty since: the kernel drops ACKs meanwhile
    bool reading = false;  ///< an operation waits on the descriptor
    bool closed = false;
    std::size_t subscriptions = 0;

    enum class routed { got, empty, handed_off };

    static error aborted(const request_info& info, const char* why) {
        return error::from_errno(
            ECANCELED, (info.what.empty() ? std::string("request") : info.what) + ": " + why);
    }

    void wake(operation& o) {
        if (o.waiting && !o.woken) {
            o.woken = true;
            o.wake.cancel();
        }
    }
    bool ready(const operation& o) const {
        if (o.blocker) return o.blocker->finished;
        if (o.is_stream) return !o.queue.empty() || lost || closed || stream_error;
        return o.has_item();
    }
    /// Someone must read for the operations that wait: wake one when nobody reads.
    void pass_reader() {
        if (reading) return;
        for (operation* o : waiters)
            if (o->waiting && !o->woken) return wake(*o);
    }
    /// Ends `o`; the last reference to an abandoned one may go with it.
    void finish(operation& o) {
        o.finished = true;
        wake(o);
        for (operation* w : waiters)  // a dump waiting for this one to drain
            if (w->blocker.get() == &o) wake(*w);
        std::erase_if(ops, [&](const auto& p) { return p.get() == &o; });
    }
    void fail_all(const error& e) {
        for (auto& o : ops) {
            if (!o->failure) o->failure = e;
            o->finished = true;
            wake(*o);
        }
        ops.clear();
    }
    void abandon(operation& o) {
        if (o.is_stream) return;  // queued notifications stay
        o.abandoned = true;
        o.queue.clear();
        o.current.reset();
        if (!o.reader) o.finished = true;  // never sent
    }
    operation* find(std::uint32_t seq) {
        for (auto& o : ops)
            if (o->reader && o->reader->seq() == seq) return o.get();
        return nullptr;
    }
    void queue_notification(message_view m) {
        if (m.type() == NLMSG_NOOP) return;
        stream->queue.push_back(owned_message{{m.raw().begin(), m.raw().end()}});
        wake(*stream);
    }

    /// Routes the messages read until `me` has a reply, or hands the next one to the waiting
    /// operation it answers (handoff: it is consumed in place by its owner).
    routed route(operation* me, bool handoff = true) {
        while (offset < dgram.size()) {
            message_range rest(dgram.subspan(offset));
            auto it = rest.begin();
            if (auto e = rest.error()) {
                offset = dgram.size();
                fail_all(std::move(*e).wrap("received datagram"));
                return routed::empty;
            }
            const message_view m = *it;
            if (reply_reader::is_notification(m, group)) {
                offset += align4(m.length());
                queue_notification(m);
                continue;
            }
            operation* o = find(m.seq());
            if (!o) {  // a late reply to a request no longer followed, or a NOOP
                offset += align4(m.length());
                continue;
            }
            if (o != me && handoff && !o->abandoned && (o->waiting || o->yielding) &&
                !o->has_item()) {
                wake(*o);
                return routed::handed_off;
            }
            offset += align4(m.length());
            auto v = o->reader->classify(m, group);
            if (!v) {
                o->failure = std::move(v.error());
                finish(*o);
                if (o == me) return routed::got;
                continue;
            }
            switch (*v) {
            case reply_reader::verdict::reply:
                if (o->abandoned) break;
                if (o == me) {
                    o->current = m;
                    return routed::got;
                }
                o->queue.push_back(owned_message{{m.raw().begin(), m.raw().end()}});
                wake(*o);
                break;
            case reply_reader::verdict::notification: queue_notification(m); break;
            case reply_reader::verdict::skip: break;
            case reply_reader::verdict::done:
                finish(*o);
                if (o == me) return routed::got;
                break;
            }
        }
        return routed::empty;
    }

    /// Read empty after an overrun: the "do" requests still in flight lost their ACK (each was
    /// handled inside its sendto, so its ACK was queued by now or dropped). Dumps go on. True when
    /// one ended.
    bool fail_unanswered() {
        overrun = false;
        bool any = false;
        const auto in_flight = ops;  // finish() erases from ops
        for (const auto& o : in_flight)
            if (!o->is_dump) {
                if (!o->abandoned && !o->failure) o->failure = o->reader->lost();
                finish(*o);
                any = true;
            }
        return any;
    }

    /// One receive without waiting: true when a datagram was read (or an overrun or error
    /// handled); false when none is there.
    bool receive_now() {
        auto d = sock->receive();
        if (d) {
            dgram = d->data;
            offset = 0;
            group = d->group;
            return true;
        }
        if (d.error().is(errc::would_block)) return overrun && fail_unanswered();
        if (d.error().errno_value() == ENOBUFS) overrun = true;
        if (d.error().errno_value() == ENOBUFS && subscriptions > 0) {
            lost = true;
            wake(*stream);
            return true;
        }
        fail_all(d.error());
        if (subscriptions > 0) stream_error = d.error();  // next_notification() reports it once
        return true;
    }

    /// Arms the per-wait timeout of `me`.
    void arm(const std::shared_ptr<operation>& me, const std::shared_ptr<state>& self) {
        if (timeout.count() <= 0) return;
        me->timed_out = false;
        me->deadline.expires_after(timeout);
        me->deadline.async_wait([w = std::weak_ptr<state>(self),
                                 op = std::weak_ptr<operation>(me)](const std::error_code& ec) {
            auto s = w.lock();
            auto o = op.lock();
            if (ec || !s || !o) return;
            o->timed_out = true;
            std::error_code ignored;
            if (o->reading) s->desc.cancel(ignored);
            if (o->waiting && !o->woken) o->wake.cancel();
        });
    }

    /// Waits until `me` is ready (a reply, the end, an error; or its blocker finished), reading for
    /// every operation while it waits. A cancelled or timed-out wait abandons `me` and returns the
    /// error; `me` keeps no reply then.
    ::asio::awaitable<result<void>> wait(std::shared_ptr<operation> me,
                                         std::shared_ptr<state> self) {
        arm(me, self);
        waiters.push_back(me.get());
        struct leave {
            state& s;
            operation* o;
            ~leave() { std::erase(s.waiters, o); }
        } registered{*this, me.get()};
        auto disarm = [&] {
            if (timeout.count() > 0) me->deadline.cancel();
        };
        for (;;) {
            if (closed) {
                disarm();
                co_return fail(aborted(me->info, "socket closed"));
            }
            if (ready(*me)) {
                disarm();
                pass_reader();
                if (me->is_stream && stream_error && me->queue.empty() && !lost)
                    co_return fail(*std::exchange(stream_error, std::nullopt));
                co_return result<void>{};
            }
            if (me->timed_out) {
                abandon(*me);
                pass_reader();
                co_return fail(errc::timeout, fmt_timeout(*me));
            }
            const auto cs = co_await ::asio::this_coro::cancellation_state;
            if (cs.cancelled() != ::asio::cancellation_type::none) {
                disarm();
                abandon(*me);
                pass_reader();
                co_return fail(aborted(me->info, "cancelled"));
            }
            bool follow = reading;
            if (!follow) {
                const routed r = route(me->blocker ? nullptr : me.get());
                if (r == routed::got) continue;
                if (r == routed::handed_off) {
                    follow = true;
                } else {
                    // Before each read, let the io_context run others (and a cancellation land);
                    // meanwhile a reply for `me` is still handed over in place, not copied.
                    me->yielding = true;
                    co_await ::asio::post(desc.get_executor(), ::asio::use_awaitable);
                    me->yielding = false;
                    if (closed || ready(*me) || offset < dgram.size()) continue;
                    if (me->timed_out || reading) continue;  // reading: another took it meanwhile
                    if (const auto c = co_await ::asio::this_coro::cancellation_state;
                        c.cancelled() != ::asio::cancellation_type::none)
                        continue;
                    if (receive_now()) continue;
                }
            }
            std::error_code ec;
            if (!follow) {  // read for everyone: wait until the socket is readable
                reading = me->reading = true;
                co_await desc.async_wait(::asio::posix::descriptor_base::wait_read,
                                         ::asio::redirect_error(::asio::use_awaitable, ec));
                reading = me->reading = false;
            } else {  // someone else reads, or the next message is another's: wait to be woken
                me->waiting = true;
                me->woken = false;
                me->wake.expires_at(::asio::steady_timer::time_point::max());
                co_await me->wake.async_wait(::asio::redirect_error(::asio::use_awaitable, ec));
                me->waiting = false;
                if (me->woken) continue;
            }
            if (closed || me->timed_out) continue;
            if (ec) {  // cancelled through the operation's cancellation slot
                disarm();
                abandon(*me);
                pass_reader();
                co_return fail(aborted(me->info, "cancelled"));
            }
        }
    }

    std::string fmt_timeout(const operation& o) const {
        return (o.info.what.empty() ? std::string("request") : o.info.what) + ": no reply within " +
               std::to_string(timeout.count()) + " ms";
    }

    /// Sends `b` with NLM_F_REQUEST | flags and follows it.
    result<void> send(operation& o, message_builder& b, std::uint16_t flags) {
        if (closed) return fail(aborted(o.info, "socket closed"));
        auto wire = b.finish();
        if (!wire) return fail(std::move(wire.error()));
        message_range msgs(*wire);
        for (message_view m : msgs) {
            const auto off = static_cast<std::size_t>(m.raw().data() - wire->data());
            store<std::uint16_t>(wire->subspan(off + 6),
                                 static_cast<std::uint16_t>(m.flags() | NLM_F_REQUEST | flags));
        }
        if (auto e = msgs.error()) return fail(std::move(*e).wrap("request"));
        auto seq = sock->send(b);
        if (!seq) return fail(std::move(seq.error()).wrap(o.info.what));
        o.request.assign(wire->begin(), wire->end());
        o.reader.emplace(*seq, sock->port_id(), bytes(o.request), o.info);
        return {};
    }

    /// Sends the request a dump kept (dump() copies it; the first next() sends it).
    result<void> send_unsent(operation& o, std::uint16_t flags) {
        if (o.request.size() < message_header_size)
            return fail(errc::invalid_argument, o.info.what + ": empty request");
        const bytes wire(o.request);
        message_builder b(load<std::uint16_t>(wire.subspan(4)),
                          load<std::uint16_t>(wire.subspan(6)), wire.size());
        b.put_header(wire.subspan(message_header_size));
        return send(o, b, flags);
    }

    /// True when `o` has something to hand out now; reads what is already received for it (the fast
    /// path of a dump: no suspension).
    bool take_ready(operation& o) {
        if (o.has_item()) return true;
        return !reading && !closed && route(&o) == routed::got;
    }
    /// The next reply of `o` (once take_ready() or wait() said so): a queued one, the one handed
    /// over in place, nullopt at the end, or its error.
    result<std::optional<message_view>> take(operation& o) {
        if (!o.queue.empty()) {
            o.held = std::move(o.queue.front());
            o.queue.pop_front();
            return o.held.view();
        }
        if (o.current) {
            const message_view m = *o.current;
            o.current.reset();
            return m;
        }
        if (o.failure) return fail(*o.failure);
        return std::optional<message_view>();
    }

    void close() {
        if (closed) return;
        closed = true;
        std::error_code ignored;
        desc.cancel(ignored);
        (void)desc.release();  // the descriptor no longer owns the fd: nlpp::socket closes it once
        sock.reset();
        const error e = aborted({}, "socket closed");
        fail_all(e);
        for (operation* w : waiters) wake(*w);
    }
};

/// Runs an awaitable of ours: an exception (asio's, when the caller's coroutine was already
/// cancelled) becomes an error.
template <class T>
::asio::awaitable<result<T>> guarded(::asio::awaitable<result<T>> a, const request_info& info) {
    try {
        co_return co_await std::move(a);
    } catch (const std::system_error& e) {
        co_return fail(error(e.code(), info.what.empty() ? "request" : info.what));
    }
}

}  // namespace detail

using detail::operation;
using detail::state;

// dump_range

dump_range::dump_range(std::shared_ptr<state> s, std::shared_ptr<operation> op)
    : s_(std::move(s)), op_(std::move(op)) {}
dump_range::dump_range(dump_range&&) noexcept = default;
dump_range& dump_range::operator=(dump_range&& o) noexcept {
    if (this != &o) {
        if (op_ && s_ && !op_->finished) s_->abandon(*op_);
        s_ = std::move(o.s_);
        op_ = std::move(o.op_);
    }
    return *this;
}
dump_range::~dump_range() {
    if (op_ && s_ && !op_->finished) s_->abandon(*op_);
}

::asio::awaitable<result<std::optional<message_view>>> dump_range::next() {
    state& s = *s_;
    operation& o = *op_;
    o.current.reset();
    if (o.abandoned) co_return fail(state::aborted(o.info, "cancelled"));
    if (!o.reader && !o.finished) {  // the first next(): send, once an abandoned dump is drained
        for (auto& other : s.ops)
            if (other->is_dump && other->abandoned) o.blocker = other;
        if (o.blocker) {
            auto r = co_await detail::guarded(s.wait(op_, s_), o.info);
            o.blocker.reset();
            if (!r) co_return fail(std::move(r.error()));
        }
        if (auto r = s.send_unsent(o, NLM_F_DUMP); !r) {
            o.finished = true;
            co_return fail(std::move(r.error()));
        }
        s.ops.push_back(op_);
    }
    if (!s.take_ready(o)) {
        auto r = co_await detail::guarded(s.wait(op_, s_), o.info);
        if (!r) co_return fail(std::move(r.error()));
    }
    co_return s.take(o);
}

// socket

socket::socket(std::shared_ptr<state> s) : s_(std::move(s)) {}
socket::socket(socket&&) noexcept = default;
socket& socket::operator=(socket&& o) noexcept {
    if (this != &o) {
        close();
        s_ = std::move(o.s_);
    }
    return *this;
}
socket::~socket() { close(); }

result<socket> socket::open(::asio::any_io_executor ex, int protocol, socket_options options) {
    options.nonblocking = true;
    auto sock = nlpp::socket::open(protocol, options);
    if (!sock) return fail(std::move(sock.error()));
    try {
        return socket(std::make_shared<state>(std::move(*sock), ex, options.timeout));
    } catch (const std::system_error& e) {
        return fail(error(e.code(), "register the netlink socket with the io_context"));
    }
}

void socket::close() {
    if (s_) s_->close();
}

nlpp::socket& socket::raw() { return *s_->sock; }

result<void> socket::subscribe(std::uint32_t group) {
    if (s_->closed) return fail(state::aborted({"subscribe"}, "socket closed"));
    auto r = s_->sock->subscribe(group);
    if (r) ++s_->subscriptions;
    return r;
}

::asio::awaitable<result<void>> socket::request(message_builder& b, reply_handler on_reply,
                                                request_info info) {
    auto s = s_;
    auto op = std::make_shared<operation>(s->desc.get_executor());
    op->info = std::move(info);
    if (auto r = s->send(*op, b, NLM_F_ACK); !r) co_return r;
    s->ops.push_back(op);
    for (;;) {
        if (!s->take_ready(*op)) {
            auto r = co_await detail::guarded(s->wait(op, s), op->info);
            if (!r) co_return r;
        }
        auto m = s->take(*op);
        if (!m) co_return fail(std::move(m.error()));
        if (!*m) co_return result<void>{};
        if (on_reply)
            if (auto h = on_reply(**m); !h) {
                s->abandon(*op);  // its remaining replies are dropped; the handler's error wins
                co_return h;
            }
    }
}

::asio::awaitable<result<std::optional<owned_message>>> socket::do_request(message_builder& b,
                                                                           request_info info) {
    // Named, not temporaries in the co_await expression: GCC 12 destroys those twice.
    std::optional<owned_message> reply;
    reply_handler keep = [&](message_view m) -> result<void> {
        if (!reply) reply = owned_message{{m.raw().begin(), m.raw().end()}};
        return {};
    };
    auto r = co_await detail::guarded(request(b, keep, info), info);
    if (!r) co_return fail(std::move(r.error()));
    co_return reply;
}

dump_range socket::dump(message_builder& b, request_info info) {
    auto op = std::make_shared<operation>(s_->desc.get_executor());
    op->info = std::move(info);
    op->is_dump = true;
    auto wire = b.finish();
    if (!wire) {
        op->failure = std::move(wire.error());
        op->finished = true;
    } else {
        op->request.assign(wire->begin(), wire->end());
    }
    return dump_range(s_, std::move(op));
}

::asio::awaitable<result<notification>> socket::next_notification() {
    auto s = s_;
    const request_info what{"next notification"};
    operation& st = *s->stream;
    if (st.waiting || st.reading || st.yielding)
        co_return fail(errc::invalid_argument, "next_notification: one waiter at a time");
    for (;;) {
        if (s->lost) {
            s->lost = false;
            co_return notification(events_lost{});
        }
        if (!st.queue.empty()) {
            notification n(std::move(st.queue.front()));
            st.queue.pop_front();
            co_return n;
        }
        if (s->closed) co_return fail(state::aborted({"next notification"}, "socket closed"));
        auto r = co_await detail::guarded(s->wait(s->stream, s), what);
        if (!r) co_return fail(std::move(r.error()));
    }
}

::asio::awaitable<result<void>> socket::resync(message_builder& b, reply_handler on_state,
                                               request_info info) {
    auto s = s_;
    // What was queued, and what the kernel holds now, is older than the dump: dropped.
    do {
        s->route(nullptr, false);
        s->stream->queue.clear();
    } while (!s->closed && s->receive_now());
    s->lost = false;
    auto d = dump(b, info);
    for (;;) {
        auto m = co_await detail::guarded(d.next(), info);
        if (!m) co_return fail(std::move(m.error()));
        if (!*m) co_return result<void>{};
        if (on_state)
            if (auto r = on_state(**m); !r) co_return r;
    }
}

}  // namespace nlpp::asio
