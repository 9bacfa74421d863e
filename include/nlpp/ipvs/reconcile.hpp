// nlpp/ipvs/reconcile.hpp: declarative IPVS state, scoped, with graceful drain.
//
// plan() compares the kernel's current state with a desired state and
// returns the minimal list of changes that turns one into the other:
// services and destinations to add, edit (only when a settable field
// differs) and delete. In full mode the desired state is the whole IPVS
// state of the namespace, so unlisted services are deleted; in partial
// mode only the listed services are touched (their unlisted destinations
// are still removed). Nothing outside the plan is ever changed. The plan is
// diff() (diff.hpp) from the current to the desired state, filtered so.
//
// A scope (scope.hpp) narrows "the whole state" to what this program owns:
// services outside it are never read, changed or deleted, and a desired
// service outside it is an error. An empty desired state with a scope
// removes exactly the services in the scope.
//
// Drain (drain_options::timeout > 0): a destination that leaves the
// desired state is set to weight 0 at once and deleted later, when it has
// no active connections left (nor inactive ones with `inactive`) or when
// the timeout passes; a service that leaves drains all its destinations,
// then goes. A weight-0 destination the desired state does not list is
// taken for one a previous run was draining, and drained again (so a drain
// survives a restart without a state file); a desired destination the
// kernel holds at weight 0 gets its weight back like any other edit.
// finish_drains() polls the kernel until the drains end, reporting progress.
//
// Example (given nlpp::ipvs::client& ipvs, std::span<const nlpp::ipvs::service_entry> desired):
//   // Immediate, the whole namespace:
//   auto report = nlpp::ipvs::reconcile(ipvs, desired, {});
//   if (!report) return nlpp::fail(report.error());
//   std::printf("%zu of %zu changes failed\n", report->failed(), report->ops.size());
//   // Scoped, draining for up to 30 s, the caller driving each step:
//   auto mine = nlpp::ipvs::scope::parse("10.96.0.0/12");
//   if (!mine) return nlpp::fail(mine.error());
//   nlpp::ipvs::plan_options o{.scope = *mine, .drain = {.timeout = 30}};
//   auto current = ipvs.snapshot(&*mine);
//   if (!current) return nlpp::fail(current.error());
//   auto p = nlpp::ipvs::plan(*current, desired, o);
//   if (!p) return nlpp::fail(p.error());                    // a desired service outside the scope
//   for (const auto& c : p->changes) std::puts(c.describe().c_str());  // a dry run
//   auto now = ipvs.apply(p->changes);
//   if (!now) return nlpp::fail(now.error());
//   auto done = nlpp::ipvs::finish_drains(ipvs, *p, o.drain, [](const nlpp::ipvs::drain_progress& pr) {
//       std::printf("%zu draining, %llu connections, %.0f s left\n", pr.draining,
//                   static_cast<unsigned long long>(pr.active), pr.seconds_left);
//   });
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include <nlpp/ipvs/client.hpp>
#include <nlpp/ipvs/scope.hpp>

namespace nlpp::ipvs {

enum class reconcile_mode { full, partial };

/// How destinations that leave are drained.
struct drain_options {
    std::uint32_t timeout = 0;             ///< seconds; 0: delete at once, no drain
    bool inactive = false;                 ///< also wait for InActConn = 0 (what UDP needs)
    std::chrono::milliseconds poll{1000};  ///< how often finish_drains() asks the kernel
};

/// What plan() plans.
struct plan_options {
    /// full: make the state equal; partial: only add and change.
    reconcile_mode mode = reconcile_mode::full;
    std::optional<ipvs::scope> scope{};  ///< none: the whole namespace
    drain_options drain{};               ///< how leaving destinations are drained
};

/// What plan() decided: the changes to apply at once and the drains.
struct reconcile_plan {
    /// Applied at once, in a safe order: service deletions; service additions
    /// (each followed by its destinations) and edits; then the other
    /// services' destination deletions, additions and edits (weight-0 edits
    /// of the destinations to drain among them).
    std::vector<change> changes;
    std::vector<change> drains;        ///< del_dest: applied by finish_drains() once drained
    std::vector<change> after_drains;  ///< del_service: once all its drains have ended
};

/// The plan; fails only on a desired service outside the scope.
NLPP_API result<reconcile_plan> plan(std::span<const service_entry> current,
                                     std::span<const service_entry> desired,
                                     const plan_options& options);

/// How a drain ended.
struct drain_outcome {
    /// Why a drain ended.
    enum class reason { drained, timed_out, gone };  ///< gone: deleted by someone else meanwhile
    ipvs::change step{};                             ///< the del_dest or del_service
    reason why = reason::drained;                    ///< why it ended
    /// Connections left at the delete (timed_out).
    std::uint32_t active_conns = 0, inactive_conns = 0;  ///< left at the delete (timed_out)
    std::optional<error> failure{};                      ///< the kernel refused the delete
};

/// Where the drains are, after each poll.
struct drain_progress {
    std::size_t draining = 0;  ///< destinations still draining
    /// The draining destinations' connections.
    std::uint64_t active = 0, inactive = 0;  ///< their connections
    double seconds_left = 0;                 ///< until the timeout
    std::span<const drain_outcome> ended{};  ///< since the previous call
};
using drain_callback = std::function<void(const drain_progress&)>;

/// Polls the kernel every options.poll and deletes each destination of
/// plan.drains once drained or when options.timeout (counted from this call)
/// passes, then the services of plan.after_drains. A destination or service
/// someone else deleted meanwhile is reported as gone. Calls on_progress
/// after every poll. Fails as a whole only when the socket does.
NLPP_API result<std::vector<drain_outcome>> finish_drains(client& c, const reconcile_plan& plan,
                                                          const drain_options& options,
                                                          const drain_callback& on_progress = {});

/// What reconcile() did.
struct reconcile_report {
    std::vector<change> ops;                     ///< the plan's changes, applied at once
    std::vector<std::optional<error>> outcomes;  ///< per change (empty on a dry run)
    /// The plan's drains: destinations, then the services deleted after them.
    std::vector<change> drains, after_drains;  ///< the plan's drains
    std::vector<drain_outcome> drained;        ///< how each drain ended (empty on a dry run)
    /// The changes and drains that failed.
    std::size_t failed() const noexcept {
        std::size_t n = 0;
        for (const auto& o : outcomes) n += o.has_value();
        for (const auto& d : drained) n += d.failure.has_value();
        return n;
    }
};

/// Reads the current state (within the scope), plans, and (unless dry_run)
/// applies the plan pipelined, then finishes its drains. What could not be
/// applied is in the report.
NLPP_API result<reconcile_report> reconcile(client& c, std::span<const service_entry> desired,
                                            const plan_options& options, bool dry_run = false,
                                            const drain_callback& on_progress = {});

}  // namespace nlpp::ipvs
