// IPVS scopes: parsing and matching.
#include <nlpp/ipvs/scope.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <variant>

#include <fmt/format.h>

namespace nlpp::ipvs {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

template <class T>
std::optional<T> number(std::string_view s, T max) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v > max) return std::nullopt;
    return static_cast<T>(v);
}

bool lower_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if ((a[i] | 0x20) != b[i]) return false;
    return true;
}

// The first `length` bits of a and b are the same.
bool same_prefix(const address& a, const address& b, unsigned length) {
    for (unsigned i = 0; i < length / 8; ++i)
        if (a.bytes[i] != b.bytes[i]) return false;
    if (length % 8 == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - length % 8));
    return (a.bytes[length / 8] & mask) == (b.bytes[length / 8] & mask);
}

result<scope::item> parse_item(std::string_view text) {
    auto bad = [&](const std::string& why) {
        return fail(errc::invalid_argument, fmt::format("scope item '{}': {}", text, why));
    };
    scope::item it;
    std::string_view rest = text;
    if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
        const auto word = rest.substr(0, colon);
        if (lower_equal(word, "fwmark")) {
            it.fwmark = true;
            const auto range = rest.substr(colon + 1);
            const auto dash = range.find('-');
            auto first = number<std::uint32_t>(range.substr(0, dash), 0xffffffffu);
            auto last = dash == std::string_view::npos
                            ? first
                            : number<std::uint32_t>(range.substr(dash + 1), 0xffffffffu);
            if (!first || !last || *first == 0)
                return bad(
                    "a fwmark item is fwmark:FIRST-LAST or fwmark:MARK, marks from 1 to 4294967295");
            if (*first > *last) return bad(fmt::format("the range {}-{} is empty", *first, *last));
            it.mark_first = *first;
            it.mark_last = *last;
            return it;
        }
        if (lower_equal(word, "tcp"))
            it.protocol = protocol::tcp;
        else if (lower_equal(word, "udp"))
            it.protocol = protocol::udp;
        else if (lower_equal(word, "sctp"))
            it.protocol = protocol::sctp;
        if (it.protocol)
            rest = rest.substr(colon + 1);
        else if (std::all_of(
                     word.begin(), word.end(),
                     [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); }) &&
                 std::any_of(word.begin(), word.end(), [](char ch) {
                     return !std::isxdigit(static_cast<unsigned char>(ch));
                 }))
            return bad(fmt::format("unknown protocol '{}' (tcp, udp, sctp or fwmark)", word));
    }
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos)
        return bad(
            "a prefix needs its length (10.96.0.0/12, 2001:db8::/64), or the item is fwmark:FIRST-LAST");
    auto addr = address::parse(rest.substr(0, slash));
    if (!addr)
        return bad(fmt::format("'{}' is not an IPv4 or IPv6 address", rest.substr(0, slash)));
    it.prefix = *addr;
    std::string_view len = rest.substr(slash + 1);
    if (const auto colon = len.find(':'); colon != std::string_view::npos) {
        auto port = number<std::uint16_t>(len.substr(colon + 1), 65535);
        if (!port)
            return bad(fmt::format("'{}' is not a port from 0 to 65535", len.substr(colon + 1)));
        it.port = *port;
        len = len.substr(0, colon);
    }
    const unsigned bits = addr->is_v6() ? 128 : 32;
    auto n = number<std::uint8_t>(len, static_cast<std::uint8_t>(bits));
    if (!n) return bad(fmt::format("'{}' is not a prefix length from 0 to {}", len, bits));
    it.length = *n;
    address network{.family = addr->family};  // the address with its host bits cleared
    for (unsigned b = 0; b < it.length; ++b)
        network.bytes[b / 8] |= static_cast<std::uint8_t>(addr->bytes[b / 8] & (0x80 >> (b % 8)));
    if (network != *addr)
        return bad(
            fmt::format("host bits are set (the prefix is {}/{})", network.to_string(), it.length));
    return it;
}

}  // namespace

bool scope::item::contains(const service_key& k) const noexcept {
    if (const auto* f = std::get_if<firewall_mark>(&k))
        return fwmark && f->mark >= mark_first && f->mark <= mark_last;
    const auto& v = std::get<virtual_service>(k);
    if (fwmark || v.address.family != prefix.family) return false;
    if (protocol && *protocol != v.protocol) return false;
    if (port && *port != v.port) return false;
    return same_prefix(v.address, prefix, length);
}

std::string scope::item::to_string() const {
    if (fwmark)
        return mark_first == mark_last ? fmt::format("fwmark:{}", mark_first)
                                       : fmt::format("fwmark:{}-{}", mark_first, mark_last);
    std::string s;
    if (protocol)
        s = fmt::format("{}:", *protocol == protocol::tcp   ? "tcp"
                               : *protocol == protocol::udp ? "udp"
                                                            : "sctp");
    s += fmt::format("{}/{}", prefix.to_string(), length);
    if (port) s += fmt::format(":{}", *port);
    return s;
}

result<scope> scope::parse(std::string_view list) {
    if (trim(list).empty())
        return fail(errc::invalid_argument,
                    "scope: empty (name at least one prefix or fwmark range)");
    scope s;
    std::size_t n = 0;
    while (true) {
        const auto comma = list.find(',');
        const auto text = trim(list.substr(0, comma));
        ++n;
        if (text.empty())
            return fail(errc::invalid_argument, fmt::format("scope: item {} is empty", n));
        auto it = parse_item(text);
        if (!it) return fail(it.error());
        s.items_.push_back(*it);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return s;
}

result<scope> scope::parse(std::span<const std::string> items) {
    if (items.empty())
        return fail(errc::invalid_argument,
                    "scope: empty (name at least one prefix or fwmark range)");
    scope s;
    for (const auto& text : items) {
        auto one = parse(text);
        if (!one) return fail(one.error());
        s.items_.insert(s.items_.end(), one->items_.begin(), one->items_.end());
    }
    return s;
}

bool scope::contains(const service_key& k) const noexcept {
    for (const auto& it : items_)
        if (it.contains(k)) return true;
    return false;
}

std::string scope::to_string() const {
    std::string s;
    for (const auto& it : items_) {
        if (!s.empty()) s += ',';
        s += it.to_string();
    }
    return s;
}

}  // namespace nlpp::ipvs
