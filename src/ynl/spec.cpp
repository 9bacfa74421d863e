// Loading YNL specs with libfyaml into nlpp::ynl::spec.
#include <nlpp/ynl/spec.hpp>

#include "json_out.hpp"
#include "yaml_node.hpp"

#include <libfyaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

namespace nlpp::ynl {
namespace {

struct loader {
    spec s;

    error err(std::size_t line, const std::string& why) const {
        return error(errc::malformed, line ? fmt::format("{}:{}: {}", s.file, line, why)
                                           : fmt::format("{}: {}", s.file, why));
    }

    // Integers: decimal or 0x hex, negative allowed.
    std::optional<std::int64_t> integer(const std::string& t) const {
        if (t.empty()) return std::nullopt;
        std::int64_t v = 0;
        const char* b = t.data();
        const char* e = t.data() + t.size();
        bool neg = false;
        if (*b == '-') {
            neg = true;
            ++b;
        }
        int base = 10;
        if (e - b > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) {
            b += 2;
            base = 16;
        }
        std::uint64_t u = 0;
        auto [p, ec] = std::from_chars(b, e, u, base);
        if (ec != std::errc() || p != e) return std::nullopt;
        v = static_cast<std::int64_t>(u);
        return neg ? -v : v;
    }

    // A number, a constant's name, "NAME - 1", or a limit like u16-max / s32-min.
    result<std::int64_t> value_of(node n, const char* what) const {
        const std::string t = n.str();
        if (auto v = integer(t)) return *v;
        static constexpr std::pair<std::string_view, std::int64_t> limits[] = {
            {"u8-max", 0xff},       {"u16-max", 0xffff},    {"u32-max", 0xffffffffLL},
            {"s8-max", 127},        {"s16-max", 32767},     {"s32-max", 2147483647LL},
            {"s8-min", -128},       {"s16-min", -32768},    {"s32-min", -2147483648LL},
            {"s64-max", INT64_MAX}, {"s64-min", INT64_MIN}, {"u64-max", -1}};
        for (auto [name, v] : limits)
            if (t == name) return v;
        std::string base = t;
        std::int64_t adjust = 0;
        if (auto pos = t.find(" - "); pos != std::string::npos) {
            base = t.substr(0, pos);
            auto d = integer(t.substr(pos + 3));
            if (!d) return fail(err(n.line(), fmt::format("{}: cannot read '{}'", what, t)));
            adjust = -*d;
        }
        for (const auto& d : s.definitions)
            if (d.name == base && d.kind == definition::kind::constant) return d.value + adjust;
        return fail(
            err(n.line(), fmt::format("{}: '{}' is neither a number nor a constant", what, t)));
    }

    static std::optional<attr_type> type_of(const std::string& t) {
        static constexpr std::pair<std::string_view, attr_type> names[] = {
            {"unused", attr_type::unused},
            {"pad", attr_type::pad},
            {"flag", attr_type::flag},
            {"u8", attr_type::u8},
            {"u16", attr_type::u16},
            {"u32", attr_type::u32},
            {"u64", attr_type::u64},
            {"s8", attr_type::s8},
            {"s16", attr_type::s16},
            {"s32", attr_type::s32},
            {"s64", attr_type::s64},
            {"uint", attr_type::uint},
            {"sint", attr_type::sint},
            {"string", attr_type::string},
            {"binary", attr_type::binary},
            {"nest", attr_type::nest},
            {"indexed-array", attr_type::indexed_array},
            {"nest-type-value", attr_type::nest_type_value},
            {"bitfield32", attr_type::bitfield32},
            {"sub-message", attr_type::sub_message}};
        for (auto [n, v] : names)
            if (t == n) return v;
        return std::nullopt;
    }

    static byte_order order_of(const std::string& t) {
        return t == "big-endian"      ? byte_order::big
               : t == "little-endian" ? byte_order::little
                                      : byte_order::host;
    }

