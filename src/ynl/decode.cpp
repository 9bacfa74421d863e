// Decoding netlink messages to JSON through a YNL spec.
#include <nlpp/ynl/decode.hpp>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <fmt/format.h>

namespace nlpp::ynl {
namespace {

using nlohmann::ordered_json;

std::string hex(bytes b) {
    std::string s;
    s.reserve(b.size() * 2);
    for (std::byte x : b) s += fmt::format("{:02x}", static_cast<unsigned>(x));
    return s;
}

// Kernel strings are bytes: invalid UTF-8 sequences become U+FFFD, so that
// every decoded value can be printed as JSON.
std::string utf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();) {
        const auto c = static_cast<unsigned char>(in[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = n != 0 && c != 0xc0 && c != 0xc1 && c <= 0xf4 && i + n <= in.size();
        for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xc0) == 0x80;
        if (ok && n > 2) {  // no overlong forms, surrogates or code points above U+10FFFF
            const auto c1 = static_cast<unsigned char>(in[i + 1]);
            ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 > 0x9f) && !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 > 0x8f);
        }
        if (ok) {
            out.append(in.substr(i, n));
            i += n;
        } else {
            out += "\xef\xbf\xbd";
            ++i;
        }
    }
    return out;
}

class decoder {
public:
    decoder(const spec& s, const decode_options& o) : s_(s), o_(o) {}

    error err(const std::string& path, const std::string& why) const {
        return error(errc::attr_invalid, fmt::format("{}: {}", path.empty() ? "message" : path, why));
    }

    // An integer of a scalar type, or nullopt when the size is wrong.
    static std::optional<std::int64_t> scalar(attr_type t, bytes p, byte_order o) {
        const std::size_t n = scalar_size(t);
        if (t == attr_type::uint || t == attr_type::sint) {
            if (p.size() == 4) return t == attr_type::uint ? std::int64_t{load<std::uint32_t>(p, o)} : load<std::int32_t>(p, o);
            if (p.size() == 8) return static_cast<std::int64_t>(load<std::uint64_t>(p, o));
            return std::nullopt;
        }
        if (p.size() != n) return std::nullopt;
        switch (t) {
        case attr_type::u8: return load<std::uint8_t>(p, o);
        case attr_type::u16: return load<std::uint16_t>(p, o);
        case attr_type::u32: return load<std::uint32_t>(p, o);
        case attr_type::u64: return static_cast<std::int64_t>(load<std::uint64_t>(p, o));
        case attr_type::s8: return load<std::int8_t>(p, o);
        case attr_type::s16: return load<std::int16_t>(p, o);
        case attr_type::s32: return load<std::int32_t>(p, o);
        case attr_type::s64: return load<std::int64_t>(p, o);
        default: return std::nullopt;
        }
    }

    static bool is_unsigned(attr_type t) {
        return t == attr_type::u8 || t == attr_type::u16 || t == attr_type::u32 || t == attr_type::u64 || t == attr_type::uint;
    }

