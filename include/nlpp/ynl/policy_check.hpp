// nlpp/ynl/policy_check.hpp: a genetlink spec compared with the policies
// the running kernel reports (CTRL_CMD_GETPOLICY).
//
// check_policy() walks every operation the kernel reports a policy for and
// the attribute tables behind it (nested ones too) and lists where the spec
// and the kernel disagree: operations and attributes the kernel has that
// the spec lacks, attribute types that do not match, and the spec's checks
// (min/max values, min/max/exact lengths) that differ from the kernel's
// limits. A limit the spec does not state is not a disagreement (specs may
// leave checks to the kernel), and a request the spec gives no attributes
// is not compared (a family-wide policy, as IPVS's, applies to every
// command, used or not). Spec authors run it against the kernels they
// target; `nlpp-ynl --check-policy` prints it.
//
// Example (given nlpp::genl::client& gc):
//   auto file = nlpp::ynl::find_spec("nlctrl");
//   if (!file) return nlpp::fail(file.error());
//   auto spec = nlpp::ynl::load_spec(*file);
//   if (!spec) return nlpp::fail(spec.error());
//   auto kernel = nlpp::ynl::read_policies(gc, spec->name);
//   if (!kernel) return nlpp::fail(kernel.error());
//   const nlpp::ynl::policy_report r = nlpp::ynl::check_policy(*spec, *kernel);
//   for (const auto& d : r.differences) std::puts(d.to_string().c_str());
//   return r.differences.empty() ? nlpp::result<void>{} : nlpp::fail(nlpp::errc::invalid_argument, "the spec disagrees");
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlpp/genl/genl.hpp>
#include <nlpp/ynl/spec.hpp>

namespace nlpp::ynl {

/// One place where a spec and the kernel disagree.
struct policy_difference {
    /// What disagrees.
    enum class kind {
        operation_missing,  ///< the kernel has a command the spec has no operation for
        attribute_missing,  ///< the kernel accepts an attribute the spec's set lacks
        type,               ///< the attribute's type differs
        range,              ///< the spec's min/max value differs from the kernel's
        length,             ///< the spec's min/max/exact length differs from the kernel's
    };
    kind what = kind::attribute_missing;  ///< what disagrees
    std::string operation;  ///< the spec's name ("getfamily"), or "cmd N" when the spec has none
    std::string attribute;  ///< its path by the spec's names ("ops.id"; type numbers where unnamed)
    std::string spec;       ///< what the spec says ("u16", "max 4094", "none")
    std::string kernel;     ///< what the kernel says
    /// "getfamily do: family-id: type: spec u32, kernel u16"
    NLPP_API std::string to_string() const;
};
/// The kind's name in JSON output: "operation-missing", "attribute-missing", "type", "range", "length".
NLPP_API std::string_view kind_name(policy_difference::kind k) noexcept;

/// What check_policy() found for one family.
struct policy_report {
    std::string family;                          ///< the spec's family name
    std::size_t operations = 0;                  ///< kernel operations compared
    std::size_t attributes = 0;                  ///< attribute policies compared
    std::vector<policy_difference> differences;  ///< empty: the spec agrees
};

/// What the kernel says of a family: each of its commands (CTRL_CMD_GETFAMILY)
/// with the policy dump asked for that command alone (empty for a command
/// without a policy).
using kernel_policies = std::map<std::uint32_t, genl::policy_dump>;
/// Reads them through nlctrl (errc::family_not_found when this kernel has no such family).
NLPP_API result<kernel_policies> read_policies(genl::client& gc, std::string_view family);

/// Compares spec `s` (a genetlink family's) with the kernel's policies `k`.
NLPP_API policy_report check_policy(const spec& s, const kernel_policies& k);

}  // namespace nlpp::ynl
