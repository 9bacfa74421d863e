// Fuzz target: the YNL decoder. The first byte picks a spec (ours, or one of
// the kernel's through NLPP_SPEC_PATH when set) and an operation; the rest
// is a message stream decoded as that operation's replies.
#include <nlpp/ynl/decode.hpp>

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
    nlpp::bytes in(reinterpret_cast<const std::byte*>(data + 2), size - 2);
    for (nlpp::message_view m : nlpp::message_range(in)) {
        if (auto j = nlpp::ynl::decode(s, op, m, {.process_unknown = (data[1] & 0x80) != 0})) (void)j->dump();
        else (void)j.error().what();
    }
    return 0;
}