    result<void> definitions(node list) {
        for (node d : list.items()) {
            definition def;
            def.name = d["name"].str();
            if (def.name.empty()) return fail(err(d.line(), "a definition without a name"));
            const std::string type = d["type"].str();
            if (type == "const") {
                def.kind = definition::kind::constant;
                if (auto v = integer(d["value"].str()))
                    def.value = *v;
                else
                    def.string_value = d["value"].str();
            } else if (type == "enum" || type == "flags") {
                def.kind = type == "enum" ? definition::kind::enumeration : definition::kind::flags;
                std::int64_t next = 0;
                if (d["value-start"]) {
                    auto v = value_of(d["value-start"], "value-start");
                    if (!v) return fail(v.error());
                    next = *v;
                }
                for (node e : d["entries"].items()) {
                    enum_entry en;
                    if (e.is_scalar()) {
                        en.name = e.str();
                    } else {
                        en.name = e["name"].str();
                        if (e["value"]) {
                            auto v = value_of(e["value"], "enum value");
                            if (!v) return fail(v.error());
                            next = *v;
                        }
                    }
                    if (en.name.empty())
                        return fail(err(
                            e.line(), fmt::format("enum '{}': an entry without a name", def.name)));
                    if (def.kind == definition::kind::flags && (next < 0 || next > 63))
                        return fail(err(e.line(), fmt::format("flags '{}': bit {} out of range",
                                                              def.name, next)));
                    en.value = def.kind == definition::kind::flags
                                   ? (std::uint64_t{1} << next)
                                   : static_cast<std::uint64_t>(next);
                    ++next;
                    def.entries.push_back(std::move(en));
                }
            } else if (type == "struct") {
                def.kind = definition::kind::structure;
                for (node m : d["members"].items()) {
                    struct_member mem;
                    mem.name = m["name"].str();
                    auto t = type_of(m["type"].str());
                    if (!t || (*t != attr_type::string && *t != attr_type::binary &&
                               *t != attr_type::pad && !scalar_size(*t)))
                        return fail(
                            err(m.line(), fmt::format("struct '{}' member '{}': unknown type '{}'",
                                                      def.name, mem.name, m["type"].str())));
                    mem.type = *t;
                    mem.order = order_of(m["byte-order"].str());
                    mem.enum_name = m["enum"].str();
                    mem.enum_as_flags = m["enum-as-flags"].str() == "true";
                    mem.display_hint = m["display-hint"].str();
                    mem.hint = display_of(mem.display_hint);
                    mem.struct_name = m["struct"].str();
                    if (m["len"]) {
                        auto v = value_of(m["len"], "struct member len");
                        if (!v) return fail(v.error());
                        mem.len = static_cast<std::size_t>(*v);
                    }
                    def.members.push_back(std::move(mem));
                }
            } else {
                return fail(err(d.line(),
                                fmt::format("definition '{}': unknown type '{}'", def.name, type)));
            }
            s.definitions.push_back(std::move(def));
        }
        return {};
    }

