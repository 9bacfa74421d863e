// nlpp-gen's types emitter: the spec's constants, enums and flags (enum
// classes with name functions), and structs with encode()/decode() over
// their packed wire bytes.
#include "emitter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace nlpp::gen_tool {
namespace {

class types_emitter : emitter {
public:
    types_emitter(const spec& s, output& out) : emitter(s), h_(out.h), c_(out.c) {}

    void run() {
        constants();
        for (const auto& d : s_.definitions)
            if (d.kind == definition::kind::enumeration || d.kind == definition::kind::flags)
                enumeration(d);
        for (const auto& d : ordered_structs()) structure(*d);
    }

private:
    void constants() {
        for (const auto& d : s_.definitions) {
            if (d.kind != definition::kind::constant) continue;
            if (!d.string_value.empty())
                h_ += fmt::format("inline constexpr std::string_view {} = \"{}\";\n", ident(d.name),
                                  d.string_value);
            else
                h_ +=
                    fmt::format("inline constexpr std::int64_t {} = {};\n", ident(d.name), d.value);
        }
        h_ += "\n";
    }

    static std::string underlying(const definition& d) {
        std::uint64_t max = 0;
        for (const auto& e : d.entries) max = std::max(max, e.value);
        return max > 0xffffffffu ? "std::uint64_t" : "std::uint32_t";
    }

    void enumeration(const definition& d) {
        const std::string t = ident(d.name), u = underlying(d);
        const bool flags = d.kind == definition::kind::flags;
        h_ += fmt::format("enum class {} : {} {{\n", t, u);
        for (const auto& e : d.entries)
            h_ += fmt::format("    {} = {:#x},\n", ident(e.name), e.value);
        h_ += "};\n";
        h_ += fmt::format("std::string_view to_string({} v) noexcept;  // \"\" when unknown{}\n", t,
                          flags ? " (one bit)" : "");
        h_ +=
            fmt::format("std::optional<{0}> {0}_from_string(std::string_view name) noexcept;\n", t);
        if (flags) {
            h_ += fmt::format(
                "constexpr {0} operator|({0} a, {0} b) noexcept {{ return {0}(static_cast<{1}>(a) | static_cast<{1}>(b)); }}\n",
                t, u);
            h_ += fmt::format(
                "constexpr {0} operator&({0} a, {0} b) noexcept {{ return {0}(static_cast<{1}>(a) & static_cast<{1}>(b)); }}\n",
                t, u);
            h_ += fmt::format(
                "constexpr {0} operator~({0} a) noexcept {{ return {0}(~static_cast<{1}>(a)); }}\n",
                t, u);
            h_ += fmt::format(
                "constexpr bool has({0} set, {0} bit) noexcept {{ return (static_cast<{1}>(set) & static_cast<{1}>(bit)) != 0; }}\n",
                t, u);
        }
        h_ += "\n";
        c_ += fmt::format(
            "std::string_view to_string({} v) noexcept {{\n    switch (static_cast<{}>(v)) {{\n", t,
            u);
        std::set<std::uint64_t> done;
        for (const auto& e : d.entries)
            if (done.insert(e.value).second)
                c_ += fmt::format("    case {:#x}: return \"{}\";\n", e.value, e.name);
        c_ += "    default: return {};\n    }\n}\n";
        c_ += fmt::format("std::optional<{0}> {0}_from_string(std::string_view name) noexcept {{\n",
                          t);
        if (d.entries.empty()) c_ += "    (void)name;\n";
        for (const auto& e : d.entries)
            c_ += fmt::format("    if (name == \"{}\") return {}::{};\n", e.name, t, ident(e.name));
        c_ += "    return std::nullopt;\n}\n\n";
    }

    // Structs in an order where nested ones come first.
    std::vector<const definition*> ordered_structs() const {
        std::vector<const definition*> out;
        std::set<const definition*> seen;
        std::function<void(const definition*)> visit = [&](const definition* d) {
            if (!seen.insert(d).second) return;
            for (const auto& m : d->members)
                if (m.struct_def) visit(m.struct_def);
            out.push_back(d);
        };
        for (const auto& d : s_.definitions)
            if (d.kind == definition::kind::structure) visit(&d);
        return out;
    }

    std::string member_type(const struct_member& m) const {
        if (m.struct_def) return q(m.struct_def->name);
        if (m.type == attr_type::string) return fmt::format("std::array<char, {}>", m.len);
        if (m.type == attr_type::binary) return fmt::format("std::array<std::byte, {}>", m.len);
        if (m.enum_def && !m.enum_as_flags) return q(m.enum_def->name);
        return scalar_cpp(m.type);
    }

    void structure(const definition& d) {
        const std::string t = ident(d.name);
        auto field_of = [&](const struct_member& m) {  // a member may not share its class's name
            const std::string f = ident(m.name);
            return f == t ? f + "_" : f;
        };
        h_ += fmt::format("struct {} {{\n", t);
        for (const auto& m : d.members)
            if (m.type != attr_type::pad)
                h_ += fmt::format("    {} {}{{}};\n", member_type(m), field_of(m));
        h_ += fmt::format("    static constexpr std::size_t wire_size = {};\n}};\n", d.size);
        h_ += fmt::format(
            "void encode(const {}& v, std::byte* out) noexcept;  // wire_size bytes\n", t);
        h_ += fmt::format(
            "void decode(const std::byte* in, {}& v) noexcept;   // wire_size bytes\n\n", t);
        std::string enc, dec;
        std::size_t off = 0;
        for (const auto& m : d.members) {
            const std::size_t n = scalar_size(m.type) ? scalar_size(m.type) : m.len;
            const std::string f = field_of(m);
            if (m.type == attr_type::pad) {
                enc += fmt::format("    std::fill_n(out + {}, {}, std::byte{{0}});\n", off, n);
            } else if (m.struct_def) {
                enc += fmt::format("    encode(v.{}, out + {});\n", f, off);
                dec += fmt::format("    decode(in + {}, v.{});\n", off, f);
            } else if (m.type == attr_type::string || m.type == attr_type::binary) {
                enc += fmt::format("    std::memcpy(out + {}, v.{}.data(), {});\n", off, f, n);
                dec += fmt::format("    std::memcpy(v.{}.data(), in + {}, {});\n", f, off, n);
            } else {
                const std::string st = scalar_cpp(m.type), o = order_cpp(m.order);
                enc += fmt::format(
                    "    nlpp::store<{}>(nlpp::mutable_bytes(out + {}, {}), static_cast<{}>(v.{}), {});\n",
                    st, off, n, st, f, o);
                dec += fmt::format(
                    "    v.{} = static_cast<{}>(nlpp::load<{}>(nlpp::bytes(in + {}, {}), {}));\n",
                    f, member_type(m), st, off, n, o);
            }
            off += n;
        }
        c_ += fmt::format("void encode(const {}& v, std::byte* out) noexcept {{\n{}}}\n", t,
                          enc.empty() ? "    (void)v, (void)out;\n" : enc);
        c_ += fmt::format("void decode(const std::byte* in, {}& v) noexcept {{\n{}}}\n\n", t,
                          dec.empty() ? "    (void)in, (void)v;\n" : dec);
    }

    std::string &h_, &c_;
};

}  // namespace

void emit_types(const spec& s, output& out) { types_emitter(s, out).run(); }

}  // namespace nlpp::gen_tool
