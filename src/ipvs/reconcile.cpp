// Declarative IPVS: the minimal plan between two states.
#include <nlpp/ipvs/reconcile.hpp>

#include <map>
#include <utility>

namespace nlpp::ipvs {
namespace {

bool same_settings(const service& a, const service& b) {
    return a.scheduler == b.scheduler && a.pe_name == b.pe_name &&
           (a.flags & service_flags::settable) == (b.flags & service_flags::settable) && a.timeout == b.timeout &&
           a.prefix() == b.prefix();
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

std::vector<change> plan(std::span<const service_entry> current, std::span<const service_entry> desired,
                            reconcile_mode mode) {
    using k = change::kind;
    std::map<service_key, const service_entry*> have;
    for (const auto& e : current) have.emplace(e.service.key, &e);
    std::map<service_key, const service_entry*> want;
    for (const auto& e : desired) want.emplace(e.service.key, &e);

    std::vector<change> svc_ops, dest_dels, dest_ops;
    if (mode == reconcile_mode::full)
        for (const auto& e : current)
            if (!want.count(e.service.key)) svc_ops.push_back({k::del_service, e.service, std::nullopt});

    for (const auto& e : desired) {
        if (want.at(e.service.key) != &e) continue;  // a duplicate key: the first entry counts
        auto it = have.find(e.service.key);
        const service_entry* cur = it == have.end() ? nullptr : it->second;
        if (!cur) svc_ops.push_back({k::add_service, e.service, std::nullopt});
        else if (!same_settings(cur->service, e.service)) svc_ops.push_back({k::edit_service, e.service, std::nullopt});

        std::map<dest_id, const destination*> cur_dests;
        if (cur)
            for (const auto& d : cur->destinations) cur_dests.emplace(dest_id{d.address, d.port}, &d);
        std::map<dest_id, const destination*> want_dests;
        for (const auto& d : e.destinations) want_dests.emplace(dest_id{d.address, d.port}, &d);
        if (cur)
            for (const auto& d : cur->destinations)
                if (!want_dests.count({d.address, d.port})) dest_dels.push_back({k::del_dest, e.service, d});
        for (const auto& d : e.destinations) {
            if (want_dests.at({d.address, d.port}) != &d) continue;
            auto dit = cur_dests.find({d.address, d.port});
            if (dit == cur_dests.end()) dest_ops.push_back({k::add_dest, e.service, d});
            else if (!same_settings(*dit->second, d)) dest_ops.push_back({k::edit_dest, e.service, d});
        }
    }
    std::vector<change> out = std::move(svc_ops);
    out.insert(out.end(), dest_dels.begin(), dest_dels.end());
    out.insert(out.end(), dest_ops.begin(), dest_ops.end());
    return out;
}

result<reconcile_report> reconcile(client& c, std::span<const service_entry> desired, reconcile_mode mode,
                                   bool dry_run) {
    auto current = c.snapshot();
    if (!current) return fail(std::move(current.error()).wrap("reconcile: read the current state"));
    reconcile_report report;
    report.ops = plan(*current, desired, mode);
    if (dry_run || report.ops.empty()) return report;
    auto outcomes = c.apply(report.ops);
    if (!outcomes) return fail(std::move(outcomes.error()).wrap("reconcile: apply"));
    report.outcomes = std::move(*outcomes);
    return report;
}

}  // namespace nlpp::ipvs
