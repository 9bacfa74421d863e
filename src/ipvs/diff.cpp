// What changed between two IPVS snapshots (diff.hpp).
#include <nlpp/ipvs/diff.hpp>

#include "steps.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace nlpp::ipvs {
namespace {

using dest_id = std::pair<address, std::uint16_t>;

// Entries by key, sorted, the first of equal keys counting: sorted vectors
// rather than maps, as a state has tens of thousands of services, each with
// a few destinations. An entry's address stands for its place in the list.
template <class K, class T>
using keyed = std::vector<std::pair<K, const T*>>;

template <class K, class T>
void sort_unique(keyed<K, T>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end(),
                        [](const auto& x, const auto& y) { return x.first == y.first; }),
            v.end());
}

keyed<service_key, service_entry> by_key(std::span<const service_entry> entries) {
    keyed<service_key, service_entry> out;
    out.reserve(entries.size());
    for (const auto& e : entries) out.emplace_back(e.service.key, &e);
    sort_unique(out);
    return out;
}

// The destinations of `e` (none when null) into `out`, whose room is reused.
void by_id(const service_entry* e, keyed<dest_id, destination>& out) {
    out.clear();
    if (!e) return;
    for (const auto& d : e->destinations) out.emplace_back(dest_id{d.address, d.port}, &d);
    sort_unique(out);
}

// Walks two sorted lists in key order together: f(key, before or null, after or null).
template <class K, class T, class F>
void merge(const keyed<K, T>& before, const keyed<K, T>& after, F f) {
    auto b = before.begin();
    auto a = after.begin();
    while (b != before.end() || a != after.end()) {
        if (a == after.end() || (b != before.end() && b->first < a->first))
            f(b->first, b->second, nullptr), ++b;
        else if (b == before.end() || a->first < b->first)
            f(a->first, nullptr, a->second), ++a;
        else
            f(a->first, b->second, a->second), ++a, ++b;
    }
}

std::string service_settings(const service& s) {
    std::string out = s.scheduler;
    if (s.flags & service_flags::persistent) out += fmt::format(" persistent {}", s.timeout);
    if (s.netmask) out += fmt::format(" netmask {}", s.netmask);
    if (s.flags & service_flags::one_packet) out += " ops";
    if (const auto sched =
            s.flags & (service_flags::sched1 | service_flags::sched2 | service_flags::sched3))
        out += fmt::format(" flags {:#x}", sched);
    if (!s.pe_name.empty()) out += " pe " + s.pe_name;
    return out;
}

std::string tunnel(const destination& d) {
    return fmt::format("{}/{}/{}", tunnel_type_name(d.tun_type), d.tun_port, d.tun_flags);
}

// "field a -> b, ..." for each field that differs.
template <class T>
void changed(std::string& out, std::string_view field, const T& before, const T& after) {
    if (before == after) return;
    out += fmt::format("{}{} {} -> {}", out.empty() ? "" : ", ", field, before, after);
}

}  // namespace

bool same_settings(const service& a, const service& b) noexcept {
    return a.scheduler == b.scheduler && a.pe_name == b.pe_name &&
           (a.flags & service_flags::settable) == (b.flags & service_flags::settable) &&
           a.timeout == b.timeout && a.prefix() == b.prefix();
}

bool same_settings(const destination& a, const destination& b) noexcept {
    if (a.fwd != b.fwd || a.weight != b.weight || a.upper_threshold != b.upper_threshold ||
        a.lower_threshold != b.lower_threshold)
        return false;
    return a.fwd != forwarding::tunnel ||
           (a.tun_type == b.tun_type && a.tun_port == b.tun_port && a.tun_flags == b.tun_flags);
}

std::string_view event_name(event::kind k) noexcept {
    static constexpr std::string_view names[] = {
        "service-added", "service-removed", "service-edited", "dest-added",
        "dest-removed",  "dest-edited",     "dest-idle"};
    return names[static_cast<int>(k)];
}