    result<void> sets(node list) {
        for (node n : list.items()) {
            attr_set set;
            set.name = n["name"].str();
            if (set.name.empty()) return fail(err(n.line(), "an attribute set without a name"));
            set.subset_of = n["subset-of"].str();
            std::int64_t next = 1;
            for (node a : n["attributes"].items()) {
                attribute at;
                at.line = a.line();
                at.name = a["name"].str();
                if (at.name.empty())
                    return fail(err(
                        a.line(), fmt::format("set '{}': an attribute without a name", set.name)));
                if (a["value"]) {
                    auto v = value_of(a["value"], "attribute value");
                    if (!v) return fail(v.error());
                    next = *v;
                }
                if (next < 0 || next > 0x3fff)
                    return fail(err(a.line(), fmt::format("attribute '{}': id {} out of range",
                                                          at.name, next)));
                at.value = static_cast<std::uint16_t>(next++);
                const std::string type = a["type"].str();
                if (!type.empty()) {
                    auto t = type_of(type);
                    if (!t)
                        return fail(err(a.line(), fmt::format("attribute '{}': unknown type '{}'",
                                                              at.name, type)));
                    at.type = *t;
                } else if (set.subset_of.empty()) {
                    return fail(err(a.line(), fmt::format("attribute '{}': no type", at.name)));
                }
                if (auto st = a["sub-type"].str(); !st.empty()) {
                    auto t = type_of(st);
                    if (!t)
                        return fail(
                            err(a.line(),
                                fmt::format("attribute '{}': unknown sub-type '{}'", at.name, st)));
                    at.sub_type = *t;
                }
                at.order = order_of(a["byte-order"].str());
                at.multi_attr = a["multi-attr"].str() == "true";
                at.nested = a["nested-attributes"].str();
                at.enum_name = a["enum"].str();
                at.enum_as_flags = a["enum-as-flags"].str() == "true";
                at.display_hint = a["display-hint"].str();
                at.hint = display_of(at.display_hint);
                at.struct_name = a["struct"].str();
                at.sub_message = a["sub-message"].str();
                at.selector = a["selector"].str();
                for (node tv : a["type-value"].items()) at.type_value.push_back(tv.str());
                if (node c = a["checks"]) {
                    // Checks are informational; a limit naming a C define the spec does not
                    // declare (wireguard's wg-key-len) is left unset.
                    auto read = [&](const char* key, auto& out) -> result<void> {
                        if (!c[key]) return {};
                        if (auto v = value_of(c[key], key))
                            out = static_cast<std::remove_reference_t<decltype(*out)>>(*v);
                        return {};
                    };
                    for (auto r :
                         {read("min", at.checks.min), read("max", at.checks.max),
                          read("min-len", at.checks.min_len), read("max-len", at.checks.max_len),
                          read("exact-len", at.checks.exact_len)})
                        if (!r) return fail(r.error());
                    at.checks.unterminated_ok = c["unterminated-ok"].str() == "true";
                }
                set.attrs.push_back(std::move(at));
            }
            s.attribute_sets.push_back(std::move(set));
        }
        return {};
    }

    // Subsets take ids and properties from their parent, overridden by theirs.
    result<void> resolve_subsets() {
        for (auto& set : s.attribute_sets) {
            if (set.subset_of.empty()) continue;
            const attr_set* parent = nullptr;
            for (const auto& p : s.attribute_sets)
                if (p.name == set.subset_of) parent = &p;
            if (!parent)
                return fail(err(0, fmt::format("set '{}': subset of unknown set '{}'", set.name,
                                               set.subset_of)));
            for (auto& a : set.attrs) {
                const attribute* pa = parent->find(a.name);
                if (!pa)
                    return fail(err(a.line, fmt::format("set '{}': '{}' is not in '{}'", set.name,
                                                        a.name, parent->name)));
                attribute merged = *pa;
                if (a.type != attr_type::unused) merged.type = a.type;
                if (!a.nested.empty()) merged.nested = a.nested;
                if (!a.enum_name.empty()) merged.enum_name = a.enum_name;
                if (a.multi_attr) merged.multi_attr = true;
                merged.line = a.line;
                a = std::move(merged);
            }
            // A subset may list an attribute twice (devlink's dl-dpipe-table): keep the first.
            std::vector<attribute> unique;
            for (auto& a : set.attrs)
                if (std::none_of(unique.begin(), unique.end(),
                                 [&](const attribute& u) { return u.name == a.name; }))
                    unique.push_back(std::move(a));
            set.attrs = std::move(unique);
        }
        return {};
    }

    result<std::optional<message_part>> part(node n) {
        if (!n) return std::optional<message_part>();
        message_part p;
        for (node a : n["attributes"].items()) p.attributes.push_back(a.str());
        return std::optional<message_part>(std::move(p));
    }

