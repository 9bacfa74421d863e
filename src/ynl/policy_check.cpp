// A genetlink spec compared with the kernel's policy dump (policy_check.hpp).
#include <nlpp/ynl/policy_check.hpp>

#include <linux/netlink.h>

#include <fmt/format.h>

#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace nlpp::ynl {
namespace {

// NL_ATTR_TYPE_* values newer than linux-libc-dev 6.1's header (kernel 6.7+: NLA_SINT, NLA_UINT).
constexpr std::uint32_t nl_attr_type_sint = 16, nl_attr_type_uint = 17;

// Whether the kernel's NL_ATTR_TYPE_* value is how it checks an attribute of spec type `t`.
bool same_type(attr_type t, std::uint32_t k) {
    switch (t) {
    case attr_type::flag: return k == NL_ATTR_TYPE_FLAG;
    case attr_type::u8: return k == NL_ATTR_TYPE_U8;
    case attr_type::u16: return k == NL_ATTR_TYPE_U16;
    case attr_type::u32: return k == NL_ATTR_TYPE_U32;
    case attr_type::u64: return k == NL_ATTR_TYPE_U64;
    case attr_type::s8: return k == NL_ATTR_TYPE_S8;
    case attr_type::s16: return k == NL_ATTR_TYPE_S16;
    case attr_type::s32: return k == NL_ATTR_TYPE_S32;
    case attr_type::s64: return k == NL_ATTR_TYPE_S64;
    case attr_type::uint: return k == nl_attr_type_uint;
    case attr_type::sint: return k == nl_attr_type_sint;
    case attr_type::string: return k == NL_ATTR_TYPE_STRING || k == NL_ATTR_TYPE_NUL_STRING;
    // A spec's binary may be a struct or an address the kernel checks as bytes.
    case attr_type::binary: return k == NL_ATTR_TYPE_BINARY;
    case attr_type::nest:
    case attr_type::sub_message:
    case attr_type::nest_type_value: return k == NL_ATTR_TYPE_NESTED;
    case attr_type::indexed_array:
        return k == NL_ATTR_TYPE_NESTED_ARRAY || k == NL_ATTR_TYPE_NESTED;
    case attr_type::bitfield32: return k == NL_ATTR_TYPE_BITFIELD32;
    case attr_type::unused:
    case attr_type::pad: return false;
    }
    return false;
}

std::string or_none(const std::optional<std::int64_t>& v) {
    return v ? std::to_string(*v) : std::string("none");
}
std::string or_none(const std::optional<std::uint64_t>& v) {
    return v ? std::to_string(*v) : std::string("none");
}

class checker {
public:
    checker(const spec& s, const kernel_policies& k) : s_(s), k_(k) {}

    policy_report run() {
        policy_report r;
        r.family = s_.name;
        for (const auto& [cmd, dump] : k_) {
            const operation* op = find_request(cmd);
            if (!op) {
                add(policy_difference::kind::operation_missing, fmt::format("cmd {}", cmd), "",
                    "none", "a command");
                continue;
            }
            ++r.operations;
            const auto p = dump.ops.find(cmd);
            if (p == dump.ops.end()) continue;  // no policy: nothing to compare
            // A request the spec gives no attributes is not compared: a
            // family-wide policy (IPVS's) applies to it, but it uses none of them.
            auto used = [](const std::optional<message_part>& m) {
                return m && !m->attributes.empty();
            };
            if (p->second.do_policy && used(op->do_request))
                table(dump, *p->second.do_policy, op->set, op->name + " do", "");
            if (p->second.dump_policy && used(op->dump_request))
                table(dump, *p->second.dump_policy, op->set, op->name + " dump", "");
        }
        r.attributes = compared_;
        r.differences = std::move(out_);
        return r;
    }

private:
    const operation* find_request(std::uint32_t cmd) const {
        for (const auto& op : s_.operations)
            if (op.request_value == cmd) return &op;
        return nullptr;
    }

    void add(policy_difference::kind k, std::string op, std::string attr, std::string spec,
             std::string kernel) {
        out_.push_back({k, std::move(op), std::move(attr), std::move(spec), std::move(kernel)});
    }

