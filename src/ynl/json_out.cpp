// The spec's caches for the decoder's text output (see json_out.hpp).
#include "json_out.hpp"

namespace nlpp::ynl::detail {
namespace {

// A name as a JSON string: "\"name\"".
std::string json_string_of(std::string_view name) {
    std::string s(name.size() * 6 + 2, '\0');
    s.resize(static_cast<std::size_t>(quoted(s.data(), name) - s.data()));
    return s;
}

// The most JSON text a struct can decode to when every member is an integer
// shown as a number or an enum name ({ "key":value,... }); 0 for other structs.
std::size_t plain_text_bound(const definition& d) {
    if (d.kind != definition::kind::structure) return 0;
    std::size_t n = 2;
    for (const auto& m : d.members) {
        if (m.type == attr_type::pad) continue;
        if (!scalar_size(m.type) || m.hint != display::none || m.enum_as_flags) return 0;
        if (m.enum_def && m.enum_def->kind != definition::kind::enumeration) return 0;
        std::size_t value = 21;  // -9223372036854775808 or 18446744073709551615
        if (m.enum_def)
            for (const auto& e : m.enum_def->entries) value = std::max(value, e.json.size());
        n += 1 + m.json_key.size() + value;
    }
    return n;
}

}  // namespace

void fill_text_caches(spec& s) {
    for (auto& d : s.definitions) {
        for (auto& e : d.entries) e.json = json_string_of(e.name);
        for (auto& m : d.members) m.json_key = json_string_of(m.name) + ':';
    }
    for (auto& d : s.definitions) d.plain_text = plain_text_bound(d);  // after every enum's names
    for (auto& set : s.attribute_sets)
        for (auto& a : set.attrs) a.json_key = json_string_of(a.name) + ':';
}

}  // namespace nlpp::ynl::detail
