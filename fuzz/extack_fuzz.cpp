// Fuzz target: NLMSG_ERROR / NLMSG_DONE decoding and attribute paths. The
// input is one message; its payload doubles as the "request" for paths.
#include <nlpp/core/extack.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    nlpp::bytes in(reinterpret_cast<const std::byte*>(data), size);
    for (nlpp::message_view m : nlpp::message_range(in)) {
        if (auto a = nlpp::parse_ack(m)) {
            auto e = a->to_error("fuzz");
            nlpp::extack_info x = a->extack;
            if (a->extack.offset) x.attr_path = nlpp::attr_path(in, 4, *a->extack.offset, nullptr);
            if (a->extack.missing_type)
                x.missing_path = nlpp::missing_attr_path(in, 4, a->extack.missing_nest, *a->extack.missing_type, nullptr);
            e.set_extack(std::move(x));
            (void)e.what();
        }
    }
    return 0;
}
