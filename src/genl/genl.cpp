// Generic netlink: nlctrl requests and replies, family cache, policies.
#include <nlpp/genl/genl.hpp>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <fmt/format.h>

namespace nlpp::genl {
namespace {

// Reads a scalar attribute or fails with the attribute's name as context.
template <std::integral T>
result<T> scalar(attr_view a, const char* what) {
    auto v = a.get<T>();
    if (!v) return fail(std::move(v.error()).wrap(what));
    return *v;
}

result<void> check(const attr_range& r, const char* what) {
    if (auto e = r.error()) return fail(std::move(*e).wrap(what));
    return {};
}

result<std::vector<operation>> parse_ops(attr_view nest) {
    std::vector<operation> ops;
    attr_range list = nest.nested();
    for (attr_view entry : list) {
        operation op;
        attr_range fields = entry.nested();
        for (attr_view f : fields) {
            if (f.type() == CTRL_ATTR_OP_ID) {
                auto v = scalar<std::uint32_t>(f, "op id");
                if (!v) return fail(v.error());
                op.id = *v;
            } else if (f.type() == CTRL_ATTR_OP_FLAGS) {
                auto v = scalar<std::uint32_t>(f, "op flags");
                if (!v) return fail(v.error());
                op.flags = *v;
            }
        }
        if (auto c = check(fields, "op"); !c) return fail(c.error());
        ops.push_back(op);
    }
    if (auto c = check(list, "ops"); !c) return fail(c.error());
    return ops;
}

result<std::vector<mcast_group>> parse_groups(attr_view nest) {
    std::vector<mcast_group> groups;
    attr_range list = nest.nested();
    for (attr_view entry : list) {
        mcast_group g;
        attr_range fields = entry.nested();
        for (attr_view f : fields) {
            if (f.type() == CTRL_ATTR_MCAST_GRP_NAME) g.name = std::string(f.get_string());
            else if (f.type() == CTRL_ATTR_MCAST_GRP_ID) {
                auto v = scalar<std::uint32_t>(f, "mcast group id");
                if (!v) return fail(v.error());
                g.id = *v;
            }
        }
        if (auto c = check(fields, "mcast group"); !c) return fail(c.error());
        groups.push_back(std::move(g));
    }
    if (auto c = check(list, "mcast groups"); !c) return fail(c.error());
    return groups;
}

result<attr_policy> parse_attr_policy(attr_view nest) {
    attr_policy p;
    attr_range fields = nest.nested();
    for (attr_view f : fields) {
        auto u32 = [&](std::optional<std::uint32_t>& out, const char* what) -> result<void> {
            auto v = scalar<std::uint32_t>(f, what);
            if (!v) return fail(v.error());
            out = *v;
            return {};
        };
        result<void> r;
        switch (f.type()) {
        case NL_POLICY_TYPE_ATTR_TYPE: {
            auto v = scalar<std::uint32_t>(f, "policy type");
            if (!v) return fail(v.error());
            p.type = *v;
            break;
        }
        case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
        case NL_POLICY_TYPE_ATTR_MAX_VALUE_S: {
            auto v = scalar<std::int64_t>(f, "policy signed bound");
            if (!v) return fail(v.error());
            (f.type() == NL_POLICY_TYPE_ATTR_MIN_VALUE_S ? p.min_value_s : p.max_value_s) = *v;
            break;
        }
        case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
        case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
        case NL_POLICY_TYPE_ATTR_MASK: {
            auto v = scalar<std::uint64_t>(f, "policy unsigned bound");
            if (!v) return fail(v.error());
            (f.type() == NL_POLICY_TYPE_ATTR_MIN_VALUE_U   ? p.min_value_u
             : f.type() == NL_POLICY_TYPE_ATTR_MAX_VALUE_U ? p.max_value_u
                                                           : p.mask) = *v;
            break;
        }
        case NL_POLICY_TYPE_ATTR_MIN_LENGTH: r = u32(p.min_length, "policy min length"); break;
        case NL_POLICY_TYPE_ATTR_MAX_LENGTH: r = u32(p.max_length, "policy max length"); break;
        case NL_POLICY_TYPE_ATTR_POLICY_IDX: r = u32(p.policy_idx, "policy index"); break;
        case NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE: r = u32(p.policy_maxtype, "policy max type"); break;
        case NL_POLICY_TYPE_ATTR_BITFIELD32_MASK: r = u32(p.bitfield32_mask, "policy bitfield32 mask"); break;
        default: break;  // PAD and future fields
        }
        if (!r) return fail(r.error());
    }
    if (auto c = check(fields, "attribute policy"); !c) return fail(c.error());
    return p;
}

// nlctrl answers ENOENT for a name it does not know.
error not_found_or(error e, std::string_view name) {
    if (e.errno_value() != ENOENT) return e;
    error nf(errc::family_not_found, fmt::format("generic netlink family {}", name));
    nf.set_hint("the kernel has no such family: is its module loaded?");
    return nf;
}

}  // namespace

std::optional<std::uint32_t> family_info::group(std::string_view group_name) const {
    for (const auto& g : mcast_groups)
        if (g.name == group_name) return g.id;
    return std::nullopt;
}

std::vector<policy_limit> limits(const attr_policy& p) {
    std::vector<policy_limit> out;
    auto add_s = [&](std::string_view n, const std::optional<std::int64_t>& v) {
        if (v) out.push_back({n, *v, 0, true});
    };
    auto add_u = [&](std::string_view n, const auto& v) {
        if (v) out.push_back({n, 0, static_cast<std::uint64_t>(*v), false});
    };
    add_s("min-value", p.min_value_s);
    add_s("max-value", p.max_value_s);
    add_u("min-value", p.min_value_u);
    add_u("max-value", p.max_value_u);
    add_u("min-length", p.min_length);
    add_u("max-length", p.max_length);
    add_u("policy-idx", p.policy_idx);
    add_u("policy-maxtype", p.policy_maxtype);
    add_u("bitfield32-mask", p.bitfield32_mask);
    add_u("mask", p.mask);
    return out;
}

std::string_view attr_type_name(std::uint32_t type) noexcept {
    static constexpr std::string_view names[] = {"invalid", "flag",   "u8",         "u16",         "u32",
                                                 "u64",     "s8",     "s16",        "s32",         "s64",
                                                 "binary",  "string", "nul-string", "nested",      "nested-array",
                                                 "bitfield32", "sint", "uint"};
    return type < std::size(names) ? names[type] : "unknown";
}

const attr_set& ctrl_attrs() noexcept {
    static constexpr attr_name names[] = {{},          {"family-id"}, {"family-name"}, {"version"},
                                          {"hdrsize"}, {"maxattr"},   {"ops"},         {"mcast-groups"},
                                          {"policy"},  {"op-policy"}, {"op"}};
    static constexpr attr_set set{"ctrl-attrs", names};
    return set;
}

message_builder make_request(std::uint16_t family_id, std::uint8_t cmd, std::uint8_t version, std::uint16_t flags) {
    message_builder b(family_id, flags);
    b.put_header(header{cmd, version, 0});
    return b;
}

result<family_info> parse_family(message_view m) {
    attr_range attrs = m.attrs(header_size);
    family_info f;
    bool have_id = false;
    for (attr_view a : attrs) {
        result<void> r;
        switch (a.type()) {
        case CTRL_ATTR_FAMILY_ID: {
            auto v = scalar<std::uint16_t>(a, "family id");
            if (!v) return fail(std::move(v.error()).wrap("nlctrl family"));
            f.id = *v;
            have_id = true;
            break;
        }
        case CTRL_ATTR_FAMILY_NAME: f.name = std::string(a.get_string()); break;
        case CTRL_ATTR_VERSION:
        case CTRL_ATTR_HDRSIZE:
        case CTRL_ATTR_MAXATTR: {
            auto v = scalar<std::uint32_t>(a, "family field");
            if (!v) return fail(std::move(v.error()).wrap("nlctrl family"));
            (a.type() == CTRL_ATTR_VERSION ? f.version : a.type() == CTRL_ATTR_HDRSIZE ? f.hdrsize : f.maxattr) = *v;
            break;
        }
        case CTRL_ATTR_OPS: {
            auto ops = parse_ops(a);
            if (!ops) return fail(std::move(ops.error()).wrap("nlctrl family"));
            f.ops = std::move(*ops);
            break;
        }
        case CTRL_ATTR_MCAST_GROUPS: {
            auto g = parse_groups(a);
            if (!g) return fail(std::move(g.error()).wrap("nlctrl family"));
            f.mcast_groups = std::move(*g);
            break;
        }
        default: break;  // newer nlctrl attributes are skipped
        }
    }
    if (auto c = check(attrs, "nlctrl family"); !c) return fail(c.error());
    if (!have_id || f.name.empty())
        return fail(errc::attr_missing, fmt::format("nlctrl family: reply lacks the family {}", have_id ? "name" : "id"));
    return f;
}

result<void> parse_policy(message_view m, policy_dump& out) {
    attr_range attrs = m.attrs(header_size);
    for (attr_view a : attrs) {
        if (a.type() == CTRL_ATTR_FAMILY_ID) {
            auto v = scalar<std::uint16_t>(a, "family id");
            if (!v) return fail(std::move(v.error()).wrap("nlctrl policy"));
            out.family_id = *v;
        } else if (a.type() == CTRL_ATTR_POLICY) {
            attr_range indexes = a.nested();
            for (attr_view idx : indexes) {
                attr_range types = idx.nested();
                for (attr_view t : types) {
                    auto p = parse_attr_policy(t);
                    if (!p) return fail(std::move(p.error()).wrap(fmt::format("nlctrl policy {} attr {}", idx.type(), t.type())));
                    out.policies[idx.type()][t.type()] = *p;
                }
                if (auto c = check(types, "nlctrl policy"); !c) return fail(c.error());
            }
            if (auto c = check(indexes, "nlctrl policy"); !c) return fail(c.error());
        } else if (a.type() == CTRL_ATTR_OP_POLICY) {
            attr_range cmds = a.nested();
            for (attr_view cmd : cmds) {
                op_policy& op = out.ops[cmd.type()];
                attr_range fields = cmd.nested();
                for (attr_view f : fields) {
                    if (f.type() != CTRL_ATTR_POLICY_DO && f.type() != CTRL_ATTR_POLICY_DUMP) continue;
                    auto v = scalar<std::uint32_t>(f, "op policy index");
                    if (!v) return fail(std::move(v.error()).wrap("nlctrl op policy"));
                    (f.type() == CTRL_ATTR_POLICY_DO ? op.do_policy : op.dump_policy) = *v;
                }
                if (auto c = check(fields, "nlctrl op policy"); !c) return fail(c.error());
            }
            if (auto c = check(cmds, "nlctrl op policy"); !c) return fail(c.error());
        }
    }
    return check(attrs, "nlctrl policy");
}

// The client.

result<client> client::open(const socket_options& options) {
    auto s = socket::open(NETLINK_GENERIC, options);
    if (!s) return fail(s.error());
    return client(std::move(*s));
}

result<family_info> resolve(socket& sock, std::string_view name) {
    const std::string what = fmt::format("resolve generic netlink family {}", name);
    if (sock.protocol() != NETLINK_GENERIC)
        return fail(errc::invalid_argument, fmt::format("{}: the socket speaks netlink protocol {}, not NETLINK_GENERIC",
                                                        what, sock.protocol()));
    message_builder b = make_request(ctrl_family_id, CTRL_CMD_GETFAMILY, 2);
    b.put_string(CTRL_ATTR_FAMILY_NAME, name);
    std::optional<family_info> found;
    auto r = sock.request(
        b,
        [&](message_view m) -> result<void> {
            auto f = parse_family(m);
            if (!f) return fail(f.error());
            found = std::move(*f);
            return {};
        },
        {what, header_size, &ctrl_attrs()});
    if (!r) return fail(not_found_or(std::move(r.error()), name));
    if (!found) return fail(errc::attr_missing, what + ": no reply");
    return std::move(*found);
}

result<const family_info*> client::family(std::string_view name) {
    if (auto it = cache_.find(name); it != cache_.end()) return &it->second;
    auto f = resolve(sock_, name);
    if (!f) return fail(f.error());
    auto [it, inserted] = cache_.insert_or_assign(f->name, std::move(*f));
    return &it->second;
}

void client::forget(std::string_view name) {
    if (auto it = cache_.find(name); it != cache_.end()) cache_.erase(it);
}

result<std::vector<family_info>> client::families() {
    message_builder b = make_request(ctrl_family_id, CTRL_CMD_GETFAMILY, 2);
    std::vector<family_info> out;
    auto r = sock_.dump(
        b,
        [&](message_view m) -> result<void> {
            auto f = parse_family(m);
            if (!f) return fail(f.error());
            out.push_back(std::move(*f));
            return {};
        },
        {"list generic netlink families", header_size, &ctrl_attrs()});
    if (!r) return fail(r.error());
    cache_.clear();
    for (const auto& f : out) cache_.insert_or_assign(f.name, f);
    return out;
}

result<policy_dump> client::policy(std::string_view name) {
    message_builder b = make_request(ctrl_family_id, CTRL_CMD_GETPOLICY, 2);
    b.put_string(CTRL_ATTR_FAMILY_NAME, name);
    policy_dump out;
    auto r = sock_.dump(
        b, [&](message_view m) { return parse_policy(m, out); },
        {fmt::format("dump policy of generic netlink family {}", name), header_size, &ctrl_attrs()});
    if (!r) return fail(not_found_or(std::move(r.error()), name));
    return out;
}

}  // namespace nlpp::genl
