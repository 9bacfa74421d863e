// nlpp/core/dump.hpp: a debug dumper that prints messages as annotated hex.
//
// Each 4-byte word of the header, the family header and every attribute
// (recursing into nests that parse as attributes) is printed on its own
// line beside what it means, in the spirit of libmnl's mnl_nlmsg_fprintf.
// Malformed input is printed as raw hex with the fault, never read past.
//
// Example (given nlpp::message_view msg):
//   std::fputs(nlpp::format_message(msg, sizeof(genlmsghdr)).c_str(), stderr);
//
//   ----------------  ------------------
//   | 0x00000020   |  | length 32       |
//   | 0x0010 ....  |  | type 16 flags 0x0005 (REQUEST,ACK)
//   ...
#pragma once

#include <string>

#include <nlpp/core/extack.hpp>
#include <nlpp/core/message.hpp>
#include <nlpp/core/text.hpp>  // to_hex, from_hex

namespace nlpp {

/// Annotated hex of one message. With `names`, attribute types are named and
/// only the nests the set marks as nested are descended into; without it,
/// every payload that parses cleanly as attributes is shown as a nest.
NLPP_API std::string format_message(message_view m, std::size_t fixed_header = 0,
                                    const attr_set* names = nullptr);

}  // namespace nlpp
