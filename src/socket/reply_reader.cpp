// The pure receive-loop logic.
#include <nlpp/socket/reply_reader.hpp>

#include <linux/netlink.h>

#include <cerrno>

#include <fmt/format.h>

static_assert(NLM_F_DUMP_INTR == 0x10);

namespace nlpp {

std::string reply_reader::what() const {
    return !info_.what.empty() ? info_.what : fmt::format("request seq {}", seq_);
}

nlpp::error reply_reader::lost() const {
    auto e = error::from_errno(ENOBUFS, what() +
                                            ": the reply was lost to a receive buffer overrun;"
                                            " the request may or may not have been carried out");
    e.set_hint("check the state (a dump, for example); the socket stays usable");
    return e;
}

nlpp::error reply_reader::kernel_error(const ack& a, bytes request, const request_info& info) {
    nlpp::error e = a.to_error(info.what);
    if (!request.empty()) {
        extack_info x = a.extack;
        if (x.offset) x.attr_path = attr_path(request, info.fixed_header, *x.offset, info.names);
        if (x.missing_type)
            x.missing_path = missing_attr_path(request, info.fixed_header, x.missing_nest,
                                               *x.missing_type, info.names);
        e.set_extack(std::move(x));
    }
    if (e.errno_value() == EPERM) e.set_hint("needs CAP_NET_ADMIN");
    return e;
}

result<reply_reader::verdict> reply_reader::classify_other(message_view m, std::uint32_t group) {
    if (is_notification(m, group)) return verdict::notification;
    if (m.port() != port_ && m.port() != 0)
        return fail(errc::port_mismatch,
                    fmt::format("{}: message type {} addressed to port {}, this socket is {}",
                                what(), m.type(), m.port(), port_));
    if (m.seq() != seq_ || finished_) return verdict::skip;

    switch (m.type()) {
    case NLMSG_NOOP: return verdict::skip;
    case NLMSG_OVERRUN:
        finished_ = true;
        return fail(errc::unexpected_message, what() + ": NLMSG_OVERRUN");
    case NLMSG_ERROR:
    case NLMSG_DONE: {
        finished_ = true;
        auto a = parse_ack(m);
        if (!a) return fail(std::move(a.error()).wrap(what()));
        if (a->error != 0) {
            auto e = kernel_error(*a, request_, info_);
            e.set_context(what());
            return fail(std::move(e));
        }
        if (interrupted_ || (m.flags() & NLM_F_DUMP_INTR))
            return fail(errc::dump_interrupted, what());
        return verdict::done;
    }
    default:
        if (m.flags() & NLM_F_DUMP_INTR) interrupted_ = true;
        return verdict::reply;
    }
}

}  // namespace nlpp
