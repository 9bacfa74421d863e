// Encoding JSON requests to netlink messages through a YNL spec.
#include <nlpp/ynl/encode.hpp>

#include <nlpp/core/text.hpp>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace nlpp::ynl {
namespace {

using nlohmann::ordered_json;
using scope = std::pair<const attr_set*, const ordered_json*>;

error bad(const std::string& path, const std::string& why) {
    return error(errc::invalid_argument,
                 fmt::format("{}: {}", path.empty() ? "request" : path, why));
}

std::string brief(const ordered_json& v) {
    std::string s = v.dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

// Range of a fixed-width type as [lo, hi] (signed types) or [0, hi] (unsigned).
struct range {
    bool is_signed;
    std::int64_t lo;
    std::uint64_t hi;
};
range range_of(attr_type t, std::size_t bytes) {
    const bool s = t == attr_type::s8 || t == attr_type::s16 || t == attr_type::s32 ||
                   t == attr_type::s64 || t == attr_type::sint;
    const unsigned bits = static_cast<unsigned>(bytes * 8);
    if (s)
        return {true,
                bits == 64 ? std::numeric_limits<std::int64_t>::min()
                           : -(std::int64_t{1} << (bits - 1)),
                bits == 64 ? std::uint64_t(std::numeric_limits<std::int64_t>::max())
                           : (std::uint64_t{1} << (bits - 1)) - 1};
    return {
        false, 0,
        bits == 64 ? std::numeric_limits<std::uint64_t>::max() : (std::uint64_t{1} << bits) - 1};
}

class encoder {
public:
    encoder(message_builder& b, std::size_t msg_start, request_trace* t)
        : b_(b), msg_start_(msg_start), trace_(t) {}

    // An integer from a number, a "0x.." or decimal string, an enum name, a
    // list of flag names or (with an ipv4 hint) a dotted quad. Returned as
    // the 64-bit pattern; `neg` tells a negative signed value.
    result<std::uint64_t> integer(const ordered_json& v, const definition* d, bool as_flags,
                                  const std::string& hint, const std::string& path,
                                  bool& neg) const {
        neg = false;
        if (v.is_number_unsigned()) return v.get<std::uint64_t>();
        if (v.is_number_integer()) {
            const auto x = v.get<std::int64_t>();
            neg = x < 0;
            return static_cast<std::uint64_t>(x);
        }
        const bool flags = d && (d->kind == definition::kind::flags || as_flags);
        auto entry = [&](const ordered_json& e) -> result<std::uint64_t> {
            if (e.is_number_unsigned()) return e.get<std::uint64_t>();
            if (e.is_string() && d)
                if (const enum_entry* x = d->find(e.get<std::string>()))
                    return d->kind == definition::kind::flags || !as_flags
                               ? x->value
                               : std::uint64_t{1} << x->value;
            return fail(bad(path, d ? fmt::format("{} is not a value of {} '{}'", brief(e),
                                                  flags ? "flags" : "enum", d->name)
                                    : fmt::format("expected an integer, got {}", brief(e))));
        };
        if (v.is_array() && flags) {
            std::uint64_t mask = 0;
            for (const auto& e : v) {
                auto x = entry(e);
                if (!x) return x;
                mask |= *x;
            }
            return mask;
        }
        if (!v.is_string())
            return fail(bad(path, fmt::format("expected an integer, got {}", brief(v))));
        const std::string t = v.get<std::string>();
        if (d && d->find(t)) return entry(v);
        if (hint == "ipv4") {
            in_addr a{};
            if (inet_pton(AF_INET, t.c_str(), &a) == 1) return std::uint64_t{ntohl(a.s_addr)};
        }
        std::uint64_t x = 0;
        const bool hex = t.starts_with("0x") || t.starts_with("0X");
        const char* first = t.data() + (hex ? 2 : 0);
        auto [p, ec] = std::from_chars(first, t.data() + t.size(), x, hex ? 16 : 10);
        if (ec == std::errc() && p == t.data() + t.size() && first != p) return x;
        if (d)
            return fail(bad(path, fmt::format("'{}' is not a value of {} '{}'", t,
                                              flags ? "flags" : "enum", d->name)));
        return fail(bad(path, fmt::format("expected an integer, got {}", brief(v))));
    }

    // An integer checked against its type's range and the spec's checks,
    // stored in `bytes` bytes.
    result<void> scalar(std::vector<std::byte>& out, attr_type t, std::size_t n,
                        const ordered_json& v, byte_order o, const definition* e, bool as_flags,
                        const std::string& hint, const ynl::checks* c,
                        const std::string& path) const {
        bool neg = false;
        auto x = integer(v, e, as_flags, hint, path, neg);
        if (!x) return fail(x.error());
        const range r = range_of(t, n);
        const auto sx = static_cast<std::int64_t>(*x);
        if (neg ? (!r.is_signed || sx < r.lo) : *x > r.hi)
            return fail(bad(
                path, fmt::format("{} does not fit {}",
                                  neg ? std::to_string(sx) : std::to_string(*x), type_name(t))));
        if (c) {
            // Unsigned types compare as unsigned (u64-max is stored as -1).
            const bool below =
                c->min && (r.is_signed ? sx < *c->min : *x < static_cast<std::uint64_t>(*c->min));
            const bool above =
                c->max && (r.is_signed ? sx > *c->max : *x > static_cast<std::uint64_t>(*c->max));
            if (below)
                return fail(
                    bad(path, fmt::format("{} is below the minimum {}", brief(v), *c->min)));
            if (above)
                return fail(bad(
                    path, fmt::format("{} is above the maximum {}", brief(v),
                                      r.is_signed
                                          ? std::to_string(*c->max)
                                          : std::to_string(static_cast<std::uint64_t>(*c->max)))));
        }
        const std::size_t at = out.size();
        out.resize(at + n);
        store_sized(mutable_bytes(out.data() + at, n), *x, o);
        return {};
    }

    static void store_sized(mutable_bytes p, std::uint64_t x, byte_order o) {
        switch (p.size()) {
        case 1: store<std::uint8_t>(p, static_cast<std::uint8_t>(x), o); break;
        case 2: store<std::uint16_t>(p, static_cast<std::uint16_t>(x), o); break;
        case 4: store<std::uint32_t>(p, static_cast<std::uint32_t>(x), o); break;
        default: store<std::uint64_t>(p, x, o); break;
        }
    }

    // Bytes from text: hex (with optional ' ' or ':' separators), or per the display hint.
    static result<std::vector<std::byte>> binary(const ordered_json& v, const std::string& hint,
                                                 const std::string& path) {
        if (!v.is_string())
            return fail(bad(path, fmt::format("expected a hex string, got {}", brief(v))));
        const std::string t = v.get<std::string>();
        std::vector<std::byte> out;
        unsigned char a[16];
        // Any address hint takes either family, as pyynl does (older specs give IPv6 attributes an ipv4 hint).
        const bool address = hint == "ipv4" || hint == "ipv6" || hint == "ipv4-or-v6";
        if (address && inet_pton(AF_INET, t.c_str(), a) == 1)
            return std::vector<std::byte>(reinterpret_cast<std::byte*>(a),
                                          reinterpret_cast<std::byte*>(a) + 4);
        if (address && inet_pton(AF_INET6, t.c_str(), a) == 1)
            return std::vector<std::byte>(reinterpret_cast<std::byte*>(a),
                                          reinterpret_cast<std::byte*>(a) + 16);
        if (hint == "mac" && t.find(':') != std::string::npos) {
            // MAC text as ip and ether_aton() read it: groups of one or two hex digits.
            for (std::size_t at = 0; at <= t.size();) {
                const std::size_t end = std::min(t.find(':', at), t.size());
                unsigned x = 0;
                auto [q, ec] = std::from_chars(t.data() + at, t.data() + end, x, 16);
                if (end - at > 2 || ec != std::errc() || q != t.data() + end)
                    return fail(bad(path, fmt::format("'{}' is not a valid mac", t)));
                out.push_back(static_cast<std::byte>(x));
                at = end + 1;
            }
            return out;
        }
        auto b = from_hex(t, hint == "uuid" ? " :-" : " :");
        if (!b)
            return fail(bad(path, fmt::format("'{}' is not {}", t,
                                              hint.empty() || hint == "hex" ? "hex bytes"
                                                                            : "a valid " + hint)));
        return b;
    }

    // A struct's members from `in` (missing members are zero) appended to out;
    // `used` collects the names taken (for fixed headers).
    result<void> structure(const definition& d, const ordered_json& in, std::vector<std::byte>& out,
                           const std::string& path,
                           std::vector<std::string>* used = nullptr) const {
        static const ordered_json zero = 0, empty = ordered_json::object();
        if (!in.is_object())
            return fail(bad(
                path, fmt::format("expected an object for struct {}, got {}", d.name, brief(in))));
        for (const auto& m : d.members) {
            const std::string mpath = path + "." + m.name;
            const auto it = in.find(m.name);
            const bool given = it != in.end();
            if (given && used) used->push_back(m.name);
            if (m.type == attr_type::pad) {
                out.resize(out.size() + m.len);
            } else if (scalar_size(m.type)) {
                if (auto r = scalar(out, m.type, scalar_size(m.type), given ? *it : zero, m.order,
                                    m.enum_def, m.enum_as_flags, m.display_hint, nullptr, mpath);
                    !r)
                    return r;
            } else if (!m.struct_name.empty()) {
                if (auto r = structure(*m.struct_def, given ? *it : empty, out, mpath); !r)
                    return r;
            } else {
                std::vector<std::byte> bytes_in(m.len);
                if (given) {
                    if (m.type == attr_type::string) {
                        if (!it->is_string())
                            return fail(
                                bad(mpath, fmt::format("expected a string, got {}", brief(*it))));
                        const std::string t = it->get<std::string>();
                        if (t.size() > m.len)
                            return fail(bad(mpath, fmt::format("string of {} bytes does not fit {}",
                                                               t.size(), m.len)));
                        std::memcpy(bytes_in.data(), t.data(), t.size());
                    } else {
                        auto r = binary(*it, m.display_hint, mpath);
                        if (!r) return fail(r.error());
                        if (r->size() != m.len)
                            return fail(bad(mpath, fmt::format("{} bytes given, the member has {}",
                                                               r->size(), m.len)));
                        bytes_in = std::move(*r);
                    }
                }
                out.insert(out.end(), bytes_in.begin(), bytes_in.end());
            }
        }
        return {};
    }

    // The value of selector `sel` in the closest input that defines it, as the text formats are named by.
    result<std::string> selector(const attribute& a, const std::vector<scope>& scopes,
                                 const std::string& path) const {
        for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
            if (const attribute* sa = it->first->find(a.selector)) {
                const auto v = it->second->find(a.selector);
                if (v == it->second->end())
                    return fail(
                        bad(path, fmt::format("needs '{}' (its selector) next to it", a.selector)));
                if (v->is_string()) return v->get<std::string>();
                if (const definition* d = sa->enum_def; d && v->is_number_unsigned())
                    if (const enum_entry* e = d->find(v->get<std::uint64_t>())) return e->name;
                return v->dump();
            }
        return fail(bad(path, fmt::format("no attribute '{}' (its selector) in any enclosing set",
                                          a.selector)));
    }

    void record(std::size_t start, std::string path, const attr_set* inside) {
        if (trace_)
            trace_->entries.push_back({static_cast<std::uint32_t>(start - msg_start_),
                                       static_cast<std::uint32_t>(b_.size() - msg_start_),
                                       std::move(path), inside});
    }

    // Every key of `in` as an attribute of `set`, except the names in `skip`.
    result<void> attrs(const attr_set& set, const ordered_json& in, const std::string& path,
                       std::vector<scope>& scopes, const std::vector<std::string>& skip = {}) {
        if (!in.is_object())
            return fail(
                bad(path, fmt::format("expected an object for '{}', got {}", set.name, brief(in))));
        scopes.emplace_back(&set, &in);
        for (const auto& [key, v] : in.items()) {
            if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
            const attribute* a = set.find(key);
            if (!a || a->type == attr_type::unused || a->type == attr_type::pad)
                return fail(bad(path + "." + key,
                                fmt::format("no attribute '{}' in set '{}'", key, set.name)));
            if (a->multi_attr && v.is_array()) {
                for (const auto& item : v)
                    if (auto r = attr(*a, item, path + "." + key, scopes); !r) return r;
            } else if (auto r = attr(*a, v, path + "." + key, scopes); !r) {
                return r;
            }
        }
        scopes.pop_back();
        return {};
    }

    result<void> length_checks(const attribute& a, std::size_t n, const std::string& path) const {
        const auto& c = a.checks;
        if (c.exact_len && n != *c.exact_len)
            return fail(bad(path, fmt::format("{} bytes, must be exactly {}", n, *c.exact_len)));
        if (c.min_len && n < *c.min_len)
            return fail(bad(path, fmt::format("{} bytes, at least {} needed", n, *c.min_len)));
        if (c.max_len && n > *c.max_len)
            return fail(bad(path, fmt::format("{} bytes, at most {} allowed", n, *c.max_len)));
        return {};
    }

    result<void> attr(const attribute& a, const ordered_json& v, const std::string& path,
                      std::vector<scope>& scopes) {
        const std::size_t start = b_.size();
        std::vector<std::byte> p;
        switch (a.type) {
        case attr_type::flag:
            if (!v.is_boolean())
                return fail(bad(path, fmt::format("a flag is true or false, got {}", brief(v))));
            if (!v.get<bool>()) return {};
            b_.put_flag(a.value);
            break;
        case attr_type::string: {
            if (!v.is_string())
                return fail(bad(path, fmt::format("expected a string, got {}", brief(v))));
            const std::string t = v.get<std::string>();
            if (auto r = length_checks(a, t.size(), path); !r) return r;
            b_.put_string(a.value, t);
            break;
        }
        case attr_type::nest: {
            auto n = b_.nest(a.value);
            if (auto r = attrs(*a.nested_set, v, path, scopes); !r) return r;
            n.end();
            record(start, path, a.nested_set);
            return {};
        }
        case attr_type::binary:
            if (!a.struct_name.empty()) {
                if (auto r = structure(*a.struct_def, v, p, path); !r) return r;
            } else if (v.is_array()) {
                const std::size_t n = scalar_size(a.sub_type);
                if (!n)
                    return fail(
                        bad(path,
                            fmt::format("a list needs a scalar sub-type, '{}' has none", a.name)));
                for (std::size_t i = 0; i < v.size(); ++i)
                    if (auto r = scalar(p, a.sub_type, n, v[i], a.order, a.enum_def, false,
                                        a.display_hint, nullptr, fmt::format("{}[{}]", path, i));
                        !r)
                        return r;
            } else {
                auto r = binary(v, a.display_hint, path);
                if (!r) return fail(r.error());
                p = std::move(*r);
            }
            if (auto r = length_checks(a, p.size(), path); !r) return r;
            b_.put(a.value, bytes(p));
            break;
        case attr_type::bitfield32: {
            if (!v.is_object() || !v.contains("value") || !v.contains("selector"))
                return fail(bad(
                    path, fmt::format("bitfield32 is {{\"value\": .., \"selector\": ..}}, got {}",
                                      brief(v))));
            for (const char* k : {"value", "selector"})
                if (auto r = scalar(p, attr_type::u32, 4, v[k], byte_order::host, a.enum_def,
                                    a.enum_as_flags, "", nullptr, path + "." + k);
                    !r)
                    return r;
            b_.put(a.value, bytes(p));
            break;
        }
        case attr_type::indexed_array: {
            if (!v.is_array())
                return fail(bad(path, fmt::format("expected a list, got {}", brief(v))));
            auto n = b_.nest(a.value);
            for (std::size_t i = 0; i < v.size(); ++i) {
                // Entries are {"<index>": value} as decoded, or plain values indexed from 1.
                const ordered_json* item = &v[i];
                std::uint16_t index = static_cast<std::uint16_t>(i + 1);
                if (item->is_object() && item->size() == 1) {
                    const std::string& k = item->begin().key();
                    std::uint16_t x = 0;
                    if (auto [q, ec] = std::from_chars(k.data(), k.data() + k.size(), x);
                        ec == std::errc() && q == k.data() + k.size()) {
                        index = x;
                        item = &item->begin().value();
                    }
                }
                const std::string ipath = fmt::format("{}[{}]", path, index);
                const std::size_t istart = b_.size();
                if (a.sub_type == attr_type::nest) {
                    auto inner = b_.nest(index);
                    if (auto r = attrs(*a.nested_set, *item, ipath, scopes); !r) return r;
                    inner.end();
                    record(istart, ipath, a.nested_set);
                    continue;
                }
                std::vector<std::byte> e;
                if (const std::size_t sz = scalar_size(a.sub_type) ? scalar_size(a.sub_type) : 0) {
                    if (auto r = scalar(e, a.sub_type, sz, *item, a.order, a.enum_def,
                                        a.enum_as_flags, a.display_hint, nullptr, ipath);
                        !r)
                        return r;
                } else {
                    auto r = binary(*item, a.display_hint, ipath);
                    if (!r) return fail(r.error());
                    e = std::move(*r);
                    if (auto c = length_checks(a, e.size(), ipath); !c) return c;
                }
                b_.put(index, bytes(e));
                record(istart, ipath, nullptr);
            }
            n.end();
            break;
        }
        case attr_type::nest_type_value: {
            // {"<type-value 0>": id, ..., attributes...} or a list of such objects.
            auto n = b_.nest(a.value);
            const ordered_json list = v.is_array() ? v : ordered_json::array({v});
            for (const auto& item : list) {
                if (!item.is_object())
                    return fail(bad(path, fmt::format("expected an object, got {}", brief(item))));
                std::vector<nest_guard> levels;
                for (const auto& name : a.type_value) {
                    bool neg = false;
                    auto id = item.contains(name)
                                  ? integer(item[name], nullptr, false, "", path + "." + name, neg)
                                  : result<std::uint64_t>(
                                        fail(bad(path, fmt::format("needs '{}'", name))));
                    if (!id) return fail(id.error());
                    if (*id > 0x3fff)
                        return fail(bad(path + "." + name,
                                        fmt::format("{} is not an attribute type", *id)));
                    levels.push_back(b_.nest(static_cast<std::uint16_t>(*id)));
                }
                if (auto r = attrs(*a.nested_set, item, path, scopes, a.type_value); !r) return r;
                while (!levels.empty()) levels.pop_back();
            }
            n.end();
            break;
        }
        case attr_type::sub_message: {
            auto key = selector(a, scopes, path);
            if (!key) return fail(key.error());
            const sub_message_format* f = a.sub_message_def->find(*key);
            if (!f && v.is_string()) {  // no format: raw bytes, as decode() shows them
                auto r = binary(v, "", path);
                if (!r) return fail(r.error());
                b_.put(static_cast<std::uint16_t>(a.value | 0x8000),
                       bytes(*r));  // NLA_F_NESTED, as the kernel sends it
                break;
            }
            if (!f)
                return fail(bad(
                    path,
                    fmt::format(
                        "sub-message '{}' has no format for '{}' (give its payload as a hex string)",
                        a.sub_message, *key)));
            const std::string fpath = fmt::format("{}({})", path, *key);
            if (!v.is_object())
                return fail(bad(fpath, fmt::format("expected an object, got {}", brief(v))));
            auto n = b_.nest(a.value, !f->attribute_set.empty());
            std::vector<std::string> used;
            if (f->header) {
                if (auto r = structure(*f->header, v, p, fpath, &used); !r) return r;
                b_.put_header(bytes(p));
            }
            const attr_set* inner = f->set;
            if (inner) {
                if (auto r = attrs(*inner, v, fpath, scopes, used); !r) return r;
            } else if (v.size() != used.size()) {
                return fail(bad(fpath, fmt::format("format '{}' takes no attributes", *key)));
            }
            n.end();
            record(start, fpath, inner);
            return {};
        }
        default: {  // integers
            std::size_t n = scalar_size(a.type);
            if (!n) {  // uint / sint: 4 bytes when the value fits, else 8
                bool neg = false;
                auto x = integer(v, a.enum_def, a.enum_as_flags, a.display_hint, path, neg);
                if (!x) return fail(x.error());
                const auto sx = static_cast<std::int64_t>(*x);
                n = a.type == attr_type::uint ? (*x <= 0xffffffffu ? 4 : 8)
                                              : (sx >= INT32_MIN && sx <= INT32_MAX ? 4 : 8);
            }
            if (auto r = scalar(p, a.type, n, v, a.order, a.enum_def, a.enum_as_flags,
                                a.display_hint, &a.checks, path);
                !r)
                return r;
            b_.put(a.value, bytes(p));
            break;
        }
        }
        record(start, path, nullptr);
        return {};
    }

private:
    message_builder& b_;
    std::size_t msg_start_;
    request_trace* trace_;
};

}  // namespace

result<void> put_request(const spec& s, const operation& op, const nlohmann::ordered_json& in,
                         message_builder& b, request_trace* trace) {
    if (!op.request_value)
        return fail(errc::invalid_argument, fmt::format("operation '{}' has no request", op.name));
    if (!in.is_object())
        return fail(
            errc::invalid_argument,
            fmt::format("request for '{}' must be a JSON object, got {}", op.name, brief(in)));
    const std::size_t msg_start = b.size() - 16;  // the nlmsghdr is already there
    encoder e(b, msg_start, trace);
    if (s.is_genetlink()) {
        // Like pyynl and the C library: genlmsghdr version 1.
        const std::uint8_t genl[4] = {static_cast<std::uint8_t>(*op.request_value), 1, 0, 0};
        b.put_header(bytes(reinterpret_cast<const std::byte*>(genl), sizeof genl));
    }
    std::vector<std::string> used;
    if (op.header) {
        const definition* h = op.header;
        std::vector<std::byte> p;
        if (auto r = e.structure(*h, in, p, "", &used); !r) return r;
        b.put_header(bytes(p));
    }
    const attr_set* set = op.set;
    if (trace) {
        trace->top = set;
        trace->entries.clear();
    }
    if (!set) {
        if (in.size() != used.size())
            return fail(errc::invalid_argument,
                        fmt::format("operation '{}' takes no attributes", op.name));
        return {};
    }
    std::vector<scope> scopes;
    return e.attrs(*set, in, "", scopes, used);
}

std::string request_trace::path_at(std::uint32_t offset) const {
    const entry* best = nullptr;
    for (const auto& e : entries)
        if (offset >= e.start && offset < e.end &&
            (!best || e.end - e.start < best->end - best->start))
            best = &e;
    return best ? best->path : std::string();
}

std::string request_trace::missing(std::optional<std::uint32_t> nest_offset,
                                   std::uint32_t type) const {
    const attr_set* set = top;
    std::string path;
    if (nest_offset) {
        const auto it = std::find_if(entries.begin(), entries.end(),
                                     [&](const entry& e) { return e.start == *nest_offset; });
        if (it == entries.end()) return {};
        path = it->path;
        set = it->inside;
    }
    const attribute* a = set ? set->find(static_cast<std::uint16_t>(type)) : nullptr;
    return path + "." + (a ? a->name : std::to_string(type));
}

void request_trace::annotate(nlpp::error& e) const {
    // The trace knows the names, through sub-messages too: its paths replace numeric ones.
    extack_info x = e.extack();
    if (x.offset)
        if (auto p = path_at(*x.offset); !p.empty()) x.attr_path = std::move(p);
    if (x.missing_type)
        if (auto p = missing(x.missing_nest, *x.missing_type); !p.empty())
            x.missing_path = std::move(p);
    e.set_extack(std::move(x));
}

}  // namespace nlpp::ynl
