// Adds a round-robin TCP service with two masquerading destinations.
//
//   ipvs_add_service VIP PORT BACKEND1 BACKEND2 [NETNS]
#include <nlpp/ipvs/client.hpp>

#include <cstdio>
#include <cstdlib>

#include <fmt/core.h>

int main(int argc, char** argv) {
    if (argc < 5) return std::fprintf(stderr, "usage: ipvs_add_service VIP PORT BACKEND1 BACKEND2 [NETNS]\n"), 2;
    using namespace nlpp::ipvs;
    auto vip = address::parse(argv[1]);
    if (!vip) return fmt::print(stderr, "{}\n", vip.error()), 2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    auto ipvs = client::open({.netns = argc > 5 ? argv[5] : ""});
    if (!ipvs) return fmt::print(stderr, "{}\n", ipvs.error()), 1;

    service web{.key = virtual_service{protocol::tcp, *vip, port}, .scheduler = "rr"};
    if (auto r = ipvs->add_service(web); !r) return fmt::print(stderr, "{}\n", r.error()), 1;
    for (const char* backend : {argv[3], argv[4]}) {
        auto a = address::parse(backend);
        if (!a) return fmt::print(stderr, "{}\n", a.error()), 2;
        destination d{.address = *a, .port = port, .fwd = forwarding::masq, .weight = 1};
        if (auto r = ipvs->add_dest(web.key, d); !r) return fmt::print(stderr, "{}\n", r.error()), 1;
    }
    std::printf("added %s with 2 destinations\n", key_string(web.key).c_str());
    return 0;
}
