// Lists every IPVS service with its destinations.
//
//   ipvs_list_services [NETNS]
#include <nlpp/ipvs/client.hpp>

#include <cstdio>

#include <fmt/core.h>

int main(int argc, char** argv) {
    auto ipvs = nlpp::ipvs::client::open({.netns = argc > 1 ? argv[1] : ""});
    if (!ipvs) return fmt::print(stderr, "{}\n", ipvs.error()), 1;
    auto all = ipvs->snapshot();
    if (!all) return fmt::print(stderr, "{}\n", all.error()), 1;
    for (const auto& e : *all) {
        std::printf("%s %s\n", nlpp::ipvs::key_string(e.service.key).c_str(), e.service.scheduler.c_str());
        for (const auto& d : e.destinations)
            std::printf("  -> %s:%u %s weight %u\n", d.address.to_string().c_str(), d.port,
                        std::string(nlpp::ipvs::forwarding_name(d.fwd)).c_str(), d.weight);
    }
    return 0;
}
