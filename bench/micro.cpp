// Micro-benchmarks: attribute iteration over a captured link message, and
// building a typical request.
#include <nlpp/core/builder.hpp>
#include <nlpp/core/dump.hpp>
#include <nlpp/core/message.hpp>
#include <nlpp/ynl/spec.hpp>

#include <benchmark/benchmark.h>
#include <linux/rtnetlink.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace {

std::vector<std::byte> link_lo() {
    std::ifstream f(NLPP_GOLDEN_DIR "/link_lo.hex");
    std::stringstream ss;
    ss << f.rdbuf();
    return nlpp::from_hex(ss.str()).value();
}

void attr_iteration(benchmark::State& state) {
    auto bytes = link_lo();
    auto m = nlpp::message_view::parse(bytes).value();
    for (auto _ : state) {
        std::uint32_t sum = 0;
        for (nlpp::attr_view a : m.attrs(sizeof(ifinfomsg)))
            if (a.payload().size() == 4) sum += a.get<std::uint32_t>().value_or(0);
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(attr_iteration);

void build_request(benchmark::State& state) {
    std::array<std::byte, 1024> storage;
    for (auto _ : state) {
        nlpp::message_builder b(storage, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE);
        b.put_header(ifinfomsg{});
        b.put_string(IFLA_IFNAME, "veth0");
        b.put<std::uint32_t>(IFLA_MTU, 1500);
        {
            auto li = b.nest(IFLA_LINKINFO);
            b.put_string(IFLA_INFO_KIND, "veth");
        }
        auto w = b.finish();
        benchmark::DoNotOptimize(w);
    }
}
BENCHMARK(build_request);

}  // namespace

void load_rt_link_spec(benchmark::State& state) {
    // NLPP_SPEC_PATH, then the kernel specs chosen at configure time (rt-link.yaml or rt_link.yaml).
    const auto path = nlpp::ynl::find_spec("rt-link", {NLPP_KERNEL_SPECS});
    if (!path) {
        state.SkipWithError(path.error().what().c_str());
        return;
    }
    state.SetLabel(*path);
    for (auto _ : state) {
        auto s = nlpp::ynl::load_spec(*path);
        if (!s) state.SkipWithError(s.error().what().c_str());
        benchmark::DoNotOptimize(s);
    }
}
BENCHMARK(load_rt_link_spec)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
