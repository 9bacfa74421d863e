// nlpp-ipvs apply (see apply.hpp).
#include "apply.hpp"

#include "state_json.hpp"

#include <nlpp/ipvs/reconcile.hpp>

#include <cstdio>

namespace nlpp::ipvs::cli {

int apply_file(client& ipvs, const std::vector<std::string>& args) {
    bool dry = false, partial = false;
    std::string file;
    for (const auto& a : args) {
        if (a == "--dry-run") dry = true;
        else if (a == "--partial") partial = true;
        else if (file.empty()) file = a;
        else return std::fprintf(stderr, "apply: unexpected argument %s\n", a.c_str()), 2;
    }
    if (file.empty()) return std::fprintf(stderr, "usage: nlpp-ipvs apply [--dry-run] [--partial] FILE|-\n"), 2;
    auto desired = cli::read_state(file);
    if (!desired) return std::fprintf(stderr, "apply: %s\n", desired.error().what().c_str()), 2;
    auto rep = reconcile(ipvs, *desired, partial ? reconcile_mode::partial : reconcile_mode::full, dry);
    if (!rep) return std::fprintf(stderr, "apply: %s\n", rep.error().what().c_str()), 1;
    for (std::size_t k = 0; k < rep->ops.size(); ++k) {
        const std::string op = rep->ops[k].describe();
        if (dry) std::printf("would %s\n", op.c_str());
        else if (const auto& e = rep->outcomes[k]; !e) std::printf("%s\n", op.c_str());
        // A kernel's refusal has the operation as its context: named once.
        else std::printf("FAILED %s\n", (e->context == op ? e->what() : op + ": " + e->what()).c_str());
    }
    std::fprintf(stderr, "%zu changes %s, %zu failed\n", rep->ops.size(), dry ? "planned" : "applied", rep->failed());
    return rep->failed() ? 1 : 0;
}
}  // namespace nlpp::ipvs::cli
