// Fuzz target: the message and attribute walkers, every scalar accessor,
// recursive nests and the annotated dumper.
#include <nlpp/core/dump.hpp>
#include <nlpp/core/message.hpp>

#include <cstddef>
#include <cstdint>

namespace {
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
        for (std::size_t hdr : {0u, 4u, 16u})
            walk(m.attrs(hdr), 0);
        (void)nlpp::format_message(m, 4);
    }
    if (auto e = msgs.error()) (void)e->what();
    (void)nlpp::message_view::parse(in);
    return 0;
}
