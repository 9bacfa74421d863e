// nlpp/core/text.hpp: bytes as text and back: hex digits and dotted IPv4.
//
// The library's one hex codec (dumps and golden files, the YNL decoder's
// binary values and the encoder's input) and its one IPv4 writer (by hand:
// glibc's inet_ntop formats each octet through sprintf).
//
// Example:
//   const std::byte mac[] = {std::byte{0x02}, std::byte{0xaa}, std::byte{0x01}};
//   std::string text = nlpp::hex(mac, ':');              // "02:aa:01"
//   auto back = nlpp::from_hex(text, ":");                // the same three bytes
//   if (!back) return nlpp::fail(back.error());
//   const std::byte ip[] = {std::byte{192}, std::byte{0}, std::byte{2}, std::byte{1}};
//   std::string dotted = nlpp::ipv4_text(ip);            // "192.0.2.1"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlpp/core/bytes.hpp>
#include <nlpp/core/error.hpp>

namespace nlpp {

/// Two lower-case digits a byte, `separator` between bytes (none when 0).
NLPP_API std::string hex(bytes data, char separator = 0);
/// Hex as golden files and dumps show it: 16 bytes a line, spaces between
/// them, each line ending in '\n'.
NLPP_API std::string to_hex(bytes data);
/// Bytes from hex digits, two a byte, any of `separators` between bytes (not
/// within one); errc::malformed on any other character or a lone digit.
NLPP_API result<std::vector<std::byte>> from_hex(std::string_view text,
                                                 std::string_view separators = " \t\r\n");

/// The first four bytes as dotted-quad text at `out` (at most 15 characters);
/// returns the end. Precondition: four.size() >= 4.
inline char* write_ipv4(char* out, bytes four) noexcept {
    for (std::size_t i = 0; i < 4; ++i) {
        if (i) *out++ = '.';
        const auto v = static_cast<unsigned>(four[i]);
        if (v >= 100) *out++ = static_cast<char>('0' + v / 100);
        if (v >= 10) *out++ = static_cast<char>('0' + v / 10 % 10);
        *out++ = static_cast<char>('0' + v % 10);
    }
    return out;
}
inline std::string ipv4_text(bytes four) {
    char buf[16];
    return std::string(buf, write_ipv4(buf, four));
}

}  // namespace nlpp
