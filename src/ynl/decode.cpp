// Decoding netlink messages to JSON through a YNL spec.
#include <nlpp/ynl/decode.hpp>

#include "json_out.hpp"

#include <nlpp/core/text.hpp>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace nlpp::ynl {
namespace {

using namespace detail;

// Kernel strings are bytes: invalid UTF-8 sequences become U+FFFD, so that
// every decoded value can be printed as JSON.
std::string utf8(std::string_view in) {
    std::size_t ascii = 0;
    while (ascii < in.size() && static_cast<unsigned char>(in[ascii]) < 0x80) ++ascii;
    if (ascii == in.size()) return std::string(in);
    std::string out(in.substr(0, ascii));
    for (std::size_t i = ascii; i < in.size();) {
        const auto c = static_cast<unsigned char>(in[i]);
        const std::size_t n = c < 0x80           ? 1
                              : (c >> 5) == 0x6  ? 2
                              : (c >> 4) == 0xe  ? 3
                              : (c >> 3) == 0x1e ? 4
                                                 : 0;
        bool ok = n != 0 && c != 0xc0 && c != 0xc1 && c <= 0xf4 && i + n <= in.size();
        for (std::size_t k = 1; ok && k < n; ++k)
            ok = (static_cast<unsigned char>(in[i + k]) & 0xc0) == 0x80;
        if (ok && n > 2) {  // no overlong forms, surrogates or code points above U+10FFFF
            const auto c1 = static_cast<unsigned char>(in[i + 1]);
            ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 > 0x9f) &&
                 !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 > 0x8f);
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
    long index = -1;               // indexed-array entry
    std::string_view format = {};  // sub-message format
    std::string str() const {
        std::string s = up ? up->str() : std::string();
        if (!name.empty()) s.append(".").append(name);
        if (index >= 0) s += fmt::format("[{}]", index);
        if (!format.empty()) s.append("(").append(format).append(")");
        return s;
    }
};

error bad(const where& w, const std::string& why) {
    const std::string path = w.str();
    return error(errc::attr_invalid, fmt::format("{}: {}", path.empty() ? "message" : path, why));
}

// Decoded values of selector attributes, per nesting level, for sub-messages.
struct scope {
    const attr_set* set;
    std::vector<std::pair<std::string_view, std::string>> selectors;
};

template <class Out>
class decoder {
public:
    decoder(Out& out, const decode_options& o) : out_(out), o_(o) {}

    // An integer of a scalar type, or nullopt when the size is wrong.
    [[gnu::always_inline]] static std::optional<std::int64_t> scalar(attr_type t, bytes p,
                                                                     byte_order o) {
        const std::size_t n = p.size();
        switch (t) {
        case attr_type::u8:
            if (n == 1) return load<std::uint8_t>(p, o);
            break;
        case attr_type::u16:
            if (n == 2) return load<std::uint16_t>(p, o);
            break;
        case attr_type::u32:
            if (n == 4) return load<std::uint32_t>(p, o);
            break;
        case attr_type::s8:
            if (n == 1) return load<std::int8_t>(p, o);
            break;
        case attr_type::s16:
            if (n == 2) return load<std::int16_t>(p, o);
            break;
        case attr_type::s32:
            if (n == 4) return load<std::int32_t>(p, o);
            break;
        case attr_type::u64:
        case attr_type::s64:
            if (n == 8) return load<std::int64_t>(p, o);
            break;
        case attr_type::uint:
            if (n == 4) return load<std::uint32_t>(p, o);
            if (n == 8) return load<std::int64_t>(p, o);
            break;
        case attr_type::sint:
            if (n == 4) return load<std::int32_t>(p, o);
            if (n == 8) return load<std::int64_t>(p, o);
            break;
        default: break;
        }
        return std::nullopt;
    }

    static bool is_unsigned(attr_type t) {
        return t == attr_type::u8 || t == attr_type::u16 || t == attr_type::u32 ||
               t == attr_type::u64 || t == attr_type::uint;
    }

