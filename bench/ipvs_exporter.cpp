// A scrape of nlpp-ipvs-exporter against the library snapshot alone: in each
// round, times one client::snapshot() of the current netns and one scrape of
// the exporter listening at URL (curl's own time_total: its process start
// not counted). bench/ipvs_bench.sh runs it in a netns that
// nlpp-bench-ipvs-snapshot loaded with N services x 2 destinations. Prints
// one JSON object: the rounds' seconds, the best of each, their ratio, the
// size of the text.
//   nlpp-bench-ipvs-exporter ROUNDS URL
#include <nlpp/ipvs/client.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace nlpp::ipvs;

int main(int argc, char** argv) {
    if (argc != 3) return std::fprintf(stderr, "usage: nlpp-bench-ipvs-exporter ROUNDS URL\n"), 2;
    const int rounds = std::atoi(argv[1]);
    const std::string url = argv[2];
    auto ipvs = client::open();
    if (!ipvs) return std::fprintf(stderr, "%s\n", ipvs.error().what().c_str()), 1;
    std::vector<double> snap, scrape;
    double bytes = 0;
    std::size_t n = 0;
    const std::string curl = "curl -sf -o /dev/null -w '%{time_total} %{size_download}' '" + url + "'";
    for (int r = 0; r < rounds; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        auto s = ipvs->snapshot();
        snap.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        if (!s) return std::fprintf(stderr, "%s\n", s.error().what().c_str()), 1;
        n = s->size();
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
        "{\"services\": %zu, \"snapshot\": %.3f, \"scrape\": %.3f, \"ratio\": %.2f, \"bytes\": %.0f, "
        "\"rounds_s\": {\"snapshot\": %s, \"scrape\": %s}}\n",
        n, best_snap, best_scrape, best_scrape / best_snap, bytes, list(snap).c_str(), list(scrape).c_str());
    return 0;
}
