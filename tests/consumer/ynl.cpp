// Uses the spec engine of an installed nlpp (nlpp::ynl, which needs
// libfyaml and nlohmann-json): loads a spec and counts its operations.
#include <nlpp/ynl/spec.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 2) return std::fprintf(stderr, "usage: consumer_ynl SPEC\n"), 2;
    auto s = nlpp::ynl::load_spec(argv[1]);
    if (!s) return std::fprintf(stderr, "%s\n", s.error().what().c_str()), 1;
    std::printf("spec engine: %s has %zu operations\n", s->name.c_str(), s->operations.size());
    return s->operations.empty() ? 1 : 0;
}