    // A number: by enum name, as a flag list, with a display hint, or plain.
    [[gnu::always_inline]] void number(std::int64_t v, attr_type t, const definition* d,
                                       bool as_flags, display hint) {
        if (d || hint != display::none) return named_number(v, t, d, as_flags, hint);
        if (is_unsigned(t))
            out_.value(static_cast<std::uint64_t>(v));
        else
            out_.value(v);
    }
    [[gnu::noinline]] void named_number(std::int64_t v, attr_type t, const definition* d,
                                        bool as_flags, display hint) {
        const auto u = static_cast<std::uint64_t>(v);
        if (d) {
            if (d->kind == definition::kind::flags || as_flags) {
                out_.begin_array();
                for (int bit = 0; bit < 64; ++bit) {
                    const std::uint64_t mask = std::uint64_t{1} << bit;
                    if (!(u & mask)) continue;
                    const enum_entry* e = d->kind == definition::kind::flags
                                              ? d->find(mask)
                                              : d->find(std::uint64_t(bit));
                    if (e)
                        out_.name(*e);
                    else
                        out_.value(mask);
                }
                out_.end_array();
                return;
            }
            if (const enum_entry* e = d->find(u)) return out_.name(*e);
        }
        if (hint != display::none) {
            if (hint == display::hex) return out_.plain(fmt::format("{:#x}", u));
            if (hint == display::ipv4 && t == attr_type::u32) {
                const std::byte b[4] = {std::byte(u >> 24), std::byte(u >> 16), std::byte(u >> 8),
                                        std::byte(u)};
                char text[16];
                return out_.plain(std::string_view(text, write_ipv4(text, b)));
            }
        }
        if (is_unsigned(t))
            out_.value(u);
        else
            out_.value(v);
    }

    // Bytes as their display hint shows them (IPv4 the most common, written without a string).
    // Any address hint shows 4 bytes as IPv4 and 16 as IPv6, as pyynl does: older specs give
    // IPv6 attributes an ipv4 hint.
    static bool address_hint(display hint) {
        return hint == display::ipv4 || hint == display::ipv6 || hint == display::ipv4_or_v6;
    }
    void hinted(bytes p, display hint) {
        if (address_hint(hint) && p.size() == 4) {
            char text[16];
            return out_.plain(std::string_view(text, write_ipv4(text, p)));
        }
        out_.plain(hinted_bytes(p, hint));
    }
    static std::string hinted_bytes(bytes p, display hint) {
        if (hint == display::none) return hex(p);
        char buf[INET6_ADDRSTRLEN];
        if (address_hint(hint) && p.size() == 16 && inet_ntop(AF_INET6, p.data(), buf, sizeof buf))
            return buf;
        if (hint == display::mac || hint == display::fddi) return hex(p, ':');
        if (hint == display::uuid && p.size() == 16) {
            const std::string h = hex(p);
            return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                               h.substr(16, 4), h.substr(20));
        }
        if (hint == display::hex) return hex(p, ' ');  // pyynl: bytes.hex(raw, ' ')
        return hex(p);
    }

    // A struct's members as keys of the open object; returns the bytes consumed.
    std::optional<std::size_t> structure(const definition& d, bytes p, const where& w) {
        if constexpr (std::is_same_v<Out, text_out>)
            if (d.plain_text && p.size() >= d.size) return plain_structure(d, p);
        std::size_t off = 0;
        for (const auto& m : d.members) {
            const std::size_t n = scalar_size(m.type) ? scalar_size(m.type) : m.len;
            if (off + n > p.size())
                return failed_at(bad(w, fmt::format("struct {} member {} runs past {} bytes",
                                                    d.name, m.name, p.size())));
            bytes field = p.subspan(off, n);
            off += n;
            if (m.type == attr_type::pad) continue;
            out_.key(m.name, m.json_key, false);
            if (scalar_size(m.type)) {
                number(*scalar(m.type, field, m.order), m.type, m.enum_def, m.enum_as_flags,
                       m.hint);
            } else if (m.type == attr_type::string) {
                const auto* c = reinterpret_cast<const char*>(field.data());
                out_.value(utf8(std::string_view(c, strnlen(c, field.size()))));
            } else if (m.struct_def) {
                out_.begin_object();
                const where here{&w, m.name};
                if (!structure(*m.struct_def, field, here)) return std::nullopt;
                out_.end_object();
            } else {
                hinted(field, m.hint);
            }
        }
        return off;
    }

