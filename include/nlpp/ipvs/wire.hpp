// nlpp/ipvs/wire.hpp: the IPVS generic netlink family on the wire.
//
// Pure functions, no I/O: put_* write a request's attributes into a
// builder (after the genl header), parse_* decode one reply message. They
// know the family's traps: PORT, TUN_PORT and MCAST_GROUP are big-endian;
// NETMASK is a be32 mask for IPv4 and a host-order prefix length for IPv6;
// FLAGS is {flags, mask}; replies omit NLA_F_NESTED and carry PAD inside
// stats; the attribute set of a reply depends on its command; destination
// replies do not name their service (the caller passes its family, used
// when old kernels omit the destination's own). Unknown attributes are
// skipped.
//
//   | nlmsghdr (IPVS id) | genlmsghdr cmd, version 1 | SERVICE { AF, PROTOCOL, ADDR, PORT, ... } |
//
// Example (given std::uint16_t ipvs_id, const nlpp::ipvs::service& svc, nlpp::message_view reply):
//   auto b = nlpp::genl::make_request(ipvs_id, nlpp::ipvs::cmd(nlpp::ipvs::command::new_service), 1);
//   nlpp::ipvs::put_service(b, svc);
//   /* ... send b, receive reply ... */
//   nlpp::result<nlpp::ipvs::service> s = nlpp::ipvs::parse_service(reply);
#pragma once

#include <cstdint>
#include <string_view>

#include <nlpp/core/builder.hpp>
#include <nlpp/core/extack.hpp>
#include <nlpp/core/message.hpp>
#include <nlpp/ipvs/types.hpp>

namespace nlpp::ipvs {

/// The 18 command ids of IPVS_CMD_* (0 is unspec).
enum class command : std::uint8_t {
    unspec = 0,
    new_service = 1,
    set_service = 2,
    del_service = 3,
    get_service = 4,
    new_dest = 5,
    set_dest = 6,
    del_dest = 7,
    get_dest = 8,
    new_daemon = 9,
    del_daemon = 10,
    get_daemon = 11,
    set_config = 12,
    get_config = 13,
    set_info = 14,
    get_info = 15,
    zero = 16,
    flush = 17,
};
constexpr std::uint8_t cmd(command c) noexcept { return static_cast<std::uint8_t>(c); }
NLPP_API std::string_view command_name(command c) noexcept;  ///< "new-service", ...

/// The family trait (nlpp::genl::family).
struct family {
    static constexpr std::string_view name = "IPVS";  ///< the generic netlink family name
    static constexpr std::uint8_t version = 1;        ///< the family version sent
    static constexpr std::size_t header_size = 0;     ///< no family header
    using command = ipvs::command;                    ///< the command ids
};

/// Attribute names for extack paths and the dumper (".service.port").
NLPP_API const attr_set& attr_names() noexcept;

/// Requests.
NLPP_API void put_service_key(message_builder& b,
                              const service_key& key);            ///< SERVICE{identifying attrs}
NLPP_API void put_service(message_builder& b, const service& s);  ///< SERVICE{everything settable}
/// DEST{ADDR, PORT[, ADDR_FAMILY]} with `full`: also FWD_METHOD, WEIGHT, thresholds and tunnel attrs.
NLPP_API void put_dest(message_builder& b, const destination& d, bool full);
NLPP_API void put_daemon(message_builder& b, const sync_daemon& d);  ///< DAEMON{...}
NLPP_API void put_daemon_state(message_builder& b, daemon_state s);  ///< DAEMON{STATE}
NLPP_API void put_timeouts(message_builder& b, const timeouts& t);

/// Replies (whole messages, genl header included).
NLPP_API result<service> parse_service(message_view m);  ///< NEW_SERVICE
NLPP_API result<destination> parse_dest(message_view m,
                                        std::uint16_t service_family);  ///< NEW_DEST
NLPP_API result<sync_daemon> parse_daemon(message_view m);              ///< NEW_DAEMON
NLPP_API result<timeouts> parse_timeouts(message_view m);               ///< SET_CONFIG
NLPP_API result<info> parse_info(message_view m);                       ///< SET_INFO

}  // namespace nlpp::ipvs
