// nlpp/core/extack.hpp: acknowledgements, extended ACK and attribute names.
//
// NLMSG_ERROR carries an errno (0 = ACK), the request's header (only the
// header with NETLINK_CAP_ACK, the whole request otherwise) and, when
// NLM_F_ACK_TLVS is set, TLVs: a message, the offset of the offending
// attribute in the request, the type of a missing attribute and the nest it
// was missing from. NLMSG_DONE carries an int status and the same TLVs.
//
//   NLMSG_ERROR: | nlmsghdr | int error | request nlmsghdr [+ request] | TLVs... |
//   NLMSG_DONE:  | nlmsghdr | int status | TLVs... |
//
// An attr_set (policy.hpp) names attribute types, nested sets included, so
// that an offset becomes a path like ".linkinfo.kind".
//
// Example (given nlpp::message_view msg, nlpp::bytes request, const nlpp::attr_set& link_attrs):
//   nlpp::result<nlpp::ack> a = nlpp::parse_ack(msg);
//   if (a && a->error != 0) {
//       nlpp::error e = a->to_error("add link");
//       nlpp::extack_info x = e.extack();
//       if (x.offset) x.attr_path = nlpp::attr_path(request, sizeof(ifinfomsg), *x.offset, &link_attrs);
//       e.set_extack(std::move(x));
//       return nlpp::fail(std::move(e));
//   }
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlpp/core/message.hpp>
#include <nlpp/core/policy.hpp>

namespace nlpp {

/// A decoded NLMSG_ERROR or NLMSG_DONE.
struct NLPP_API ack {
    int error = 0;                  ///< 0 = success, else a positive errno
    bool done = false;              ///< from NLMSG_DONE
    std::uint32_t request_seq = 0;  ///< NLMSG_ERROR only: the request's seq
    extack_info extack;             ///< the extended ACK the kernel attached
    /// An nlpp::error with errno and extack; context says what was requested.
    nlpp::error to_error(std::string context) const;
};

/// Decodes an NLMSG_ERROR or NLMSG_DONE message. A DONE without payload is a
/// plain success.
NLPP_API result<ack> parse_ack(message_view m);

/// The names of the attributes that contain `offset` in a request, outermost
/// first: ".service.port". `offset` counts from the request's nlmsghdr.
/// Unknown types are rendered as numbers; empty when the offset is not at or
/// inside an attribute.
NLPP_API std::string attr_path(bytes request, std::size_t fixed_header, std::uint32_t offset,
                               const attr_set* names);
/// The path of a missing attribute: the nest at `nest_offset` (or the top
/// level when absent) followed by the missing type's name.
NLPP_API std::string missing_attr_path(bytes request, std::size_t fixed_header,
                                       std::optional<std::uint32_t> nest_offset,
                                       std::uint32_t missing_type, const attr_set* names);

}  // namespace nlpp