    // A fixed-width integer attribute shown as a plain number, key and value
    // written in one pass; false for anything else (the general path).
    bool plain_number(const attribute& a, attr_view v) {
        const std::size_t n = scalar_size(a.type);
        const bytes p = v.payload();
        if (!n || p.size() != n || a.enum_def || a.hint != display::none || a.is_selector)
            return false;
        char* o = out_.reserve(a.json_key.size() + 22);
        if (out_.comma_pending()) *o++ = ',';
        o = text_out::copy(o, a.json_key.data(), a.json_key.size());
        const std::int64_t x = *scalar(a.type, p, a.order);
        o = decimal(o, x, is_unsigned(a.type));
        out_.commit(o);
        return true;
    }

    // A struct of integers (numbers or enum names) written in one pass into
    // room reserved for its longest text: most fixed headers.
    std::size_t plain_structure(const definition& d, bytes p) {
        char* o = out_.reserve(d.plain_text);
        bool comma = out_.comma_pending();
        std::size_t off = 0;
        for (const auto& m : d.members) {
            const std::size_t n = m.type == attr_type::pad ? m.len : scalar_size(m.type);
            const bytes field = p.subspan(off, n);
            off += n;
            if (m.type == attr_type::pad) continue;
            if (comma) *o++ = ',';
            comma = true;
            o = text_out::copy(o, m.json_key.data(), m.json_key.size());
            const std::int64_t v = *scalar(m.type, field, m.order);
            if (m.enum_def)
                if (const enum_entry* e = m.enum_def->find(static_cast<std::uint64_t>(v))) {
                    o = text_out::copy(o, e->json.data(), e->json.size());
                    continue;
                }
            o = decimal(o, v, is_unsigned(m.type));
        }
        out_.commit(o);
        return off;
    }

    // The text a selector attribute selects by: strings as they are, enum values by name.
    static std::string selector_text(const attribute& a, attr_view v) {
        if (a.type == attr_type::string) return utf8(v.get_string());
        if (auto x = scalar(a.type, v.payload(), a.order)) {
            if (a.enum_def)
                if (const enum_entry* e = a.enum_def->find(static_cast<std::uint64_t>(*x)))
                    return e->name;
            return is_unsigned(a.type) ? std::to_string(static_cast<std::uint64_t>(*x))
                                       : std::to_string(*x);
        }
        return hex(v.payload());
    }

    // The value of selector `sel` in the innermost scope whose set defines it.
    const std::string* selector(const std::string& sel) const {
        for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
            if (it->set->find(sel)) {
                for (const auto& [name, text] : it->selectors)
                    if (name == sel) return &text;
                return nullptr;
            }
        return nullptr;
    }

