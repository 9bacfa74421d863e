// What nlpp-gen's emitters share (emitter.hpp).
#include "emitter.hpp"

#include <fmt/format.h>

#include <functional>

namespace nlpp::gen_tool {

std::string ident(std::string_view name) {
    static const std::set<std::string, std::less<>> reserved = {
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
        "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
        "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
        "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
        "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
        "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
        "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
        "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
        "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
        "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
        "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
        // macros of the C library or of GNU C++ modes, and names the generated code uses
        "linux", "unix", "i386", "errno", "major", "minor", "stdin", "stdout", "stderr", "assert",
        "EOF", "NULL", "unknown_", "attrs", "detail", "encode", "decode", "clear", "to_string",
        "std", "nlpp"};
    std::string s;
    for (char c : name) s += (c == '-' || c == '.' || c == ' ' || c == '/') ? '_' : c;
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) s = "_" + s;
    if (reserved.contains(s)) s += '_';
    return s;
}

std::string scalar_cpp(attr_type t) {
    switch (t) {
    case attr_type::u8: return "std::uint8_t";
    case attr_type::u16: return "std::uint16_t";
    case attr_type::u32: return "std::uint32_t";
    case attr_type::u64: return "std::uint64_t";
    case attr_type::s8: return "std::int8_t";
    case attr_type::s16: return "std::int16_t";
    case attr_type::s32: return "std::int32_t";
    case attr_type::s64: return "std::int64_t";
    case attr_type::uint: return "std::uint64_t";
    case attr_type::sint: return "std::int64_t";
    default: return "";
    }
}

std::string order_cpp(nlpp::byte_order o) {
    if (o == nlpp::byte_order::big) return "nlpp::byte_order::big";
    return o == nlpp::byte_order::little ? "nlpp::byte_order::little" : "nlpp::byte_order::host";
}

emitter::emitter(const spec& s) : s_(s), ns_(ident(s.name)) {
    for (const auto& set : s_.attribute_sets)
        for (const auto& a : set.attrs) owner_[&a] = &set;
}

std::string emitter::q(const std::string& name) const {
    return fmt::format("::nlpp::gen::{}::{}", ns_, ident(name));
}
std::string emitter::set_q(const attr_set& s) const {
    return fmt::format("::nlpp::gen::{}::attrs::{}", ns_, ident(s.name));
}

const attribute* emitter::local_selector(const attribute& a) const {
    const auto it = owner_.find(&a);
    return it == owner_.end() ? nullptr : it->second->find(a.selector);
}

std::vector<emitter::outer_use> emitter::outer_uses(const attr_set& parent) const {
    std::vector<outer_use> out;
    for (const auto& n : parent.attrs)
        if (n.type == attr_type::nest && n.nested_set && !n.multi_attr)
            for (const auto& a : n.nested_set->attrs)
                if (a.type == attr_type::sub_message && a.sub_message_def && !a.multi_attr &&
                    !local_selector(a) && parent.find(a.selector))
                    out.push_back({&parent, &n, &a});
    return out;
}

bool emitter::outer_selected(const attribute& a) const {
    for (const auto& set : s_.attribute_sets)
        for (const auto& u : outer_uses(set))
            if (u.sub == &a) return true;
    return false;
}

bool emitter::typed_sub_message(const attribute& a) const {
    return a.type == attr_type::sub_message && a.sub_message_def &&
           (local_selector(a) || outer_selected(a));
}

bool emitter::reaches(const attr_set* from, const attr_set* to,
                      std::set<const attr_set*>& seen) const {
    if (from == to) return true;
    if (!seen.insert(from).second) return false;
    for (const auto& a : from->attrs)
        if (nests(a) && reaches(a.nested_set, to, seen)) return true;
    return false;
}

bool emitter::recursive(const attribute& a, const attr_set& owner) const {
    std::set<const attr_set*> seen;
    return nests(a) && reaches(a.nested_set, &owner, seen);
}

std::string emitter::value_type(const attribute& a) const {
    switch (a.type) {
    case attr_type::flag: return "bool";
    case attr_type::string: return "std::string";
    case attr_type::binary:
        if (a.struct_def) return q(a.struct_def->name);
        if (scalar_size(a.sub_type)) return fmt::format("std::vector<{}>", scalar_cpp(a.sub_type));
        return "nlpp::gen::blob";
    case attr_type::nest: return set_q(*a.nested_set);
    case attr_type::indexed_array:
        if (a.sub_type == attr_type::nest)
            return fmt::format("std::vector<{}>", set_q(*a.nested_set));
        if (!scalar_cpp(a.sub_type).empty())
            return fmt::format("std::vector<{}>", scalar_cpp(a.sub_type));
        return "std::vector<nlpp::gen::blob>";
    case attr_type::bitfield32: return "nlpp::gen::bitfield32";
    case attr_type::sub_message:
        if (typed_sub_message(a))
            return fmt::format("::nlpp::gen::{}::attrs::{}", ns_, ident(a.sub_message_def->name));
        return "nlpp::gen::raw_attr";
    case attr_type::nest_type_value:
        return fmt::format("std::vector<nlpp::gen::type_value<{}, {}>>", a.type_value.size(),
                           set_q(*a.nested_set));
    default:
        if (a.enum_def && !a.enum_as_flags) return q(a.enum_def->name);
        return scalar_cpp(a.type);
    }
}

std::string emitter::field_type(const attribute& a, const attr_set& owner) const {
    const std::string v = value_type(a);
    if (a.multi_attr) return fmt::format("std::vector<{}>", v);
    if (a.type == attr_type::flag) return "bool";
    if (recursive(a, owner) && a.type == attr_type::nest)
        return fmt::format("nlpp::gen::box<{}>", v);
    return fmt::format("std::optional<{}>", v);
}

std::string emitter::field(const attribute& a, const attr_set& s) {
    const std::string f = ident(a.name);
    return f == set_type(s) ? f + "_" : f;
}

std::vector<const attr_set*> emitter::ordered_sets() const {
    std::vector<const attr_set*> out;
    std::set<const attr_set*> seen;
    std::function<void(const attr_set*)> visit = [&](const attr_set* s) {
        if (!seen.insert(s).second) return;
        for (const auto& a : s->attrs)
            if ((nests(a) && !recursive(a, *s)) ||
                (a.type == attr_type::nest_type_value && a.nested_set))
                visit(a.nested_set);
        out.push_back(s);
    };
    for (const auto& s : s_.attribute_sets) visit(&s);
    return out;
}

}  // namespace nlpp::gen_tool
