// Fuzz target: the YNL encoder. The first byte picks a spec (ours, or one of
// the kernel's through NLPP_SPEC_PATH when set), the second an operation;
// the rest is the request as JSON text. What encodes is decoded again.
#include <nlpp/ynl/decode.hpp>
#include <nlpp/ynl/encode.hpp>

#include "fuzz_specs.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [sp, opp] = fuzz_pick(data, size);
    if (!sp) return 0;
    const auto& s = *sp;
    const auto& op = *opp;
    auto in = nlohmann::ordered_json::parse(reinterpret_cast<const char*>(data + 2), reinterpret_cast<const char*>(data + size), nullptr,
                                            false);
    if (in.is_discarded()) return 0;
    nlpp::message_builder b(0x20, 0, 1 << 16);
    nlpp::ynl::request_trace trace;
    if (auto r = nlpp::ynl::put_request(s, op, in, b, &trace); !r) {
        (void)r.error().what();
        return 0;
    }
    auto wire = b.finish();
    if (!wire) return 0;
    for (nlpp::message_view m : nlpp::message_range(*wire)) {
        if (auto j = nlpp::ynl::decode(s, op, m)) (void)j->dump();
        (void)trace.path_at(static_cast<std::uint32_t>(size));
    }
    return 0;
}
