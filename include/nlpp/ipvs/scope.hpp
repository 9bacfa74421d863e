// nlpp/ipvs/scope.hpp: which IPVS services a program owns.
//
// A scope is a union of items, written as a comma-separated list:
//   10.96.0.0/12            every service whose virtual address is in the prefix
//   2001:db8::/64           the same for IPv6 (the length is always written)
//   tcp:10.96.0.0/12:443    only TCP services on port 443 in the prefix
//   udp:10.0.0.0/8          only UDP services, any port
//   10.0.0.0/8:53           any protocol, port 53
//   tcp:2001:db8::/64:443   IPv6 with a port: the port follows the length
//                           (brackets are accepted too: tcp:[2001:db8::]/64:443)
//   fwmark:100-199          firewall-mark services 100 to 199, both families
//   fwmark:7                one mark
// A prefix must have its host bits clear. An empty list, an empty item or
// one that does not parse is an error that names it.
//
// Example:
//   auto s = nlpp::ipvs::scope::parse("tcp:10.96.0.0/12:443,fwmark:100-199");
//   if (!s) return nlpp::fail(s.error());   // "scope item 'tcp:10.96.0.0/33:443': ..."
//   nlpp::ipvs::service_key k = nlpp::ipvs::firewall_mark{.mark = 150, .family = 10};
//   bool mine = s->contains(k);             // true
//   std::string text = s->to_string();      // "tcp:10.96.0.0/12:443,fwmark:100-199"
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlpp/ipvs/types.hpp>

namespace nlpp::ipvs {

/// Which services a program owns: VIP prefixes with optional protocol and port, and fwmark ranges.
class NLPP_API scope {
public:
    /// One item: a prefix (with optional protocol and port) or a fwmark range.
    struct item {
        bool fwmark = false;                       ///< A fwmark range rather than a prefix
        ipvs::address prefix{};                    ///< prefix items
        std::uint8_t length = 0;                   ///< the prefix length
        std::optional<ipvs::protocol> protocol{};  ///< only this protocol; none: any
        std::optional<std::uint16_t> port{};       ///< only this port; none: any
        /// The fwmark range, inclusive (fwmark items).
        std::uint32_t mark_first = 0, mark_last = 0;         ///< fwmark items
        bool contains(const service_key& k) const noexcept;  ///< the service is within this item
        std::string to_string() const;                       ///< the item in canonical form
    };

    /// The comma-separated list above.
    static result<scope> parse(std::string_view list);
    /// One item per string (a JSON file's list); each may itself hold commas.
    static result<scope> parse(std::span<const std::string> items);

    /// The service is within one of the items.
    bool contains(const service_key& k) const noexcept;
    std::string to_string() const;  ///< the items in canonical form, comma-separated
    const std::vector<item>& items() const noexcept { return items_; }  ///< the items

private:
    std::vector<item> items_;
};

}  // namespace nlpp::ipvs
