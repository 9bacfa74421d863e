// Generic netlink: nlctrl requests and replies, family cache, policies.
#include <nlpp/genl/genl.hpp>
#include <nlpp/core/decoder.hpp>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <fmt/format.h>

namespace nlpp::genl {
namespace {

// Names of nlctrl's inner attribute sets (the kernel's nlctrl spec), for paths in errors.
constexpr attr_name op_names[] = {{}, {"id"}, {"flags"}};
constexpr attr_set op_set{"op-attrs", op_names};
constexpr attr_name mcast_group_names[] = {{}, {"name"}, {"id"}};
constexpr attr_set mcast_group_set{"mcast-group-attrs", mcast_group_names};
constexpr attr_name policy_names[] = {{},
                                      {"type"},
                                      {"min-value-s"},
                                      {"max-value-s"},
                                      {"min-value-u"},
                                      {"max-value-u"},
                                      {"min-length"},
                                      {"max-length"},
                                      {"policy-idx"},
                                      {"policy-maxtype"},
                                      {"bitfield32-mask"},
                                      {"pad"},
                                      {"mask"}};
constexpr attr_set policy_set{"policy-attrs", policy_names};
constexpr attr_name op_policy_names[] = {{}, {"do"}, {"dump"}};
constexpr attr_set op_policy_set{"op-policy-attrs", op_policy_names};

// CTRL_ATTR_OPS, the decoder's current attribute: entries numbered 1, 2, ...
std::vector<operation> get_ops(attr_decoder& in) {
    std::vector<operation> ops;
    in.nested([&](attr_decoder& list) {
        while (list.next())
            list.nested(op_set, [&](attr_decoder& entry) {
                operation& op = ops.emplace_back();
                while (entry.next()) {
                    if (entry.type() == CTRL_ATTR_OP_ID)
                        op.id = entry.get<std::uint32_t>();
                    else if (entry.type() == CTRL_ATTR_OP_FLAGS)
                        op.flags = entry.get<std::uint32_t>();
                }
            });
    });
    return ops;
}

// CTRL_ATTR_MCAST_GROUPS, the decoder's current attribute: entries numbered 1, 2, ...
std::vector<mcast_group> get_groups(attr_decoder& in) {
    std::vector<mcast_group> groups;
    in.nested([&](attr_decoder& list) {
        while (list.next())
            list.nested(mcast_group_set, [&](attr_decoder& entry) {
                mcast_group& g = groups.emplace_back();
                while (entry.next()) {
                    if (entry.type() == CTRL_ATTR_MCAST_GRP_NAME)
                        g.name = entry.get_string();
                    else if (entry.type() == CTRL_ATTR_MCAST_GRP_ID)
                        g.id = entry.get<std::uint32_t>();
                }
            });
    });
    return groups;
}

// One attribute's policy (NL_POLICY_TYPE_ATTR_*), read from `in`.
attr_policy get_attr_policy(attr_decoder& in) {
    attr_policy p;
    while (in.next()) {
        switch (in.type()) {
        case NL_POLICY_TYPE_ATTR_TYPE: p.type = in.get<std::uint32_t>(); break;
        case NL_POLICY_TYPE_ATTR_MIN_VALUE_S: p.min_value_s = in.get<std::int64_t>(); break;
        case NL_POLICY_TYPE_ATTR_MAX_VALUE_S: p.max_value_s = in.get<std::int64_t>(); break;
        case NL_POLICY_TYPE_ATTR_MIN_VALUE_U: p.min_value_u = in.get<std::uint64_t>(); break;
        case NL_POLICY_TYPE_ATTR_MAX_VALUE_U: p.max_value_u = in.get<std::uint64_t>(); break;
        case NL_POLICY_TYPE_ATTR_MASK: p.mask = in.get<std::uint64_t>(); break;
        case NL_POLICY_TYPE_ATTR_MIN_LENGTH: p.min_length = in.get<std::uint32_t>(); break;
        case NL_POLICY_TYPE_ATTR_MAX_LENGTH: p.max_length = in.get<std::uint32_t>(); break;
        case NL_POLICY_TYPE_ATTR_POLICY_IDX: p.policy_idx = in.get<std::uint32_t>(); break;
        case NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE: p.policy_maxtype = in.get<std::uint32_t>(); break;
        case NL_POLICY_TYPE_ATTR_BITFIELD32_MASK:
            p.bitfield32_mask = in.get<std::uint32_t>();
            break;
        default: break;  // PAD and future fields
        }
    }
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
    static constexpr std::string_view names[] = {
        "invalid",    "flag",   "u8",           "u16",        "u32",    "u64",
        "s8",         "s16",    "s32",          "s64",        "binary", "string",
        "nul-string", "nested", "nested-array", "bitfield32", "sint",   "uint"};
    return type < std::size(names) ? names[type] : "unknown";
}

const attr_set& ctrl_attrs() noexcept {
    static constexpr attr_name names[] = {
        {},      {"family-id"},    {"family-name"}, {"version"},   {"hdrsize"}, {"maxattr"},
        {"ops"}, {"mcast-groups"}, {"policy"},      {"op-policy"}, {"op"}};
    static constexpr attr_set set{"ctrl-attrs", names};
    return set;
}

message_builder make_request(std::uint16_t family_id, std::uint8_t cmd, std::uint8_t version,
                             std::uint16_t flags) {
    message_builder b(family_id, flags);
    b.put_header(header{cmd, version, 0});
    return b;
}

result<family_info> parse_family(message_view m) {
    family_info f;
    bool have_id = false;
    attr_decoder in(m.attrs(header_size), "nlctrl family", &ctrl_attrs());
    while (in.next()) {
        switch (in.type()) {
        case CTRL_ATTR_FAMILY_ID:
            f.id = in.get<std::uint16_t>();
            have_id = true;
            break;
        case CTRL_ATTR_FAMILY_NAME: f.name = in.get_string(); break;
        case CTRL_ATTR_VERSION: f.version = in.get<std::uint32_t>(); break;
        case CTRL_ATTR_HDRSIZE: f.hdrsize = in.get<std::uint32_t>(); break;
        case CTRL_ATTR_MAXATTR: f.maxattr = in.get<std::uint32_t>(); break;
        case CTRL_ATTR_OPS: f.ops = get_ops(in); break;
        case CTRL_ATTR_MCAST_GROUPS: f.mcast_groups = get_groups(in); break;
        default: break;  // newer nlctrl attributes are skipped
        }
    }
    if (auto e = in.error()) return fail(std::move(*e));
    if (!have_id || f.name.empty())
        return fail(errc::attr_missing, fmt::format("nlctrl family: reply lacks the family {}",
                                                    have_id ? "name" : "id"));
    return f;
}

result<void> parse_policy(message_view m, policy_dump& out) {
    attr_decoder in(m.attrs(header_size), "nlctrl policy", &ctrl_attrs());
    while (in.next()) {
        switch (in.type()) {
        case CTRL_ATTR_FAMILY_ID: out.family_id = in.get<std::uint16_t>(); break;
        case CTRL_ATTR_POLICY:  // [policy index][attribute type] -> policy
            in.nested([&](attr_decoder& indexes) {
                while (indexes.next())
                    indexes.nested([&](attr_decoder& types) {
                        while (types.next())
                            types.nested(policy_set, [&](attr_decoder& p) {
                                out.policies[indexes.type()][types.type()] = get_attr_policy(p);
                            });
                    });
            });
            break;
        case CTRL_ATTR_OP_POLICY:  // [command] -> do and dump policy indexes
            in.nested([&](attr_decoder& cmds) {
                while (cmds.next()) {
                    op_policy& op = out.ops[cmds.type()];
                    cmds.nested(op_policy_set, [&](attr_decoder& fields) {
                        while (fields.next()) {
                            if (fields.type() == CTRL_ATTR_POLICY_DO)
                                op.do_policy = fields.get<std::uint32_t>();
                            else if (fields.type() == CTRL_ATTR_POLICY_DUMP)
                                op.dump_policy = fields.get<std::uint32_t>();
                        }
                    });
                }
            });
            break;
        default: break;
        }
    }
    if (auto e = in.error()) return fail(std::move(*e));
    return {};
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
        return fail(errc::invalid_argument,
                    fmt::format("{}: the socket speaks netlink protocol {}, not NETLINK_GENERIC",
                                what, sock.protocol()));
    message_builder b = make_request(ctrl_family_id, CTRL_CMD_GETFAMILY, 2);
    b.put_string(CTRL_ATTR_FAMILY_NAME, name);
    std::optional<family_info> found;
    auto r = sock.request(b,
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
    auto r = sock_.dump(b,
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

result<policy_dump> client::policy(std::string_view name, std::optional<std::uint32_t> command) {
    message_builder b = make_request(ctrl_family_id, CTRL_CMD_GETPOLICY, 2);
    b.put_string(CTRL_ATTR_FAMILY_NAME, name);
    if (command) b.put<std::uint32_t>(CTRL_ATTR_OP, *command);
    policy_dump out;
    auto r = sock_.dump(
        b, [&](message_view m) { return parse_policy(m, out); },
        {command
             ? fmt::format("dump policy of command {} of generic netlink family {}", *command, name)
             : fmt::format("dump policy of generic netlink family {}", name),
         header_size, &ctrl_attrs()});
    if (!r) return fail(not_found_or(std::move(r.error()), name));
    if (command && out.ops.size() == 1 && out.ops.begin()->first != *command) {
        const op_policy p = out.ops.begin()->second;
        out.ops.clear();
        out.ops[*command] = p;
    }
    return out;
}

}  // namespace nlpp::genl
