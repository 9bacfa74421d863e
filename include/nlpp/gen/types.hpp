// nlpp/gen/types.hpp: what the C++ that nlpp-gen writes from a YNL spec
// is made of, and how one message of it is built and read. Users include
// the generated header (<family>.hpp), which includes this one (through
// nlpp/gen/family_socket.hpp).
//
// Generated code gives, per spec, enums with name functions, the spec's
// structs (trivially copyable), one struct per attribute set with
// std::optional presence (vectors for multi-attr and arrays, box<> where
// nests recurse, blob for bytes), and encode()/decode() for each: decode()
// reads with an attr_decoder (core/decoder.hpp) and skips unknown
// attributes (or keeps them in `unknown_`); its error names the attribute's
// path. message<Op> holds an operation's fixed header and attributes;
// request<Op>() builds one for any nlpp socket, parse<Op>() reads one.
// Only the core layer is needed here; family_socket.hpp speaks the family
// over a socket.
//
// Example:
//   #include <ipvs.hpp>                        // nlpp-gen --spec specs/ipvs.yaml
//   namespace ipvs = nlpp::gen::IPVS;
//   nlpp::gen::message<ipvs::ops::new_service> req;
//   req.attrs.service.emplace().port = 80;
//   nlpp::message_builder b = nlpp::gen::request<ipvs::ops::new_service>(req, 0, 0x20);   // 0x20: the family id
//   auto wire = b.finish();
//   if (!wire) return nlpp::fail(wire.error());
//   auto m = nlpp::message_view::parse(*wire);
//   if (!m) return nlpp::fail(m.error());
//   nlpp::gen::message<ipvs::ops::new_service> back;
//   if (auto r = nlpp::gen::parse<ipvs::ops::new_service>(*m, back); !r) return r;
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlpp/core/attr.hpp>
#include <nlpp/core/builder.hpp>
#include <nlpp/core/decoder.hpp>
#include <nlpp/core/error.hpp>
#include <nlpp/core/message.hpp>
#include <nlpp/core/policy.hpp>

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <type_traits>
#include <utility>

