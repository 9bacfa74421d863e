// The netlink socket: system calls around the pure reply_reader.
#include <nlpp/socket/socket.hpp>

#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace nlpp {
namespace {

result<void> set_opt(int fd, int level, int name, int value, const char* what) {
    if (setsockopt(fd, level, name, &value, sizeof value) < 0)
        return fail(error::from_errno(errno, fmt::format("setsockopt {}", what)));
    return {};
}

// Runs f() with the calling thread inside another network namespace.
template <class F>
auto in_netns(int target, const std::string& label, F&& f) -> decltype(f()) {
    const unique_fd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (self.get() < 0) return fail(error::from_errno(errno, "open /proc/thread-self/ns/net"));
    if (setns(target, CLONE_NEWNET) < 0) {
        auto e = error::from_errno(errno, fmt::format("enter network namespace {}", label));
        if (errno == EPERM) e.set_hint("needs CAP_SYS_ADMIN");
        return fail(std::move(e));
    }
    auto r = f();
    if (setns(self.get(), CLONE_NEWNET) != 0)
        return fail(error::from_errno(errno, "return to the original network namespace"));
    return r;
}

result<unique_fd> open_raw(int protocol) {
    unique_fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol));
    if (fd.get() < 0) {
        auto e =
            error::from_errno(errno, fmt::format("open netlink socket (protocol {})", protocol));
        if (errno == EPROTONOSUPPORT) e.set_hint("this kernel lacks that netlink protocol");
        return fail(std::move(e));
    }
    return fd;
}

}  // namespace

