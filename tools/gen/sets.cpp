// nlpp-gen's sets emitter: one struct per attribute set and per
// sub-message, with decode(attr_range, set&) and encode(builder, set).
#include "emitter.hpp"

#include <fmt/format.h>

namespace nlpp::gen_tool {
namespace {

class sets_emitter : emitter {
public:
    sets_emitter(const spec& s, output& out) : emitter(s), h_(out.h), c_(out.c) {}

    void sets() {
        const auto order = ordered_sets();
        h_ += "namespace attrs {\n";
        for (const auto* s : order) h_ += fmt::format("struct {};\n", set_type(*s));
        h_ += "\n";
        sub_messages();
        h_ += "\n";
        for (const auto* s : order) {
            h_ += fmt::format("// Attribute set {}.\nstruct {} {{\n", s->name, set_type(*s));
            for (const auto& a : s->attrs)
                if (wire_attr(a))
                    h_ += fmt::format("    {} {}{{}};  // {} {}\n", field_type(a, *s), field(a, *s),
                                      a.value, type_name(a.type));
            h_ +=
                "    std::vector<nlpp::gen::raw_attr> unknown_{};  // with decode_options::keep_unknown\n};\n";
        }
        h_ +=
            "\n// Found by argument-dependent lookup: decode(range, set) (and decode(decoder, set), the walk\n"
            "// it makes with an nlpp::attr_decoder), encode(builder, set), and clear(set),\n"
            "// which empties a set for reuse member by member (no temporary: cheaper than set = {}).\n";
        for (const auto* s : order) {
            const std::string t = set_type(*s);
            std::string members;
            for (const auto& a : s->attrs)
                if (wire_attr(a)) members += fmt::format(" v.{} = {{}};", field(a, *s));
            h_ += fmt::format("inline void clear({}& v) {{{} v.unknown_.clear(); }}\n", t, members);
            h_ += fmt::format(
                "nlpp::result<void> decode(const nlpp::attr_range& in, {0}& out, const nlpp::gen::decode_options& options = {{}});\n"
                "void decode(nlpp::attr_decoder& d, {0}& out, const nlpp::gen::decode_options& options = {{}});\n",
                t);
            h_ += fmt::format("void encode(nlpp::message_builder& b, const {}& in);\n", t);
        }
        h_ += "}  // namespace attrs\n\n";
        c_ += "namespace attrs {\n\n";
        for (const auto* s : order) set_code(*s);
        c_ += "}  // namespace attrs\n\n";
    }

private:
    void set_code(const attr_set& s) {
        const std::string t = set_type(s);
        std::string dec = fmt::format(
            "void decode(nlpp::attr_decoder& d, {}& out, const nlpp::gen::decode_options& options) {{\n",
            t);
        dec += "    (void)options;\n    while (d.next()) {\n        switch (d.type()) {\n";
        std::string enc =
            fmt::format("void encode(nlpp::message_builder& b, const {}& in) {{\n", t);
        bool any = false;
        for (const auto& a : s.attrs) {
            if (!wire_attr(a)) continue;
            any = true;
            const std::string f = field(a, s);
            dec += fmt::format("        case {}: {{  // {}\n", a.value, a.name);
            if (a.multi_attr) {
                dec += decode_value(a, fmt::format("out.{}.emplace_back()", f));
                enc += fmt::format("    for (const auto& v : in.{}) {{\n{}    }}\n", f,
                                   encode_value(a, "v", "        "));
            } else if (a.type == attr_type::flag) {
                dec += decode_value(a, "out." + f);
                enc += fmt::format("    if (in.{}) b.put_flag({});\n", f, a.value);
            } else if (a.type == attr_type::nest && recursive(a, s)) {
                dec += decode_value(a, fmt::format("(out.{0} ? *out.{0} : out.{0}.emplace())", f));
                enc += fmt::format("    if (in.{}) {{\n{}    }}\n", f,
                                   encode_value(a, "*in." + f, "        "));
            } else {
                dec += decode_value(a, fmt::format("out.{}.emplace()", f));
                enc += fmt::format("    if (in.{}) {{\n{}    }}\n", f,
                                   encode_value(a, "*in." + f, "        "));
            }
            dec += "            break;\n        }\n";
        }
        dec +=
            "        default:\n            if (options.keep_unknown) out.unknown_.push_back({d.type(), detail::raw(d.attr())});\n            break;\n";
        dec += "        }\n    }\n" + resolve_outer(s) + "}\n";
        dec += fmt::format(
            "nlpp::result<void> decode(const nlpp::attr_range& in, {}& out, const nlpp::gen::decode_options& options) {{\n"
            "    nlpp::attr_decoder d(in, \"{} {}\", &names::{});\n    decode(d, out, options);\n"
            "    if (auto e = d.error()) return nlpp::fail(std::move(*e));\n    return {{}};\n}}\n",
            t, s_.name, s.name, t);
        enc +=
            "    for (const auto& u : in.unknown_) b.put(u.type, nlpp::bytes(u.payload));\n}\n\n";
        if (!any)
            enc = fmt::format(
                "void encode(nlpp::message_builder& b, const {}& in) {{\n    for (const auto& u : in.unknown_) b.put(u.type, nlpp::bytes(u.payload));\n}}\n\n",
                t);
        c_ += dec + enc;
    }

