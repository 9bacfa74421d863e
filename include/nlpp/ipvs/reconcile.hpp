// nlpp/ipvs/reconcile.hpp: declarative IPVS state.
//
// plan() compares the kernel's current state with a desired state and
// returns the minimal list of changes that turns one into the other:
// services and destinations to add, edit (only when a settable field
// differs) and delete. In full mode the desired state is the whole IPVS
// state of the namespace, so unlisted services are deleted; in partial
// mode only the listed services are touched (their unlisted destinations
// are still removed). Nothing outside the plan is ever changed.
//
// Example (given nlpp::ipvs::client& ipvs, std::span<const nlpp::ipvs::service_entry> desired):
//   auto current = ipvs.snapshot();
//   if (!current) return nlpp::fail(current.error());
//   auto ops = nlpp::ipvs::plan(*current, desired, nlpp::ipvs::reconcile_mode::full);
//   for (const auto& op : ops) std::puts(op.describe().c_str());     // a dry run
//   auto report = nlpp::ipvs::reconcile(ipvs, desired, nlpp::ipvs::reconcile_mode::full);
//   if (!report) return nlpp::fail(report.error());
//   std::printf("%zu of %zu changes failed\n", report->failed(), report->ops.size());
#pragma once

#include <span>
#include <vector>

#include <nlpp/ipvs/client.hpp>

namespace nlpp::ipvs {

enum class reconcile_mode { full, partial };

// The changes, in a safe order: service deletions, service additions and
// edits, then destination deletions, additions and edits.
NLPP_API std::vector<change> plan(std::span<const service_entry> current, std::span<const service_entry> desired,
                                     reconcile_mode mode);

struct reconcile_report {
    std::vector<change> ops;                 // the plan
    std::vector<std::optional<error>> outcomes;  // per change (empty on a dry run)
    std::size_t failed() const noexcept {
        std::size_t n = 0;
        for (const auto& o : outcomes) n += o.has_value();
        return n;
    }
};

// Reads the current state, plans, and (unless dry_run) applies the plan
// pipelined. What could not be applied is in the report's outcomes.
NLPP_API result<reconcile_report> reconcile(client& c, std::span<const service_entry> desired, reconcile_mode mode,
                                            bool dry_run = false);

}  // namespace nlpp::ipvs
