// Sample requests for any YNL spec, in the canonical form decode() returns:
// every attribute of a set gets a value that satisfies its type, checks,
// enum and display hint; nests recurse (to a depth limit); sub-messages take
// the format numbered `variant` (modulo their count) and their selector is
// set to match. Used by the round-trip test and the fuzz corpus builder.
#pragma once

#include <nlohmann/json.hpp>

#include <nlpp/ynl/spec.hpp>

#include <fmt/format.h>

namespace nlpp::test {

class ynl_samples {
public:
    ynl_samples(const ynl::spec& s, std::size_t variant) : s_(s), variant_(variant) {}

    // A request (or reply) for `op`: fixed-header fields, then attributes.
    nlohmann::ordered_json message(const ynl::operation& op) {
        nlohmann::ordered_json obj = nlohmann::ordered_json::object();
        if (!op.fixed_header.empty()) structure(*s_.find_definition(op.fixed_header), obj);
        if (const ynl::attr_set* set = s_.find_set(op.attribute_set)) attrs(*set, obj, 0);
        return obj;
    }

private:
    using json = nlohmann::ordered_json;

    const ynl::sub_message_format& format_of(const ynl::attribute& a) const {
        const auto& f = s_.find_sub_message(a.sub_message)->formats;
        return f[variant_ % f.size()];
    }

    json number(ynl::attr_type t, const std::string& enum_name, bool as_flags, const std::string& hint, const ynl::checks* c) const {
        using ynl::attr_type;
        if (const ynl::definition* d = enum_name.empty() ? nullptr : s_.find_definition(enum_name); d && !d->entries.empty()) {
            const std::size_t bits = ynl::scalar_size(t) ? ynl::scalar_size(t) * 8 : 32;
            const bool flags = d->kind == ynl::definition::kind::flags || as_flags;
            for (std::size_t k = 0; k < d->entries.size(); ++k) {
                const auto& e = d->entries[(variant_ + k) % d->entries.size()];
                const std::uint64_t wire = d->kind == ynl::definition::kind::flags || !as_flags ? e.value : std::uint64_t{1} << e.value;
                if (as_flags && d->kind != ynl::definition::kind::flags && e.value >= bits) continue;
                if (bits < 64 && wire >> bits) continue;
                if (flags) return json::array({e.name});
                return d->find(e.value)->name;  // the first name of a shared value
            }
        }
        const bool is_signed = t == attr_type::s8 || t == attr_type::s16 || t == attr_type::s32 || t == attr_type::s64 || t == attr_type::sint;
        std::int64_t v = is_signed ? -5 : 42;
        if (c && c->min && v < *c->min) v = *c->min;
        if (c && c->max && (is_signed || *c->max >= 0) && v > *c->max) v = *c->max;
        if (hint == "hex") return fmt::format("{:#x}", static_cast<std::uint64_t>(v));
        if (hint == "ipv4" && t == attr_type::u32) return "192.0.2.1";
        if (is_signed) return v;
        return static_cast<std::uint64_t>(v);
    }

    static json text_bytes(std::size_t n, const std::string& hint) {
        if ((hint == "ipv4" || hint == "ipv4-or-v6") && n == 4) return "192.0.2.1";
        if ((hint == "ipv6" || hint == "ipv4-or-v6") && n == 16) return "2001:db8::1";
        if (hint == "uuid" && n == 16) return "00112233-4455-6677-8899-aabbccddeeff";
        std::string s;
        const char* sep = hint == "mac" || hint == "fddi" ? ":" : hint == "hex" ? " " : "";
        for (std::size_t i = 0; i < n; ++i) s += fmt::format("{}{:02x}", i ? sep : "", (i * 17 + 1) & 0xff);
        return s;
    }

    void structure(const ynl::definition& d, json& out) const {
        for (const auto& m : d.members) {
            if (m.type == ynl::attr_type::pad) continue;
            if (ynl::scalar_size(m.type)) out[m.name] = number(m.type, m.enum_name, m.enum_as_flags, m.display_hint, nullptr);
            else if (m.type == ynl::attr_type::string) out[m.name] = std::string("ab").substr(0, m.len ? m.len - 1 : 0);
            else if (!m.struct_name.empty()) {
                json inner = json::object();
                structure(*s_.find_definition(m.struct_name), inner);
                out[m.name] = std::move(inner);
            } else out[m.name] = text_bytes(m.len, m.display_hint);
        }
    }

