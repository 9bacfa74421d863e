// Dumps the links of a network namespace through C++ generated from the
// kernel's rt-link spec (nlpp_generate in examples/CMakeLists.txt).
//   example_typed_links [NETNS]
#include <rt_link.hpp>

#include <nlpp/socket/socket.hpp>

#include <cstdio>

#include <fmt/core.h>

namespace rt = nlpp::gen::rt_link;

int main(int argc, char** argv) {
    auto sock = nlpp::socket::open(rt::spec_info::protocol, {.netns = argc > 1 ? argv[1] : ""});
    if (!sock) return fmt::print(stderr, "{}\n", sock.error()), 1;
    auto req = nlpp::gen::request<rt::ops::getlink>({});
    auto links = sock->dump(req, {"dump links"});
    for (nlpp::message_view m : links) {
        nlpp::gen::message<rt::ops::getlink> reply;
        if (auto r = nlpp::gen::parse<rt::ops::getlink>(m, reply); !r) return fmt::print(stderr, "{}\n", r.error()), 1;
        const auto& [hdr, link] = reply;
        const std::string kind = link.linkinfo && link.linkinfo->kind ? *link.linkinfo->kind : "-";
        std::printf("%d %s mtu %u kind %s\n", hdr.ifi_index, link.ifname.value_or("?").c_str(), link.mtu.value_or(0), kind.c_str());
    }
    if (links.error()) return fmt::print(stderr, "{}\n", *links.error()), 1;
    return 0;
}
