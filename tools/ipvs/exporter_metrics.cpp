// nlpp-ipvs-exporter's metric families: see exporter_metrics.hpp.
#include "exporter_metrics.hpp"

#include "listing.hpp"

#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace nlpp::ipvs::cli {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using labels = std::vector<ClientMetric::Label>;

// The five STATS64 counters, by name suffix.
struct counter_field {
    const char* suffix;
    const char* help;
    std::uint64_t stats::*field;
};
constexpr std::array<counter_field, 5> counters{{
    {"connections_total", "Connections scheduled", &stats::conns},
    {"in_packets_total", "Packets in (client to server)", &stats::inpkts},
    {"out_packets_total", "Packets out (server to client)", &stats::outpkts},
    {"in_bytes_total", "Bytes in (client to server)", &stats::inbytes},
    {"out_bytes_total", "Bytes out (server to client)", &stats::outbytes},
}};

labels service_labels(const service_key& key) {
    if (const auto* fw = std::get_if<firewall_mark>(&key))
        return {{"fwmark", std::to_string(fw->mark)},
                {"family", fw->family == 10 ? "ipv6" : "ipv4"}};
    const auto& vs = std::get<virtual_service>(key);
    std::string proto(protocol_name(vs.protocol));
    for (char& c : proto) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return {{"protocol", std::move(proto)},
            {"address", vs.address.to_string()},
            {"port", std::to_string(vs.port)}};
}

// persistent, one-packet and the scheduler's words for its flags, comma-separated.
std::string flag_words(const service& s) {
    std::string out;
    auto add = [&out](std::string_view w) {
        if (w.empty()) return;
        if (!out.empty()) out += ',';
        out += w;
    };
    if (s.flags & service_flags::persistent) add("persistent");
    if (s.flags & service_flags::one_packet) add("one-packet");
    add(sched_flags(s));
    return out;
}

MetricFamily family(std::string name, std::string help, MetricType type) {
    return {std::move(name), std::move(help), type, {}};
}

void add(MetricFamily& f, labels l, double value) {
    ClientMetric m;
    m.label = std::move(l);
    if (f.type == MetricType::Counter)
        m.counter.value = value;
    else
        m.gauge.value = value;
    f.metric.push_back(std::move(m));
}

}  // namespace

std::vector<MetricFamily> metric_families(const info& i, const std::vector<service_entry>& entries,
                                          bool per_destination, double scrape_seconds) {
    std::vector<MetricFamily> out;
    out.reserve(2 + 6 + 8);  // no reallocation: references into it are kept below
    auto& ipvs_info = out.emplace_back(
        family("ipvs_info", "IPVS version and connection table size", MetricType::Gauge));
    add(ipvs_info,
        {{"version", i.version_string()},
         {"connection_table_size", std::to_string(i.conn_tab_size)}},
        1);
    add(out.emplace_back(family("ipvs_scrape_duration_seconds",
                                "Time the snapshot of this scrape took", MetricType::Gauge)),
        {}, scrape_seconds);

    std::size_t dests = 0;
    for (const auto& e : entries) dests += e.destinations.size();
    const std::size_t svc_first = out.size();
    for (const auto& c : counters) {
        auto& f = out.emplace_back(
            family(std::string("ipvs_service_") + c.suffix, c.help, MetricType::Counter));
        f.metric.reserve(entries.size());
    }
    auto& svc_info = out.emplace_back(
        family("ipvs_service_info", "A service's scheduler and flags", MetricType::Gauge));
    svc_info.metric.reserve(entries.size());
    const std::size_t dst_first = out.size();
    if (per_destination) {
        for (const auto& c : counters) {
            auto& f = out.emplace_back(
                family(std::string("ipvs_destination_") + c.suffix, c.help, MetricType::Counter));
            f.metric.reserve(dests);
        }
        for (const auto& [name, help] :
             {std::pair{"ipvs_destination_active_connections", "Active connections"},
              std::pair{"ipvs_destination_inactive_connections", "Inactive connections"},
              std::pair{"ipvs_destination_weight", "Weight"}}) {
            auto& f = out.emplace_back(family(name, help, MetricType::Gauge));
            f.metric.reserve(dests);
        }
    }

    for (const auto& e : entries) {
        const labels sl = service_labels(e.service.key);
        for (std::size_t c = 0; c < counters.size(); ++c)
            add(out[svc_first + c], sl, static_cast<double>(e.service.stats.*counters[c].field));
        labels il = sl;
        il.push_back({"scheduler", e.service.scheduler});
        il.push_back({"flags", flag_words(e.service)});
        add(svc_info, std::move(il), 1);
        if (!per_destination) continue;
        for (const auto& d : e.destinations) {
            labels dl = sl;
            dl.push_back({"destination_address", d.address.to_string()});
            dl.push_back({"destination_port", std::to_string(d.port)});
            for (std::size_t c = 0; c < counters.size(); ++c)
                add(out[dst_first + c], dl, static_cast<double>(d.stats.*counters[c].field));
            add(out[dst_first + 5], dl, d.active_conns);
            add(out[dst_first + 6], dl, d.inactive_conns);
            add(out[dst_first + 7], std::move(dl), d.weight);
        }
    }
    return out;
}

}  // namespace nlpp::ipvs::cli