    // The selector's value for the sub-message attributes of `set`.
    void attrs(const ynl::attr_set& set, json& out, int depth) {
        scopes_.push_back({&set, &out});
        for (const auto& a : set.attrs) {
            if (a.type == ynl::attr_type::unused || a.type == ynl::attr_type::pad) continue;
            if (out.contains(a.name)) continue;  // a fixed-header field of the same name
            auto v = value(a, depth);
            if (v.is_null()) continue;
            out[a.name] = a.multi_attr ? json::array({v, v}) : std::move(v);
        }
        scopes_.pop_back();
    }

    static std::size_t binary_len(const ynl::attribute& a) {
        std::size_t n = a.display_hint == "ipv6" || a.display_hint == "uuid" ? 16 : a.display_hint == "mac" ? 6 : 4;
        if (a.checks.exact_len) n = *a.checks.exact_len;
        if (a.checks.min_len && n < *a.checks.min_len) n = *a.checks.min_len;
        if (a.checks.max_len && n > *a.checks.max_len) n = *a.checks.max_len;
        return n;
    }

    json value(const ynl::attribute& a, int depth) {
        using ynl::attr_type;
        // A selector of a sub-message in this set gets the chosen format's value.
        for (const auto& other : scopes_.back().first->attrs)
            if (other.type == attr_type::sub_message && other.selector == a.name) return format_of(other).value;
        switch (a.type) {
        case attr_type::flag: return true;
        case attr_type::string: {
            std::size_t n = 3;
            if (a.checks.exact_len) n = *a.checks.exact_len;
            if (a.checks.min_len && n < *a.checks.min_len) n = *a.checks.min_len;
            if (a.checks.max_len && n > *a.checks.max_len) n = *a.checks.max_len;
            return std::string(n, 'a');
        }
        case attr_type::binary: {
            if (!a.struct_name.empty()) {
                json obj = json::object();
                structure(*s_.find_definition(a.struct_name), obj);
                return obj;
            }
            if (ynl::scalar_size(a.sub_type))
                return json::array({number(a.sub_type, a.enum_name, false, a.display_hint, nullptr),
                                    number(a.sub_type, a.enum_name, false, a.display_hint, nullptr)});
            return text_bytes(binary_len(a), a.display_hint);
        }
        case attr_type::bitfield32:
            return json{{"value", number(attr_type::u32, a.enum_name, a.enum_as_flags, "", nullptr)},
                        {"selector", number(attr_type::u32, a.enum_name, a.enum_as_flags, "", nullptr)}};
        case attr_type::nest: {
            if (depth >= 3) return nullptr;
            json obj = json::object();
            attrs(*s_.find_set(a.nested), obj, depth + 1);
            return obj;
        }
        case attr_type::indexed_array: {
            if (a.sub_type == attr_type::nest) {
                if (depth >= 3) return nullptr;
                json obj = json::object();
                attrs(*s_.find_set(a.nested), obj, depth + 1);
                return json::array({json{{"1", obj}}, json{{"2", obj}}});
            }
            if (ynl::scalar_size(a.sub_type)) {
                auto x = number(a.sub_type, a.enum_name, a.enum_as_flags, a.display_hint, nullptr);
                return json::array({x, x});
            }
            return json::array({text_bytes(binary_len(a), a.display_hint)});
        }
        case attr_type::nest_type_value: {
            if (depth >= 3) return nullptr;
            json obj = json::object();
            for (std::size_t i = 0; i < a.type_value.size(); ++i) obj[a.type_value[i]] = i + 1;
            attrs(*s_.find_set(a.nested), obj, depth + 1);
            return obj;
        }
        case attr_type::sub_message: {
            if (depth >= 3) return nullptr;
            // The selector must have a value in an enclosing input.
            const ynl::sub_message_format* f = nullptr;
            for (auto it = scopes_.rbegin(); it != scopes_.rend() && !f; ++it)
                if (it->first->find(a.selector)) {
                    if (!it->second->contains(a.selector)) return nullptr;
                    const json& sel = (*it->second)[a.selector];
                    f = s_.find_sub_message(a.sub_message)->find(sel.is_string() ? sel.get<std::string>() : sel.dump());
                }
            if (!f) return nullptr;
            json obj = json::object();
            if (!f->fixed_header.empty()) structure(*s_.find_definition(f->fixed_header), obj);
            if (!f->attribute_set.empty()) attrs(*s_.find_set(f->attribute_set), obj, depth + 1);
            return obj;
        }
        default: return number(a.type, a.enum_name, a.enum_as_flags, a.display_hint, &a.checks);
        }
    }

    const ynl::spec& s_;
    std::size_t variant_;
    std::vector<std::pair<const ynl::attr_set*, json*>> scopes_;
};

}  // namespace nlpp::test
