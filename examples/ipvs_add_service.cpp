// Adds a round-robin TCP service with two masquerading destinations.
//
//   ipvs_add_service VIP PORT BACKEND1 BACKEND2 [NETNS]
#include <nlpp/ipvs/client.hpp>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc < 5) return std::fprintf(stderr, "usage: ipvs_add_service VIP PORT BACKEND1 BACKEND2 [NETNS]\n"), 2;
    using namespace nlpp::ipvs;
    auto vip = address::parse(argv[1]);
    if (!vip) return std::fprintf(stderr, "%s\n", vip.error().what().c_str()), 2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    auto ipvs = client::open({.netns = argc > 5 ? argv[5] : ""});
    if (!ipvs) return std::fprintf(stderr, "%s\n", ipvs.error().what().c_str()), 1;

    service web{.key = virtual_service{protocol::tcp, *vip, port}, .scheduler = "rr"};
    if (auto r = ipvs->add_service(web); !r) return std::fprintf(stderr, "%s\n", r.error().what().c_str()), 1;
    for (const char* backend : {argv[3], argv[4]}) {
        auto a = address::parse(backend);
        if (!a) return std::fprintf(stderr, "%s\n", a.error().what().c_str()), 2;
        destination d{.address = *a, .port = port, .fwd = forwarding::masq, .weight = 1};
        if (auto r = ipvs->add_dest(web.key, d); !r) return std::fprintf(stderr, "%s\n", r.error().what().c_str()), 1;
    }
    std::printf("added %s with 2 destinations\n", key_string(web.key).c_str());
    return 0;
}
