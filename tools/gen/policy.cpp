// nlpp-gen's policy emitter: per attribute set an nlpp::attr_set
// (core/policy.hpp) with the spec's names, kinds, checks and byte order.
#include "emitter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <functional>

namespace nlpp::gen_tool {
namespace {

// One policy table entry: name, nested set, kind, and the spec's checks
// and byte order when it has them.
std::string policy_row(const attribute& a, const std::string& nested) {
    static const std::map<attr_type, std::string_view> kinds = {
        {attr_type::flag, "flag"},     {attr_type::u8, "u8"},     {attr_type::u16, "u16"},
        {attr_type::u32, "u32"},       {attr_type::u64, "u64"},   {attr_type::s8, "s8"},
        {attr_type::s16, "s16"},       {attr_type::s32, "s32"},   {attr_type::s64, "s64"},
        {attr_type::uint, "uint"},     {attr_type::sint, "sint"}, {attr_type::string, "string"},
        {attr_type::binary, "binary"}, {attr_type::nest, "nest"},
    };
    const auto k = kinds.find(a.type);
    const std::string kind =
        fmt::format("nlpp::attr_kind::{}", k == kinds.end() ? "any" : k->second);
    const auto& c = a.checks;
    const bool limits = c.min || c.max || c.min_len || c.max_len || c.exact_len;
    if (!limits && a.order != nlpp::byte_order::big)
        return fmt::format("{{\"{}\", {}, {}}}", a.name, nested, kind);
    auto i64 = [](const std::optional<std::int64_t>& v, std::string_view none) {
        return v ? std::to_string(*v) : std::string(none);
    };
    const auto min_len = c.exact_len ? c.exact_len : c.min_len;
    const auto max_len = c.exact_len ? c.exact_len : c.max_len;
    return fmt::format(
        "{{\"{}\", {}, {}, {}, {}, {}, {}, {}}}", a.name, nested, kind, min_len.value_or(0),
        max_len ? std::to_string(*max_len) + "u" : "0xffffffffu",
        i64(c.min, "std::numeric_limits<std::int64_t>::min()"),
        i64(c.max, "std::numeric_limits<std::int64_t>::max()"),
        a.order == nlpp::byte_order::big ? "nlpp::byte_order::big" : "nlpp::byte_order::host");
}

// The rows of one set's table, indexed by attribute type; `nested` names a nested set's table.
std::vector<std::string> table_rows(const attr_set& s,
                                    const std::function<std::string(const attr_set&)>& nested) {
    std::uint16_t max = 0;
    for (const auto& a : s.attrs)
        if (a.type != attr_type::unused) max = std::max(max, a.value);
    std::vector<std::string> row(static_cast<std::size_t>(max) + 1, "{}");
    for (const auto& a : s.attrs) {
        if (a.type == attr_type::unused) continue;
        const attr_set* inner =
            (a.nested_set &&
             (a.type == attr_type::nest || a.type == attr_type::nest_type_value ||
              (a.type == attr_type::indexed_array && a.sub_type == attr_type::nest)))
                ? a.nested_set
                : nullptr;
        row[a.value] = policy_row(a, inner ? nested(*inner) : "nullptr");
    }
    return row;
}

class policy_emitter : emitter {
public:
    policy_emitter(const spec& s, output& out) : emitter(s), h_(out.h), c_(out.c) {}

    void run() { names(ordered_sets()); }

private:
    // Policy tables (nlpp::attr_set, nested sets linked): validation before
    // sending (nlpp::validate, done by family_socket) and extack paths (pass
    // names::<set> in request_info and kernel errors name the attribute).
    void names(const std::vector<const attr_set*>& order) {
        h_ +=
            "// Policy tables per set (names, kinds, the spec's checks, nests linked): nlpp::validate() checks a\n"
            "// request with them, and request_info{what, header size, &names::<set>} renders the kernel's\n"
            "// extack offsets as paths (\".linkinfo.kind\").\nnamespace names {\n";
        c_ += "namespace names {\nnamespace lists {\n";
        for (const auto* s : order) {
            const auto row = table_rows(*s, [&](const attr_set& in) {
                return fmt::format("&::nlpp::gen::{}::names::{}", ns_, set_type(in));
            });
            std::string list;
            for (std::size_t i = 0; i < row.size(); ++i) list += (i ? ", " : "") + row[i];
            c_ += fmt::format("const nlpp::attr_name {}[] = {{{}}};\n", set_type(*s), list);
        }
        c_ += "}  // namespace lists\n";
        for (const auto* s : order) {
            h_ += fmt::format("extern const nlpp::attr_set {};\n", set_type(*s));
            c_ += fmt::format("const nlpp::attr_set {0} = {{\"{1}\", lists::{0}}};\n", set_type(*s),
                              s->name);
        }
        h_ += "}  // namespace names\n\n";
        c_ += "}  // namespace names\n\n";
    }

    std::string &h_, &c_;
};

// The --tables header: constexpr policy tables and operation ids, nothing
// but nlpp::core (core/policy.hpp) needed to use them.
class tables_emitter : emitter {
public:
    using emitter::emitter;

    result<std::string> run(std::string_view command, std::string_view ns) const {
        const auto order = ordered_sets();
        for (const auto* s : order)
            for (const auto& a : s->attrs)
                if (recursive(a, *s))
                    return fail(errc::invalid_argument,
                                fmt::format("--tables: set {} contains itself (through {})",
                                            s->name, a.name));
        std::string h =
            fmt::format(R"(// Generated by nlpp-gen from {0}: do not edit. Made with
//   {1}
// The {2} family's policy tables (names, kinds, the spec's checks, nests
// linked; core/policy.hpp) and operation ids.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include <nlpp/core/policy.hpp>

namespace {3} {{

// Policy tables per attribute set, indexed by attribute type.
)",
                        std::filesystem::path(s_.file).filename().string(), command, s_.name, ns);
        for (const auto* s : order) {
            const std::string t = set_type(*s);
            h += fmt::format("inline constexpr nlpp::attr_name {}_list[] = {{\n", t);
            for (const auto& r : table_rows(
                     *s, [](const attr_set& in) { return fmt::format("&{}", set_type(in)); }))
                h += fmt::format("    {},\n", r);
            h += fmt::format("}};\ninline constexpr nlpp::attr_set {}{{\"{}\", {}_list}};\n\n", t,
                             s->name, t);
        }
        std::vector<std::string> names;
        std::string ids;
        for (const auto& op : s_.operations) {
            if (!op.request_value) continue;
            if (names.size() <= *op.request_value) names.resize(*op.request_value + 1u);
            names[*op.request_value] = op.name;
            ids += fmt::format("inline constexpr std::uint16_t {} = {};\n", ident(op.name),
                               *op.request_value);
        }
        std::string list;
        for (const auto& n : names) list += fmt::format("    \"{}\",\n", n);
        h += fmt::format(R"(// Operation names by request id ("" where the spec has none).
inline constexpr std::string_view op_names[] = {{
{}}};

// Request ids of the operations.
namespace op {{
{}}}  // namespace op

}}  // namespace {}
)",
                         list, ids, ns);
        return h;
    }
};

}  // namespace

void emit_policy(const spec& s, output& out) { policy_emitter(s, out).run(); }

result<std::string> emit_tables(const spec& s, std::string_view command, std::string_view ns) {
    return tables_emitter(s).run(command, ns);
}

}  // namespace nlpp::gen_tool
