// A message-level fake kernel for error paths. It answers a request (or a
// batch of them) with datagrams the test writes (replies, ACKs, errors with
// extended ACK, notifications, garbage) and runs nlpp's pure reply_reader
// (batch_reader) over them, the same logic nlpp::socket runs over real
// datagrams. No socket is mocked.
#pragma once

#include <nlpp/core/builder.hpp>
#include <nlpp/socket/batch_reader.hpp>
#include <nlpp/socket/reply_reader.hpp>

#include <linux/netlink.h>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace nlpp::test {

using wire = std::vector<std::byte>;

struct datagram_in {
    wire data;
    std::uint32_t group = 0;
};

// One kernel message; `body` adds payload with a builder.
inline wire kmsg(std::uint16_t type, std::uint16_t flags, std::uint32_t seq, std::uint32_t port,
                 const std::function<void(message_builder&)>& body = {}) {
    message_builder b(type, flags);
    if (body) body(b);
    auto w = b.finish().value();
    store<std::uint32_t>(w.subspan(8), seq);
    store<std::uint32_t>(w.subspan(12), port);
    return {w.begin(), w.end()};
}

struct ext {
    std::string msg{};
    std::optional<std::uint32_t> offset{}, miss_type{}, miss_nest{};
};

// NLMSG_ERROR for `request` (capped, as with NETLINK_CAP_ACK) with extack TLVs.
inline wire kerror(int err, bytes request, std::uint32_t port, const ext& e = {}) {
    const bool tlvs = !e.msg.empty() || e.offset || e.miss_type;
    const auto seq = load<std::uint32_t>(request.subspan(8));
    return kmsg(NLMSG_ERROR, static_cast<std::uint16_t>(NLM_F_CAPPED | (tlvs ? NLM_F_ACK_TLVS : 0)), seq, port,
                [&](message_builder& b) {
                    b.put_header(std::int32_t{-err});
                    b.put_header(request.first(16));
                    if (!e.msg.empty()) b.put_string(NLMSGERR_ATTR_MSG, e.msg);
                    if (e.offset) b.put<std::uint32_t>(NLMSGERR_ATTR_OFFS, *e.offset);
                    if (e.miss_type) b.put<std::uint32_t>(NLMSGERR_ATTR_MISS_TYPE, *e.miss_type);
                    if (e.miss_nest) b.put<std::uint32_t>(NLMSGERR_ATTR_MISS_NEST, *e.miss_nest);
                });
}

inline wire kdone(std::uint32_t seq, std::uint32_t port, int status = 0, std::uint16_t flags = NLM_F_MULTI) {
    return kmsg(NLMSG_DONE, flags, seq, port, [&](message_builder& b) { b.put_header(std::int32_t{status}); });
}

inline wire concat(std::initializer_list<wire> parts) {
    wire out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

struct outcome {
    std::vector<wire> replies;
    std::vector<wire> notifications;
    std::optional<nlpp::error> error;
    bool done = false;
};

// Answers requests with a handler, as the kernel would, at port `port`.
class fake_kernel {
public:
    using handler = std::function<std::vector<datagram_in>(message_view request)>;
    fake_kernel(std::uint32_t port, handler h) : port_(port), h_(std::move(h)) {}

    std::uint32_t port() const { return port_; }

    // Sends `b` (seq assigned) and feeds the answer to a reply_reader.
    outcome exchange(message_builder& b, const request_info& info = {}) {
        auto w = b.finish().value();
        store<std::uint32_t>(w.subspan(8), ++seq_);
        sent_.assign(w.begin(), w.end());
        reply_reader r(seq_, port_, sent_, info);
        outcome out;
        for (auto& d : h_(message_view::parse(sent_).value())) {
            message_range msgs(d.data);
            for (message_view m : msgs) {
                auto v = r.classify(m, d.group);
                if (!v) {
                    out.error = v.error();
                    return out;
                }
                switch (*v) {
                case reply_reader::verdict::reply: out.replies.emplace_back(m.raw().begin(), m.raw().end()); break;
                case reply_reader::verdict::notification:
                    out.notifications.emplace_back(m.raw().begin(), m.raw().end());
                    break;
                case reply_reader::verdict::skip: break;
                case reply_reader::verdict::done: out.done = true; return out;
                }
            }
            if (auto e = msgs.error()) {
                out.error = *e;
                return out;
            }
        }
        return out;
    }

private:
    std::uint32_t port_;
    handler h_;
    std::uint32_t seq_ = 100;
    wire sent_;
};

struct batch_outcome {
    std::vector<std::pair<std::size_t, wire>> replies;  // (request index, message)
    std::vector<wire> notifications;
    nlpp::batch_outcomes outcomes;
    std::optional<nlpp::error> error;  // the batch failed as a whole
    bool ended = false;                // the kernel fell silent first: batch_reader::end()
};

// Answers batches with a handler given every request of the batch, as the
// kernel would, at port `port`; seqs are assigned from `first_seq` (0 skipped).
class fake_batch_kernel {
public:
    using handler = std::function<std::vector<datagram_in>(std::span<const message_view> requests)>;
    fake_batch_kernel(std::uint32_t port, handler h, std::uint32_t first_seq = 100)
        : port_(port), h_(std::move(h)), seq_(first_seq) {}

    // Sends `b` (a batch built with begin()) and feeds the answer to a
    // batch_reader the way socket::exchange does: when the datagrams run
    // out before every request is answered, the kernel has nothing more to
    // say (end()), unless a dump is running (then a socket would time out).
    batch_outcome exchange(message_builder& b, std::vector<batch_reader::answer> answers,
                           batch_reader::describer describe = {}) {
        auto w = b.finish().value();
        std::vector<message_view> requests;
        for (message_view m : message_range(w)) {
            const auto off = static_cast<std::size_t>(m.raw().data() - w.data());
            store<std::uint32_t>(w.subspan(off + 8), seq_);
            seq_ = seq_ + 1 == 0 ? 1 : seq_ + 1;
        }
        sent_.assign(w.begin(), w.end());
        for (message_view m : message_range(sent_)) requests.push_back(m);
        batch_outcome out;
        auto r = batch_reader::make(port_, sent_, std::move(answers), std::move(describe));
        if (!r) {
            out.error = r.error();
            return out;
        }
        for (auto& d : h_(requests)) {
            if (r->finished()) break;
            message_range msgs(d.data);
            for (message_view m : msgs) {
                auto v = r->classify(m, d.group);
                if (!v) {
                    out.error = v.error();
                    return out;
                }
                if (v->kind == reply_reader::verdict::reply) out.replies.emplace_back(v->index, wire(m.raw().begin(), m.raw().end()));
                if (v->kind == reply_reader::verdict::notification) out.notifications.emplace_back(m.raw().begin(), m.raw().end());
            }
            if (auto e = msgs.error()) {
                out.error = *e;
                return out;
            }
        }
        if (!r->finished()) {
            if (r->dumping()) {
                out.error = nlpp::error(errc::timeout, "fake kernel: a dump never ended");
                return out;
            }
            r->end();
            out.ended = true;
        }
        out.outcomes = std::move(*r).outcomes();
        return out;
    }

private:
    std::uint32_t port_;
    handler h_;
    std::uint32_t seq_;
    wire sent_;
};

}  // namespace nlpp::test