    result<void> operations(node ops) {
        const bool directional = ops["enum-model"].str() == "directional";
        s.fixed_header = ops["fixed-header"].str();
        std::int64_t req = 1, rsp = 1;
        for (node o : ops["list"].items()) {
            operation op;
            op.name = o["name"].str();
            if (op.name.empty()) return fail(err(o.line(), "an operation without a name"));
            op.attribute_set = o["attribute-set"].str();
            op.fixed_header = o["fixed-header"].str();
            if (op.fixed_header.empty()) op.fixed_header = s.fixed_header;
            op.notify = o["notify"].str();
            op.mcgrp = o["mcgrp"].str();
            for (node f : o["flags"].items()) op.flags.push_back(f.str());
            node d = o["do"], dp = o["dump"];
            auto dr = part(d["request"]), dre = part(d["reply"]), pr = part(dp["request"]),
                 pre = part(dp["reply"]), ev = part(o["event"]);
            for (auto* r : {&dr, &dre, &pr, &pre, &ev})
                if (!*r) return fail(r->error());
            op.do_request = *dr;
            op.do_reply = *dre;
            op.dump_request = *pr;
            op.dump_reply = *pre;
            op.event = *ev;
            // Message ids, as the kernel's nlspec.py assigns them.
            if (!directional) {
                if (o["value"]) {
                    auto v = value_of(o["value"], "operation value");
                    if (!v) return fail(v.error());
                    req = *v;
                }
                op.request_value = op.reply_value = static_cast<std::uint32_t>(req++);
            } else if (d || dp) {
                node mode = d ? d : dp;
                if (node v = mode["request"]["value"]) {
                    auto x = value_of(v, "request value");
                    if (!x) return fail(x.error());
                    req = *x;
                }
                op.request_value = static_cast<std::uint32_t>(req++);
                if (mode["reply"]) {
                    if (node v = mode["reply"]["value"]) {
                        auto x = value_of(v, "reply value");
                        if (!x) return fail(x.error());
                        rsp = *x;
                    }
                    op.reply_value = static_cast<std::uint32_t>(rsp++);
                }
            } else {
                if (o["value"]) {
                    auto v = value_of(o["value"], "operation value");
                    if (!v) return fail(v.error());
                    rsp = *v;
                }
                if (!op.notify.empty() || op.event)
                    op.reply_value = static_cast<std::uint32_t>(rsp++);
            }
            s.operations.push_back(std::move(op));
        }
        // A notification's attribute set defaults to the notified operation's.
        for (auto& op : s.operations)
            if (op.attribute_set.empty() && !op.notify.empty())
                if (const operation* base = s.find_op(op.notify))
                    op.attribute_set = base->attribute_set;
        return {};
    }

    // Known mistakes in upstream specs, corrected while a spec still has
    // them (found against the kernel; see tests/ynl/kernel_test.py). tc,
    // through v7.2: struct tc-ratespec lists overhead, cell-align and mpu as
    // u8, but C's struct tc_ratespec has u16, s16 and u16 (12 bytes, not 9),
    // so tbf's and htb's parameters misalign; struct tc-u32-sel misses the
    // padding byte C puts before offmask, so u32 selectors misalign.
    void fix_known_mistakes() {
        if (s.name != "tc") return;
        for (auto& d : s.definitions) {
            auto& m = d.members;
            if (d.name == "tc-ratespec" && m.size() == 6 && m[2].type == attr_type::u8 &&
                m[3].type == attr_type::u8 && m[4].type == attr_type::u8) {
                m[2].type = attr_type::u16;
                m[3].type = attr_type::s16;
                m[4].type = attr_type::u16;
            }
            if (d.name == "tc-u32-sel" && m.size() > 3 && m[2].name == "nkeys" &&
                m[3].name == "offmask") {
                struct_member pad;
                pad.name = "pad";
                pad.type = attr_type::pad;
                pad.len = 1;
                m.insert(m.begin() + 3, pad);
            }
        }
    }

