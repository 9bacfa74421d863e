// Adds 192.0.2.0/24 on a device through C++ generated from the kernel's
// rt-route spec, then lists the main table's IPv4 routes.
//   example_typed_route_add NETNS IFINDEX
#include <rt_route.hpp>

#include <nlpp/socket/socket.hpp>

#include <linux/netlink.h>

#include <cstdio>
#include <cstdlib>

namespace rt = nlpp::gen::rt_route;

int main(int argc, char** argv) {
    if (argc < 3) return std::fprintf(stderr, "usage: example_typed_route_add NETNS IFINDEX\n"), 2;
    auto sock = nlpp::socket::open(rt::spec_info::protocol, {.netns = argv[1]});
    if (!sock) return std::fprintf(stderr, "%s\n", sock.error().what().c_str()), 1;

    rt::rtmsg hdr{};
    hdr.rtm_family = 2;  // AF_INET
    hdr.rtm_dst_len = 24;
    hdr.rtm_table = 254;     // main
    hdr.rtm_protocol = 4;    // static
    hdr.rtm_scope = 253;     // link
    hdr.rtm_type = rt::rtm_type::unicast;
    rt::attrs::route_attrs route;
    route.dst = nlpp::gen::blob{std::byte{192}, std::byte{0}, std::byte{2}, std::byte{0}};
    route.oif = static_cast<std::uint32_t>(std::atoi(argv[2]));
    auto add = nlpp::gen::request<rt::ops::newroute>(hdr, route, NLM_F_CREATE | NLM_F_EXCL);
    if (auto r = sock->request(add, {}, {"add route 192.0.2.0/24"}); !r) return std::fprintf(stderr, "%s\n", r.error().what().c_str()), 1;

    rt::rtmsg want{};
    want.rtm_family = 2;
    auto dump = nlpp::gen::request<rt::ops::getroute>(want, {});
    auto routes = sock->dump(dump, {"dump routes"});
    for (nlpp::message_view m : routes) {
        rt::rtmsg h;
        rt::attrs::route_attrs a;
        if (auto r = nlpp::gen::parse<rt::ops::getroute>(m, h, a); !r) return std::fprintf(stderr, "%s\n", r.error().what().c_str()), 1;
        if (h.rtm_table != 254 || !a.dst || a.dst->size() != 4) continue;
        const auto& d = *a.dst;
        std::printf("%u.%u.%u.%u/%u dev %u\n", unsigned(d[0]), unsigned(d[1]), unsigned(d[2]), unsigned(d[3]), h.rtm_dst_len, a.oif.value_or(0));
    }
    return routes.error() ? 1 : 0;
}
