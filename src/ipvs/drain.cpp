// Graceful drain: destinations at weight 0 deleted once their connections end.
#include <nlpp/ipvs/reconcile.hpp>

#include <algorithm>
#include <map>
#include <thread>

namespace nlpp::ipvs {
namespace {

using clock = std::chrono::steady_clock;

// The kernel says the object is not there (any more).
bool already_gone(const error& e, change::kind k) {
    return e.code() == (k == change::kind::del_service ? std::errc::no_such_process
                                                       : std::errc::no_such_file_or_directory);
}

}  // namespace

result<std::vector<drain_outcome>> finish_drains(client& c, const reconcile_plan& plan,
                                                 const drain_options& options,
                                                 const drain_callback& on_progress) {
    using reason = drain_outcome::reason;
    const auto deadline = clock::now() + std::chrono::seconds(options.timeout);
    std::map<service_key, std::vector<const change*>> pending;  // the drains of each service
    for (const auto& d : plan.drains) pending[d.service.key].push_back(&d);
    std::vector<const change*> services;  // deleted once none of their drains is pending
    for (const auto& s : plan.after_drains) services.push_back(&s);
    std::vector<drain_outcome> out;

    while (!pending.empty() || !services.empty()) {
        const bool timed_out = clock::now() >= deadline;
        const std::size_t first = out.size();
        drain_progress progress;
        std::vector<change> dels;
        std::vector<drain_outcome> deleting;
        for (auto it = pending.begin(); it != pending.end();) {
            // A service someone deleted comes back as an empty dump.
            auto now = c.dests(it->first);
            if (!now) return fail(std::move(now.error()).wrap("drain"));
            auto& mine = it->second;
            for (auto d = mine.begin(); d != mine.end();) {
                const destination& want = *(*d)->dest;
                auto k = std::find_if(now->begin(), now->end(), [&](const destination& x) {
                    return x.address == want.address && x.port == want.port;
                });
                if (k == now->end()) {
                    out.push_back({.step = **d, .why = reason::gone});
                } else if (k->active_conns == 0 && (!options.inactive || k->inactive_conns == 0)) {
                    deleting.push_back({.step = **d, .why = reason::drained});
                } else if (timed_out) {
                    deleting.push_back({.step = **d,
                                        .why = reason::timed_out,
                                        .active_conns = k->active_conns,
                                        .inactive_conns = k->inactive_conns});
                } else {
                    ++progress.draining;
                    progress.active += k->active_conns;
                    progress.inactive += k->inactive_conns;
                    ++d;
                    continue;
                }
                d = mine.erase(d);
            }
            it = mine.empty() ? pending.erase(it) : std::next(it);
        }
        // Then the services whose drains have all ended, in the same batch.
        for (auto s = services.begin(); s != services.end();) {
            if (pending.count((*s)->service.key)) {
                ++s;
                continue;
            }
            deleting.push_back({.step = **s, .why = reason::drained});
            s = services.erase(s);
        }
        if (!deleting.empty()) {
            for (const auto& d : deleting) dels.push_back(d.step);
            auto done = c.apply(dels);
            if (!done) return fail(std::move(done.error()).wrap("drain"));
            for (std::size_t i = 0; i < deleting.size(); ++i) {
                auto& d = deleting[i];
                if (auto& e = (*done)[i]; e && already_gone(*e, d.step.what))
                    d.why = reason::gone;
                else
                    d.failure = std::move(e);
                out.push_back(std::move(d));
            }
        }
        progress.seconds_left =
            std::max(0.0, std::chrono::duration<double>(deadline - clock::now()).count());
        progress.ended = std::span<const drain_outcome>(out).subspan(first);
        if (on_progress) on_progress(progress);
        if (pending.empty() && services.empty()) break;
        std::this_thread::sleep_for(std::min<clock::duration>(
            options.poll, std::max<clock::duration>(deadline - clock::now(), clock::duration{0})));
    }
    return out;
}

}  // namespace nlpp::ipvs
