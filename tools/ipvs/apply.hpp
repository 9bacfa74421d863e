// nlpp-ipvs apply: makes the kernel's IPVS state equal to a JSON file in the
// schema of `-L --json` (state_json.hpp), through
// nlpp::ipvs::reconcile: scoped, with graceful drain (docs/ipvs.md).
#pragma once

#include <nlpp/ipvs/client.hpp>

#include <string>
#include <vector>

namespace nlpp::ipvs::cli {

// apply [--dry-run] [--partial] [--scope LIST] [--drain-timeout SECONDS]
// [--drain-inactive] [--json] FILE|- (args after "apply"): checks the
// arguments and the file, opens the IPVS client, then prints each change
// ("would ..." with --dry-run, "FAILED ..." for a refused one) and each end
// of a drain, progress on a terminal (stderr), or with --json the plan and
// each outcome as JSON lines; a summary on stderr. Returns the exit status
// (2 for bad arguments or input, 1 when a change failed).
int apply_file(const std::vector<std::string>& args);

}  // namespace nlpp::ipvs::cli
