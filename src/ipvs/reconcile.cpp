// Declarative IPVS: the minimal plan between two states.
#include <nlpp/ipvs/reconcile.hpp>

#include <map>
#include <utility>

#include <fmt/format.h>

namespace nlpp::ipvs {
namespace {

bool same_settings(const service& a, const service& b) {
    return a.scheduler == b.scheduler && a.pe_name == b.pe_name &&
           (a.flags & service_flags::settable) == (b.flags & service_flags::settable) &&
           a.timeout == b.timeout && a.prefix() == b.prefix();
}

bool same_settings(const destination& a, const destination& b) {
    if (a.fwd != b.fwd || a.weight != b.weight || a.upper_threshold != b.upper_threshold ||
        a.lower_threshold != b.lower_threshold)
        return false;
    return a.fwd != forwarding::tunnel ||
           (a.tun_type == b.tun_type && a.tun_port == b.tun_port && a.tun_flags == b.tun_flags);
}

using dest_id = std::pair<address, std::uint16_t>;

}  // namespace

result<reconcile_plan> plan(std::span<const service_entry> current,
                            std::span<const service_entry> desired, const plan_options& options) {
    using k = change::kind;
    const scope* within = options.scope ? &*options.scope : nullptr;
    if (within)
        for (const auto& e : desired)
            if (!within->contains(e.service.key))
                return fail(errc::invalid_argument,
                            fmt::format("desired service {} is outside the scope {}",
                                        key_string(e.service.key), within->to_string()));
    std::map<service_key, const service_entry*> have;
    for (const auto& e : current)
        if (!within || within->contains(e.service.key)) have.emplace(e.service.key, &e);
    std::map<service_key, const service_entry*> want;
    for (const auto& e : desired) want.emplace(e.service.key, &e);

    const bool drain = options.drain.timeout > 0;
    reconcile_plan out;
    std::vector<change> svc_ops, dest_dels, dest_ops;
    // A destination leaves: deleted now, or set to weight 0 (unless it is
    // already: a previous run's drain) and deleted once drained.
    auto leave = [&](const service& s, const destination& d) {
        if (!drain) return dest_dels.push_back({k::del_dest, s, d});
        if (d.weight != 0) {
            destination zero = d;
            zero.weight = 0;
            dest_dels.push_back({k::edit_dest, s, zero});
        }
        out.drains.push_back({k::del_dest, s, d});
    };
    if (options.mode == reconcile_mode::full)
        for (const auto& e : current) {
            if (want.count(e.service.key) || (within && !within->contains(e.service.key))) continue;
            if (!drain || e.destinations.empty()) {
                svc_ops.push_back({k::del_service, e.service, std::nullopt});
                continue;
            }
            for (const auto& d : e.destinations) leave(e.service, d);
            out.after_drains.push_back({k::del_service, e.service, std::nullopt});
        }

    for (const auto& e : desired) {
        if (want.at(e.service.key) != &e) continue;  // a duplicate key: the first entry counts
        auto it = have.find(e.service.key);
        const service_entry* cur = it == have.end() ? nullptr : it->second;
        if (!cur)
            svc_ops.push_back({k::add_service, e.service, std::nullopt});
        else if (!same_settings(cur->service, e.service))
            svc_ops.push_back({k::edit_service, e.service, std::nullopt});

        std::map<dest_id, const destination*> cur_dests;
        if (cur)
            for (const auto& d : cur->destinations)
                cur_dests.emplace(dest_id{d.address, d.port}, &d);
        std::map<dest_id, const destination*> want_dests;
        for (const auto& d : e.destinations) want_dests.emplace(dest_id{d.address, d.port}, &d);
        if (cur)
            for (const auto& d : cur->destinations)
                if (!want_dests.count({d.address, d.port})) leave(e.service, d);
        for (const auto& d : e.destinations) {
            if (want_dests.at({d.address, d.port}) != &d) continue;
            auto dit = cur_dests.find({d.address, d.port});
            if (dit == cur_dests.end())
                dest_ops.push_back({k::add_dest, e.service, d});
            else if (!same_settings(*dit->second, d))
                dest_ops.push_back({k::edit_dest, e.service, d});
        }
    }
    out.changes = std::move(svc_ops);
    out.changes.insert(out.changes.end(), dest_dels.begin(), dest_dels.end());
    out.changes.insert(out.changes.end(), dest_ops.begin(), dest_ops.end());
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
