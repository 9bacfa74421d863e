// Where a large IPVS snapshot spends its time: loads N services x 2
// destinations (pipelined), then times the service dump alone, the N
// destination dumps alone and a whole client::snapshot(), each with its user
// and system CPU time. Run in a fresh netns of an IPVS kernel
// (bench/ipvs_bench.sh does). Prints one JSON object.
//   nlpp-bench-ipvs-snapshot N [READ_SIZE]
#include <nlpp/ipvs/reconcile.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>

using namespace nlpp::ipvs;

namespace {

struct phase {
    double wall = 0, user = 0, sys = 0;
};

double seconds(timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

phase timed(const std::function<void()>& f) {
    rusage r0{}, r1{};
    getrusage(RUSAGE_SELF, &r0);
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    getrusage(RUSAGE_SELF, &r1);
    return {wall, seconds(r1.ru_utime) - seconds(r0.ru_utime), seconds(r1.ru_stime) - seconds(r0.ru_stime)};
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 50000;
    const std::size_t read_size = argc > 2 ? static_cast<std::size_t>(std::atol(argv[2])) : 64 * 1024;
    auto ipvs = client::open({.read_size = read_size});  // 65536 (the socket default) means the client default
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
    bool ok = true;
    const phase load_p = timed([&] {
        auto r = ipvs->apply(load);
        ok = r && std::all_of(r->begin(), r->end(), [](const auto& e) { return !e; });
    });
    if (!ok) return std::fprintf(stderr, "load failed\n"), 1;
    std::vector<service> svcs;
    const phase svc_p = timed([&] {
        auto s = ipvs->services();
        if (s) svcs = std::move(*s);
    });
    std::size_t dests = 0;
    const phase dest_p = timed([&] {
        for (const auto& s : svcs)
            if (auto d = ipvs->dests(s.key)) dests += d->size();
    });
    std::size_t snap_n = 0;
    const phase snap_p = timed([&] {
        if (auto s = ipvs->snapshot()) snap_n = s->size();
    });
    if (svcs.size() != static_cast<std::size_t>(n) || dests != 2 * svcs.size() || snap_n != svcs.size())
        return std::fprintf(stderr, "snapshot: %zu services, %zu destinations, %zu in snapshot()\n", svcs.size(), dests, snap_n), 1;
    auto js = [](const phase& p) { return "{\"wall\": " + std::to_string(p.wall) + ", \"user\": " + std::to_string(p.user) +
                                          ", \"sys\": " + std::to_string(p.sys) + "}"; };
    std::printf("{\"services\": %d, \"load\": %s, \"service_dump\": %s, \"dest_dumps\": %s, \"snapshot\": %s}\n", n,
                js(load_p).c_str(), js(svc_p).c_str(), js(dest_p).c_str(), js(snap_p).c_str());
    return 0;
}
