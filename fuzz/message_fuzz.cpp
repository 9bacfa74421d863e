// Fuzz target: the message and attribute walkers, every scalar accessor,
// recursive nests, the annotated dumper, and validate() against a policy
// table of every kind that nests into itself.
#include <nlpp/core/dump.hpp>
#include <nlpp/core/message.hpp>
#include <nlpp/core/policy.hpp>

#include <cstddef>
#include <cstdint>

namespace {

extern const nlpp::attr_set every_kind;
constexpr nlpp::attr_name kinds[] = {
    {},
    {"flag", nullptr, nlpp::attr_kind::flag},
    {"u8", nullptr, nlpp::attr_kind::u8, 0, 0xffffffff, 1, 200},
    {"u16", nullptr, nlpp::attr_kind::u16, 0, 0xffffffff, 0, 4094, nlpp::byte_order::big},
    {"u32", nullptr, nlpp::attr_kind::u32},
    {"u64", nullptr, nlpp::attr_kind::u64, 0, 0xffffffff, 0, 1000},
    {"s8", nullptr, nlpp::attr_kind::s8, 0, 0xffffffff, -5, 5},
    {"s16", nullptr, nlpp::attr_kind::s16},
    {"s32", nullptr, nlpp::attr_kind::s32, 0, 0xffffffff, -1000, 1000},
    {"s64", nullptr, nlpp::attr_kind::s64},
    {"uint", nullptr, nlpp::attr_kind::uint, 0, 0xffffffff, 1, 100},
    {"sint", nullptr, nlpp::attr_kind::sint, 0, 0xffffffff, -100, 100},
    {"string", nullptr, nlpp::attr_kind::string, 1, 15},
    {"binary", nullptr, nlpp::attr_kind::binary, 6, 6},
    {"nest", &every_kind, nlpp::attr_kind::nest},
    {"any"},
};
constexpr nlpp::attr_set every_kind{"every-kind", kinds};

void walk(nlpp::attr_range r, int depth) {
    for (nlpp::attr_view a : r) {
        (void)a.get<std::uint8_t>();
        (void)a.get<std::uint16_t>(nlpp::byte_order::big);
        (void)a.get<std::uint32_t>();
        (void)a.get<std::uint64_t>();
        (void)a.get_uint();
        (void)a.get_sint();
        (void)a.get_string();
        if (depth < 16) walk(a.nested(), depth + 1);
    }
    if (auto e = r.error()) (void)e->what();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    nlpp::bytes in(reinterpret_cast<const std::byte*>(data), size);
    nlpp::message_range msgs(in);
    for (nlpp::message_view m : msgs) {
        for (std::size_t hdr : {0u, 4u, 16u}) {
            walk(m.attrs(hdr), 0);
            if (auto r = nlpp::validate(m.payload().subspan(std::min(hdr, m.payload().size())), every_kind); !r) (void)r.error().what();
        }
        (void)nlpp::format_message(m, 4);
    }
    if (auto e = msgs.error()) (void)e->what();
    (void)nlpp::message_view::parse(in);
    return 0;
}
