// Builds against an installed nlpp and resolves a family on this kernel.
#include <nlpp/core/version.hpp>
#include <nlpp/genl/genl.hpp>

#include <cstdio>

int main() {
    auto c = nlpp::genl::client::open();
    if (!c) return std::fprintf(stderr, "%s\n", c.error().what().c_str()), 1;
    auto f = c->family("nlctrl");
    if (!f) return std::fprintf(stderr, "%s\n", f.error().what().c_str()), 1;
    std::printf("nlpp %s: nlctrl has id %u\n", nlpp::version_string, (*f)->id);
    return (*f)->id == 0x10 ? 0 : 1;
}
