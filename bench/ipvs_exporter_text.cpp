// Where a scrape of nlpp-ipvs-exporter spends its user-space time: from one
// snapshot (of the current netns; with N, a made-up one of N services x 2
// destinations, no kernel needed), times in each round the metric families
// (exporter_metrics.cpp) and prometheus-cpp's TextSerializer over them, as
// the exposer runs them on each scrape. Prints one JSON object: the best
// round of each, in seconds, and the size of the text.
//   nlpp-bench-ipvs-exporter-text ROUNDS [N]
#include "exporter_metrics.hpp"

#include <nlpp/ipvs/client.hpp>

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace nlpp::ipvs;

namespace {

// N services 10.x.y.z:80 (rr), each with two masquerading destinations
// 192.0.2.d:80 of weight 1 and no traffic: the state ipvs_bench.sh loads.
std::vector<service_entry> made_up(int n) {
    std::vector<service_entry> out(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        auto& e = out[static_cast<std::size_t>(i)];
        const auto octet = [i](int shift) { return std::to_string((i >> shift) & 255); };
        e.service.key = virtual_service{
            protocol::tcp, *address::parse("10." + octet(16) + "." + octet(8) + "." + octet(0)),
            80};
        e.service.scheduler = "rr";
        for (int d : {2, 3}) {
            destination dst;
            dst.address = *address::parse("192.0.2." + std::to_string(i % 250 + d));
            dst.port = 80;
            e.destinations.push_back(dst);
        }
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 && argc != 3)
        return std::fprintf(stderr, "usage: nlpp-bench-ipvs-exporter-text ROUNDS [N]\n"), 2;
    const int rounds = std::atoi(argv[1]);
    info i{};
    std::vector<service_entry> entries;
    if (argc == 3) {
        entries = made_up(std::atoi(argv[2]));
    } else {
        auto ipvs = client::open();
        auto got = ipvs ? ipvs->get_info() : nlpp::fail(ipvs.error());
        auto snap = got ? ipvs->snapshot() : nlpp::fail(got.error());
        if (!snap) return std::fprintf(stderr, "%s\n", snap.error().what().c_str()), 1;
        i = *got;
        entries = std::move(*snap);
    }
    double families = 1e9, serialize = 1e9;
    std::size_t bytes = 0;
    for (int r = 0; r < rounds; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        auto f = nlpp::ipvs::cli::metric_families(i, entries, true, 0);
        const auto t1 = std::chrono::steady_clock::now();
        bytes = prometheus::TextSerializer().Serialize(f).size();
        const auto t2 = std::chrono::steady_clock::now();
        families = std::min(families, std::chrono::duration<double>(t1 - t0).count());
        serialize = std::min(serialize, std::chrono::duration<double>(t2 - t1).count());
    }
    std::printf("{\"services\": %zu, \"families\": %.3f, \"serialize\": %.3f, \"bytes\": %zu}\n",
                entries.size(), families, serialize, bytes);
    return 0;
}
