// Resolves a generic netlink family and prints its id, ops and groups.
//
//   genl_family_get [NAME]      (default: nlctrl)
#include <nlpp/genl/genl.hpp>

#include <cstdio>

#include <fmt/core.h>

int main(int argc, char** argv) {
    auto client = nlpp::genl::client::open();
    if (!client) return fmt::print(stderr, "{}\n", client.error()), 1;
    auto f = client->family(argc > 1 ? argv[1] : "nlctrl");
    if (!f) return fmt::print(stderr, "{}\n", f.error()), 1;
    std::printf("%s: id %u version %u, %zu ops\n", (*f)->name.c_str(), (*f)->id, (*f)->version, (*f)->ops.size());
    for (const auto& g : (*f)->mcast_groups) std::printf("  group %s = %u\n", g.name.c_str(), g.id);
    return 0;
}
