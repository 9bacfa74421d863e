// Validating attributes against a policy table.
#include <nlpp/core/attr.hpp>
#include <nlpp/core/policy.hpp>

#include <fmt/format.h>

#include <cstring>

namespace nlpp {
namespace {

std::size_t fixed_size(attr_kind k) {
    switch (k) {
    case attr_kind::u8:
    case attr_kind::s8: return 1;
    case attr_kind::u16:
    case attr_kind::s16: return 2;
    case attr_kind::u32:
    case attr_kind::s32: return 4;
    case attr_kind::u64:
    case attr_kind::s64: return 8;
    default: return 0;
    }
}

bool is_signed(attr_kind k) {
    return k == attr_kind::s8 || k == attr_kind::s16 || k == attr_kind::s32 ||
           k == attr_kind::s64 || k == attr_kind::sint;
}

// The integer in p (1, 2, 4 or 8 bytes), sign-extended for signed kinds.
std::int64_t integer(bytes p, attr_kind k, byte_order o) {
    const bool s = is_signed(k);
    switch (p.size()) {
    case 1:
        return s ? std::int64_t{load<std::int8_t>(p, o)} : std::int64_t{load<std::uint8_t>(p, o)};
    case 2:
        return s ? std::int64_t{load<std::int16_t>(p, o)} : std::int64_t{load<std::uint16_t>(p, o)};
    case 4:
        return s ? std::int64_t{load<std::int32_t>(p, o)} : std::int64_t{load<std::uint32_t>(p, o)};
    default: return load<std::int64_t>(p, o);
    }
}

// Deeper nests are refused rather than recursed into (the kernel's own
// policies stop at 10 levels).
constexpr int max_depth = 32;

// Where an attribute sits: its name and its parent's place (nullptr: the
// top), spelt out (".service.port") only when something fails.
struct place {
    const place* parent;
    std::string_view name;
};

std::string spell(const place* at) {
    if (!at) return {};
    return fmt::format("{}.{}", spell(at->parent), at->name);
}

result<void> validate_at(bytes attrs, const attr_set& set, const place* at, int depth);

result<void> check(const attr_name& a, attr_view v, const place& at, int depth) {
    const bytes p = v.payload();
    auto bad = [&](std::string why) {
        return fail(errc::attr_invalid, fmt::format("{}: {}", spell(&at), why));
    };
    const std::size_t n = fixed_size(a.kind);
    if (n && p.size() != n)
        return bad(fmt::format("{} bytes, a {}-byte integer expected", p.size(), n));
    if ((a.kind == attr_kind::uint || a.kind == attr_kind::sint) && p.size() != 4 && p.size() != 8)
        return bad(fmt::format("{} bytes, a 4- or 8-byte integer expected", p.size()));
    if (n || a.kind == attr_kind::uint || a.kind == attr_kind::sint) {
        const std::int64_t x = integer(p, a.kind, a.order);
        const bool huge = !is_signed(a.kind) && x < 0;  // an unsigned value above INT64_MAX
        if (!huge && x < a.min) return bad(fmt::format("{} is below the minimum {}", x, a.min));
        if (huge ? a.max != std::numeric_limits<std::int64_t>::max() : x > a.max)
            return bad(
                fmt::format("{} is above the maximum {}", static_cast<std::uint64_t>(x), a.max));
        return {};
    }
    std::size_t len = p.size();
    switch (a.kind) {
    case attr_kind::flag:
        if (len) return bad(fmt::format("a flag carries no payload, this one has {} bytes", len));
        return {};
    case attr_kind::string:
        if (len && p[len - 1] == std::byte{0}) --len;
        break;
    case attr_kind::nest:
        if (a.nested) {
            if (depth >= max_depth)
                return bad(fmt::format("nested deeper than {} levels", max_depth));
            if (auto r = validate_at(p, *a.nested, &at, depth + 1); !r) return r;
        }
        break;
    default: break;
    }
    if (len < a.min_len) return bad(fmt::format("{} bytes, at least {} needed", len, a.min_len));
    if (len > a.max_len) return bad(fmt::format("{} bytes, at most {} allowed", len, a.max_len));
    return {};
}

result<void> validate_at(bytes attrs, const attr_set& set, const place* at, int depth) {
    attr_range range(attrs);
    for (attr_view v : range) {
        const attr_name* a = set.find(v.type());
        if (!a) continue;
        if (auto r = check(*a, v, place{at, a->name}, depth); !r) return r;
    }
    if (auto e = range.error())
        return fail(std::move(*e).wrap(at ? spell(at) : std::string(set.name)));
    return {};
}

}  // namespace

result<void> validate(bytes attrs, const attr_set& set) {
    return validate_at(attrs, set, nullptr, 0);
}

}  // namespace nlpp
