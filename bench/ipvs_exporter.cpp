// A scrape of nlpp-ipvs-exporter against the library snapshot alone: loads N
// services x 2 destinations (pipelined) into the current netns, then in each
// round times one client::snapshot() and one scrape of the exporter already
// listening at URL (curl's own time_total: process start not counted). Run
// by bench/ipvs_bench.sh in a fresh netns of an IPVS kernel. Prints one JSON
// object: the rounds' seconds, the best of each, their ratio, the bytes.
//   nlpp-bench-ipvs-exporter N ROUNDS URL
#include <nlpp/ipvs/client.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace nlpp::ipvs;

int main(int argc, char** argv) {
    if (argc != 4) return std::fprintf(stderr, "usage: nlpp-bench-ipvs-exporter N ROUNDS URL\n"), 2;
    const int n = std::atoi(argv[1]), rounds = std::atoi(argv[2]);
    const std::string url = argv[3];
    auto ipvs = client::open();
    if (!ipvs) return std::fprintf(stderr, "%s\n", ipvs.error().what().c_str()), 1;
    std::vector<change> load;
    for (int i = 0; i < n; ++i) {
        const service s{.key = virtual_service{protocol::tcp, address::v4(0x0a000000u + static_cast<std::uint32_t>(i)), 80},
                        .scheduler = "rr"};
        load.push_back({change::kind::add_service, s, std::nullopt});
        for (std::uint32_t d : {2u, 3u})
            load.push_back({change::kind::add_dest, s,
                            destination{.address = address::v4(0xc0000200u + static_cast<std::uint32_t>(i % 250) + d),
                                        .port = 80, .fwd = forwarding::masq}});
    }
    auto loaded = ipvs->apply(load);
    if (!loaded || std::any_of(loaded->begin(), loaded->end(), [](const auto& e) { return e.has_value(); }))
        return std::fprintf(stderr, "load failed\n"), 1;

    std::vector<double> snap, scrape;
    double bytes = 0;
    const std::string curl = "curl -sf -o /dev/null -w '%{time_total} %{size_download}' '" + url + "'";
    for (int r = 0; r < rounds; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        auto s = ipvs->snapshot();
        snap.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        if (!s || s->size() != static_cast<std::size_t>(n))
            return std::fprintf(stderr, "snapshot: %zu services\n", s ? s->size() : 0), 1;
        FILE* p = popen(curl.c_str(), "r");
        double t = 0;
        if (!p || std::fscanf(p, "%lf %lf", &t, &bytes) != 2 || pclose(p) != 0)
            return std::fprintf(stderr, "scrape of %s failed\n", url.c_str()), 1;
        scrape.push_back(t);
    }
    const auto list = [](const std::vector<double>& v) {
        std::string out;
        for (double x : v) out += (out.empty() ? "" : ", ") + std::to_string(x);
        return "[" + out + "]";
    };
    const double best_snap = *std::min_element(snap.begin(), snap.end());
    const double best_scrape = *std::min_element(scrape.begin(), scrape.end());
    std::printf(
        "{\"services\": %d, \"snapshot\": %.3f, \"scrape\": %.3f, \"ratio\": %.2f, \"bytes\": %.0f, "
        "\"rounds_s\": {\"snapshot\": %s, \"scrape\": %s}}\n",
        n, best_snap, best_scrape, best_scrape / best_snap, bytes, list(snap).c_str(), list(scrape).c_str());
    return 0;
}
