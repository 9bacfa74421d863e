// Prints the 64-bit traffic counters and rates of every service and destination.
//
//   ipvs_read_stats [NETNS]
#include <nlpp/ipvs/client.hpp>

#include <cinttypes>
#include <cstdio>

#include <fmt/core.h>

int main(int argc, char** argv) {
    auto ipvs = nlpp::ipvs::client::open({.netns = argc > 1 ? argv[1] : ""});
    if (!ipvs) return fmt::print(stderr, "{}\n", ipvs.error()), 1;
    auto all = ipvs->snapshot();
    if (!all) return fmt::print(stderr, "{}\n", all.error()), 1;
    for (const auto& e : *all) {
        const auto& s = e.service.stats;
        std::printf("%s: %" PRIu64 " conns, %" PRIu64 " packets in, %" PRIu64 " bytes in, %" PRIu64 " conn/s\n",
                    nlpp::ipvs::key_string(e.service.key).c_str(), s.conns, s.inpkts, s.inbytes, s.cps);
        for (const auto& d : e.destinations)
            std::printf("  %s: %" PRIu64 " conns, %" PRIu64 " bytes out\n", d.address.to_string().c_str(), d.stats.conns,
                        d.stats.outbytes);
    }
    return 0;
}
