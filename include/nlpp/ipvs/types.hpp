// nlpp/ipvs/types.hpp: IPVS as typed values that are hard to misuse.
//
// A service is keyed either by {protocol, virtual address, port} or by a
// firewall mark (service_key is a variant of the two). Addresses carry
// their family, so IPv4, IPv6 and mixed-family destinations are explicit.
// Flags users may set are separate from the kernel-internal ones, and
// fields the kernel fills in (counters, stats) are read-only parts of the
// decoded values. Unknown values from newer kernels are kept as numbers.
//
// Example:
//   using namespace nlpp::ipvs;
//   auto vip = address::parse("10.0.0.1");
//   if (!vip) return nlpp::fail(vip.error());
//   service s{.key = virtual_service{protocol::tcp, *vip, 80}, .scheduler = "wrr"};
//   s.flags = service_flags::persistent;
//   s.timeout = 300;
//   destination d{.address = address::parse("192.0.2.10").value_or(address{}), .port = 8080,
//                 .fwd = forwarding::masq, .weight = 3};
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlpp/core/error.hpp>

namespace nlpp::ipvs {

/// An IPv4 or IPv6 address (AF_INET = 2, AF_INET6 = 10).
struct NLPP_API address {
    std::uint16_t family = 2;              ///< AF_INET (2) or AF_INET6 (10)
    std::array<std::uint8_t, 16> bytes{};  ///< IPv4 uses the first 4