    // Reads the current attribute of decoder `d` into `dst` (an lvalue of value_type).
    std::string decode_value(const attribute& a, const std::string& dst) const {
        const std::string o = order_cpp(a.order);
        auto scalar = [&](const std::string& read) {
            return a.enum_def && !a.enum_as_flags
                       ? fmt::format("            {} = static_cast<{}>({});\n", dst, value_type(a),
                                     read)
                       : fmt::format("            {} = {};\n", dst, read);
        };
        switch (a.type) {
        case attr_type::flag: return fmt::format("            {} = true;\n", dst);
        case attr_type::string:
            return fmt::format("            {} = std::string(d.get_string());\n", dst);
        case attr_type::binary:
            if (a.struct_def)
                return fmt::format("            detail::read_struct(d, d.attr().payload(), {});\n",
                                   dst);
            if (scalar_size(a.sub_type))
                return fmt::format("            {} = detail::array<{}>(d.attr().payload(), {});\n",
                                   dst, scalar_cpp(a.sub_type), o);
            return fmt::format("            ({}).assign(d.attr().payload());\n", dst);
        case attr_type::nest:
            return fmt::format(
                "            d.nested(names::{}, [&](nlpp::attr_decoder& in) {{ decode(in, {}, options); }});\n",
                set_type(*a.nested_set), dst);
        case attr_type::indexed_array: {
            std::string body = fmt::format(
                "            d.nested(nullptr, 0, [&](nlpp::attr_decoder& items) {{\n                auto& list = {};\n                while (items.next()) {{\n",
                dst);
            if (a.sub_type == attr_type::nest)
                body += fmt::format(
                    "                    items.nested(names::{}, [&](nlpp::attr_decoder& in) {{ decode(in, list.emplace_back(), options); }});\n",
                    set_type(*a.nested_set));
            else if (a.sub_type == attr_type::uint || a.sub_type == attr_type::sint)
                body += fmt::format("                    list.push_back(items.get_{}({}));\n",
                                    a.sub_type == attr_type::uint ? "uint" : "sint", o);
            else if (!scalar_cpp(a.sub_type).empty())
                body += fmt::format("                    list.push_back(items.get<{}>({}));\n",
                                    scalar_cpp(a.sub_type), o);
            else
                body += "                    list.emplace_back(items.attr().payload());\n";
            return body + "                }\n            });\n";
        }
        case attr_type::bitfield32:
            return fmt::format("            {} = detail::get_bitfield32(d);\n", dst);
        case attr_type::sub_message:
            if (typed_sub_message(a)) return decode_sub_message(a, dst);
            return fmt::format("            {} = detail::raw_with_flags(d.attr());\n", dst);
        case attr_type::nest_type_value:
            return fmt::format(
                "            {{\n                auto& list = {0};\n                std::array<std::uint16_t, {1}> ids{{}};\n"
                "                auto leaf = [&](const auto& at, nlpp::attr_decoder& in) {{\n"
                "                    auto& e = list.emplace_back();\n                    e.ids = at;\n                    decode(in, e.attrs, options);\n                }};\n"
                "                d.nested(nullptr, 0, [&](nlpp::attr_decoder& levels) {{ detail::type_levels(levels, ids, 0, names::{2}, leaf); }});\n"
                "            }}\n",
                dst, a.type_value.size(), set_type(*a.nested_set));
        case attr_type::uint:
        case attr_type::sint:
            return scalar(
                fmt::format("d.get_{}({})", a.type == attr_type::uint ? "uint" : "sint", o));
        default: return scalar(fmt::format("d.get<{}>({})", scalar_cpp(a.type), o));
        }
    }