result<socket> socket::open(int protocol, const socket_options& o) {
    result<unique_fd> fd = [&]() -> result<unique_fd> {
        if (o.netns_fd >= 0)
            return in_netns(o.netns_fd, fmt::format("fd {}", o.netns_fd),
                            [&] { return open_raw(protocol); });
        if (!o.netns.empty()) {
            const std::string path =
                o.netns.find('/') == std::string::npos ? "/run/netns/" + o.netns : o.netns;
            const unique_fd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
            if (ns.get() < 0)
                return fail(
                    error::from_errno(errno, fmt::format("open network namespace {}", path)));
            return in_netns(ns.get(), o.netns, [&] { return open_raw(protocol); });
        }
        return open_raw(protocol);
    }();
    if (!fd) return fail(fd.error());

    for (auto [opt, name] : {std::pair{NETLINK_CAP_ACK, "NETLINK_CAP_ACK"},
                             std::pair{NETLINK_EXT_ACK, "NETLINK_EXT_ACK"},
                             std::pair{NETLINK_GET_STRICT_CHK, "NETLINK_GET_STRICT_CHK"},
                             std::pair{NETLINK_PKTINFO, "NETLINK_PKTINFO"}})
        if (auto r = set_opt(fd->get(), SOL_NETLINK, opt, 1, name); !r) return fail(r.error());
    if (o.receive_buffer > 0)
        if (auto r = set_opt(fd->get(), SOL_SOCKET, SO_RCVBUF, o.receive_buffer, "SO_RCVBUF"); !r)
            return fail(r.error());

    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    if (bind(fd->get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        return fail(error::from_errno(errno, "bind netlink socket"));
    socklen_t len = sizeof addr;
    if (getsockname(fd->get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0)
        return fail(error::from_errno(errno, "getsockname on netlink socket"));
    return socket(std::move(*fd), addr.nl_pid, protocol, o);
}

socket::socket(unique_fd fd, std::uint32_t port, int protocol, const socket_options& o)
    : fd_(std::move(fd)), port_(port), protocol_(protocol), timeout_(o.timeout),
      nonblocking_(o.nonblocking), read_size_(std::max<std::size_t>(o.read_size, 4096)) {
    const std::size_t batch = std::clamp<std::size_t>(o.read_batch, 1, 64);
    rx_.resize(read_size_ * batch);
    slots_.resize(batch);
}

void unique_fd::reset(int fd) noexcept {
    if (fd_ >= 0 && fd_ != fd) ::close(fd_);
    fd_ = fd;
}

result<std::uint32_t> socket::stamp(mutable_bytes wire, std::uint16_t set_flags,
                                    std::uint16_t clear_flags, std::vector<std::size_t>* starts) {
    const std::uint32_t first = next_seq_;
    message_range msgs(wire);
    for (message_view m : msgs) {
        const auto off = static_cast<std::size_t>(m.raw().data() - wire.data());
        if (starts) starts->push_back(off);
        store<std::uint16_t>(wire.subspan(off + 6),
                             static_cast<std::uint16_t>((m.flags() | set_flags) & ~clear_flags));
        store<std::uint32_t>(wire.subspan(off + 8), next_seq_++);
        if (next_seq_ == 0) next_seq_ = 1;
    }
    if (auto e = msgs.error()) return fail(std::move(*e).wrap("request"));
    return first;
}

result<void> socket::transmit(bytes data, std::string_view what) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    for (;;) {
        const ssize_t n = ::sendto(fd_.get(), data.data(), data.size(), 0,
                                   reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
        if (n >= 0) return {};
        if (errno == EINTR) continue;
        return fail(error::from_errno(errno, std::string(what)));
    }
}

result<std::uint32_t> socket::send(message_builder& b) { return send_request(b, 0); }

result<std::uint32_t> socket::send_request(message_builder& b, std::uint16_t add_flags) {
    auto wire = b.finish();
    if (!wire) return fail(wire.error());
    auto first = stamp(*wire, add_flags ? static_cast<std::uint16_t>(NLM_F_REQUEST | add_flags) : 0,
                       0, nullptr);
    if (!first) return fail(first.error());
    sent_.assign(wire->begin(), wire->end());
    if (auto r = transmit(*wire, fmt::format("send {} bytes", wire->size())); !r)
        return fail(r.error());
    return *first;
}

result<void> socket::fill() {
    constexpr std::size_t max_batch = 64;
    struct meta {
        sockaddr_nl from;
        alignas(cmsghdr) std::byte control[CMSG_SPACE(sizeof(nl_pktinfo))];
    };
    const std::size_t batch = slots_.size();
    meta metas[max_batch];
    iovec iovs[max_batch];
    mmsghdr mm[max_batch];
    for (std::size_t i = 0; i < batch; ++i) {
        iovs[i] = {rx_.data() + i * read_size_, read_size_};
        mm[i] = {};
        mm[i].msg_hdr.msg_name = &metas[i].from;
        mm[i].msg_hdr.msg_namelen = sizeof metas[i].from;
        mm[i].msg_hdr.msg_iov = &iovs[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        mm[i].msg_hdr.msg_control = metas[i].control;
        mm[i].msg_hdr.msg_controllen = sizeof metas[i].control;
    }
    for (;;) {
        if (timeout_.count() > 0 && !nonblocking_) {
            pollfd p{fd_.get(), POLLIN, 0};
            const int n = ::poll(&p, 1, static_cast<int>(timeout_.count()));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return fail(error::from_errno(errno, "poll netlink socket"));
            if (n == 0)
                return fail(errc::timeout, fmt::format("no reply within {} ms", timeout_.count()));
        }
        // The first datagram waits (unless non-blocking); the rest are taken only if already queued.
        const int n =
            ::recvmmsg(fd_.get(), mm, static_cast<unsigned>(batch),
                       MSG_TRUNC | MSG_WAITFORONE | (nonblocking_ ? MSG_DONTWAIT : 0), nullptr);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return fail(errc::would_block, "receive");
            auto e = error::from_errno(errno, "receive");
            if (errno == ENOBUFS) {
                overrun_ = true;
                e.set_context("receive: notifications were lost (socket receive buffer overrun)");
                e.set_hint("resynchronise with a dump; the socket stays usable");
            }
            return fail(std::move(e));
        }
        for (int i = 0; i < n; ++i) {
            slot& sl = slots_[static_cast<std::size_t>(i)];
            const msghdr& msg = mm[i].msg_hdr;
            sl.length = mm[i].msg_len;
            sl.truncated = sl.length > read_size_ || (msg.msg_flags & MSG_TRUNC);
            sl.from_kernel = metas[i].from.nl_pid == 0;
            sl.group = 0;
            for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&msg), c))
                if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_PKTINFO) {
                    nl_pktinfo info;
                    std::memcpy(&info, CMSG_DATA(c), sizeof info);
                    sl.group = info.group;
                }
        }
        filled_ = static_cast<std::size_t>(n);
        next_ = 0;
        return {};
    }
}

result<datagram> socket::receive() {
    for (;;) {
        if (next_ == filled_)
            if (auto r = fill(); !r) return fail(r.error());
        const std::size_t i = next_++;
        const slot& sl = slots_[i];
        if (!sl.from_kernel) continue;  // only the kernel talks to us
        if (sl.truncated)
            return fail(
                errc::truncated,
                fmt::format(
                    "receive: datagram of {} bytes truncated to the {}-byte read buffer (raise read_size)",
                    sl.length, read_size_));
        return datagram{bytes(rx_.data() + i * read_size_, sl.length), sl.group};
    }
}

