// nlpp/ynl/generated.hpp: what the C++ that nlpp-gen writes from a YNL spec
// builds on. Users include the generated header (<family>.hpp), which
// includes this one.
//
// Generated code gives, per spec, enums with name functions, the spec's
// structs (trivially copyable), one struct per attribute set with
// std::optional presence (vectors for multi-attr and arrays, box<> where
// nests recurse), and encode()/decode() for each: decode() walks a checked
// attr_range and skips unknown attributes (or keeps them in `unknown_`).
//
// Example (generated from rt-link.yaml):
//   nlpp::gen::rt_link::attrs::link_attrs link;
//   if (auto r = decode(m.attrs(16), link); !r) return fail(r.error());   // found by ADL
//   if (link.ifname) std::puts(link.ifname->c_str());
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlpp/core/attr.hpp>
#include <nlpp/core/builder.hpp>
#include <nlpp/core/error.hpp>
#include <nlpp/core/extack.hpp>
#include <nlpp/core/message.hpp>

#include <algorithm>
#include <initializer_list>

namespace nlpp::gen {

// A value that may be absent, for nests that contain themselves (directly
// or through others); copies deeply.
template <class T>
class box {
public:
    box() = default;
    box(const box& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
    box(box&&) noexcept = default;
    box& operator=(const box& o) {
        if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    box& operator=(box&&) noexcept = default;
    explicit operator bool() const noexcept { return p_ != nullptr; }
    T& emplace() { return *(p_ = std::make_unique<T>()); }
    T& operator*() const noexcept { return *p_; }
    T* operator->() const noexcept { return p_.get(); }

private:
    std::unique_ptr<T> p_;
};

// Binary attribute bytes: up to 16 (addresses, MACs) kept inline, longer
// ones on the heap, so decoding common attributes allocates nothing.
class blob {
public:
    blob() = default;
    blob(bytes b) { assign(b); }
    blob(std::initializer_list<std::byte> l) { assign(bytes(l.begin(), l.size())); }
    blob(const blob& o) { assign(o.view()); }
    blob(blob&& o) noexcept : size_(o.size_), heap_(std::move(o.heap_)) { std::copy(o.small_, o.small_ + inline_size, small_); }
    blob& operator=(const blob& o) {
        if (this != &o) assign(o.view());
        return *this;
    }
    blob& operator=(blob&& o) noexcept {
        size_ = o.size_;
        heap_ = std::move(o.heap_);
        std::copy(o.small_, o.small_ + inline_size, small_);
        return *this;
    }
    void assign(bytes b) {
        size_ = b.size();
        if (size_ > inline_size) heap_.assign(b.begin(), b.end());
        else {
            heap_.clear();
            std::copy(b.begin(), b.end(), small_);
        }
    }
    const std::byte* data() const noexcept { return size_ > inline_size ? heap_.data() : small_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::byte operator[](std::size_t i) const noexcept { return data()[i]; }
    const std::byte* begin() const noexcept { return data(); }
    const std::byte* end() const noexcept { return data() + size_; }
    bytes view() const noexcept { return {data(), size_}; }
    friend bool operator==(const blob& a, const blob& b) noexcept { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

private:
    static constexpr std::size_t inline_size = 16;
    std::byte small_[inline_size]{};
    std::size_t size_ = 0;
    std::vector<std::byte> heap_;
};

struct bitfield32 {
    std::uint32_t value = 0;
    std::uint32_t selector = 0;
};

// An attribute kept as bytes: one the spec does not know (when decode
// options ask), or a sub-message / nest-type-value (type with its
// NLA_F_NESTED bit).
struct raw_attr {
    std::uint16_t type = 0;
    std::vector<std::byte> payload;
};

struct decode_options {
    bool keep_unknown = false;
};

namespace detail {

inline nlpp::error at(nlpp::error e, std::string_view name) { return std::move(e).wrap(std::string(name)); }

template <class T>
result<T> scalar(attr_view a, byte_order o) {
    return a.get<T>(o);
}
inline std::string string(attr_view a) { return std::string(a.get_string()); }
inline std::vector<std::byte> raw(attr_view a) {
    const bytes p = a.payload();
    return {p.begin(), p.end()};
}
inline blob binary(attr_view a) { return blob(a.payload()); }
inline raw_attr raw_with_flags(attr_view a) {
    return {static_cast<std::uint16_t>(a.type() | (a.nested_flag() ? attr_f_nested : 0)), raw(a)};
}
// A C array of scalars (binary with sub-type).
template <class T>
std::vector<T> array(bytes p, byte_order o) {
    std::vector<T> v;
    for (std::size_t off = 0; off + sizeof(T) <= p.size(); off += sizeof(T)) v.push_back(load<T>(p.subspan(off, sizeof(T)), o));
    return v;
}
template <class T>
void put_array(message_builder& b, std::uint16_t type, const std::vector<T>& v, byte_order o) {
    std::vector<std::byte> out(v.size() * sizeof(T));
    for (std::size_t i = 0; i < v.size(); ++i) store<T>(mutable_bytes(out).subspan(i * sizeof(T), sizeof(T)), v[i], o);
    b.put(type, bytes(out));
}
inline void put_uint(message_builder& b, std::uint16_t type, std::uint64_t v, byte_order o) {
    if (v <= 0xffffffffu) b.put<std::uint32_t>(type, static_cast<std::uint32_t>(v), o);
    else b.put<std::uint64_t>(type, v, o);
}
inline void put_sint(message_builder& b, std::uint16_t type, std::int64_t v, byte_order o) {
    if (v >= INT32_MIN && v <= INT32_MAX) b.put<std::int32_t>(type, static_cast<std::int32_t>(v), o);
    else b.put<std::int64_t>(type, v, o);
}
inline result<bitfield32> get_bitfield32(attr_view a) {
    const bytes p = a.payload();
    if (p.size() != 8) return fail(errc::attr_invalid, "bitfield32 of " + std::to_string(p.size()) + " bytes");
    return bitfield32{load<std::uint32_t>(p), load<std::uint32_t>(p.subspan(4))};
}
inline void put_bitfield32(message_builder& b, std::uint16_t type, const bitfield32& v) {
    std::byte p[8];
    store<std::uint32_t>(mutable_bytes(p, 4), v.value);
    store<std::uint32_t>(mutable_bytes(p + 4, 4), v.selector);
    b.put(type, bytes(p, 8));
}

}  // namespace detail

// A request for operation Op (a generated ops::X): the message type is the
// family id for genetlink families (resolve it with genl::client::family),
// else Op::request; then the genetlink header, the fixed header and the
// attributes. NLM_F_REQUEST/ACK/DUMP are added by the socket.
template <class Op>
message_builder request(const typename Op::attributes& attrs, std::uint16_t nl_flags = 0, std::uint16_t family_id = 0) {
    message_builder b(Op::genetlink ? family_id : Op::request, nl_flags);
    if constexpr (Op::genetlink) {
        const std::byte genl[4] = {std::byte(Op::request), std::byte{1}, std::byte{0}, std::byte{0}};
        b.put_header(bytes(genl, 4));
    }
    encode(b, attrs);
    return b;
}
template <class Op>
message_builder request(const typename Op::fixed_header& header, const typename Op::attributes& attrs, std::uint16_t nl_flags = 0,
                        std::uint16_t family_id = 0) {
    message_builder b(Op::genetlink ? family_id : Op::request, nl_flags);
    if constexpr (Op::genetlink) {
        const std::byte genl[4] = {std::byte(Op::request), std::byte{1}, std::byte{0}, std::byte{0}};
        b.put_header(bytes(genl, 4));
    }
    std::byte h[Op::fixed_header::wire_size];
    encode(header, h);
    b.put_header(bytes(h, sizeof h));
    encode(b, attrs);
    return b;
}

// A reply or notification of Op decoded: its fixed header (when it has one)
// and its attributes.
template <class Op>
result<void> parse(message_view m, typename Op::attributes& attrs, const decode_options& options = {}) {
    bytes p = m.payload();
    if constexpr (Op::genetlink) p = p.subspan(std::min<std::size_t>(4, p.size()));
    return decode(attr_range(p), attrs, options);
}
template <class Op>
result<void> parse(message_view m, typename Op::fixed_header& header, typename Op::attributes& attrs, const decode_options& options = {}) {
    bytes p = m.payload();
    if constexpr (Op::genetlink) p = p.subspan(std::min<std::size_t>(4, p.size()));
    if (p.size() < Op::fixed_header::wire_size) return fail(errc::truncated, "message shorter than its fixed header");
    decode(p.data(), header);
    p = p.subspan(std::min(p.size(), (Op::fixed_header::wire_size + 3) & ~std::size_t{3}));
    return decode(attr_range(p), attrs, options);
}

}  // namespace nlpp::gen
