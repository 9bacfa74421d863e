// nlpp-ipvs apply: makes the kernel's IPVS state equal to a JSON file in the
// schema of `-L --json` (state_json.hpp), through
// nlpp::ipvs::reconcile.
#pragma once

#include <nlpp/ipvs/client.hpp>

#include <string>
#include <vector>

namespace nlpp::ipvs::cli {

// apply [--dry-run] [--partial] FILE|- (args after "apply"): prints each
// change ("would ..." with --dry-run, "FAILED ..." for a refused one) and a
// summary on stderr; returns the exit status (2 for bad arguments or input,
// 1 when a change failed).
int apply_file(client& ipvs, const std::vector<std::string>& args);

}  // namespace nlpp::ipvs::cli