    // Sizes of structs (members may be other structs) and references between parts.
    result<void> check() {
        fix_known_mistakes();
        for (auto& d : s.definitions) {
            if (d.kind != definition::kind::structure) continue;
            std::size_t size = 0;
            for (auto& m : d.members) {
                if (!m.struct_name.empty()) {
                    const definition* inner = s.find_definition(m.struct_name);
                    if (!inner || inner->kind != definition::kind::structure)
                        return fail(
                            err(0, fmt::format("struct '{}' member '{}': unknown struct '{}'",
                                               d.name, m.name, m.struct_name)));
                    if (!m.len) {
                        for (const auto& im : inner->members)
                            m.len += scalar_size(im.type) ? scalar_size(im.type) : im.len;
                    }
                }
                size += scalar_size(m.type) ? scalar_size(m.type) : m.len;
            }
            d.size = size;
        }
        for (const auto& set : s.attribute_sets)
            for (const auto& a : set.attrs) {
                auto where = [&](const std::string& what) {
                    return err(a.line, fmt::format("attribute '{}' of set '{}': {}", a.name,
                                                   set.name, what));
                };
                if (!a.nested.empty() && !s.find_set(a.nested))
                    return fail(where("unknown nested-attributes '" + a.nested + "'"));
                if (!a.enum_name.empty() && !s.find_definition(a.enum_name))
                    return fail(where("unknown enum '" + a.enum_name + "'"));
                if (!a.struct_name.empty() && !s.find_definition(a.struct_name))
                    return fail(where("unknown struct '" + a.struct_name + "'"));
                if (!a.sub_message.empty() && !s.find_sub_message(a.sub_message))
                    return fail(where("unknown sub-message '" + a.sub_message + "'"));
                if ((a.type == attr_type::nest || a.type == attr_type::nest_type_value) &&
                    a.nested.empty())
                    return fail(where("a nest without nested-attributes"));
            }
        for (const auto& op : s.operations)
            if (!op.attribute_set.empty() && !s.find_set(op.attribute_set))
                return fail(err(0, fmt::format("operation '{}': unknown attribute-set '{}'",
                                               op.name, op.attribute_set)));
        return resolve();
    }

    // Points every reference at what it names (the engine follows pointers, not names).
    result<void> resolve() {
        auto structure = [&](const std::string& name,
                             const std::string& who) -> result<const definition*> {
            if (name.empty()) return nullptr;
            const definition* d = s.find_definition(name);
            if (!d || d->kind != definition::kind::structure)
                return fail(err(0, fmt::format("{}: unknown struct '{}'", who, name)));
            return d;
        };
        auto enumeration = [&](const std::string& name,
                               const std::string& who) -> result<const definition*> {
            if (name.empty()) return nullptr;
            const definition* d = s.find_definition(name);
            if (!d ||
                (d->kind != definition::kind::enumeration && d->kind != definition::kind::flags))
                return fail(err(0, fmt::format("{}: unknown enum '{}'", who, name)));
            return d;
        };
        for (auto& d : s.definitions)
            for (auto& m : d.members) {
                const std::string who = fmt::format("struct '{}' member '{}'", d.name, m.name);
                auto e = enumeration(m.enum_name, who);
                if (!e) return fail(e.error());
                m.enum_def = *e;
                auto st = structure(m.struct_name, who);
                if (!st) return fail(st.error());
                m.struct_def = *st;
            }
        for (auto& set : s.attribute_sets)
            for (auto& a : set.attrs) {
                const std::string who = fmt::format("attribute '{}' of set '{}'", a.name, set.name);
                a.nested_set = a.nested.empty() ? nullptr : s.find_set(a.nested);
                a.sub_message_def =
                    a.sub_message.empty() ? nullptr : s.find_sub_message(a.sub_message);
                auto e = enumeration(a.enum_name, who);
                if (!e) return fail(e.error());
                a.enum_def = *e;
                auto st = structure(a.struct_name, who);
                if (!st) return fail(st.error());
                a.struct_def = *st;
                if (a.type == attr_type::indexed_array && a.sub_type == attr_type::nest &&
                    !a.nested_set)
                    return fail(
                        err(a.line, who + ": an indexed-array of nests without nested-attributes"));
                if (a.type == attr_type::sub_message && a.selector.empty())
                    return fail(err(a.line, who + ": a sub-message without a selector"));
            }
        for (const auto& set : s.attribute_sets)
            for (const auto& a : set.attrs)
                if (a.type == attr_type::sub_message)
                    for (auto& other : s.attribute_sets)
                        for (auto& b : other.attrs)
                            if (b.name == a.selector) b.is_selector = other.has_selector = true;
        for (auto& op : s.operations) {
            op.set = op.attribute_set.empty() ? nullptr : s.find_set(op.attribute_set);
            auto h =
                structure(op.fixed_header, fmt::format("operation '{}' fixed-header", op.name));
            if (!h) return fail(h.error());
            op.header = *h;
        }
        for (auto& sm : s.sub_messages)
            for (auto& f : sm.formats) {
                const std::string who =
                    fmt::format("sub-message '{}' format '{}'", sm.name, f.value);
                f.set = f.attribute_set.empty() ? nullptr : s.find_set(f.attribute_set);
                if (!f.attribute_set.empty() && !f.set)
                    return fail(err(
                        0, fmt::format("{}: unknown attribute-set '{}'", who, f.attribute_set)));
                auto h = structure(f.fixed_header, who);
                if (!h) return fail(h.error());
                f.header = *h;
            }
        return {};
    }

