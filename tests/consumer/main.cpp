// Builds against an installed nlpp and resolves a family on this kernel.
#include <nlpp/core/version.hpp>
#include <nlpp/genl/genl.hpp>

#include <cstdio>

#include <fmt/core.h>

int main() {
    auto c = nlpp::genl::client::open();
    if (!c) return fmt::print(stderr, "{}\n", c.error()), 1;
    auto f = c->family("nlctrl");
    if (!f) return fmt::print(stderr, "{}\n", f.error()), 1;
    std::printf("nlpp %s: nlctrl has id %u\n", nlpp::version_string, (*f)->id);
    return (*f)->id == 0x10 ? 0 : 1;
}
