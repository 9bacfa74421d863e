// nlpp/socket/reply_reader.hpp: the receive loop's logic as a pure function.
//
// A reply_reader follows one request. It is fed every message received
// after the request was sent, with the multicast group the datagram came
// from (0 for unicast), and classifies it:
//   reply         a data message for this request: hand it to the caller
//   notification  a multicast message: queue it, never drop it
//   skip          NOOP, or a late reply to an earlier, abandoned request
//   done          the request is complete (ACK, or NLMSG_DONE of a dump)
// or returns an error: the kernel's errno with extended ACK (attribute path
// rendered when names are known), NLM_F_DUMP_INTR as errc::dump_interrupted
// (reported at the end of the dump, after every message was delivered), a
// reply addressed to another port id, a malformed ACK or an overrun.
//
// It makes no system calls: nlpp::socket drives it with received datagrams,
// tests drive it with a message-level fake kernel, and event-loop users
// drive it from their own poll/epoll loop (examples/nonblocking_dump.cpp).
//
// Example (given nlpp::bytes datagram, const nlpp::socket& sock, std::uint32_t seq, std::uint32_t group):
//   nlpp::reply_reader r(seq, sock.port_id());
//   for (nlpp::message_view m : nlpp::message_range(datagram)) {
//       auto v = r.classify(m, group);
//       if (!v) return nlpp::fail(v.error());
//       if (*v == nlpp::reply_reader::verdict::reply) { /* use m */ }
//   }
#pragma once

#include <cstdint>
#include <string>

#include <nlpp/core/extack.hpp>
#include <nlpp/core/message.hpp>

namespace nlpp {

/// What a request is, for error messages: context ("add link veth0") and
/// how to name attributes in the request (family header size and set).
struct request_info {
    std::string what{};            ///< what the request does ("add link veth0")
    std::size_t fixed_header = 0;  ///< the size of the family header before the attributes
    /// The request's attribute names, for extack paths; nullptr: by number.
    const attr_set* names = nullptr;
};

/// The receive loop's logic for one request, pure: classifies each received message as a reply, a
/// notification, one to skip, or the end.
class NLPP_API reply_reader {
public:
    /// What a received message is.
    enum class verdict { reply, notification, skip, done };

    /// `request` is the request as sent (used only to render extack paths).
    reply_reader(std::uint32_t seq, std::uint32_t port, bytes request = {}, request_info info = {})
        : seq_(seq), port_(port), request_(request), info_(std::move(info)) {}

    /// Classifies one message; `group` is the datagram's multicast group.
    result<verdict> classify(message_view m, std::uint32_t group = 0) {
        if (plain_reply(m, group)) return verdict::reply;
        return classify_other(m, group);
    }
    /// The common case, inline: a data reply to this request with nothing
    /// to note (classify() says reply for it).
    bool plain_reply(message_view m, std::uint32_t group) const noexcept {
        return group == 0 && m.seq() == seq_ && m.port() == port_ && m.type() >= nlmsg_min_type &&
               !finished_ && (m.flags() & dump_intr_flag) == 0;
    }

    /// A multicast message (group != 0), or a message the kernel sent of its
    /// own accord (seq 0 and port 0): a notification, never a reply.
    static bool is_notification(message_view m, std::uint32_t group) noexcept {
        return group != 0 || (m.seq() == 0 && m.port() == 0 && m.type() >= nlmsg_min_type);
    }

    /// The request is answered: no more replies will come.
    bool finished() const noexcept { return finished_; }
    /// Set once any reply carried NLM_F_DUMP_INTR.
    bool interrupted() const noexcept { return interrupted_; }
    std::uint32_t seq() const noexcept { return seq_; }  ///< the request's seq
    /// "what" of the request info, or "request seq N".
    std::string what() const;

    /// The error of a request whose ACK or error the kernel dropped: the socket's receive buffer
    /// overran (ENOBUFS) and the answer is not among what was still queued. Whether the kernel
    /// carried the request out is unknown: check its state (a dump, for example).
    nlpp::error lost() const;

    /// The kernel's error for `request` as an nlpp::error: errno, extack with
    /// the attribute path rendered through info.names, and a hint for EPERM.
    static nlpp::error kernel_error(const ack& a, bytes request, const request_info& info);

private:
    static constexpr std::uint16_t dump_intr_flag = 0x10;  ///< NLM_F_DUMP_INTR
    result<verdict> classify_other(message_view m, std::uint32_t group);

    std::uint32_t seq_;
    std::uint32_t port_;
    bytes request_;
    request_info info_;
    bool finished_ = false;
    bool interrupted_ = false;
};

}  // namespace nlpp
