// Fuzz target: the YNL decoder. The first byte picks a spec (ours, or one of
// the kernel's through NLPP_SPEC_PATH when set) and an operation; the rest
// is a message stream decoded as that operation's replies.
#include <nlpp/ynl/decode.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {
const std::vector<nlpp::ynl::spec>& specs() {
    static const std::vector<nlpp::ynl::spec> all = [] {
        std::vector<nlpp::ynl::spec> v;
        if (auto s = nlpp::ynl::load_spec(NLPP_OWN_SPECS "/ipvs.yaml")) v.push_back(std::move(*s));
        if (const char* p = std::getenv("NLPP_SPEC_PATH")) {
            std::string dir(p);
            dir = dir.substr(0, dir.find(':'));
            for (const char* name : {"rt-link", "rt-route", "tc", "nlctrl", "netdev", "nftables"})
                if (auto s = nlpp::ynl::load_spec(dir + "/" + name + ".yaml")) v.push_back(std::move(*s));
        }
        return v;
    }();
    return all;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& all = specs();
    if (size < 2 || all.empty()) return 0;
    const auto& s = all[data[0] % all.size()];
    if (s.operations.empty()) return 0;
    const auto& op = s.operations[data[1] % s.operations.size()];
    nlpp::bytes in(reinterpret_cast<const std::byte*>(data + 2), size - 2);
    for (nlpp::message_view m : nlpp::message_range(in)) {
        if (auto j = nlpp::ynl::decode(s, op, m, {.process_unknown = (data[1] & 0x80) != 0})) (void)j->dump();
        else (void)j.error().what();
    }
    return 0;
}
