// Drains a destination: weight 0, so it gets no new connections while the
// current ones finish.
//
//   ipvs_drain_destination VIP PORT BACKEND [NETNS]
#include <nlpp/ipvs/client.hpp>

#include <cstdio>
#include <cstdlib>

#include <fmt/core.h>

int main(int argc, char** argv) {
    if (argc < 4) return std::fprintf(stderr, "usage: ipvs_drain_destination VIP PORT BACKEND [NETNS]\n"), 2;
    using namespace nlpp::ipvs;
    auto vip = address::parse(argv[1]);
    auto backend = address::parse(argv[3]);
    if (!vip || !backend) return std::fprintf(stderr, "bad address\n"), 2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    auto ipvs = client::open({.netns = argc > 4 ? argv[4] : ""});
    if (!ipvs) return fmt::print(stderr, "{}\n", ipvs.error()), 1;

    const service_key key = virtual_service{protocol::tcp, *vip, port};
    auto dests = ipvs->dests(key);
    if (!dests) return fmt::print(stderr, "{}\n", dests.error()), 1;
    for (auto d : *dests) {
        if (d.address != *backend) continue;
        d.weight = 0;  // keep forwarding method, thresholds and tunnel settings as they are
        if (auto r = ipvs->edit_dest(key, d); !r) return fmt::print(stderr, "{}\n", r.error()), 1;
        std::printf("drained %s (%u active connections left)\n", backend->to_string().c_str(), d.active_conns);
        return 0;
    }
    std::fprintf(stderr, "%s is not a destination of %s\n", backend->to_string().c_str(), key_string(key).c_str());
    return 1;
}
