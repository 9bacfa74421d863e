// Bytes as hex text and back (see text.hpp).
#include <nlpp/core/text.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace nlpp {
namespace {

constexpr char digits[] = "0123456789abcdef";

int digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string hex(bytes data, char separator) {
    std::string s;
    s.reserve(data.size() * 3);
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (separator && i) s += separator;
        const auto x = static_cast<unsigned>(data[i]);
        s += digits[x >> 4];
        s += digits[x & 15];
    }
    return s;
}

std::string to_hex(bytes data) {
    std::string s;
    for (std::size_t at = 0; at < data.size(); at += 16) {
        s += hex(data.subspan(at, std::min<std::size_t>(16, data.size() - at)), ' ');
        s += '\n';
    }
    return s;
}

result<std::vector<std::byte>> from_hex(std::string_view text, std::string_view separators) {
    std::vector<std::byte> out;
    out.reserve(text.size() / 2);
    int high = -1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (high < 0 && separators.find(c) != std::string_view::npos) continue;
        const int v = digit_value(c);
        if (v < 0)
            return fail(errc::malformed,
                        fmt::format("hex: '{}' at offset {} is not a hex digit", c, i));
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::byte>(high << 4 | v));
            high = -1;
        }
    }
    if (high >= 0) return fail(errc::malformed, "hex: odd number of digits");
    return out;
}

}  // namespace nlpp
