// Fuzz target: nlctrl replies (families and policies).
#include <nlpp/genl/genl.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    nlpp::bytes in(reinterpret_cast<const std::byte*>(data), size);
    nlpp::genl::policy_dump p;
    for (nlpp::message_view m : nlpp::message_range(in)) {
        if (auto f = nlpp::genl::parse_family(m)) (void)f->group("notify");
        else (void)f.error().what();
        if (auto r = nlpp::genl::parse_policy(m, p); !r) (void)r.error().what();
    }
    return 0;
}