bool socket::readable() const noexcept {
    if (next_ < filled_) return true;
    pollfd p{fd_.get(), POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

void socket::queue_notification(message_view m) {
    pending_.push_back(owned_message{std::vector<std::byte>(m.raw().begin(), m.raw().end())});
}

// Replies.

reply_range::reply_range(socket* s, std::uint32_t seq, request_info info)
    : s_(s), reader_(seq, s->port_, s->sent_, std::move(info)) {}

void reply_range::end_with(nlpp::error e) {
    error_ = std::move(e);
    ended_ = true;
    started_ = true;
}

void reply_range::advance() {
    current_.reset();
    while (!ended_) {
        if (offset_ >= datagram_.size()) {
            // After an overrun the kernel drops ACKs until the socket is read empty; a "do"
            // request is handled inside its sendto, so an ACK not queued by now is lost.
            if (s_->overrun_ && !dump_ && !s_->readable()) {
                s_->overrun_ = false;
                return end_with(reader_.lost());
            }
            auto d = s_->receive();
            if (!d) {
                if (d.error().errno_value() == ENOBUFS &&
                    s_->subscriptions_ > 0) {  // lost notifications: note, go on
                    s_->lost_notifications_ = true;
                    continue;
                }
                return end_with(std::move(d.error()).wrap(reader_.what()));
            }
            datagram_ = d->data;
            offset_ = 0;
            group_ = d->group;
            continue;
        }
        message_range rest(datagram_.subspan(offset_));
        auto it = rest.begin();
        if (auto e = rest.error()) return end_with(std::move(*e).wrap(reader_.what()));
        message_view m = *it;
        offset_ += align4(m.length());
        auto v = reader_.classify(m, group_);
        if (!v) return end_with(std::move(v.error()));
        switch (*v) {
        case reply_reader::verdict::reply: current_ = m; return;
        case reply_reader::verdict::notification: s_->queue_notification(m); break;
        case reply_reader::verdict::skip: break;
        case reply_reader::verdict::done:
            ended_ = true;
            if (s_->overrun_ && !s_->readable()) s_->overrun_ = false;  // read empty: over
            return;
        }
    }
}

result<void> reply_range::finish() {
    for ([[maybe_unused]] message_view m : *this) {}
    if (error_) return fail(*error_);
    return {};
}

reply_range socket::dump(message_builder& b, request_info info) {
    auto seq = send_request(b, NLM_F_DUMP);
    reply_range r(this, seq ? *seq : 0, std::move(info));
    r.dump_ = true;
    if (!seq) r.end_with(std::move(seq.error()).wrap(r.reader_.what()));
    return r;
}

namespace {
result<void> drain(reply_range& r, const reply_handler& on) {
    for (message_view m : r)
        if (on)
            if (auto res = on(m); !res) {
                (void)r.finish();  // keep the socket in step; the handler's error wins
                return res;
            }
    if (r.error()) return fail(*r.error());
    return {};
}
}  // namespace

result<void> socket::dump(message_builder& b, const reply_handler& on_message, request_info info) {
    auto r = dump(b, std::move(info));
    return drain(r, on_message);
}

result<void> socket::request(message_builder& b, const reply_handler& on_reply, request_info info) {
    auto seq = send_request(b, NLM_F_ACK);
    reply_range r(this, seq ? *seq : 0, std::move(info));
    if (!seq) return fail(std::move(seq.error()).wrap(r.reader_.what()));
    return drain(r, on_reply);
}

// Batches.

result<void> socket::await(batch_reader& r, const batch_handler& on_reply) {
    while (!r.finished()) {
        // Requests are handled while they are sent: when nothing is left to
        // read and no dump is running, no more answers are coming.
        if (!r.dumping() && !readable()) {
            r.end();
            break;
        }
        auto d = receive();
        if (!d) {
            if (d.error().errno_value() == ENOBUFS)
                d.error().set_context(
                    "batch: answers were lost (socket receive buffer overrun); outcomes unknown");
            return fail(std::move(d.error()));
        }
        message_range msgs(d->data);
        for (message_view m : msgs) {
            auto v = r.classify(m, d->group);
            if (!v) return fail(std::move(v.error()));
            if (v->kind == reply_reader::verdict::notification)
                queue_notification(m);
            else if (v->kind == reply_reader::verdict::reply && on_reply)
                if (auto h = on_reply(v->index, m); !h) return h;
        }
        if (auto e = msgs.error()) return fail(std::move(*e).wrap("batch answers"));
    }
    return {};
}

result<batch_outcomes> socket::exchange(message_builder& b,
                                        std::vector<batch_reader::answer> answers,
                                        const batch_handler& on_reply,
                                        batch_reader::describer describe) {
    auto wire = b.finish();
    if (!wire) return fail(wire.error());
    if (auto first = stamp(*wire, 0, 0, nullptr); !first) return fail(first.error());
    auto r = batch_reader::make(port_, *wire, std::move(answers), std::move(describe));
    if (!r) return fail(r.error());
    if (auto t = transmit(*wire, fmt::format("send batch of {} messages", r->size())); !t)
        return fail(t.error());
    if (auto a = await(*r, on_reply); !a) return fail(a.error());
    return std::move(*r).outcomes();
}

result<batch_outcomes> socket::request_batch(message_builder& b,
                                             const batch_reader::describer& describe,
                                             std::size_t chunk_messages) {
    constexpr std::size_t chunk_bytes = 32 * 1024;
    auto wire = b.finish();
    if (!wire) return fail(wire.error());
    // Offsets of every message, flags and seqs set.
    std::vector<std::size_t> starts;
    if (auto first = stamp(*wire, NLM_F_REQUEST, NLM_F_ACK, &starts); !first)
        return fail(std::move(first.error()).wrap("batch"));
    batch_outcomes out(starts.size());
    auto message_size = [&](std::size_t i) {
        return (i + 1 < starts.size() ? starts[i + 1] : wire->size()) - starts[i];
    };
    for (std::size_t i = 0; i < starts.size();) {
        std::size_t j = i + 1;  // messages [i, j) form this chunk
        while (j < starts.size() && j - i < chunk_messages &&
               starts[j] - starts[i] + message_size(j) <= chunk_bytes)
            ++j;
        const std::size_t end = j < starts.size() ? starts[j] : wire->size();
        const auto chunk = wire->subspan(starts[i], end - starts[i]);
        // Only the chunk's last message asks for an ACK: the kernel handles a
        // datagram's messages in order and reports every failure anyway, so
        // that ACK (or error) means the whole chunk is done.
        auto last = wire->subspan(starts[j - 1]);
        store<std::uint16_t>(
            last.subspan(6),
            static_cast<std::uint16_t>(load<std::uint16_t>(last.subspan(6)) | NLM_F_ACK));
        std::vector<batch_reader::answer> answers(j - i, batch_reader::answer::errors_only);
        answers.back() = batch_reader::answer::ack;
        auto r = batch_reader::make(port_, chunk, std::move(answers), [&](std::size_t k) {
            return describe ? describe(i + k)
                            : request_info{fmt::format("batch message {}", i + k)};
        });
        if (!r) return fail(r.error());
        if (auto t = transmit(chunk, fmt::format("send batch of {} messages", j - i)); !t)
            return fail(t.error());
        if (auto a = await(*r, {}); !a)
            return fail(std::move(a.error()).wrap(
                fmt::format("batch: waiting for the ACK of messages {}..{}", i, j - 1)));
        auto chunk_out = std::move(*r).outcomes();
        std::move(chunk_out.begin(), chunk_out.end(), out.begin() + static_cast<std::ptrdiff_t>(i));
        i = j;
    }
    return out;
}

// Notifications.

result<void> socket::subscribe(std::uint32_t group) {
    auto r = set_opt(fd_.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, static_cast<int>(group),
                     "NETLINK_ADD_MEMBERSHIP");
    if (r) ++subscriptions_;
    return r;
}

result<void> socket::unsubscribe(std::uint32_t group) {
    auto r = set_opt(fd_.get(), SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, static_cast<int>(group),
                     "NETLINK_DROP_MEMBERSHIP");
    if (r && subscriptions_ > 0) --subscriptions_;
    return r;
}

result<owned_message> socket::next_notification() {
    if (lost_notifications_) {
        lost_notifications_ = false;
        auto e = error::from_errno(
            ENOBUFS, "receive: notifications were lost (socket receive buffer overrun)");
        e.set_hint("resynchronise with a dump; the socket stays usable");
        return fail(std::move(e));
    }
    while (pending_.empty()) {
        auto d = receive();
        if (!d) return fail(d.error());
        message_range msgs(d->data);
        for (message_view m : msgs)
            if (m.type() != NLMSG_NOOP) queue_notification(m);
        if (auto e = msgs.error()) return fail(std::move(*e).wrap("notification"));
    }
    owned_message m = std::move(pending_.front());
    pending_.pop_front();
    return m;
}

}  // namespace nlpp
