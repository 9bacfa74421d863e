// In-process IPVS benchmark: loads N services x 2 destinations through
// client::apply (pipelined), snapshots them, and reconciles a desired state
// with 1% of the destination weights changed. Run in a fresh netns of an
// IPVS kernel (bench/ipvs_bench.sh does). Prints seconds per phase.
//   nlpp-bench-ipvs N [READ_SIZE]
#include <nlpp/ipvs/reconcile.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <fmt/core.h>

using namespace nlpp::ipvs;

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
    const std::size_t read_size = argc > 2 ? static_cast<std::size_t>(std::atol(argv[2])) : 64 * 1024;
    auto ipvs = client::open({.read_size = read_size});  // 65536 (the socket default) means the client default
    if (!ipvs) return fmt::print(stderr, "{}\n", ipvs.error()), 1;
    std::vector<service_entry> desired;
    for (int i = 0; i < n; ++i) {
        service_entry e;
        e.service = service{.key = virtual_service{protocol::tcp, address::v4(0x0a000000u + static_cast<std::uint32_t>(i)), 80},
                            .scheduler = "rr"};
        for (std::uint32_t d : {2u, 3u})
            e.destinations.push_back({.address = address::v4(0xc0000200u + static_cast<std::uint32_t>(i % 250) + d),
                                      .port = 80, .fwd = forwarding::masq});
        desired.push_back(std::move(e));
    }
    using clock = std::chrono::steady_clock;
    auto secs = [](clock::time_point a) { return std::chrono::duration<double>(clock::now() - a).count(); };

    auto t = clock::now();
    auto load = reconcile(*ipvs, desired, {});
    if (!load || load->failed()) return std::fprintf(stderr, "load failed\n"), 1;
    const double load_s = secs(t);

    rusage r0{}, r1{};
    getrusage(RUSAGE_SELF, &r0);
    t = clock::now();
    auto snap = ipvs->snapshot();
    if (!snap || snap->size() != static_cast<std::size_t>(n)) return std::fprintf(stderr, "snapshot failed\n"), 1;
    const double snap_s = secs(t);
    getrusage(RUSAGE_SELF, &r1);
    auto tv = [](timeval a, timeval b) { return static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_usec - a.tv_usec) / 1e6; };
    std::fprintf(stderr, "snapshot: user %.3f s, system %.3f s\n", tv(r0.ru_utime, r1.ru_utime), tv(r0.ru_stime, r1.ru_stime));

    std::size_t changed = 0;
    for (auto& e : desired)
        for (auto& d : e.destinations)
            if (changed < static_cast<std::size_t>(2 * n) / 100) {
                d.weight = 5;
                ++changed;
            }
    t = clock::now();
    auto rec = reconcile(*ipvs, desired, {});
    if (!rec || rec->failed()) return std::fprintf(stderr, "reconcile failed\n"), 1;
    const double rec_s = secs(t);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("%d %.3f %.3f %.3f %zu %ld\n", n, load_s, snap_s, rec_s, rec->ops.size(), ru.ru_maxrss);
    return 0;
}
