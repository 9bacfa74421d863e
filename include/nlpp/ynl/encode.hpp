// nlpp/ynl/encode.hpp: JSON to wire bytes through a YNL spec.
//
// put_request() appends one request of an operation to a message builder:
// the genetlink header (genetlink families), the fixed header, then one
// attribute per key of the JSON object, in the object's order. The input
// follows pyynl's conventions and is exactly what decode() produces:
// fixed-header fields and attributes side by side in one object, integers
// as numbers, "0x.." strings or enum names, flags as lists of names,
// display-hinted values as text ("192.0.2.1", "00:11:22:33:44:55"),
// binary as hex, structs and nests as objects, multi-attr and arrays as
// lists, bitfield32 as {value, selector}, sub-messages as objects whose
// format is chosen by the selector's value in the closest enclosing input.
// Checks from the spec (min, max, min-len, max-len, exact-len) and the
// range of each integer type are enforced with an error naming the
// attribute's path.
//
// The request_trace records where each attribute went, so that the
// kernel's extended ACK offset becomes a path by name, through nests and
// sub-messages (".linkinfo.data.id").
//
// Example (given nlpp::socket& sock):
//   auto spec = nlpp::ynl::load_spec("rt-link.yaml");
//   if (!spec) return nlpp::fail(spec.error());
//   const nlpp::ynl::operation* op = spec->find_op("newlink");
//   nlpp::message_builder b(static_cast<std::uint16_t>(*op->request_value), NLM_F_CREATE | NLM_F_EXCL);
//   nlpp::ynl::request_trace trace;
//   auto in = nlohmann::ordered_json::parse(R"({"ifname": "v0", "linkinfo": {"kind": "veth"}})");
//   if (auto r = nlpp::ynl::put_request(*spec, *op, in, b, &trace); !r) return nlpp::fail(r.error());
//   auto sent = sock.request(b);
//   if (!sent) {
//       nlpp::error e = sent.error();
//       trace.annotate(e);                     // ".linkinfo.kind" instead of an offset
//       return nlpp::fail(e);
//   }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <nlpp/core/builder.hpp>
#include <nlpp/ynl/spec.hpp>

namespace nlpp::ynl {

/// Where the attributes of one request message are, by name.
class NLPP_API request_trace {
public:
    /// One attribute of the request.
    struct entry {
        /// Where it is: offsets from the message's nlmsghdr.
        std::uint32_t start = 0, end = 0;  ///< offsets from the message's nlmsghdr
        std::string path;                  ///< ".linkinfo.data.id"
        const attr_set* inside = nullptr;  ///< for nests and sub-messages: the set within
    };
    /// The path of the innermost attribute containing `offset`; empty if none.
    std::string path_at(std::uint32_t offset) const;
    /// The path of a missing attribute of type `type` in the nest at
    /// `nest_offset` (the top level when absent).
    std::string missing(std::optional<std::uint32_t> nest_offset, std::uint32_t type) const;
    /// Fills e.extack()'s attr_path / missing_path from its offsets.
    void annotate(nlpp::error& e) const;

    const attr_set* top = nullptr;  ///< the operation's attribute set
    std::vector<entry> entries;     ///< every attribute written, in order
};

/// Appends the payload of a request for `op` to the current message of `b`
/// (whose nlmsghdr is already there): genetlink header, fixed header and
/// attributes from `in`, which must be a JSON object.
NLPP_API result<void> put_request(const spec& s, const operation& op,
                                  const nlohmann::ordered_json& in, message_builder& b,
                                  request_trace* trace = nullptr);

}  // namespace nlpp::ynl
