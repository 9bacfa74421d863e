// Fuzz target: IPVS replies (services, destinations, daemons, timeouts, info).
#include <nlpp/ipvs/wire.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    nlpp::bytes in(reinterpret_cast<const std::byte*>(data), size);
    for (nlpp::message_view m : nlpp::message_range(in)) {
        if (auto s = nlpp::ipvs::parse_service(m)) (void)nlpp::ipvs::key_string(s->key);
        (void)nlpp::ipvs::parse_dest(m, 2);
        (void)nlpp::ipvs::parse_dest(m, 10);
        (void)nlpp::ipvs::parse_daemon(m);
        (void)nlpp::ipvs::parse_timeouts(m);
        if (auto i = nlpp::ipvs::parse_info(m)) (void)i->version_string();
    }
    return 0;
}