    result<void> load(node root) {
        if (!root.is_map()) return fail(err(root.line(), "the spec is not a YAML mapping"));
        s.name = root["name"].str();
        if (s.name.empty()) return fail(err(root.line(), "the spec has no 'name'"));
        const std::string proto = root["protocol"].str();
        if (proto.empty() || proto == "genetlink")
            s.protocol = protocol::genetlink;
        else if (proto == "genetlink-c")
            s.protocol = protocol::genetlink_c;
        else if (proto == "genetlink-legacy")
            s.protocol = protocol::genetlink_legacy;
        else if (proto == "netlink-raw")
            s.protocol = protocol::netlink_raw;
        else
            return fail(err(root["protocol"].line(), fmt::format("unknown protocol '{}'", proto)));
        if (root["protonum"]) {
            auto v = value_of(root["protonum"], "protonum");
            if (!v) return fail(v.error());
            s.protonum = static_cast<std::uint32_t>(*v);
        } else if (s.protocol == protocol::netlink_raw) {
            return fail(err(root.line(), "a netlink-raw spec needs 'protonum'"));
        }
        if (root["version"]) {
            auto v = value_of(root["version"], "version");
            if (!v) return fail(v.error());
            s.version = static_cast<std::uint32_t>(*v);
        }
        if (!root["attribute-sets"].is_seq())
            return fail(err(root.line(), "the spec has no 'attribute-sets' list"));
        if (!root["operations"].is_map())
            return fail(err(root.line(), "the spec has no 'operations' mapping"));
        for (node sm : root["sub-messages"].items()) {
            sub_message m;
            m.name = sm["name"].str();
            for (node f : sm["formats"].items())
                m.formats.push_back(
                    {f["value"].str(), f["fixed-header"].str(), f["attribute-set"].str()});
            s.sub_messages.push_back(std::move(m));
        }
        for (node g : root["mcast-groups"]["list"].items()) {
            mcast_group mg;
            mg.name = g["name"].str();
            if (g["value"]) {
                auto v = value_of(g["value"], "mcast group value");
                if (!v) return fail(v.error());
                mg.value = static_cast<std::uint32_t>(*v);
            }
            s.mcast_groups.push_back(std::move(mg));
        }
        if (auto r = definitions(root["definitions"]); !r) return r;
        if (auto r = sets(root["attribute-sets"]); !r) return r;
        if (auto r = resolve_subsets(); !r) return r;
        if (auto r = operations(root["operations"]); !r) return r;
        return check();
    }
};

struct doc_deleter {
    void operator()(fy_document* d) const noexcept { fy_document_destroy(d); }
};
struct diag_deleter {
    void operator()(fy_diag* d) const noexcept { fy_diag_destroy(d); }
};

}  // namespace

namespace {

// What must hold before libfyaml sees the text: the SPDX line the kernel's
// tools require, valid UTF-8 without NULs, and no YAML directives (no spec
// uses them, and Debian's libfyaml 0.8 can loop forever on a directive
// followed by invalid UTF-8, found by fuzzing).
std::optional<std::string> precheck(std::string_view yaml) {
    if (yaml.substr(0, 26) != "# SPDX-License-Identifier:")
        return "1: a spec must start with an SPDX license line";
    std::size_t line = 1;
    bool line_start = true;
    for (std::size_t i = 0; i < yaml.size();) {
        const auto c = static_cast<unsigned char>(yaml[i]);
        if (c == 0) return fmt::format("{}: a NUL byte", line);
        if (line_start && c == '%')
            return fmt::format("{}: YAML directives are not supported in specs", line);
        line_start = c == '\n';
        line += line_start;
        std::size_t n = c < 0x80           ? 1
                        : (c >> 5) == 0x6  ? 2
                        : (c >> 4) == 0xe  ? 3
                        : (c >> 3) == 0x1e ? 4
                                           : 0;
        if (n == 0 || c == 0xc0 || c == 0xc1 || c > 0xf4 || i + n > yaml.size())
            return fmt::format("{}: not valid UTF-8", line);
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(yaml[i + k]) & 0xc0) != 0x80)
                return fmt::format("{}: not valid UTF-8", line);
        i += n;
    }
    return std::nullopt;
}

}  // namespace

