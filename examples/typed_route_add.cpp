// Adds 192.0.2.0/24 on a device through C++ generated from the kernel's
// rt-route spec, then lists the main table's IPv4 routes: one typed
// family_socket, do_<newroute> and a streamed dump<getroute>.
//   example_typed_route_add NETNS IFINDEX
#include <rt_route.hpp>

#include <linux/netlink.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/core.h>

namespace rt = nlpp::gen::rt_route;
using nlpp::gen::message;

int main(int argc, char** argv) {
    if (argc < 3) return std::fprintf(stderr, "usage: example_typed_route_add NETNS IFINDEX\n"), 2;
    auto sock = nlpp::gen::family_socket<rt::spec_info>::open({.netns = argv[1]});
    if (!sock) return fmt::print(stderr, "{}\n", sock.error()), 1;

    message<rt::ops::newroute> add;
    add.header.rtm_family = 2;  // AF_INET
    add.header.rtm_dst_len = 24;
    add.header.rtm_table = 254;   // main
    add.header.rtm_protocol = 4;  // static
    add.header.rtm_scope = 253;   // link
    add.header.rtm_type = rt::rtm_type::unicast;
    add.attrs.dst = nlpp::gen::blob{std::byte{192}, std::byte{0}, std::byte{2}, std::byte{0}};
    add.attrs.oif = static_cast<std::uint32_t>(std::atoi(argv[2]));
    if (auto r = sock->do_(add, NLM_F_CREATE | NLM_F_EXCL); !r) return fmt::print(stderr, "{}\n", r.error()), 1;

    message<rt::ops::getroute> want;
    want.header.rtm_family = 2;
    auto r = sock->dump(want, [](const message<rt::ops::getroute>& route) {
        const auto& [h, a] = route;
        if (h.rtm_table != 254 || !a.dst || a.dst->size() != 4) return;
        const auto& d = *a.dst;
        std::printf("%u.%u.%u.%u/%u dev %u\n", unsigned(d[0]), unsigned(d[1]), unsigned(d[2]), unsigned(d[3]), h.rtm_dst_len, a.oif.value_or(0));
    });
    if (!r) return fmt::print(stderr, "{}\n", r.error()), 1;
    return 0;
}
