// Declarative IPVS: the minimal plan between two states.
#include <nlpp/ipvs/reconcile.hpp>

#include <iterator>
#include <utility>

#include "steps.hpp"

#include <fmt/format.h>

namespace nlpp::ipvs {

// The plan is the diff from the current to the desired state, filtered by
// mode and scope, with the drain rules on top.
result<reconcile_plan> plan(std::span<const service_entry> current,
                            std::span<const service_entry> desired, const plan_options& options) {
    using k = change::kind;
    const scope* within = options.scope ? &*options.scope : nullptr;
    std::vector<service_entry> scoped;  // the current state within the scope
    if (within) {
        for (const auto& e : desired)
            if (!within->contains(e.service.key))
                return fail(errc::invalid_argument,
                            fmt::format("desired service {} is outside the scope {}",
                                        key_string(e.service.key), within->to_string()));
        for (const auto& e : current)
            if (within->contains(e.service.key)) scoped.push_back(e);
        current = scoped;
    }
    const auto steps = detail::steps(current, desired);
    const bool full = options.mode == reconcile_mode::full;
    const bool drain = options.drain.timeout > 0;
    using ek = event::kind;
    using detail::fate;

    // The changes in their order (services deleted; services added, each
    // followed by its destinations, or edited; destinations deleted or set to
    // weight 0; destinations added or edited), each group a pass over the
    // steps, written in place. The kernel finds a service it has just added
    // at the head of its hash chain: its destinations are added at once.
    reconcile_plan out;
    out.changes.reserve(steps.size());  // at most one change a step
    for (const auto& s : steps)
        if (s.what == ek::service_removed && full) {
            // A service that leaves with destinations to drain goes after them.
            if (drain && !s.entry->destinations.empty())
                out.after_drains.push_back({k::del_service, s.entry->service});
            else
                out.changes.push_back({k::del_service, s.entry->service});
        }
    for (const auto& s : steps)
        if (s.what == ek::service_added)
            out.changes.push_back({k::add_service, s.entry->service});
        else if (s.what == ek::service_edited)
            out.changes.push_back({k::edit_service, s.entry->service});
        else if (s.what == ek::dest_added && s.fate == fate::added)
            out.changes.push_back({k::add_dest, s.entry->service, *s.dest});
    // A destination leaves: deleted now, or set to weight 0 (unless it is
    // already: a previous run's drain) and deleted once drained.
    auto leave = [&](const detail::step& s) {
        const destination& d = *s.dest;
        if (!drain) {
            out.changes.push_back({k::del_dest, s.entry->service, d});
            return;
        }
        if (d.weight != 0) {
            destination zero = d;
            zero.weight = 0;
            out.changes.push_back({k::edit_dest, s.entry->service, zero});
        }
        out.drains.push_back({k::del_dest, s.entry->service, d});
    };
    // First those of services that leave, which only a full drain touches
    // (else deleting the service deletes them), then those of services that stay.
    if (full && drain)
        for (const auto& s : steps)
            if (s.what == ek::dest_removed && s.fate == fate::removed) leave(s);
    for (const auto& s : steps)
        if (s.what == ek::dest_removed && s.fate != fate::removed) leave(s);
    for (const auto& s : steps)
        if ((s.what == ek::dest_added && s.fate != fate::added) || s.what == ek::dest_edited)
            out.changes.push_back(
                {s.what == ek::dest_added ? k::add_dest : k::edit_dest, s.entry->service, *s.dest});
    return out;
}

result<reconcile_report> reconcile(client& c, std::span<const service_entry> desired,
                                   const plan_options& options, bool dry_run,
                                   const drain_callback& on_progress) {
    auto current = c.snapshot(options.scope ? &*options.scope : nullptr);
    if (!current) return fail(std::move(current.error()).wrap("reconcile: read the current state"));
    auto p = plan(*current, desired, options);
    if (!p) return fail(std::move(p.error()).wrap("reconcile"));
    reconcile_report report;
    if (!dry_run && !p->changes.empty()) {
        auto outcomes = c.apply(p->changes);
        if (!outcomes) return fail(std::move(outcomes.error()).wrap("reconcile: apply"));
        report.outcomes = std::move(*outcomes);
    }
    if (!dry_run && !(p->drains.empty() && p->after_drains.empty())) {
        auto drained = finish_drains(c, *p, options.drain, on_progress);
        if (!drained) return fail(std::move(drained.error()).wrap("reconcile: drain"));
        report.drained = std::move(*drained);
    }
    report.ops = std::move(p->changes);
    report.drains = std::move(p->drains);
    report.after_drains = std::move(p->after_drains);
    return report;
}

}  // namespace nlpp::ipvs