namespace nlpp::gen {

/// A value that may be absent, for nests that contain themselves (directly
/// or through others); copies deeply.
template <class T>
class box {
public:
    box() = default;
    box(const box& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}  ///< deep copy
    box(box&&) noexcept = default;                                          ///< moves
    /// Deep copy.
    box& operator=(const box& o) {
        if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    box& operator=(box&&) noexcept = default;                          ///< moves
    explicit operator bool() const noexcept { return p_ != nullptr; }  ///< holds a value
    /// Makes a default value and returns it.
    T& emplace() { return *(p_ = std::make_unique<T>()); }
    T& operator*() const noexcept { return *p_; }        ///< the value (it must be there)
    T* operator->() const noexcept { return p_.get(); }  ///< the value (it must be there)

private:
    std::unique_ptr<T> p_;
};

/// Binary attribute bytes: up to 16 (addresses, MACs) kept inline, longer
/// ones on the heap, so decoding common attributes allocates nothing.
class blob {
public:
    blob() = default;
    blob(bytes b) { assign(b); }  ///< A copy of b
    /// A copy of the bytes l.
    blob(std::initializer_list<std::byte> l) { assign(bytes(l.begin(), l.size())); }
    blob(const blob& o) { assign(o.view()); }  ///< copies
    /// Moves.
    blob(blob&& o) noexcept : size_(o.size_), heap_(std::move(o.heap_)) {
        std::copy(o.small_, o.small_ + inline_size, small_);
    }
    /// Copies.
    blob& operator=(const blob& o) {
        if (this != &o) assign(o.view());
        return *this;
    }
    /// Moves.
    blob& operator=(blob&& o) noexcept {
        size_ = o.size_;
        heap_ = std::move(o.heap_);
        std::copy(o.small_, o.small_ + inline_size, small_);
        return *this;
    }
    /// Replaces the bytes with a copy of b.
    void assign(bytes b) {
        size_ = b.size();
        if (size_ > inline_size)
            heap_.assign(b.begin(), b.end());
        else {
            heap_.clear();
            std::copy(b.begin(), b.end(), small_);
        }
    }
    /// The bytes.
    const std::byte* data() const noexcept { return size_ > inline_size ? heap_.data() : small_; }
    std::size_t size() const noexcept { return size_; }  ///< the number of bytes
    bool empty() const noexcept { return size_ == 0; }   ///< no bytes
    std::byte operator[](std::size_t i) const noexcept { return data()[i]; }  ///< byte i
    const std::byte* begin() const noexcept { return data(); }                ///< the first byte
    const std::byte* end() const noexcept { return data() + size_; }  ///< past the last byte
    bytes view() const noexcept { return {data(), size_}; }           ///< the bytes as a span
    /// Same bytes.
    friend bool operator==(const blob& a, const blob& b) noexcept {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

private:
    static constexpr std::size_t inline_size = 16;
    std::byte small_[inline_size]{};
    std::size_t size_ = 0;
    std::vector<std::byte> heap_;
};

/// A bitfield32 attribute: value bits and the selector of the bits that count.
struct bitfield32 {
    std::uint32_t value = 0;     ///< the bits' values
    std::uint32_t selector = 0;  ///< which bits count
};

/// An attribute kept as bytes: one the spec does not know (when decode
/// options ask), or a sub-message / nest-type-value (type with its
/// NLA_F_NESTED bit).
struct raw_attr {
    std::uint16_t type = 0;          ///< the attribute type
    std::vector<std::byte> payload;  ///< the payload
};

/// One entry of a nest-type-value attribute: the attribute types of its
/// levels (nlctrl's policy: policy index, attribute type) and the attributes
/// inside the innermost one.
template <std::size_t Levels, class Set>
struct type_value {
    /// The attribute types of the levels, outermost first.
    std::array<std::uint16_t, Levels> ids{};
    Set attrs{};  ///< the attributes inside the innermost level
};

/// How parse() treats what the spec does not know.
struct decode_options {
    bool keep_unknown = false;  ///< keep unknown attributes as raw_attr instead of skipping them
};

namespace detail {

inline std::vector<std::byte> raw(attr_view a) {
    const bytes p = a.payload();
    return {p.begin(), p.end()};
}
inline raw_attr raw_with_flags(attr_view a) {
    return {static_cast<std::uint16_t>(a.type() | (a.nested_flag() ? attr_f_nested : 0)), raw(a)};
}
/// A kept attribute as wire bytes again (header and payload), to walk later.
inline std::vector<std::byte> as_attribute(const raw_attr& r) {
    std::vector<std::byte> v(align4(attr_header_size + r.payload.size()));
    store<std::uint16_t>(mutable_bytes(v).first(2),
                         static_cast<std::uint16_t>(attr_header_size + r.payload.size()));
    store<std::uint16_t>(mutable_bytes(v).subspan(2, 2), r.type);
    std::copy(r.payload.begin(), r.payload.end(), v.begin() + attr_header_size);
    return v;
}
/// The spec struct S at the start of `p` (the current attribute's payload
/// or a part of it); a shorter `p` is the decoder's problem.
template <class S>
void read_struct(attr_decoder& d, bytes p, S& out) {
    if (p.size() < S::wire_size)
        d.invalid("shorter than its struct (" + std::to_string(S::wire_size) + " bytes)");
    else
        decode(p.data(), out);
}
template <class T>
std::vector<T> array(bytes p, byte_order o) {
    std::vector<T> v;
    for (std::size_t off = 0; off + sizeof(T) <= p.size(); off += sizeof(T))
        v.push_back(load<T>(p.subspan(off, sizeof(T)), o));
    return v;
}
template <class T>
void put_array(message_builder& b, std::uint16_t type, const std::vector<T>& v, byte_order o) {
    std::vector<std::byte> out(v.size() * sizeof(T));
    for (std::size_t i = 0; i < v.size(); ++i)
        store<T>(mutable_bytes(out).subspan(i * sizeof(T), sizeof(T)), v[i], o);
    b.put(type, bytes(out));
}
inline void put_uint(message_builder& b, std::uint16_t type, std::uint64_t v, byte_order o) {
    if (v <= 0xffffffffu)
        b.put<std::uint32_t>(type, static_cast<std::uint32_t>(v), o);
    else
        b.put<std::uint64_t>(type, v, o);
}
inline void put_sint(message_builder& b, std::uint16_t type, std::int64_t v, byte_order o) {
    if (v >= INT32_MIN && v <= INT32_MAX)
        b.put<std::int32_t>(type, static_cast<std::int32_t>(v), o);
    else
        b.put<std::int64_t>(type, v, o);
}
inline bitfield32 get_bitfield32(attr_decoder& d) {
    if (d.attr().payload().size() != 8) {
        d.invalid("a bitfield32 has 8 bytes");
        return {};
    }
    return d.get_struct<bitfield32>();
}
inline void put_bitfield32(message_builder& b, std::uint16_t type, const bitfield32& v) {
    std::byte p[8];
    store<std::uint32_t>(mutable_bytes(p, 4), v.value);
    store<std::uint32_t>(mutable_bytes(p + 4, 4), v.selector);
    b.put(type, bytes(p, 8));
}

}  // namespace detail

namespace detail {
/// The start of a request for Op: message type (the family id for genetlink),
/// the genetlink header, and Op's fixed header when given.
template <class Op, class... Header>
message_builder start(std::uint16_t nl_flags, std::uint16_t family_id, const Header&... header) {
    message_builder b(Op::genetlink ? family_id : Op::request, nl_flags);
    if constexpr (Op::genetlink) {
        const std::byte genl[4] = {std::byte(Op::request), std::byte{1}, std::byte{0},
                                   std::byte{0}};
        b.put_header(bytes(genl, 4));
    }
    if constexpr (sizeof...(Header) == 1) {
        std::byte h[Op::fixed_header::wire_size];
        (encode(header, h), ...);
        b.put_header(bytes(h, sizeof h));
    }
    return b;
}
/// Walks the levels of a nest-type-value attribute (numbered nests), calling
/// leaf(ids, decoder) with a decoder over the innermost one's attributes.
template <std::size_t N, class F>
void type_levels(attr_decoder& d, std::array<std::uint16_t, N>& ids, std::size_t level,
                 const attr_set& leaf_set, F& leaf) {
    while (d.next()) {
        ids[level] = d.type();
        if (level + 1 < N)
            d.nested(nullptr, 0,
                     [&](attr_decoder& in) { type_levels(in, ids, level + 1, leaf_set, leaf); });
        else
            d.nested(leaf_set, [&](attr_decoder& in) { leaf(std::as_const(ids), in); });
    }
}
/// One entry: a nest per level, the attributes inside the innermost.
template <std::size_t N, class Set>
void put_type_value(message_builder& b, const type_value<N, Set>& e) {
    std::vector<nest_guard> levels;
    for (std::uint16_t id : e.ids) levels.push_back(b.nest(id));
    encode(b, e.attrs);
    while (!levels.empty()) levels.pop_back();
}

}  // namespace detail

/// What an operation without a fixed header or an attribute set has
/// instead (ops::X::fixed_header and ops::X::attributes are always there).
struct none {};

/// A whole message of operation Op: fixed header and attributes (each
/// `none` when Op has none).
template <class Op>
struct message {
    typename Op::fixed_header header{};  ///< the fixed header (none without one)
    typename Op::attributes attrs{};     ///< the attributes (none without them)
};

/// A request for operation Op (a generated ops::X): the message type is the
/// family id for genetlink families (resolve it with genl::resolve),
/// else Op::request; then the genetlink header, the fixed header and the
/// attributes. NLM_F_REQUEST/ACK/DUMP are added by the socket.
template <class Op>
message_builder request(const message<Op>& m, std::uint16_t nl_flags = 0,
                        std::uint16_t family_id = 0) {
    message_builder b = [&] {
        if constexpr (std::is_same_v<typename Op::fixed_header, none>)
            return detail::start<Op>(nl_flags, family_id);
        else
            return detail::start<Op>(nl_flags, family_id, m.header);
    }();
    if constexpr (!std::is_same_v<typename Op::attributes, none>) encode(b, m.attrs);
    return b;
}

/// A reply or notification of Op decoded into `out` (its fixed header, then
/// its attributes). Unknown attributes are skipped, or kept in the sets'
/// `unknown_` with options.keep_unknown; an error names the attribute's path
/// ("rt-link link-attrs linkinfo.kind: ...").
template <class Op>
result<void> parse(message_view m, message<Op>& out, const decode_options& options = {}) {
    bytes p = m.payload();
    if constexpr (Op::genetlink) p = p.subspan(std::min<std::size_t>(4, p.size()));
    if constexpr (!std::is_same_v<typename Op::fixed_header, none>) {
        constexpr std::size_t size = Op::fixed_header::wire_size;
        if (p.size() < size) return fail(errc::truncated, "message shorter than its fixed header");
        decode(p.data(), out.header);
        p = p.subspan(std::min(p.size(), align4(size)));
    }
    if constexpr (!std::is_same_v<typename Op::attributes, none>)
        return decode(attr_range(p), out.attrs, options);
    else
        return {};
}

/// A multicast group as the spec names it; `value` for netlink-raw families
/// (genetlink groups are resolved through nlctrl).
struct group_info {
    std::string_view name;    ///< the group's name in the spec
    std::uint32_t value = 0;  ///< the group id (netlink-raw families)
};

}  // namespace nlpp::gen