result<spec> parse_spec(std::string_view yaml, const std::string& file_name) {
    const std::string base = file_name.substr(file_name.rfind('/') + 1);
    if (auto bad = precheck(yaml)) return fail(errc::malformed, fmt::format("{}:{}", base, *bad));
    fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = nullptr;
    dcfg.output_fn = nullptr;
    std::unique_ptr<fy_diag, diag_deleter> diag(fy_diag_create(&dcfg));
    if (diag)
        fy_diag_set_collect_errors(diag.get(),
                                   true);  // kept for fy_diag_errors_iterate, not printed
    fy_parse_cfg cfg{};
    cfg.flags = static_cast<fy_parse_cfg_flags>(
        FYPCF_QUIET | FYPCF_COLLECT_DIAG |
        FYPCF_RESOLVE_DOCUMENT);  // YAML aliases (tc: dump: *getqdisc-do)
    cfg.diag = diag.get();
    std::unique_ptr<fy_document, doc_deleter> doc(
        fy_document_build_from_string(&cfg, yaml.data(), yaml.size()));
    if (!doc) {
        // libfyaml's first error, with its position (line and column count from 1).
        void* it = nullptr;
        const fy_diag_error* e = diag ? fy_diag_errors_iterate(diag.get(), &it) : nullptr;
        if (!e || e->line <= 0)
            return fail(errc::malformed, fmt::format("{}: not valid YAML", base));
        return fail(errc::malformed, fmt::format("{}:{}:{}: not valid YAML: {}", base, e->line,
                                                 e->column, e->msg ? e->msg : "syntax error"));
    }
    loader l;
    l.s.file = base;
    if (auto r = l.load(node(fy_document_root(doc.get()))); !r) return fail(r.error());
    detail::fill_text_caches(l.s);
    return std::move(l.s);
}

result<spec> load_spec(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return fail(error::from_errno(errno ? errno : ENOENT, "open spec " + path));
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_spec(ss.str(), path);
}

}  // namespace nlpp::ynl
