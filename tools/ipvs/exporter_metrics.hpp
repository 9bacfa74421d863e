// The metric families of nlpp-ipvs-exporter, from one IPVS snapshot: pure
// functions, so that a scrape's text follows from the snapshot alone.
// Counters come from STATS64 (the snapshot's stats), gauges from the
// destinations, `ipvs_service_info` and `ipvs_info` are 1 with their facts
// as labels. A service is labelled {protocol, address, port}, or {fwmark,
// family} for a firewall-mark service; a destination adds
// {destination_address, destination_port}.
#pragma once

#include <nlpp/ipvs/client.hpp>

#include <prometheus/metric_family.h>

#include <vector>

namespace nlpp::ipvs::cli {

// Every family, in a fixed order; without destinations' families unless
// per_destination. scrape_seconds becomes ipvs_scrape_duration_seconds.
std::vector<prometheus::MetricFamily> metric_families(const info& i,
                                                      const std::vector<service_entry>& entries,
                                                      bool per_destination, double scrape_seconds);

}  // namespace nlpp::ipvs::cli