    // Writes one value `v` of attribute `a`.
    std::string encode_value(const attribute& a, const std::string& v,
                             const std::string& indent) const {
        const std::string o = order_cpp(a.order), id = std::to_string(a.value);
        switch (a.type) {
        case attr_type::flag: return fmt::format("{}b.put_flag({});\n", indent, id);
        case attr_type::string: return fmt::format("{}b.put_string({}, {});\n", indent, id, v);
        case attr_type::binary:
            if (a.struct_def)
                return fmt::format(
                    "{0}{{\n{0}    std::array<std::byte, {1}::wire_size> w{{}};\n{0}    encode({2}, w.data());\n{0}    b.put({3}, nlpp::bytes(w));\n{0}}}\n",
                    indent, ident(a.struct_def->name), v, id);
            if (scalar_size(a.sub_type))
                return fmt::format("{}detail::put_array(b, {}, {}, {});\n", indent, id, v, o);
            return fmt::format("{}b.put({}, ({}).view());\n", indent, id, v);
        case attr_type::nest:
            return fmt::format(
                "{0}{{\n{0}    auto n = b.nest({1});\n{0}    encode(b, {2});\n{0}}}\n", indent, id,
                v);
        case attr_type::indexed_array: {
            std::string body = fmt::format(
                "{0}{{\n{0}    auto n = b.nest({1});\n{0}    std::uint16_t i = 1;\n{0}    for (const auto& item : {2}) {{\n",
                indent, id, v);
            const std::string in = indent + "        ";
            if (a.sub_type == attr_type::nest)
                body += fmt::format("{0}auto e = b.nest(i++);\n{0}encode(b, item);\n", in);
            else if (a.sub_type == attr_type::uint)
                body += fmt::format("{}detail::put_uint(b, i++, item, {});\n", in, o);
            else if (a.sub_type == attr_type::sint)
                body += fmt::format("{}detail::put_sint(b, i++, item, {});\n", in, o);
            else if (!scalar_cpp(a.sub_type).empty())
                body += fmt::format("{}b.put<{}>(i++, item, {});\n", in, scalar_cpp(a.sub_type), o);
            else
                body += fmt::format("{}b.put(i++, item.view());\n", in);
            return body + fmt::format("{0}    }}\n{0}}}\n", indent);
        }
        case attr_type::bitfield32:
            return fmt::format("{}detail::put_bitfield32(b, {}, {});\n", indent, id, v);
        case attr_type::sub_message:
            if (typed_sub_message(a)) return encode_sub_message(a, v, indent);
            return fmt::format(
                "{}b.put(({}).type, nlpp::bytes(({}).payload));  // type with its flags\n", indent,
                v, v);
        case attr_type::nest_type_value:
            return fmt::format(
                "{0}{{\n{0}    auto n = b.nest({1});\n{0}    for (const auto& e : {2}) detail::put_type_value(b, e);\n{0}}}\n",
                indent, id, v);
        case attr_type::uint:
            return fmt::format("{}detail::put_uint(b, {}, static_cast<std::uint64_t>({}), {});\n",
                               indent, id, v, o);
        case attr_type::sint:
            return fmt::format("{}detail::put_sint(b, {}, static_cast<std::int64_t>({}), {});\n",
                               indent, id, v, o);
        default:
            return fmt::format("{}b.put<{}>({}, static_cast<{}>({}), {});\n", indent,
                               scalar_cpp(a.type), id, scalar_cpp(a.type), v, o);
        }
    }

