// A scrape of nlpp-ipvs-exporter against the library snapshot alone: in each
// round, times one client::snapshot() of the current netns and one scrape of
// the exporter listening at URL (curl's own time_total: its process start
// not counted). With URL_TOTALS (an exporter run with --per-destination=false),
// also one client::services() (the service dump, all that exporter reads) and
// one scrape of it. bench/ipvs_bench.sh runs it in a netns that
// nlpp-bench-ipvs-snapshot loaded with N services x 2 destinations. Prints
// one JSON object: the rounds' seconds, the best of each, their ratio, the
// size of the text.
//   nlpp-bench-ipvs-exporter ROUNDS URL [URL_TOTALS]
#include <nlpp/ipvs/client.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace nlpp::ipvs;

namespace {

// One scrape: curl's seconds and the size of the text; false when it failed.
bool scrape(const std::string& url, double& seconds, double& bytes) {
    const std::string curl =
        "curl -sf -o /dev/null -w '%{time_total} %{size_download}' '" + url + "'";
    FILE* p = popen(curl.c_str(), "r");
    const bool read = p && std::fscanf(p, "%lf %lf", &seconds, &bytes) == 2;
    return p && pclose(p) == 0 && read;
}

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string list(const std::vector<double>& v) {
    std::string out;
    for (double x : v) out += (out.empty() ? "" : ", ") + std::to_string(x);
    return "[" + out + "]";
}

double best(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4)
        return std::fprintf(stderr, "usage: nlpp-bench-ipvs-exporter ROUNDS URL [URL_TOTALS]\n"), 2;
    const int rounds = std::atoi(argv[1]);
    const std::string url = argv[2], totals_url = argc == 4 ? argv[3] : "";
    auto ipvs = client::open();
    if (!ipvs) return std::fprintf(stderr, "%s\n", ipvs.error().what().c_str()), 1;
    std::vector<double> snap, scraped, dump, totals;
    double bytes = 0, totals_bytes = 0, t = 0;
    std::size_t n = 0;
    // A pair in the order of round r: the library first in even rounds, the scrape in odd ones.
    const auto pair = [](int r, auto&& library, auto&& exporter) {
        return r % 2 ? exporter() && library() : library() && exporter();
    };
    const auto fail = [](const std::string& what) {
        return std::fprintf(stderr, "%s\n", what.c_str()), 1;
    };
    std::string why;
    const auto time_snapshot = [&] {
        const auto t0 = std::chrono::steady_clock::now();
        auto s = ipvs->snapshot();
        snap.push_back(since(t0));
        if (!s) return why = s.error().what(), false;
        return n = s->size(), true;
    };
    const auto time_dump = [&] {
        const auto t0 = std::chrono::steady_clock::now();
        auto d = ipvs->services();
        dump.push_back(since(t0));
        if (!d) return why = d.error().what(), false;
        return true;
    };
    const auto time_scrape = [&](const std::string& u, std::vector<double>& into, double& size) {
        return [&t, &why, &into, &size, u] {
            if (!scrape(u, t, size)) return why = "scrape of " + u + " failed", false;
            return into.push_back(t), true;
        };
    };
    for (int r = 0; r < rounds; ++r) {
        if (!pair(r, time_snapshot, time_scrape(url, scraped, bytes))) return fail(why);
        if (!totals_url.empty() &&
            !pair(r, time_dump, time_scrape(totals_url, totals, totals_bytes)))
            return fail(why);
    }
    std::string per_service = "null";
    if (!totals_url.empty()) {
        char buf[160];
        std::snprintf(
            buf, sizeof buf,
            "{\"service_dump\": %.3f, \"scrape\": %.3f, \"ratio\": %.2f, \"bytes\": %.0f}",
            best(dump), best(totals), best(totals) / best(dump), totals_bytes);
        per_service = buf;
    }
    std::printf(
        "{\"services\": %zu, \"snapshot\": %.3f, \"scrape\": %.3f, \"ratio\": %.2f, \"bytes\": %.0f, "
        "\"totals_only\": %s, \"rounds_s\": {\"snapshot\": %s, \"scrape\": %s, \"service_dump\": %s, "
        "\"scrape_totals_only\": %s}}\n",
        n, best(snap), best(scraped), best(scraped) / best(snap), bytes, per_service.c_str(),
        list(snap).c_str(), list(scraped).c_str(), list(dump).c_str(), list(totals).c_str());
    return 0;
}