    bool value(const attribute& a, attr_view v, const where& w) {
        bytes p = v.payload();
        switch (a.type) {
        case attr_type::flag: out_.value(true); return true;
        case attr_type::string: out_.value(utf8(v.get_string())); return true;
        case attr_type::nest: return object(*a.nested_set, v.nested(), w);
        case attr_type::bitfield32:
            if (p.size() != 8)
                return failed(bad(w, fmt::format("bitfield32 of {} bytes", p.size())));
            out_.begin_object();
            out_.key("value", false);
            number(load<std::uint32_t>(p), attr_type::u32, a.enum_def, a.enum_as_flags,
                   display::none);
            out_.key("selector", false);
            number(load<std::uint32_t>(p.subspan(4)), attr_type::u32, a.enum_def, a.enum_as_flags,
                   display::none);
            out_.end_object();
            return true;
        case attr_type::binary:
            if (a.struct_def) {
                out_.begin_object();
                if (!structure(*a.struct_def, p, w)) return false;
                out_.end_object();
            } else if (const std::size_t n = scalar_size(a.sub_type)) {
                out_.begin_array();
                for (std::size_t off = 0; off + n <= p.size(); off += n)
                    number(*scalar(a.sub_type, p.subspan(off, n), a.order), a.sub_type, a.enum_def,
                           false, a.hint);
                out_.end_array();
            } else {
                hinted(p, a.hint);
            }
            return true;
        case attr_type::indexed_array: {
            out_.begin_array();
            attr_range items = v.nested();
            for (attr_view item : items) {
                const where here{&w, {}, item.type()};
                if (a.sub_type == attr_type::nest) {  // pyynl: {"<index>": {...}}
                    out_.begin_object();
                    const std::string index = std::to_string(item.type());
                    out_.key(index, false);
                    if (!object(*a.nested_set, item.nested(), here)) return false;
                    out_.end_object();
                } else if (scalar_size(a.sub_type) || a.sub_type == attr_type::uint ||
                           a.sub_type == attr_type::sint) {
                    auto x = scalar(a.sub_type, item.payload(), a.order);
                    if (!x)
                        return failed(bad(here, fmt::format("{} of {} bytes", type_name(a.sub_type),
                                                            item.payload().size())));
                    number(*x, a.sub_type, a.enum_def, a.enum_as_flags, a.hint);
                } else {
                    hinted(item.payload(), a.hint);
                }
            }
            if (auto e = items.error()) return failed(std::move(*e).wrap(w.str()));
            out_.end_array();
            return true;
        }
        case attr_type::nest_type_value: {
            // pyynl's shape: {"<type-value 0>": type, ..., attributes...}; a nest
            // holding several entries becomes a list of such objects.
            const std::size_t n = leaves(a, v, 0);
            if (n != 1) out_.begin_array();
            std::vector<std::uint16_t> ids;
            if (!type_levels(a, v, ids, w)) return false;
            if (n != 1) out_.end_array();
            return true;
        }
        case attr_type::sub_message: {
            const std::string* key = selector(a.selector);
            if (!key)
                return failed(
                    bad(w, fmt::format("no value for selector '{}' before it", a.selector)));
            const sub_message_format* f = a.sub_message_def->find(*key);
            if (!f) {  // no format for this value: keep the bytes
                out_.plain(hex(p));
                return true;
            }
            const where here{w.up, w.name, -1, f->value};
            out_.begin_object();
            bytes rest = p;
            if (f->header) {
                auto used = structure(*f->header, rest, here);
                if (!used) return false;
                rest = rest.subspan(std::min(align4(*used), rest.size()));
            }
            if (f->set)
                if (!attrs(*f->set, attr_range(rest), here)) return false;
            out_.end_object();
            return true;
        }
        default: {
            auto x = scalar(a.type, p, a.order);
            if (!x)
                return failed(bad(w, fmt::format("{} of {} bytes", type_name(a.type), p.size())));
            number(*x, a.type, a.enum_def, a.enum_as_flags, a.hint);
            return true;
        }
        }
    }

    static std::size_t leaves(const attribute& a, attr_view v, std::size_t depth) {
        std::size_t n = 0;
        for (attr_view level : v.nested())
            n += depth + 1 < a.type_value.size() ? leaves(a, level, depth + 1) : 1;
        return n;
    }

    bool type_levels(const attribute& a, attr_view v, std::vector<std::uint16_t>& ids,
                     const where& w) {
        attr_range inner = v.nested();
        for (attr_view level : inner) {
            ids.push_back(level.type());
            if (ids.size() < a.type_value.size()) {
                if (!type_levels(a, level, ids, w)) return false;
            } else {
                out_.begin_object();
                for (std::size_t i = 0; i < ids.size(); ++i) {
                    out_.key(a.type_value[i], false);
                    out_.value(std::uint64_t{ids[i]});
                }
                if (!attrs(*a.nested_set, level.nested(), w)) return false;
                out_.end_object();
            }
            ids.pop_back();
        }
        if (auto e = inner.error()) return failed(std::move(*e).wrap(w.str()));
        return true;
    }

    // An attribute the spec does not know, as pyynl's --process-unknown shows it.
    void unknown(attr_view v) {
        if (!v.nested_flag()) return out_.plain(hex(v.payload()));
        out_.begin_object();
        unknowns(v.nested(), nullptr);
        out_.end_object();
    }
    // Every attribute of `range` unknown to `set` as "UnknownAttr(N)" keys; a repeated one becomes a list.
    void unknowns(const attr_range& range, const attr_set* set) {
        std::vector<std::uint16_t> done;
        for (attr_view v : range) {
            const attribute* a = set ? set->find(v.type()) : nullptr;
            if (a && a->type != attr_type::unused) continue;
            if (std::find(done.begin(), done.end(), v.type()) != done.end()) continue;
            done.push_back(v.type());
            const std::string key = fmt::format("UnknownAttr({})", v.type());
            out_.key(key, false);
            std::size_t n = 0;
            for (attr_view x : range) n += x.type() == v.type();
            if (n == 1) {
                unknown(v);
                continue;
            }
            out_.begin_array();
            for (attr_view x : range)
                if (x.type() == v.type()) unknown(x);
            out_.end_array();
        }
    }

