// Dumps the links of a network namespace (default: the current one).
//
//   dump_links [NETNS]
#include <nlpp/core/builder.hpp>
#include <nlpp/socket/socket.hpp>

#include <linux/rtnetlink.h>

#include <cstdio>
#include <string>

#include <fmt/core.h>

int main(int argc, char** argv) {
    auto sock = nlpp::socket::open(NETLINK_ROUTE, {.netns = argc > 1 ? argv[1] : ""});
    if (!sock) return fmt::print(stderr, "{}\n", sock.error()), 1;

    nlpp::message_builder req(RTM_GETLINK, 0);
    req.put_header(ifinfomsg{});
    auto links = sock->dump(req, {"dump links"});
    for (nlpp::message_view m : links) {           // streamed: one recv buffer, whatever the size
        auto ifi = m.fixed_header<ifinfomsg>();
        nlpp::attr_range attrs = m.attrs(sizeof(ifinfomsg));
        if (!ifi) continue;
        std::string name;
        std::uint32_t mtu = 0;
        for (nlpp::attr_view a : attrs) {
            if (a.type() == IFLA_IFNAME) name = a.get_string();
            if (a.type() == IFLA_MTU) mtu = a.get<std::uint32_t>().value_or(0);
        }
        std::printf("%d: %s mtu %u\n", ifi->ifi_index, name.c_str(), mtu);
    }
    if (links.error()) return fmt::print(stderr, "{}\n", *links.error()), 1;
    return 0;
}
