// nlpp/core/message.hpp: netlink messages as bounds-checked, zero-copy views.
//
//   |<------------- 16 bytes: struct nlmsghdr ------------->|
//   +-----------+--------+---------+-----------+-----------+----------------+-------------+
//   | nlmsg_len |  type  |  flags  | nlmsg_seq | nlmsg_pid | family header  | attributes  |
//   |    u32    |  u16   |   u16   |    u32    |    u32    | (e.g. genl, 4) |  (attr.hpp) |
//   +-----------+--------+---------+-----------+-----------+----------------+-------------+
//   nlmsg_len covers the header and payload; the next message starts at NLMSG_ALIGN(len).
//
// message_range walks a received datagram; each step checks that a header
// fits, that nlmsg_len >= 16 and that nlmsg_len does not run past the end.
// On a malformed message the range ends and error() says where.
//
// Example (given nlpp::bytes datagram):
//   nlpp::message_range msgs(datagram);
//   for (nlpp::message_view m : msgs) {
//       nlpp::attr_range attrs = m.attrs(sizeof(ifinfomsg));
//       for (nlpp::attr_view a : attrs) { /* ... */ }
//       if (auto e = attrs.error()) return nlpp::fail(*e);
//   }
//   if (auto e = msgs.error()) return nlpp::fail(*e);
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>

#include <nlpp/core/attr.hpp>
#include <nlpp/core/bytes.hpp>
#include <nlpp/core/error.hpp>

namespace nlpp {

inline constexpr std::size_t message_header_size = 16;

/// Message types and flags from <linux/netlink.h>, for readers of this header.
inline constexpr std::uint16_t nlmsg_noop = 1, nlmsg_error = 2, nlmsg_done = 3, nlmsg_overrun = 4;
inline constexpr std::uint16_t nlmsg_min_type = 0x10;

namespace detail {
struct message_traits;
}

/// A checked view of one netlink message (nlmsghdr and payload).
class NLPP_API message_view {
public:
    std::uint32_t length() const noexcept { return load<std::uint32_t>(data_); }  ///< nlmsg_len
    /// nlmsg_type.
    std::uint16_t type() const noexcept { return load<std::uint16_t>(data_.subspan(4)); }
    /// nlmsg_flags.
    std::uint16_t flags() const noexcept { return load<std::uint16_t>(data_.subspan(6)); }
    /// nlmsg_seq.
    std::uint32_t seq() const noexcept { return load<std::uint32_t>(data_.subspan(8)); }
    /// nlmsg_pid: the port id.
    std::uint32_t port() const noexcept { return load<std::uint32_t>(data_.subspan(12)); }
    /// The whole message, exactly nlmsg_len bytes.
    bytes raw() const noexcept { return data_; }
    /// Everything after the 16-byte header.
    bytes payload() const noexcept { return data_.subspan(message_header_size); }

    /// The attributes after a family header of fixed_header bytes (padded to
    /// 4). A payload shorter than the header gives an empty range whose
    /// error() says so, like any other malformed attribute data.
    attr_range attrs(std::size_t fixed_header = 0) const noexcept;
    /// A copy of the family header (ifinfomsg, rtmsg, genlmsghdr...).
    template <class H>
    requires std::is_trivially_copyable_v<H> result<H> fixed_header()
    const {
        if (payload().size() < sizeof(H)) return fail(short_error(sizeof(H)));
        H h;
        std::memcpy(&h, payload().data(), sizeof h);
        return h;
    }

    /// Exactly one message occupying all of `data` (trailing padding allowed).
    static result<message_view> parse(bytes data);

private:
    friend struct detail::message_traits;
    explicit message_view(bytes data) noexcept : data_(data) {}
    nlpp::error short_error(std::size_t want) const;
    bytes data_;
};

namespace detail {
struct message_traits {
    using view = message_view;
    using length_type = std::uint32_t;
    static constexpr std::size_t header = message_header_size;
    static constexpr const char* short_reason = "fewer than 16 bytes left for a message header";
    static constexpr const char* small_reason = "nlmsg_len is smaller than the message header";
    static constexpr const char* long_reason = "nlmsg_len points past the end of the datagram";
    static message_view make(const std::byte* p, std::size_t len) noexcept {
        return message_view(bytes(p, len));
    }
};
}  // namespace detail

/// A forward range of message_view over a datagram (see tlv.hpp).
class NLPP_API message_range : public detail::tlv_range<detail::message_traits> {
public:
    using tlv_range::tlv_range;
    std::optional<nlpp::error> error() const;  ///< why the walk stopped early, if it did
};

}  // namespace nlpp
