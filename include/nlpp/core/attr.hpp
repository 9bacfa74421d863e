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
// Example:
//   nlpp::attr_range attrs = msg.attrs(sizeof(ifinfomsg)).value();
//   for (nlpp::attr_view a : attrs) {
//       if (a.type() == IFLA_MTU) mtu = a.get<std::uint32_t>().value_or(0);
//       if (a.type() == IFLA_LINKINFO)
//           for (nlpp::attr_view li : a.nested()) { ... }   // with or without NLA_F_NESTED
//   }
//   if (auto e = attrs.error()) std::cerr << e->what();
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

namespace nlpp {

inline constexpr std::size_t attr_header_size = 4;
inline constexpr std::uint16_t attr_f_nested = 0x8000;
inline constexpr std::uint16_t attr_f_net_byteorder = 0x4000;
inline constexpr std::uint16_t attr_type_mask = 0x3fff;

class attr_range;

// Where and why a walk over TLVs stopped early. Cheap to record; turned into
// an nlpp::error only when asked.
struct NLPP_API walk_fault {
    errc code{};
    std::size_t offset = 0;  // from the start of the walked bytes
    const char* reason = "";
    nlpp::error to_error(std::string_view what) const;
};

// One attribute. Obtained only from an attr_range, so its header and payload
// are known to lie inside the buffer.
class NLPP_API attr_view {
public:
    std::uint16_t type() const noexcept { return static_cast<std::uint16_t>(raw_type() & attr_type_mask); }
    bool nested_flag() const noexcept { return (raw_type() & attr_f_nested) != 0; }
    bool net_byteorder_flag() const noexcept { return (raw_type() & attr_f_net_byteorder) != 0; }
    // nla_len minus the header; padding excluded.
    bytes payload() const noexcept { return {data_ + attr_header_size, length_ - attr_header_size}; }
    // The whole attribute, header included, padding excluded.
    bytes raw() const noexcept { return {data_, length_}; }

    // A scalar of exactly sizeof(T) bytes, in the given byte order.
    template <std::integral T>
    result<T> get(byte_order o = byte_order::host) const {
        if (length_ - attr_header_size != sizeof(T)) return fail(size_error(sizeof(T)));
        return load<T>(payload(), o);
    }
    // Kernel "uint"/"sint": 4 or 8 bytes.
    result<std::uint64_t> get_uint(byte_order o = byte_order::host) const;
    result<std::int64_t> get_sint(byte_order o = byte_order::host) const;
    // A string up to the first NUL, or the whole payload when none.
    std::string_view get_string() const noexcept;
    // A fixed struct: the payload must hold at least sizeof(S) bytes (newer
    // kernels may append fields; the tail is ignored).
    template <class S>
        requires std::is_trivially_copyable_v<S>
    result<S> get_struct() const {
        if (length_ - attr_header_size < sizeof(S)) return fail(size_error(sizeof(S)));
        S s;
        std::memcpy(&s, data_ + attr_header_size, sizeof s);
        return s;
    }
    // The payload read as attributes, whether or not NLA_F_NESTED is set.
    attr_range nested() const noexcept;

private:
    friend class attr_range;
    attr_view(const std::byte* data, std::size_t length) noexcept : data_(data), length_(length) {}
    std::uint16_t raw_type() const noexcept { return load<std::uint16_t>(bytes(data_ + 2, 2)); }
    nlpp::error size_error(std::size_t want) const;

    const std::byte* data_;
    std::size_t length_;
};

// A forward range of attr_view over bytes. Ends early on a malformed
// attribute and keeps the fault; error() reports it.
class NLPP_API attr_range {
public:
    attr_range() = default;
    explicit attr_range(bytes data) noexcept : data_(data) {}
    // An empty range that reports `fault` (for data too short to hold attributes).
    static attr_range failed(walk_fault fault) noexcept {
        attr_range r;
        r.fault_ = fault;
        return r;
    }

    class iterator {
    public:
        using value_type = attr_view;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::input_iterator_tag;

        iterator() = default;
        attr_view operator*() const noexcept { return {pos_, len_}; }
        iterator& operator++() noexcept {
            const std::size_t step = align4(len_);
            pos_ = (step >= static_cast<std::size_t>(end_ - pos_)) ? end_ : pos_ + step;
            check();
            return *this;
        }
        iterator operator++(int) noexcept { auto t = *this; ++*this; return t; }
        bool operator==(const iterator& o) const noexcept { return pos_ == o.pos_; }

    private:
        friend class attr_range;
        iterator(const attr_range* owner, const std::byte* pos, const std::byte* end) noexcept
            : owner_(owner), pos_(pos), end_(end) { check(); }
        void check() noexcept {
            if (pos_ == end_) return;
            const auto left = static_cast<std::size_t>(end_ - pos_);
            if (left < attr_header_size) return stop("fewer than 4 bytes left for an attribute header");
            len_ = load<std::uint16_t>(bytes(pos_, 2));
            if (len_ < attr_header_size) return stop("nla_len is smaller than the attribute header");
            if (len_ > left) return stop("nla_len points past the end of the enclosing data");
        }
        void stop(const char* reason) noexcept {
            owner_->record({errc::truncated, static_cast<std::size_t>(pos_ - owner_->data_.data()), reason});
            pos_ = end_;
        }
        const attr_range* owner_ = nullptr;
        const std::byte* pos_ = nullptr;
        const std::byte* end_ = nullptr;
        std::size_t len_ = 0;
    };

    iterator begin() const noexcept { return {this, data_.data(), data_.data() + data_.size()}; }
    iterator end() const noexcept { return {this, data_.data() + data_.size(), data_.data() + data_.size()}; }
    bytes data() const noexcept { return data_; }
    bool empty() const noexcept { return data_.empty(); }

    // The first attribute of this type, if any (walks the range).
    std::optional<attr_view> find(std::uint16_t type) const noexcept;
    // An index by type, like libmnl's tb[]: the last attribute of each type
    // below N. Types >= N are skipped (forward compatible).
    template <std::size_t N>
    std::array<std::optional<attr_view>, N> index() const noexcept {
        std::array<std::optional<attr_view>, N> tb{};
        for (attr_view a : *this)
            if (a.type() < N) tb[a.type()] = a;
        return tb;
    }

    // Set when a walk stopped at a malformed attribute; the offset is from
    // the start of this range's bytes.
    std::optional<walk_fault> fault() const noexcept { return fault_; }
    std::optional<nlpp::error> error() const;

private:
    void record(walk_fault f) const noexcept {
        if (!fault_) fault_ = f;
    }
    bytes data_{};
    mutable std::optional<walk_fault> fault_{};
};

inline attr_range attr_view::nested() const noexcept { return attr_range(payload()); }

}  // namespace nlpp