    // One kernel policy table against a spec set; `path` names the enclosing attributes.
    void table(const genl::policy_dump& dump, std::uint32_t idx, const attr_set* set,
               const std::string& op, const std::string& path) {
        if (!seen_.insert({op, idx, set}).second) return;  // recursive policies
        const auto t = dump.policies.find(idx);
        if (t == dump.policies.end()) return;
        for (const auto& [type, kp] : t->second) {
            const attribute* a = set ? set->find(static_cast<std::uint16_t>(type)) : nullptr;
            const std::string name =
                (path.empty() ? "" : path + ".") + (a ? a->name : std::to_string(type));
            ++compared_;
            if (!a || a->type == attr_type::unused) {
                add(policy_difference::kind::attribute_missing, op, name, "none",
                    std::string(genl::attr_type_name(kp.type)));
                continue;
            }
            if (!same_type(a->type, kp.type)) {
                add(policy_difference::kind::type, op, name, std::string(type_name(a->type)),
                    std::string(genl::attr_type_name(kp.type)));
                continue;
            }
            limits(*a, kp, op, name);
            if (kp.policy_idx) table(dump, *kp.policy_idx, a->nested_set, op, name);
        }
    }

    // The spec's checks that the kernel's limits contradict.
    void limits(const attribute& a, const genl::attr_policy& kp, const std::string& op,
                const std::string& name) {
        const checks& c = a.checks;
        auto kernel_value = [&](bool is_min) -> std::optional<std::int64_t> {
            if (is_min) {
                if (kp.min_value_s) return *kp.min_value_s;
                if (kp.min_value_u) return static_cast<std::int64_t>(*kp.min_value_u);
            } else {
                if (kp.max_value_s) return *kp.max_value_s;
                if (kp.max_value_u) return static_cast<std::int64_t>(*kp.max_value_u);
            }
            return std::nullopt;
        };
        for (const bool is_min : {true, false}) {
            const auto& want = is_min ? c.min : c.max;
            const auto have = kernel_value(is_min);
            if (want && want != have)
                add(policy_difference::kind::range, op, name,
                    fmt::format("{} {}", is_min ? "min" : "max", *want),
                    fmt::format("{} {}", is_min ? "min" : "max", or_none(have)));
        }
        const std::optional<std::uint64_t> min_len = c.exact_len ? c.exact_len : c.min_len,
                                           max_len = c.exact_len ? c.exact_len : c.max_len;
        auto kernel_len =
            [](const std::optional<std::uint32_t>& v) -> std::optional<std::uint64_t> {
            if (v) return *v;
            return std::nullopt;
        };
        for (const bool is_min : {true, false}) {
            const auto& want = is_min ? min_len : max_len;
            const auto have = kernel_len(is_min ? kp.min_length : kp.max_length);
            if (want && want != have)
                add(policy_difference::kind::length, op, name,
                    fmt::format("{}-len {}", is_min ? "min" : "max", *want),
                    fmt::format("{}-len {}", is_min ? "min" : "max", or_none(have)));
        }
    }

    const spec& s_;
    const kernel_policies& k_;
    std::set<std::tuple<std::string, std::uint32_t, const attr_set*>> seen_;
    std::size_t compared_ = 0;
    std::vector<policy_difference> out_;
};

}  // namespace

std::string_view kind_name(policy_difference::kind k) noexcept {
    switch (k) {
    case policy_difference::kind::operation_missing: return "operation-missing";
    case policy_difference::kind::attribute_missing: return "attribute-missing";
    case policy_difference::kind::type: return "type";
    case policy_difference::kind::range: return "range";
    case policy_difference::kind::length: return "length";
    }
    return "?";
}

result<kernel_policies> read_policies(genl::client& gc, std::string_view family) {
    auto f = gc.family(family);
    if (!f) return fail(f.error());
    kernel_policies out;
    for (const auto& op : (*f)->ops) {
        auto& dump = out[op.id];
        if (!(op.flags & genl::op_has_policy)) continue;
        auto p = gc.policy(family, op.id);
        if (!p) return fail(p.error());
        dump = std::move(*p);
    }
    return out;
}

std::string policy_difference::to_string() const {
    if (what == kind::operation_missing)
        return fmt::format("{}: the kernel has it, the spec has no operation with that value",
                           operation);
    return fmt::format("{}: {}: {}: spec {}, kernel {}", operation, attribute, kind_name(what),
                       spec, kernel);
}

policy_report check_policy(const spec& s, const kernel_policies& k) { return checker(s, k).run(); }

}  // namespace nlpp::ynl