    static std::string fmt_member(const sub_message_format& f) { return ident(f.value); }

    // One struct per sub-message: a member per format (formats with
    // attributes hold them in a box, so that sets need no order).
    void sub_messages() {
        for (const auto& sm : s_.sub_messages) {
            // Formats with a header and attributes get a struct of their own, outside
            // (a nested class's member initializers are not usable inside its enclosing class).
            for (const auto& f : sm.formats)
                if (f.header && f.set)
                    h_ += fmt::format(
                        "struct {}_{} {{\n    {} header{{}};\n    nlpp::gen::box<{}> attrs{{}};\n}};\n",
                        ident(sm.name), fmt_member(f), q(f.header->name), set_q(*f.set));
            h_ += fmt::format(
                "// Sub-message {}: the member named by the selector's value is set.\nstruct {} {{\n",
                sm.name, ident(sm.name));
            for (const auto& f : sm.formats) {
                const std::string m = fmt_member(f);
                if (f.header && f.set)
                    h_ += fmt::format("    std::optional<{}_{}> {}{{}};\n", ident(sm.name), m, m);
                else if (f.header)
                    h_ += fmt::format("    std::optional<{}> {}{{}};\n", q(f.header->name), m);
                else if (f.set)
                    h_ += fmt::format("    nlpp::gen::box<{}> {}{{}};\n", set_q(*f.set), m);
                else
                    h_ += fmt::format("    bool {}{{}};\n", m);
            }
            h_ +=
                "    std::optional<nlpp::gen::raw_attr> raw_{};  // a selector value the spec has no format for\n};\n";
        }
    }

    // The selector's value as text, from the `out` being decoded.
    std::string selector_value(const attribute& sel, const std::string& out) const {
        const std::string f = out + "." + field(sel, *owner_.at(&sel));
        if (sel.type == attr_type::string)
            return fmt::format("{0} ? std::string(*{0}) : std::string()", f);
        if (sel.enum_def && !sel.enum_as_flags &&
            sel.enum_def->kind == definition::kind::enumeration)
            return fmt::format("{0} ? std::string(to_string(*{0})) : std::string()", f);
        if (!scalar_cpp(sel.type).empty())
            return fmt::format("{0} ? std::to_string(*{0}) : std::string()", f);
        return "std::string()";
    }

    // Decoding a sub-message attribute: by a selector in the same set now,
    // else kept raw for the enclosing set's decode to finish.
    std::string decode_sub_message(const attribute& a, const std::string& dst) const {
        if (const attribute* sel = local_selector(a))
            return fmt::format(
                       "            const std::string sel = {};\n            auto& m = {};\n",
                       selector_value(*sel, "out"), dst) +
                   format_body(a, "d", "detail::raw_with_flags(d.attr())", "            ");
        return fmt::format("            {}.raw_ = detail::raw_with_flags(d.attr());\n", dst);
    }

    // Chooses m's format by `sel` and decodes the current attribute of
    // decoder `dec` into it; `raw` keeps the attribute when no format has
    // that value.
    std::string format_body(const attribute& a, const std::string& dec, const std::string& raw,
                            const std::string& in) const {
        std::string body;
        std::string first = in + "if";
        for (const auto& f : a.sub_message_def->formats) {
            const std::string m = fmt_member(f);
            body += fmt::format("{} (sel == \"{}\") {{\n", first, f.value);
            first = in + "} else if";
            if (f.header && f.set) {
                body += fmt::format(
                    "{0}    auto& both = m.{1}.emplace();\n{0}    detail::read_struct({2}, {2}.attr().payload(), both.header);\n"
                    "{0}    {2}.nested(&names::{3}, {4}::wire_size, [&](nlpp::attr_decoder& inner) {{ decode(inner, both.attrs.emplace(), options); }});\n",
                    in, m, dec, set_type(*f.set), q(f.header->name));
            } else if (f.header) {
                body += fmt::format(
                    "{0}    detail::read_struct({1}, {1}.attr().payload(), m.{2}.emplace());\n", in,
                    dec, m);
            } else if (f.set) {
                body += fmt::format(
                    "{0}    {1}.nested(names::{2}, [&](nlpp::attr_decoder& inner) {{ decode(inner, m.{3}.emplace(), options); }});\n",
                    in, dec, set_type(*f.set), m);
            } else {
                body += fmt::format("{}    m.{} = true;\n", in, m);
            }
        }
        body += fmt::format("{}\n{}    m.raw_ = {};\n{}}}\n",
                            a.sub_message_def->formats.empty() ? in + "{" : in + "} else {", in,
                            raw, in);
        return body;
    }