std::string event::describe() const {
    using k = kind;
    static constexpr const char* signs[] = {"+", "-", "~", "+", "-", "~", "="};
    std::string out =
        fmt::format("{} {} {}", signs[static_cast<int>(what)],
                    what <= k::service_edited ? "service" : "dest", key_string(service.key));
    if (dest) out += " -> " + endpoint_string(dest->address, dest->port);
    std::string fields;
    switch (what) {
    case k::service_added: return out + " " + service_settings(service);
    case k::service_removed:
    case k::dest_removed: return out;
    case k::service_edited: {
        const ipvs::service& b = *service_before;
        changed(fields, "scheduler", b.scheduler, service.scheduler);
        changed(fields, "flags", fmt::format("{:#x}", b.flags & service_flags::settable),
                fmt::format("{:#x}", service.flags & service_flags::settable));
        changed(fields, "timeout", b.timeout, service.timeout);
        changed(fields, "netmask", b.prefix(), service.prefix());
        changed(fields, "pe", b.pe_name.empty() ? "none" : b.pe_name,
                service.pe_name.empty() ? "none" : service.pe_name);
        return out + " " + fields;
    }
    case k::dest_added: {
        const destination& d = *dest;
        out += fmt::format(" {} weight {}", forwarding_name(d.fwd), d.weight);
        if (d.upper_threshold) out += fmt::format(" upper {}", d.upper_threshold);
        if (d.lower_threshold) out += fmt::format(" lower {}", d.lower_threshold);
        if (d.fwd == forwarding::tunnel) out += " tunnel " + tunnel(d);
        return out;
    }
    case k::dest_edited: {
        const destination& b = *dest_before;
        const destination& d = *dest;
        changed(fields, "forwarding", forwarding_name(b.fwd), forwarding_name(d.fwd));
        changed(fields, "weight", b.weight, d.weight);
        changed(fields, "upper", b.upper_threshold, d.upper_threshold);
        changed(fields, "lower", b.lower_threshold, d.lower_threshold);
        if (d.fwd == forwarding::tunnel) changed(fields, "tunnel", tunnel(b), tunnel(d));
        return out + " " + fields;
    }
    case k::dest_idle:
        return out + fmt::format(" active connections {} -> 0", dest_before->active_conns);
    }
    return out;
}

namespace detail {

std::vector<step> steps(std::span<const service_entry> before,
                        std::span<const service_entry> after) {
    using k = event::kind;
    // At most one step a service and two a destination pair: reserved, as a
    // first load has tens of thousands.
    std::size_t dest_count = 0;
    for (const auto list : {before, after})
        for (const auto& e : list) dest_count += e.destinations.size();
    std::vector<step> out;
    out.reserve(before.size() + after.size() + dest_count);
    keyed<dest_id, destination> old_dests, new_dests;
    merge(by_key(before), by_key(after),
          [&](const service_key&, const service_entry* b, const service_entry* a) {
              const fate f = !b ? fate::added : !a ? fate::removed : fate::stays;
              if (!b)
                  out.push_back({k::service_added, f, a});
              else if (!a)
                  out.push_back({k::service_removed, f, b});
              else if (!same_settings(b->service, a->service))
                  out.push_back({k::service_edited, f, a, &b->service});
              const service_entry* e = a ? a : b;
              by_id(b, old_dests);
              by_id(a, new_dests);
              merge(old_dests, new_dests,
                    [&](const dest_id&, const destination* db, const destination* da) {
                        if (!db)
                            out.push_back({k::dest_added, f, e, nullptr, da});
                        else if (!da)
                            out.push_back({k::dest_removed, f, e, nullptr, db});
                        else {
                            if (!same_settings(*db, *da))
                                out.push_back({k::dest_edited, f, e, nullptr, da, db});
                            if (db->active_conns > 0 && da->active_conns == 0)
                                out.push_back({k::dest_idle, f, e, nullptr, da, db});
                        }
                    });
          });
    return out;
}

}  // namespace detail

std::vector<event> diff(std::span<const service_entry> before,
                        std::span<const service_entry> after) {
    const auto all = detail::steps(before, after);
    std::vector<event> out;
    out.reserve(all.size());
    auto add = [&out](const detail::step& s) {
        auto copy = [](const auto* p) { return p ? std::optional(*p) : std::nullopt; };
        out.push_back(
            {s.what, s.entry->service, copy(s.service_before), copy(s.dest), copy(s.dest_before)});
    };
    // Every service event, then every destination event.
    for (const auto& s : all)
        if (!s.dest) add(s);
    for (const auto& s : all)
        if (s.dest) add(s);
    return out;
}

}  // namespace nlpp::ipvs