    bool object(const attr_set& set, const attr_range& range, const where& w) {
        out_.begin_object();
        if (!attrs(set, range, w)) return false;
        out_.end_object();
        return true;
    }

    // The attributes of `range` as keys of the open object.
    bool attrs(const attr_set& set, const attr_range& range, const where& w) {
        if (set.has_selector) scopes_.push_back({&set, {}});
        std::uint64_t seen = 0;
        std::vector<std::uint16_t> done;  // multi-attr types already listed
        bool unknown_seen = false;
        for (attr_view v : range) {
            const std::uint16_t type = v.type();
            const attribute* a = set.find(type);
            if (!a || a->type == attr_type::unused) {
                unknown_seen = true;
                continue;
            }
            if (a->type == attr_type::pad) continue;
            const where here{&w, a->name};
            if (a->multi_attr) {  // every occurrence in one list, at the first
                if (std::find(done.begin(), done.end(), type) != done.end()) continue;
                done.push_back(type);
                out_.key(a->name, a->json_key, false);
                out_.begin_array();
                for (attr_view x : range)
                    if (x.type() == type)
                        if (!value(*a, x, here)) return false;
                out_.end_array();
                continue;
            }
            const bool repeated = type < 64 ? (seen >> type & 1) != 0 : true;
            if (type < 64) seen |= std::uint64_t{1} << type;
            if constexpr (std::is_same_v<Out, text_out>)
                if (plain_number(*a, v)) continue;
            out_.key(a->name, a->json_key, repeated);
            if (a->is_selector)
                scopes_.back().selectors.emplace_back(a->name, selector_text(*a, v));
            if (!value(*a, v, here)) return false;
        }
        if (unknown_seen && o_.process_unknown) unknowns(range, &set);
        if (set.has_selector) scopes_.pop_back();
        if (auto e = range.error()) {
            const std::string path = w.str();
            return failed(std::move(*e).wrap(path.empty() ? "attributes" : path));
        }
        return true;
    }

    // A whole message: genetlink header skipped, fixed header and attributes in one object.
    bool message(const spec& s, const operation& op, message_view m) {
        bytes p = m.payload();
        if (s.is_genetlink()) {
            if (p.size() < 4) return failed(error(errc::truncated, "message: no genetlink header"));
            p = p.subspan(4);
        }
        const where top;
        out_.begin_object();
        if (op.header) {
            auto used = structure(*op.header, p, top);
            if (!used) return false;
            p = p.subspan(std::min(align4(*used), p.size()));
        }
        if (op.set)
            if (!attrs(*op.set, attr_range(p), top)) return false;
        out_.end_object();
        return true;
    }

    // Why the last call returned false.
    error& failure() { return *failure_; }

private:
    bool failed(error e) {
        failure_ = std::move(e);
        return false;
    }
    std::nullopt_t failed_at(error e) {
        failure_ = std::move(e);
        return std::nullopt;
    }
    Out& out_;
    const decode_options& o_;
    std::vector<scope> scopes_;
    std::optional<error> failure_;
};

}  // namespace

result<nlohmann::ordered_json> decode(const spec& s, const operation& op, message_view m,
                                      const decode_options& options) {
    tree_out out;
    decoder<tree_out> d(out, options);
    if (!d.message(s, op, m)) return fail(std::move(d.failure()));
    return out.take();
}

result<void> decode_text(const spec& s, const operation& op, message_view m, std::string& text,
                         const decode_options& options) {
    text_out out;
    decoder<text_out> d(out, options);
    if (!d.message(s, op, m)) return fail(std::move(d.failure()));
    out.finish(text);
    return {};
}

}  // namespace nlpp::ynl
