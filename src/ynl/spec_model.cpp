// The spec model's lookups (spec.hpp): by name, by value, type names and
// display hints. The loader is spec.cpp.
#include <nlpp/ynl/spec.hpp>

#include <algorithm>

namespace nlpp::ynl {

std::string_view type_name(attr_type t) noexcept {
    static constexpr std::string_view names[] = {
        "unused",     "pad",        "flag",   "u8",   "u16",           "u32",
        "u64",        "s8",         "s16",    "s32",  "s64",           "uint",
        "sint",       "string",     "binary", "nest", "indexed-array", "nest-type-value",
        "bitfield32", "sub-message"};
    return names[static_cast<std::size_t>(t)];
}

namespace {
// The element of `items` whose `key` member equals `n`.
template <class T, class K>
const T* find_by(const std::vector<T>& items, K T::*key, std::string_view n) noexcept {
    for (const auto& x : items)
        if (x.*key == n) return &x;
    return nullptr;
}
}  // namespace

const enum_entry* definition::find(std::string_view entry) const noexcept {
    return find_by(entries, &enum_entry::name, entry);
}
const enum_entry* definition::find(std::uint64_t v) const noexcept {
    for (const auto& e : entries)
        if (e.value == v) return &e;
    return nullptr;
}
const attribute* attr_set::find(std::string_view attr) const noexcept {
    return find_by(attrs, &attribute::name, attr);
}
display display_of(std::string_view h) noexcept {
    static constexpr std::pair<std::string_view, display> names[] = {
        {"hex", display::hex},
        {"mac", display::mac},
        {"fddi", display::fddi},
        {"ipv4", display::ipv4},
        {"ipv6", display::ipv6},
        {"uuid", display::uuid},
        {"ipv4-or-v6", display::ipv4_or_v6},
    };
    for (const auto& [name, d] : names)
        if (name == h) return d;
    return display::none;
}

const attribute* attr_set::find_listed(std::uint16_t type) const noexcept {
    for (const auto& a : attrs)
        if (a.value == type) return &a;
    return nullptr;
}

const sub_message_format* sub_message::find(std::string_view v) const noexcept {
    return find_by(formats, &sub_message_format::value, v);
}
const definition* spec::find_definition(std::string_view n) const noexcept {
    return find_by(definitions, &definition::name, n);
}
const attr_set* spec::find_set(std::string_view n) const noexcept {
    return find_by(attribute_sets, &attr_set::name, n);
}
const operation* spec::find_op(std::string_view n) const noexcept {
    return find_by(operations, &operation::name, n);
}
const sub_message* spec::find_sub_message(std::string_view n) const noexcept {
    return find_by(sub_messages, &sub_message::name, n);
}
const operation* spec::find_reply(std::uint32_t value) const noexcept {
    const operation* found = nullptr;
    for (const auto& o : operations)
        if (o.reply_value == value) found = &o;  // the last one wins, as in pyynl
    return found;
}

}  // namespace nlpp::ynl
