// nlpp/core/attr.hpp: netlink attributes as bounds-checked, zero-copy views.
//
//   |<- 2 bytes ->|<- 2 bytes ->|<- len - 4 bytes ->|<- pad to 4 ->|
//   +-------------+-------------+-------------------+--------------+
//   |   nla_len   |  nla_type   |      payload      |   (zeros)    |
//   +-------------+-------------+-------------------+--------------+
//   nla_type bit 15 = NLA_F_NESTED, bit 14 = NLA_F_NET_BYTEORDER
//
// An attr_range walks attributes in place. Each step applies the three
// checks (at least 4 bytes left, nla_len >= 4, nla_len <= what is left);
// on a malformed attribute the range ends and error() says what and where.
// Accessors check exact lengths and never read out of range.
//
// Example (given nlpp::message_view msg):
//   nlpp::attr_range attrs = msg.attrs(sizeof(ifinfomsg));
//   std::uint32_t mtu = 0;
//   for (nlpp::attr_view a : attrs) {
//       if (a.type() == IFLA_MTU) mtu = a.get<std::uint32_t>().value_or(0);
//       if (a.type() == IFLA_LINKINFO)
//           for (nlpp::attr_view li : a.nested()) { /* ... */ }   // with or without NLA_F_NESTED
//   }
//   if (auto e = attrs.error()) std::cerr << *e << '\n';
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include <nlpp/core/bytes.hpp>
#include <nlpp/core/error.hpp>
#include <nlpp/core/tlv.hpp>

namespace nlpp {

inline constexpr std::size_t attr_header_size = 4;
inline constexpr std::uint16_t attr_f_nested = 0x8000;
inline constexpr std::uint16_t attr_f_net_byteorder = 0x4000;
inline constexpr std::uint16_t attr_type_mask = 0x3fff;

class attr_range;

namespace detail {
struct attr_traits;
}

/// One attribute. Obtained only from an attr_range, so its header and payload
/// are known to lie inside the buffer.
class NLPP_API attr_view {
public:
    /// The attribute's type without the NLA_F_NESTED and NLA_F_NET_BYTEORDER flags.
    std::uint16_t type() const noexcept {
        return static_cast<std::uint16_t>(raw_type() & attr_type_mask);
    }
    /// NLA_F_NESTED is set.
    bool nested_flag() const noexcept { return (raw_type() & attr_f_nested) != 0; }
    /// NLA_F_NET_BYTEORDER is set.
    bool net_byteorder_flag() const noexcept { return (raw_type() & attr_f_net_byteorder) != 0; }
    /// nla_len minus the header; padding excluded.
    bytes payload() const noexcept {
        return {data_ + attr_header_size, length_ - attr_header_size};
    }
    /// The whole attribute, header included, padding excluded.
    bytes raw() const noexcept { return {data_, length_}; }

    /// A scalar of exactly sizeof(T) bytes, in the given byte order.
    template <std::integral T>
    result<T> get(byte_order o = byte_order::host) const {
        if (length_ - attr_header_size != sizeof(T)) return fail(size_error(sizeof(T)));
        return load<T>(payload(), o);
    }
    /// Kernel "uint"/"sint": 4 or 8 bytes.
    result<std::uint64_t> get_uint(byte_order o = byte_order::host) const;
    /// Kernel "sint": 4 or 8 bytes, sign-extended.
    result<std::int64_t> get_sint(byte_order o = byte_order::host) const;
    /// A string up to the first NUL, or the whole payload when none.
    std::string_view get_string() const noexcept;
    /// A fixed struct: the payload must hold at least sizeof(S) bytes (newer
    /// kernels may append fields; the tail is ignored).
    template <class S>
    requires std::is_trivially_copyable_v<S> result<S> get_struct()
    const {
        if (length_ - attr_header_size < sizeof(S)) return fail(size_error(sizeof(S)));
        S s;
        std::memcpy(&s, data_ + attr_header_size, sizeof s);
        return s;
    }
    /// The payload read as attributes, whether or not NLA_F_NESTED is set.
    attr_range nested() const noexcept;

private:
    friend struct detail::attr_traits;
    attr_view(const std::byte* data, std::size_t length) noexcept : data_(data), length_(length) {}
    std::uint16_t raw_type() const noexcept { return load<std::uint16_t>(bytes(data_ + 2, 2)); }
    nlpp::error size_error(std::size_t want) const;

    const std::byte* data_;
    std::size_t length_;
};

namespace detail {
struct attr_traits {
    using view = attr_view;
    using length_type = std::uint16_t;
    static constexpr std::size_t header = attr_header_size;
    static constexpr const char* short_reason = "fewer than 4 bytes left for an attribute header";
    static constexpr const char* small_reason = "nla_len is smaller than the attribute header";
    static constexpr const char* long_reason = "nla_len points past the end of the enclosing data";
    static attr_view make(const std::byte* p, std::size_t len) noexcept { return {p, len}; }
};
}  // namespace detail

/// A forward range of attr_view over bytes (see tlv.hpp). Ends early on a
/// malformed attribute and keeps the fault; error() reports it.
class NLPP_API attr_range : public detail::tlv_range<detail::attr_traits> {
public:
    using tlv_range::tlv_range;
    /// An empty range that reports `fault` (for data too short to hold attributes).
    static attr_range failed(walk_fault fault) noexcept {
        attr_range r;
        r.fault_ = fault;
        return r;
    }

    /// The first attribute of this type, if any (walks the range).
    std::optional<attr_view> find(std::uint16_t type) const noexcept;
    /// An index by type, like libmnl's tb[]: the last attribute of each type
    /// below N. Types >= N are skipped (forward compatible).
    template <std::size_t N>
    std::array<std::optional<attr_view>, N> index() const noexcept {
        std::array<std::optional<attr_view>, N> tb{};
        for (attr_view a : *this)
            if (a.type() < N) tb[a.type()] = a;
        return tb;
    }
    std::optional<nlpp::error> error() const;  ///< why the walk stopped early, if it did
};

inline attr_range attr_view::nested() const noexcept { return attr_range(payload()); }

}  // namespace nlpp