    // A number as JSON: by enum name, as a flag list, with a display hint, or plain.
    ordered_json number(std::int64_t v, attr_type t, const std::string& enum_name, bool as_flags, const std::string& hint) const {
        const auto u = static_cast<std::uint64_t>(v);
        if (!enum_name.empty())
            if (const definition* d = s_.find_definition(enum_name)) {
                if (d->kind == definition::kind::flags || as_flags) {
                    ordered_json list = ordered_json::array();
                    for (int bit = 0; bit < 64; ++bit) {
                        const std::uint64_t mask = std::uint64_t{1} << bit;
                        if (!(u & mask)) continue;
                        const enum_entry* e = d->kind == definition::kind::flags ? d->find(mask) : d->find(std::uint64_t(bit));
                        if (e) list.push_back(e->name);
                        else list.push_back(mask);
                    }
                    return list;
                }
                if (const enum_entry* e = d->find(u)) return e->name;
            }
        if (hint == "hex") return fmt::format("{:#x}", u);
        if (hint == "ipv4" && t == attr_type::u32) {
            address4 a{static_cast<std::uint8_t>(u >> 24), static_cast<std::uint8_t>(u >> 16), static_cast<std::uint8_t>(u >> 8),
                       static_cast<std::uint8_t>(u)};
            return fmt::format("{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
        }
        return is_unsigned(t) ? ordered_json(u) : ordered_json(v);
    }
    using address4 = std::array<std::uint8_t, 4>;

    static ordered_json hinted_bytes(bytes p, const std::string& hint) {
        char buf[INET6_ADDRSTRLEN];
        if ((hint == "ipv4" || (hint == "ipv4-or-v6" && p.size() == 4)) && p.size() == 4 && inet_ntop(AF_INET, p.data(), buf, sizeof buf))
            return std::string(buf);
        if ((hint == "ipv6" || (hint == "ipv4-or-v6" && p.size() == 16)) && p.size() == 16 && inet_ntop(AF_INET6, p.data(), buf, sizeof buf))
            return std::string(buf);
        if (hint == "mac" || hint == "fddi") {
            std::string s;
            for (std::size_t i = 0; i < p.size(); ++i) s += fmt::format("{}{:02x}", i ? ":" : "", static_cast<unsigned>(p[i]));
            return s;
        }
        if (hint == "uuid" && p.size() == 16) {
            const std::string h = hex(p);
            return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4), h.substr(16, 4), h.substr(20));
        }
        if (hint == "hex") {  // pyynl: bytes.hex(raw, ' ')
            std::string s;
            for (std::size_t i = 0; i < p.size(); ++i) s += fmt::format("{}{:02x}", i ? " " : "", static_cast<unsigned>(p[i]));
            return s;
        }
        return hex(p);
    }

    // A struct's members into `out`; returns the bytes consumed.
    result<std::size_t> structure(const definition& d, bytes p, ordered_json& out, const std::string& path) const {
        std::size_t off = 0;
        for (const auto& m : d.members) {
            const std::size_t n = scalar_size(m.type) ? scalar_size(m.type) : m.len;
            if (off + n > p.size())
                return fail(err(path, fmt::format("struct {} member {} runs past {} bytes", d.name, m.name, p.size())));
            bytes field = p.subspan(off, n);
            off += n;
            if (m.type == attr_type::pad) continue;
            if (scalar_size(m.type)) {
                out[m.name] = number(*scalar(m.type, field, m.order), m.type, m.enum_name, m.enum_as_flags, m.display_hint);
            } else if (m.type == attr_type::string) {
                const auto* c = reinterpret_cast<const char*>(field.data());
                out[m.name] = utf8(std::string_view(c, strnlen(c, field.size())));
            } else if (!m.struct_name.empty()) {
                ordered_json inner = ordered_json::object();
                auto r = structure(*s_.find_definition(m.struct_name), field, inner, path + "." + m.name);
                if (!r) return fail(r.error());
                out[m.name] = std::move(inner);
            } else {
                out[m.name] = hinted_bytes(field, m.display_hint);
            }
        }
        return off;
    }

    // The value of an attribute of `set` named `sel` in the innermost scope that defines it.
    std::optional<ordered_json> selector(const std::string& sel, const std::vector<std::pair<const attr_set*, const ordered_json*>>& scopes) const {
        for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
            if (it->first->find(sel)) {
                if (it->second->contains(sel)) return (*it->second)[sel];
                return std::nullopt;
            }
        return std::nullopt;
    }

    result<ordered_json> value(const attribute& a, attr_view v, const std::string& path,
                               std::vector<std::pair<const attr_set*, const ordered_json*>>& scopes) const {
        bytes p = v.payload();
        switch (a.type) {
        case attr_type::flag: return ordered_json(true);
        case attr_type::string: return ordered_json(utf8(v.get_string()));
        case attr_type::nest: return attrs(*s_.find_set(a.nested), v.nested(), path, scopes);
        case attr_type::bitfield32:
            if (p.size() != 8) return fail(err(path, fmt::format("bitfield32 of {} bytes", p.size())));
            return ordered_json{{"value", number(load<std::uint32_t>(p), attr_type::u32, a.enum_name, a.enum_as_flags, "")},
                                {"selector", number(load<std::uint32_t>(p.subspan(4)), attr_type::u32, a.enum_name, a.enum_as_flags, "")}};
        case attr_type::binary: {
            if (!a.struct_name.empty()) {
                ordered_json obj = ordered_json::object();
                auto r = structure(*s_.find_definition(a.struct_name), p, obj, path);
                if (!r) return fail(r.error());
                return obj;
            }
            if (a.sub_type != attr_type::unused && scalar_size(a.sub_type)) {
                ordered_json list = ordered_json::array();
                const std::size_t n = scalar_size(a.sub_type);
                for (std::size_t off = 0; off + n <= p.size(); off += n)
                    list.push_back(number(*scalar(a.sub_type, p.subspan(off, n), a.order), a.sub_type, a.enum_name, false, a.display_hint));
                return list;
            }
            return hinted_bytes(p, a.display_hint);
        }
        case attr_type::indexed_array: {
            ordered_json list = ordered_json::array();
            attr_range items = v.nested();
            for (attr_view item : items) {
                const std::string ipath = fmt::format("{}[{}]", path, item.type());
                if (a.sub_type == attr_type::nest) {  // pyynl: {"<index>": {...}}
                    auto r = attrs(*s_.find_set(a.nested), item.nested(), ipath, scopes);
                    if (!r) return fail(r.error());
                    list.push_back(ordered_json{{std::to_string(item.type()), std::move(*r)}});
                } else if (scalar_size(a.sub_type) || a.sub_type == attr_type::uint || a.sub_type == attr_type::sint) {
                    auto x = scalar(a.sub_type, item.payload(), a.order);
                    if (!x) return fail(err(ipath, fmt::format("{} of {} bytes", type_name(a.sub_type), item.payload().size())));
                    list.push_back(number(*x, a.sub_type, a.enum_name, a.enum_as_flags, a.display_hint));
                } else {
                    list.push_back(hinted_bytes(item.payload(), a.display_hint));
                }
            }
            if (auto e = items.error()) return fail(std::move(*e).wrap(path));
            return list;
        }
        case attr_type::nest_type_value: {
            // pyynl's shape: {"<type-value 0>": type, ..., attributes...}; a nest
            // holding several entries becomes a list of such objects.
            ordered_json list = ordered_json::array();
            if (auto r = type_levels(a, v, 0, ordered_json::object(), path, scopes, list); !r) return fail(r.error());
            if (list.size() == 1) return std::move(list[0]);
            return list;
        }
        case attr_type::sub_message: {
            const sub_message* sm = s_.find_sub_message(a.sub_message);
            auto sel = selector(a.selector, scopes);
            if (!sel) return fail(err(path, fmt::format("no value for selector '{}' before it", a.selector)));
            const std::string key = sel->is_string() ? sel->get<std::string>() : sel->dump();
            const sub_message_format* f = sm->find(key);
            if (!f) return ordered_json(hex(p));  // no format for this value: keep the bytes
            ordered_json obj = ordered_json::object();
            bytes rest = p;
            if (!f->fixed_header.empty()) {
                auto used = structure(*s_.find_definition(f->fixed_header), rest, obj, path);
                if (!used) return fail(used.error());
                rest = rest.subspan(std::min(align4(*used), rest.size()));
            }
            if (!f->attribute_set.empty()) {
                auto r = attrs(*s_.find_set(f->attribute_set), attr_range(rest), path, scopes);
                if (!r) return fail(r.error());
                for (auto& [k, val] : r->items()) obj[k] = val;
            }
            return obj;
        }
        default: {
            auto x = scalar(a.type, p, a.order);
            if (!x) return fail(err(path, fmt::format("{} of {} bytes", type_name(a.type), p.size())));
            return number(*x, a.type, a.enum_name, a.enum_as_flags, a.display_hint);
        }
        }
    }

    // The entries below nest `v` at type-value level `depth`, flattened into `out`.
    result<void> type_levels(const attribute& a, attr_view v, std::size_t depth, const ordered_json& ids, const std::string& path,
                             std::vector<std::pair<const attr_set*, const ordered_json*>>& scopes, ordered_json& out) const {
        attr_range inner = v.nested();
        for (attr_view level : inner) {
            ordered_json here = ids;
            here[a.type_value[depth]] = level.type();
            if (depth + 1 < a.type_value.size()) {
                if (auto r = type_levels(a, level, depth + 1, here, path, scopes, out); !r) return r;
                continue;
            }
            auto r = attrs(*s_.find_set(a.nested), level.nested(), path, scopes, std::move(here));
            if (!r) return fail(r.error());
            out.push_back(std::move(*r));
        }
        if (auto e = inner.error()) return fail(std::move(*e).wrap(path));
        return {};
    }

    // An attribute the spec does not know, as pyynl's --process-unknown shows it.
    static ordered_json unknown(attr_view v) {
        if (!v.nested_flag()) return hex(v.payload());
        ordered_json obj = ordered_json::object();
        for (attr_view c : v.nested()) add_unknown(obj, c);
        return obj;
    }
    static void add_unknown(ordered_json& obj, attr_view v) {
        const std::string key = fmt::format("UnknownAttr({})", v.type());
        ordered_json x = unknown(v);
        if (!obj.contains(key)) obj[key] = std::move(x);
        else {  // repeated: a list, like pyynl
            if (!obj[key].is_array()) obj[key] = ordered_json::array({obj[key]});
            obj[key].push_back(std::move(x));
        }
    }

    result<ordered_json> attrs(const attr_set& set, const attr_range& range, const std::string& path,
                               std::vector<std::pair<const attr_set*, const ordered_json*>>& scopes,
                               ordered_json obj = ordered_json::object()) const {
        scopes.emplace_back(&set, &obj);
        for (attr_view v : range) {
            const attribute* a = set.find(v.type());
            if (!a || a->type == attr_type::unused) {
                if (o_.process_unknown) add_unknown(obj, v);
                continue;
            }
            if (a->type == attr_type::pad) continue;
            auto x = value(*a, v, path + "." + a->name, scopes);
            if (!x) {
                scopes.pop_back();
                return fail(x.error());
            }
            if (a->multi_attr) obj[a->name].push_back(std::move(*x));
            else obj[a->name] = std::move(*x);
        }
        scopes.pop_back();
        if (auto e = range.error()) return fail(std::move(*e).wrap(path.empty() ? "attributes" : path));
        return obj;
    }

private:
    const spec& s_;
    const decode_options& o_;
};

}  // namespace

result<nlohmann::ordered_json> decode(const spec& s, const operation& op, message_view m, const decode_options& options) {
    decoder d(s, options);
    bytes p = m.payload();
    if (s.is_genetlink()) {
        if (p.size() < 4) return fail(errc::truncated, "message: no genetlink header");
        p = p.subspan(4);
    }
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    if (!op.fixed_header.empty()) {
        const definition* h = s.find_definition(op.fixed_header);
        if (!h) return fail(errc::invalid_argument, "unknown fixed header " + op.fixed_header);
        auto used = d.structure(*h, p, obj, "");
        if (!used) return fail(used.error());
        p = p.subspan(std::min(align4(*used), p.size()));
    }
    const attr_set* set = s.find_set(op.attribute_set);
    if (!set) return obj;
    std::vector<std::pair<const attr_set*, const nlohmann::ordered_json*>> scopes;
    return d.attrs(*set, attr_range(p), "", scopes, std::move(obj));
}

}  // namespace nlpp::ynl
