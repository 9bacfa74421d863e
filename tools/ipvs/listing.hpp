// Listings of nlpp-ipvs: ipvsadm 1.31's text formats (byte for byte, but
// for the true 64-bit destination counters). Pure functions over snapshots,
// testable without a kernel. The JSON listings are state_json.hpp's.
#pragma once

#include <nlpp/ipvs/client.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace nlpp::ipvs::cli {

// ipvsadm's FMT_* bits.
namespace fmt_bits {
inline constexpr unsigned numeric = 0x0001, rule = 0x0002, stats = 0x0004, rate = 0x0008,
                          thresholds = 0x0010, persistent_conn = 0x0020, nosort = 0x0040,
                          exact = 0x0080, tun_info = 0x0100;
}

// Sorts services and their destinations as ipvsadm does (unless nosort).
void sort_like_ipvsadm(std::vector<service_entry>& entries);

std::string title(unsigned format);
std::string service_block(const service_entry& e,
                          unsigned format);  // the service line and its destinations
void append_service_block(std::string& out, const service_entry& e,
                          unsigned format);  // the same, appended to out
std::string listing(const info& i, const std::vector<service_entry>& entries,
                    unsigned format);  // -L / -S
std::string timeout_line(const timeouts& t);
std::string daemon_lines(const std::vector<sync_daemon>& ds);
std::string connections(const std::string& proc_text,
                        unsigned format);  // -c, from /proc/net/ip_vs_conn
// The -b words for a service's scheduler flags ("sh-port,sh-fallback"; "" for none).
std::string sched_flags(const service& s);

}  // namespace nlpp::ipvs::cli