    static result<address> parse(std::string_view text);  ///< an IPv4 or IPv6 address from text
    static address v4(std::uint32_t host_order);  ///< an IPv4 address from a host-order number
    bool is_v6() const noexcept { return family == 10; }            ///< an IPv6 address
    std::size_t size() const noexcept { return is_v6() ? 16 : 4; }  ///< 4 or 16 bytes
    std::string to_string() const;                                  ///< the address as text
    auto operator<=>(const address&) const = default;  ///< ordered by family, then bytes
};

enum class protocol : std::uint16_t { tcp = 6, udp = 17, sctp = 132 };
NLPP_API std::string_view protocol_name(
    protocol p) noexcept;  ///< "TCP", "UDP", "SCTP" or "PROTO<n>"

/// A service keyed by protocol, virtual address and port.
struct virtual_service {
    ipvs::protocol protocol = protocol::tcp;                   ///< TCP, UDP or SCTP
    ipvs::address address{};                                   ///< the virtual address
    std::uint16_t port = 0;                                    ///< the port
    auto operator<=>(const virtual_service&) const = default;  ///< ordered member by member
};
/// A service keyed by firewall mark.
struct firewall_mark {
    std::uint32_t mark = 0;                                  ///< the mark
    std::uint16_t family = 2;                                ///< AF_INET or AF_INET6
    auto operator<=>(const firewall_mark&) const = default;  ///< ordered member by member
};
/// What identifies a service: an address and port, or a firewall mark.
using service_key = std::variant<virtual_service, firewall_mark>;
NLPP_API std::uint16_t key_family(const service_key& k) noexcept;
NLPP_API std::string key_string(
    const service_key& k);  ///< "TCP 10.0.0.1:80", "FWM 5", "TCP [::1]:80"
/// An address and port as listings write them: "10.0.0.1:80", "[::1]:80".
NLPP_API std::string endpoint_string(const address& a, std::uint16_t port);

/// IP_VS_SVC_F_*. `settable` is what users may set; hashed is the kernel's.
namespace service_flags {
/// @{ The flags.
inline constexpr std::uint32_t persistent = 0x0001, hashed = 0x0002, one_packet = 0x0004,
                               sched1 = 0x0008, sched2 = 0x0010, sched3 = 0x0020;
/// @}
/// @{ What the sh and mh schedulers call sched1 and sched2.
inline constexpr std::uint32_t sh_fallback = sched1, sh_port = sched2, mh_fallback = sched1,
                               mh_port = sched2;
/// @}
/// The flags users may set.
inline constexpr std::uint32_t settable = persistent | one_packet | sched1 | sched2 | sched3;
}  // namespace service_flags

/// Traffic counters; from STATS64 when the kernel sends it, else the legacy
/// 32-bit STATS (widened).
struct stats {
    /// @{ Totals: connections, packets and bytes in and out.
    std::uint64_t conns = 0, inpkts = 0, outpkts = 0, inbytes = 0, outbytes = 0;
    /// @}
    /// @{ Rates per second: connections, packets and bytes in and out.
    std::uint64_t cps = 0, inpps = 0, outpps = 0, inbps = 0, outbps = 0;
    /// @}
    auto operator<=>(const stats&) const = default;  ///< ordered member by member
};

/// A virtual service.
struct service {
    service_key key{};              ///< what identifies it
    std::string scheduler = "wlc";  ///< the scheduler's name
    std::string pe_name{};          ///< persistence engine ("sip"); empty: none
    std::uint32_t flags = 0;        ///< service_flags
    std::uint32_t flags_mask =
        0xffffffff;             ///< which flags a set changes (sent as ip_vs_flags.mask)
    std::uint32_t timeout = 0;  ///< persistence timeout, seconds
    std::uint8_t netmask = 0;   ///< persistence granularity as a prefix length; 0: full (32 or 128)
    /// Read-only, filled in by the kernel.
    ipvs::stats stats{};
    /// The prefix length to send: netmask, or the full length of the family.
    std::uint8_t prefix() const noexcept {
        return netmask ? netmask : (key_family(key) == 10 ? 128 : 32);
    }
};

enum class forwarding : std::uint32_t { masq = 0, local = 1, tunnel = 2, route = 3, bypass = 4 };
NLPP_API std::string_view forwarding_name(
    forwarding f) noexcept;  // ipvsadm's words: Masq Local Tunnel Route Bypass
enum class tunnel_type : std::uint8_t { ipip = 0, gue = 1, gre = 2 };
NLPP_API std::string_view tunnel_type_name(tunnel_type t) noexcept;  ///< ipip gue gre
namespace tunnel_flags {
inline constexpr std::uint16_t nocsum = 0, csum = 1 << 0, remcsum = 1 << 1;
}

/// A real server of a service.
struct destination {
    ipvs::address address{};            ///< the real server's address
    std::uint16_t port = 0;             ///< its port
    forwarding fwd = forwarding::masq;  ///< how packets reach it
    std::uint32_t weight = 1;  ///< its share of new connections; 0: it takes none (quiesced)
    std::uint32_t upper_threshold = 0;  ///< 0: unlimited
    /// Connections below which a server over upper_threshold takes new ones again; 0: three
    /// quarters of upper_threshold.
    std::uint32_t lower_threshold = 0;
    tunnel_type tun_type = tunnel_type::ipip;  ///< the encapsulation (forwarding::tunnel)
    std::uint16_t tun_port = 0;                ///< GUE port
    std::uint16_t tun_flags = 0;               ///< tunnel_flags
    /// Read-only, filled in by the kernel.
    /// @{ Active, inactive and persistent connections.
    std::uint32_t active_conns = 0, inactive_conns = 0, persist_conns = 0;
    /// @}
    ipvs::stats stats{};  ///< traffic counters
};

enum class daemon_state : std::uint32_t { none = 0, master = 1, backup = 2 };
/// A connection sync daemon.
struct sync_daemon {
    daemon_state state = daemon_state::master;   ///< master or backup
    std::string mcast_ifn{};                     ///< the multicast interface
    std::uint32_t sync_id = 0;                   ///< the sync id
    std::uint16_t sync_maxlen = 0;               ///< 0: the kernel's default
    std::optional<ipvs::address> mcast_group{};  ///< IPv4 or IPv6 multicast group
    std::uint16_t mcast_port = 0;                ///< 0: default
    std::uint8_t mcast_ttl = 0;                  ///< 0: default
};

/// Connection timeouts.
struct timeouts {
    /// @{ Seconds; 0 in a set: leave unchanged.
    std::uint32_t tcp = 0, tcp_fin = 0, udp = 0;  ///< seconds; 0 in a set: leave unchanged
    /// @}
};

/// What GET_INFO reports.
struct NLPP_API info {
    std::uint32_t version = 0;           ///< 0x010201 = 1.2.1
    std::uint32_t conn_tab_size = 0;     ///< the size of the connection hash table
    std::string version_string() const;  ///< the version as text: 1.2.1
};

/// A service with its destinations: one entry of a snapshot.
struct service_entry {
    ipvs::service service{};                  ///< the service
    std::vector<destination> destinations{};  ///< its destinations
};

}  // namespace nlpp::ipvs