    // In the enclosing set's decode, after its walk: the sub-messages its
    // nests kept raw, decoded by the selector it now has (a decoder of their
    // own over the kept attribute, whose problem becomes d's).
    std::string resolve_outer(const attr_set& parent) const {
        std::string body;
        for (const auto& u : outer_uses(parent)) {
            const std::string nest = "out." + field(*u.nest, parent),
                              sub = field(*u.sub, *u.nest->nested_set);
            body += fmt::format(
                "    if ({0} && {0}->{1} && {0}->{1}->raw_) {{\n        const std::string sel = {2};\n        auto& m = *{0}->{1};\n"
                "        nlpp::gen::raw_attr raw = std::move(*m.raw_);\n        m.raw_.reset();\n"
                "        const std::vector<std::byte> kept = detail::as_attribute(raw);\n"
                "        nlpp::attr_decoder sub(nlpp::attr_range(nlpp::bytes(kept)), \"{3} {4} {5}\", &names::{6});\n"
                "        if (sub.next()) {{\n",
                nest, sub, selector_value(*parent.find(u.sub->selector), "out"), s_.name,
                parent.name, u.nest->name, set_type(*u.nest->nested_set));
            body += format_body(*u.sub, "sub", "std::move(raw)", "            ") +
                    "        }\n        if (auto e = sub.error()) d.adopt(std::move(*e));\n    }\n";
        }
        return body;
    }

    std::string encode_sub_message(const attribute& a, const std::string& v,
                                   const std::string& indent) const {
        std::string body = fmt::format("{}const auto& m = {};\n", indent, v);
        const std::string id = std::to_string(a.value);
        std::string first = indent + "if";
        for (const auto& f : a.sub_message_def->formats) {
            const std::string m = fmt_member(f), in = indent + "    ";
            body += fmt::format("{} (m.{}) {{\n", first, m);
            first = indent + "} else if";
            auto header = [&](const std::string& from) {
                return fmt::format(
                    "{0}std::array<std::byte, {1}::wire_size> w{{}};\n{0}encode({2}, w.data());\n{0}b.put_header(nlpp::bytes(w));\n",
                    in, q(f.header->name), from);
            };
            if (f.header && f.set)
                body += fmt::format("{}auto n = b.nest({});\n", in, id) +
                        header("m." + m + "->header") +
                        fmt::format("{0}if (m.{1}->attrs) encode(b, *m.{1}->attrs);\n", in, m);
            else if (f.header)
                body += fmt::format("{}auto n = b.nest({}, false);\n", in, id) + header("*m." + m);
            else if (f.set)
                body += fmt::format("{}auto n = b.nest({});\n{}encode(b, *m.{});\n", in, id, in, m);
            else
                body += fmt::format("{}b.put({}, nlpp::bytes{{}});\n", in, id);
        }
        const std::string lead = a.sub_message_def->formats.empty() ? indent : indent + "} else ";
        body += fmt::format(
            "{}if (m.raw_) {{\n{}    b.put(m.raw_->type, nlpp::bytes(m.raw_->payload));\n{}}}\n",
            lead, indent, indent);
        return body;
    }

    std::string &h_, &c_;
};

}  // namespace

void emit_sets(const spec& s, output& out) { sets_emitter(s, out).sets(); }

}  // namespace nlpp::gen_tool
