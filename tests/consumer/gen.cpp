// Uses code that nlpp_generate() made from netdev.yaml in this project's build:
// dumps this namespace's devices through the typed API.
#include <netdev.hpp>

#include <nlpp/genl/genl.hpp>

#include <cstdio>

#include <fmt/core.h>

namespace netdev = nlpp::gen::netdev;

int main() {
    auto c = nlpp::genl::client::open();
    if (!c) return fmt::print(stderr, "{}\n", c.error()), 1;
    auto f = c->family(netdev::spec_info::name);
    if (!f) return fmt::print(stderr, "{}\n", f.error()), 1;
    auto req = nlpp::genl::make_request((*f)->id, netdev::ops::dev_get::request, 1);
    int devices = 0;
    auto r = c->raw().dump(req, [&](nlpp::message_view m) -> nlpp::result<void> {
        netdev::attrs::dev dev;
        if (auto d = decode(m.attrs(nlpp::genl::header_size), dev); !d) return d;  // found by ADL
        if (dev.ifindex) ++devices;
        return {};
    });
    if (!r) return fmt::print(stderr, "{}\n", r.error()), 1;
    std::printf("generated netdev API: %d devices\n", devices);
    return devices > 0 ? 0 : 1;
}
