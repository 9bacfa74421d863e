// nlpp-ipvs watch (see watch.hpp).
#include "watch.hpp"

#include "state_json.hpp"

#include <nlpp/ipvs/diff.hpp>

#include <signal.h>
#include <time.h>

#include <charconv>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace nlpp::ipvs::cli {
namespace {

constexpr const char* usage =
    "usage: nlpp-ipvs watch [--interval SECONDS] [--json] [--initial] [--count N]\n";

nlohmann::ordered_json event_json(const event& e) {
    nlohmann::ordered_json j = {{"event", event_name(e.what)}, {"service", to_json(e.service)}};
    if (e.dest) j["dest"] = to_json(*e.dest);
    if (e.service_before) j["before"] = to_json(*e.service_before);
    if (e.dest_before) j["before"] = to_json(*e.dest_before);
    return j;
}

}  // namespace

std::optional<std::chrono::nanoseconds> seconds_arg(const char* cmd, const std::string* v,
                                                    double min, double max) {
    double secs = 0;
    auto [p, ec] =
        v ? std::from_chars(v->data(), v->data() + v->size(), secs) : std::from_chars_result{};
    if (v && !v->empty() && ec == std::errc{} && p == v->data() + v->size() && secs >= min &&
        secs <= max)
        return std::chrono::nanoseconds(std::llround(secs * 1e9));
    std::fprintf(stderr, "%s: --interval needs a number of seconds from %g to %g, got '%s'\n", cmd,
                 min, max, v ? v->c_str() : "");
    return std::nullopt;
}

std::variant<watch_options, int> parse_watch(const std::vector<std::string>& args) {
    watch_options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        const std::string* v = i + 1 < args.size() ? &args[i + 1] : nullptr;
        if (a == "--json") {
            o.json = true;
        } else if (a == "--initial") {
            o.initial = true;
        } else if (a == "--interval") {
            auto secs = seconds_arg("watch", v, 0.01, 86400);
            if (!secs) return 2;
            o.interval = *secs;
            ++i;
        } else if (a == "--count") {
            std::uint64_t n = 0;
            auto [p, ec] =
                v ? std::from_chars(v->data(), v->data() + v->size(), n) : std::from_chars_result{};
            if (!v || v->empty() || ec != std::errc{} || p != v->data() + v->size() || n == 0)
                return std::fprintf(
                           stderr, "watch: --count needs a number of snapshots above 0, got '%s'\n",
                           v ? v->c_str() : ""),
                       2;
            o.count = n;
            ++i;
        } else {
            return std::fprintf(stderr, "watch: unexpected argument %s\n%s", a.c_str(), usage), 2;
        }
    }
    return o;
}

int watch(client& ipvs, const watch_options& o) {
    // SIGINT and SIGTERM are blocked and awaited between snapshots: a clean
    // stop. Their default action is restored first (a shell starts
    // background jobs with SIGINT ignored, and an ignored signal never waits).
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, nullptr);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    using clock = std::chrono::steady_clock;
    auto next = clock::now();
    std::vector<service_entry> before;
    for (std::uint64_t n = 0; o.count == 0 || n < o.count; ++n) {
        if (n > 0) {  // wait for the next tick, or a signal
            next += o.interval;
            const auto left = next - clock::now();
            if (left > std::chrono::nanoseconds::zero()) {
                const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
                const timespec ts{static_cast<time_t>(ns / 1000000000),
                                  static_cast<long>(ns % 1000000000)};
                if (sigtimedwait(&stop, nullptr, &ts) > 0) return 0;
            } else {
                next = clock::now();  // a slow snapshot: the next tick starts now
                const timespec zero{0, 0};
                if (sigtimedwait(&stop, nullptr, &zero) > 0) return 0;
            }
        }
        auto after = ipvs.snapshot();
        if (!after) return std::fprintf(stderr, "watch: %s\n", after.error().what().c_str()), 1;
        if (n > 0 || o.initial) {
            for (const auto& e : diff(before, *after)) {
                if (o.json)
                    std::fputs((event_json(e).dump() + "\n").c_str(), stdout);
                else
                    std::fputs((e.describe() + "\n").c_str(), stdout);
            }
            std::fflush(stdout);
        }
        before = std::move(*after);
    }
    return 0;
}

}  // namespace nlpp::ipvs::cli
