// Decoding netlink messages to JSON through a YNL spec.
#include <nlpp/ynl/decode.hpp>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <fmt/format.h>

namespace nlpp::ynl {
namespace {

using nlohmann::ordered_json;
using scope = std::pair<const attr_set*, const ordered_json*>;

constexpr char hex_digits[] = "0123456789abcdef";

std::string hex(bytes b, char sep = 0) {
    std::string s;
    s.reserve(b.size() * 3);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (sep && i) s += sep;
        const auto x = static_cast<unsigned>(b[i]);
        s += hex_digits[x >> 4];
        s += hex_digits[x & 15];
    }
    return s;
}

// Kernel strings are bytes: invalid UTF-8 sequences become U+FFFD, so that
// every decoded value can be printed as JSON.
std::string utf8(std::string_view in) {
    std::size_t ascii = 0;
    while (ascii < in.size() && static_cast<unsigned char>(in[ascii]) < 0x80) ++ascii;
    if (ascii == in.size()) return std::string(in);
    std::string out(in.substr(0, ascii));
    for (std::size_t i = ascii; i < in.size();) {
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

// Where a value is, rendered only when an error needs it: ".linkinfo.data(vlan).id".
struct where {
    const where* up = nullptr;
    std::string_view name;
    long index = -1;              // indexed-array entry
    std::string_view format = {};  // sub-message format
    std::string str() const {
        std::string s = up ? up->str() : std::string();
        if (!name.empty()) s += "." + std::string(name);
        if (index >= 0) s += fmt::format("[{}]", index);
        if (!format.empty()) s += "(" + std::string(format) + ")";
        return s;
    }
};

error bad(const where& w, const std::string& why) {
    const std::string path = w.str();
    return error(errc::attr_invalid, fmt::format("{}: {}", path.empty() ? "message" : path, why));
}

// Appends key: value to an object. A key seen before (a repeated attribute)
// replaces the earlier value, as in pyynl; `seen` tracks types below 64 so
// that the common case appends without a search.
void put(ordered_json& obj, std::string_view key, ordered_json&& v, std::uint16_t type, std::uint64_t& seen) {
    const bool fresh = type < 64 && !(seen & (std::uint64_t{1} << type));
    if (type < 64) seen |= std::uint64_t{1} << type;
    auto& map = obj.get_ref<ordered_json::object_t&>();
    if (fresh) map.emplace_back(std::string(key), std::move(v));
    else obj[std::string(key)] = std::move(v);
}

class decoder {
public:
    explicit decoder(const decode_options& o) : o_(o) {}

    // An integer of a scalar type, or nullopt when the size is wrong.
    static std::optional<std::int64_t> scalar(attr_type t, bytes p, byte_order o) {
        switch (t) {
        case attr_type::uint:
        case attr_type::sint:
            if (p.size() == 4) return t == attr_type::uint ? std::int64_t{load<std::uint32_t>(p, o)} : load<std::int32_t>(p, o);
            if (p.size() == 8) return static_cast<std::int64_t>(load<std::uint64_t>(p, o));
            return std::nullopt;
        default: break;
        }
        if (p.size() != scalar_size(t)) return std::nullopt;
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
    static ordered_json number(std::int64_t v, attr_type t, const definition* d, bool as_flags, const std::string& hint) {
        const auto u = static_cast<std::uint64_t>(v);
        if (d) {
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
        if (!hint.empty()) {
            if (hint == "hex") return fmt::format("{:#x}", u);
            if (hint == "ipv4" && t == attr_type::u32) return fmt::format("{}.{}.{}.{}", u >> 24 & 255, u >> 16 & 255, u >> 8 & 255, u & 255);
        }
        return is_unsigned(t) ? ordered_json(u) : ordered_json(v);
    }

    static ordered_json hinted_bytes(bytes p, const std::string& hint) {
        if (hint.empty()) return hex(p);
        char buf[INET6_ADDRSTRLEN];
        if ((hint == "ipv4" || (hint == "ipv4-or-v6" && p.size() == 4)) && p.size() == 4 && inet_ntop(AF_INET, p.data(), buf, sizeof buf))
            return std::string(buf);
        if ((hint == "ipv6" || (hint == "ipv4-or-v6" && p.size() == 16)) && p.size() == 16 && inet_ntop(AF_INET6, p.data(), buf, sizeof buf))
            return std::string(buf);
        if (hint == "mac" || hint == "fddi") return hex(p, ':');
        if (hint == "uuid" && p.size() == 16) {
            const std::string h = hex(p);
            return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4), h.substr(16, 4), h.substr(20));
        }
        if (hint == "hex") return hex(p, ' ');  // pyynl: bytes.hex(raw, ' ')
        return hex(p);
    }

    // A struct's members into `out`; returns the bytes consumed.
    result<std::size_t> structure(const definition& d, bytes p, ordered_json& out, const where& w) const {
        auto& map = out.get_ref<ordered_json::object_t&>();
        std::size_t off = 0;
        for (const auto& m : d.members) {
            const std::size_t n = scalar_size(m.type) ? scalar_size(m.type) : m.len;
            if (off + n > p.size()) return fail(bad(w, fmt::format("struct {} member {} runs past {} bytes", d.name, m.name, p.size())));
            bytes field = p.subspan(off, n);
            off += n;
            if (m.type == attr_type::pad) continue;
            if (scalar_size(m.type)) {
                map.emplace_back(m.name, number(*scalar(m.type, field, m.order), m.type, m.enum_def, m.enum_as_flags, m.display_hint));
            } else if (m.type == attr_type::string) {
                const auto* c = reinterpret_cast<const char*>(field.data());
                map.emplace_back(m.name, utf8(std::string_view(c, strnlen(c, field.size()))));
            } else if (m.struct_def) {
                ordered_json inner = ordered_json::object();
                const where here{&w, m.name};
                auto r = structure(*m.struct_def, field, inner, here);
                if (!r) return fail(r.error());
                map.emplace_back(m.name, std::move(inner));
            } else {
                map.emplace_back(m.name, hinted_bytes(field, m.display_hint));
            }
        }
        return off;
    }

    // The decoded value of selector `sel` in the innermost scope that defines it.
    static const ordered_json* selector(const std::string& sel, const std::vector<scope>& scopes) {
        for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
            if (it->first->find(sel)) {
                const auto v = it->second->find(sel);
                return v == it->second->end() ? nullptr : &*v;
            }
        return nullptr;
    }

    result<ordered_json> value(const attribute& a, attr_view v, const where& w, std::vector<scope>& scopes) const {
        bytes p = v.payload();
        switch (a.type) {
        case attr_type::flag: return ordered_json(true);
        case attr_type::string: return ordered_json(utf8(v.get_string()));
        case attr_type::nest: return attrs(*a.nested_set, v.nested(), w, scopes);
        case attr_type::bitfield32:
            if (p.size() != 8) return fail(bad(w, fmt::format("bitfield32 of {} bytes", p.size())));
            return ordered_json{{"value", number(load<std::uint32_t>(p), attr_type::u32, a.enum_def, a.enum_as_flags, "")},
                                {"selector", number(load<std::uint32_t>(p.subspan(4)), attr_type::u32, a.enum_def, a.enum_as_flags, "")}};
        case attr_type::binary: {
            if (a.struct_def) {
                ordered_json obj = ordered_json::object();
                auto r = structure(*a.struct_def, p, obj, w);
                if (!r) return fail(r.error());
                return obj;
            }
            if (scalar_size(a.sub_type)) {
                ordered_json list = ordered_json::array();
                const std::size_t n = scalar_size(a.sub_type);
                for (std::size_t off = 0; off + n <= p.size(); off += n)
                    list.push_back(number(*scalar(a.sub_type, p.subspan(off, n), a.order), a.sub_type, a.enum_def, false, a.display_hint));
                return list;
            }
            return hinted_bytes(p, a.display_hint);
        }
        case attr_type::indexed_array: {
            ordered_json list = ordered_json::array();
            attr_range items = v.nested();
            for (attr_view item : items) {
                const where here{&w, {}, item.type()};
                if (a.sub_type == attr_type::nest) {  // pyynl: {"<index>": {...}}
                    auto r = attrs(*a.nested_set, item.nested(), here, scopes);
                    if (!r) return fail(r.error());
                    list.push_back(ordered_json{{std::to_string(item.type()), std::move(*r)}});
                } else if (scalar_size(a.sub_type) || a.sub_type == attr_type::uint || a.sub_type == attr_type::sint) {
                    auto x = scalar(a.sub_type, item.payload(), a.order);
                    if (!x) return fail(bad(here, fmt::format("{} of {} bytes", type_name(a.sub_type), item.payload().size())));
                    list.push_back(number(*x, a.sub_type, a.enum_def, a.enum_as_flags, a.display_hint));
                } else {
                    list.push_back(hinted_bytes(item.payload(), a.display_hint));
                }
            }
            if (auto e = items.error()) return fail(std::move(*e).wrap(w.str()));
            return list;
        }
        case attr_type::nest_type_value: {
            // pyynl's shape: {"<type-value 0>": type, ..., attributes...}; a nest
            // holding several entries becomes a list of such objects.
            ordered_json list = ordered_json::array();
            if (auto r = type_levels(a, v, 0, ordered_json::object(), w, scopes, list); !r) return fail(r.error());
            if (list.size() == 1) return std::move(list[0]);
            return list;
        }
        case attr_type::sub_message: {
            const ordered_json* sel = selector(a.selector, scopes);
            if (!sel) return fail(bad(w, fmt::format("no value for selector '{}' before it", a.selector)));
            const std::string key = sel->is_string() ? sel->get<std::string>() : sel->dump();
            const sub_message_format* f = a.sub_message_def->find(key);
            if (!f) return ordered_json(hex(p));  // no format for this value: keep the bytes
            const where here{w.up, w.name, -1, f->value};
            ordered_json obj = ordered_json::object();
            bytes rest = p;
            if (f->header) {
                auto used = structure(*f->header, rest, obj, here);
                if (!used) return fail(used.error());
                rest = rest.subspan(std::min(align4(*used), rest.size()));
            }
            if (f->set) return attrs(*f->set, attr_range(rest), here, scopes, std::move(obj));
            return obj;
        }
        default: {
            auto x = scalar(a.type, p, a.order);
            if (!x) return fail(bad(w, fmt::format("{} of {} bytes", type_name(a.type), p.size())));
            return number(*x, a.type, a.enum_def, a.enum_as_flags, a.display_hint);
        }
        }
    }

    // The entries below nest `v` at type-value level `depth`, flattened into `out`.
    result<void> type_levels(const attribute& a, attr_view v, std::size_t depth, const ordered_json& ids, const where& w,
                             std::vector<scope>& scopes, ordered_json& out) const {
        attr_range inner = v.nested();
        for (attr_view level : inner) {
            ordered_json here = ids;
            here[a.type_value[depth]] = level.type();
            if (depth + 1 < a.type_value.size()) {
                if (auto r = type_levels(a, level, depth + 1, here, w, scopes, out); !r) return r;
                continue;
            }
            auto r = attrs(*a.nested_set, level.nested(), w, scopes, std::move(here));
            if (!r) return fail(r.error());
            out.push_back(std::move(*r));
        }
        if (auto e = inner.error()) return fail(std::move(*e).wrap(w.str()));
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

    result<ordered_json> attrs(const attr_set& set, const attr_range& range, const where& w, std::vector<scope>& scopes,
                               ordered_json obj = ordered_json::object()) const {
        scopes.emplace_back(&set, &obj);
        std::uint64_t seen = 0;
        for (attr_view v : range) {
            const attribute* a = set.find(v.type());
            if (!a || a->type == attr_type::unused) {
                if (o_.process_unknown) add_unknown(obj, v);
                continue;
            }
            if (a->type == attr_type::pad) continue;
            const where here{&w, a->name};
            auto x = value(*a, v, here, scopes);
            if (!x) {
                scopes.pop_back();
                return fail(x.error());
            }
            if (a->multi_attr) obj[a->name].push_back(std::move(*x));
            else put(obj, a->name, std::move(*x), v.type(), seen);
        }
        scopes.pop_back();
        if (auto e = range.error()) {
            const std::string path = w.str();
            return fail(std::move(*e).wrap(path.empty() ? "attributes" : path));
        }
        return obj;
    }

private:
    const decode_options& o_;
};

}  // namespace

result<nlohmann::ordered_json> decode(const spec& s, const operation& op, message_view m, const decode_options& options) {
    decoder d(options);
    bytes p = m.payload();
    if (s.is_genetlink()) {
        if (p.size() < 4) return fail(errc::truncated, "message: no genetlink header");
        p = p.subspan(4);
    }
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    const where top;
    if (op.header) {
        auto used = d.structure(*op.header, p, obj, top);
        if (!used) return fail(used.error());
        p = p.subspan(std::min(align4(*used), p.size()));
    }
    if (!op.set) return obj;
    std::vector<scope> scopes;
    return d.attrs(*op.set, attr_range(p), top, scopes, std::move(obj));
}

}  // namespace nlpp::ynl
