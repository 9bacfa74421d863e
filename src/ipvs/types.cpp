// IPVS value types: addresses, names.
#include <nlpp/ipvs/types.hpp>

#include <nlpp/core/text.hpp>

#include <arpa/inet.h>

#include <iterator>

#include <fmt/format.h>

namespace nlpp::ipvs {

result<address> address::parse(std::string_view text) {
    std::string s(text);
    if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    address a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET6;
        return a;
    }
    return fail(errc::invalid_argument, fmt::format("'{}' is not an IPv4 or IPv6 address", text));
}

address address::v4(std::uint32_t host_order) {
    address a;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

std::string address::to_string() const {
    if (!is_v6()) return ipv4_text(std::as_bytes(std::span(bytes)));
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf)) return "?";
    return buf;
}

std::string_view protocol_name(protocol p) noexcept {
    switch (p) {
    case protocol::tcp: return "TCP";
    case protocol::udp: return "UDP";
    case protocol::sctp: return "SCTP";
    }
    return "PROTO?";
}

std::uint16_t key_family(const service_key& k) noexcept {
    if (const auto* v = std::get_if<virtual_service>(&k)) return v->address.family;
    return std::get<firewall_mark>(k).family;
}

// Appended piece by piece: listings and plans name tens of thousands.
std::string endpoint_string(const address& a, std::uint16_t port) {
    std::string s = a.to_string();
    if (a.is_v6()) {
        s.insert(s.begin(), '[');
        s += ']';
    }
    fmt::format_to(std::back_inserter(s), ":{}", port);
    return s;
}

std::string key_string(const service_key& k) {
    if (const auto* v = std::get_if<virtual_service>(&k)) {
        std::string s(protocol_name(v->protocol));
        s += ' ';
        s += endpoint_string(v->address, v->port);
        return s;
    }
    const auto& f = std::get<firewall_mark>(k);
    return f.family == AF_INET6 ? fmt::format("FWM {} IPv6", f.mark)
                                : fmt::format("FWM {}", f.mark);
}

std::string_view forwarding_name(forwarding f) noexcept {
    switch (f) {
    case forwarding::masq: return "Masq";
    case forwarding::local: return "Local";
    case forwarding::tunnel: return "Tunnel";
    case forwarding::route: return "Route";
    case forwarding::bypass: return "Bypass";
    }
    return "Unknown";
}

std::string_view tunnel_type_name(tunnel_type t) noexcept {
    switch (t) {
    case tunnel_type::ipip: return "ipip";
    case tunnel_type::gue: return "gue";
    case tunnel_type::gre: return "gre";
    }
    return "unknown";
}

std::string info::version_string() const {
    return fmt::format("{}.{}.{}", (version >> 16) & 0xff, (version >> 8) & 0xff, version & 0xff);
}

}  // namespace nlpp::ipvs
