// nlpp/core/bytes.hpp: scalars to and from bytes, with the byte order as data.
//
// Netlink payloads are only 4-byte aligned and mix host order (most
// attributes) with network order (ports, IPv4 masks). Every scalar nlpp
// reads or writes goes through load()/store(), which memcpy and then swap
// when the requested order differs from the machine's.
//
// Example:
//   std::byte buf[2];
//   nlpp::store<std::uint16_t>(buf, 80, nlpp::byte_order::big);   // 00 50
//   auto port = nlpp::load<std::uint16_t>(buf, nlpp::byte_order::big);
#pragma once

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

namespace nlpp {

using bytes = std::span<const std::byte>;
using mutable_bytes = std::span<std::byte>;

enum class byte_order : std::uint8_t { host, big, little };

template <std::integral T>
constexpr T byteswap(T v) noexcept {
    using U = std::make_unsigned_t<T>;
    auto u = static_cast<U>(v);
    if constexpr (sizeof(T) == 1)
        return v;
    else if constexpr (sizeof(T) == 2)
        return static_cast<T>(__builtin_bswap16(u));
    else if constexpr (sizeof(T) == 4)
        return static_cast<T>(__builtin_bswap32(u));
    else
        return static_cast<T>(__builtin_bswap64(u));
}

constexpr bool needs_swap(byte_order o) noexcept {
    return (o == byte_order::big && std::endian::native == std::endian::little) ||
           (o == byte_order::little && std::endian::native == std::endian::big);
}

/// Reads a T from the first sizeof(T) bytes. Precondition: p.size() >= sizeof(T).
template <std::integral T>
T load(bytes p, byte_order o = byte_order::host) noexcept {
    T v;
    std::memcpy(&v, p.data(), sizeof v);
    return needs_swap(o) ? byteswap(v) : v;
}

/// Writes v into the first sizeof(T) bytes. Precondition: p.size() >= sizeof(T).
template <std::integral T>
void store(mutable_bytes p, T v, byte_order o = byte_order::host) noexcept {
    if (needs_swap(o)) v = byteswap(v);
    std::memcpy(p.data(), &v, sizeof v);
}

/// The bytes of a trivially copyable object (for fixed headers and structs).
template <class T>
requires std::is_trivially_copyable_v<T> bytes as_bytes_of(const T& v)
noexcept { return std::as_bytes(std::span<const T, 1>(&v, 1)); }

/// Netlink's 4-byte alignment (NLMSG_ALIGN and NLA_ALIGN are the same).
constexpr std::size_t align4(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

}  // namespace nlpp
