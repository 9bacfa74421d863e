// nlpp/ynl/decode.hpp: wire bytes to JSON through a YNL spec.
//
// decode() turns one reply or notification into a JSON object the way the
// kernel's pyynl does: fixed-header fields merged into the message object,
// enum values by name (unknown values kept as numbers), flags as lists of
// names, display hints applied (hex, mac, ipv4, ipv6, uuid), binary as hex,
// structs as objects, nests as objects, multi-attr as lists, indexed arrays
// as lists, bitfield32 as {value, selector}, sub-messages by their
// selector. Unknown attributes are skipped, or kept as raw hex under their
// number when asked. Malformed data is an error naming the attribute path.
//
// Example (given nlpp::socket& sock, nlpp::message_builder& request):
//   auto spec = nlpp::ynl::load_spec("rt-link.yaml");
//   if (!spec) return nlpp::fail(spec.error());
//   const nlpp::ynl::operation* op = spec->find_op("getlink");
//   for (nlpp::message_view m : sock.dump(request)) {
//       auto link = nlpp::ynl::decode(*spec, *op, m);
//       if (!link) return nlpp::fail(link.error());   // names the attribute path
//       std::cout << link->dump() << '\n';
//   }
#pragma once

#include <nlohmann/json.hpp>

#include <nlpp/core/message.hpp>
#include <nlpp/ynl/spec.hpp>

namespace nlpp::ynl {

/// How replies are decoded.
struct decode_options {
    bool process_unknown = false;  ///< keep unknown attributes as "<number>": "hex"
};

/// Decodes a message of `op` (its reply, notification or event): the genl
/// header (genetlink) or nothing is skipped, then the fixed header, then the
/// operation's attribute set.
NLPP_API result<nlohmann::ordered_json> decode(const spec& s, const operation& op, message_view m,
                                               const decode_options& options = {});

/// The same decoding written straight to compact JSON text (one line, no
/// newline) appended to `out`: what `nlpp-ynl --output-json` prints, with no
/// JSON tree in between (several times faster). On error `out` is unchanged.
NLPP_API result<void> decode_text(const spec& s, const operation& op, message_view m,
                                  std::string& out, const decode_options& options = {});

}  // namespace nlpp::ynl
