// Byte fixtures written field by field, each in the order netlink uses for
// it: header fields and most scalars in host order, ports and IPv4 masks in
// network order, strings and addresses as they are. The same fixture is then
// right on little- and big-endian machines (scripts/big-endian.sh runs the
// unit tests on s390x under qemu-user).
//
// Example (an attribute of type 1 holding a u32, then one holding "ab"):
//   std::vector<std::byte> buf = nlpp::test::wire().nla(8, 1).u32(0x11223344).nla(7, 2).raw("61 62 00 00");
#pragma once

#include <nlpp/core/bytes.hpp>
#include <nlpp/core/dump.hpp>

#include <bit>
#include <cstdint>
#include <string_view>
#include <vector>

namespace nlpp::test {

inline constexpr bool little_endian = std::endian::native == std::endian::little;

class wire {
public:
    wire& u8(std::uint8_t v) { return put(v, byte_order::host); }
    wire& u16(std::uint16_t v, byte_order o = byte_order::host) { return put(v, o); }
    wire& u32(std::uint32_t v, byte_order o = byte_order::host) { return put(v, o); }
    wire& u64(std::uint64_t v, byte_order o = byte_order::host) { return put(v, o); }
    // Bytes that read the same on every machine (strings, addresses, padding), as hex.
    wire& raw(std::string_view hex) {
        const auto b = from_hex(hex).value();
        bytes_.insert(bytes_.end(), b.begin(), b.end());
        return *this;
    }
    // An attribute header: total length (payload + 4) and type.
    wire& nla(std::uint16_t len, std::uint16_t type) { return u16(len).u16(type); }
    // A message header.
    wire& nlmsg(std::uint32_t len, std::uint16_t type, std::uint16_t flags = 0, std::uint32_t seq = 0, std::uint32_t port = 0) {
        return u32(len).u16(type).u16(flags).u32(seq).u32(port);
    }
    operator std::vector<std::byte>() const { return bytes_; }
    const std::vector<std::byte>& bytes() const { return bytes_; }

private:
    template <class T>
    wire& put(T v, byte_order o) {
        std::byte b[sizeof(T)];
        store<T>(mutable_bytes(b, sizeof b), v, o);
        bytes_.insert(bytes_.end(), b, b + sizeof b);
        return *this;
    }
    std::vector<std::byte> bytes_;
};

}  // namespace nlpp::test
