// Dumps and walks every IPv4 route of the current network namespace with one
// of three walkers, in a fresh process per run (bench/route_bench.sh):
//   nlpp   nlpp::socket::dump as a range, every attribute walked
//   c      hand-written C over a raw socket with the kernel's macros (the floor)
//   mnl    libmnl's callback API
//   ynl    the spec engine: rt-route.yaml, every route decoded to JSON values
// Prints: walker, dump milliseconds, messages, attributes, checksum, peak RSS KiB.
#include "route_walk.h"

#include <nlpp/core/builder.hpp>
#include <nlpp/socket/socket.hpp>
#include <nlpp/ynl/client.hpp>

#include <linux/rtnetlink.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

int nlpp_walk(nlpp::socket& s, walk_result& out) {
    nlpp::message_builder req(RTM_GETROUTE, 0);
    rtmsg rt{};
    rt.rtm_family = AF_INET;
    req.put_header(rt);
    auto routes = s.dump(req, {"dump routes"});
    for (nlpp::message_view m : routes) {
        ++out.messages;
        nlpp::attr_range attrs = m.attrs(sizeof(rtmsg));
        for (nlpp::attr_view a : attrs) {
            ++out.attrs;
            if (auto v = a.get<std::uint32_t>()) out.checksum ^= *v + a.type();
        }
        if (attrs.fault()) return -1;
    }
    return routes.error() ? -1 : 0;
}

int ynl_walk(nlpp::ynl::client& c, walk_result& out) {
    const auto& spec = c.spec();
    nlpp::ynl::request req{spec.find_op("getroute"), nlpp::ynl::mode::dump, nlohmann::ordered_json{{"rtm-family", 2}}};
    auto r = c.run(req, [&](nlohmann::ordered_json&& route) -> nlpp::result<void> {
        ++out.messages;
        out.attrs += route.size();
        if (auto it = route.find("table"); it != route.end()) out.checksum ^= it->get<std::uint32_t>();
        return {};
    });
    if (!r) std::fprintf(stderr, "%s\n", r.error().what().c_str());
    return r ? 0 : -1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "nlpp";
    walk_result out{};
    int rc = -1;
    double ms = 0;
    auto timed = [&](auto&& f) {
        auto t0 = std::chrono::steady_clock::now();
        rc = f();
        ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    };
    if (mode == "nlpp") {
        auto s = nlpp::socket::open(NETLINK_ROUTE, {.read_size = 32768});
        if (!s) return std::fprintf(stderr, "%s\n", s.error().what().c_str()), 1;
        timed([&] { return nlpp_walk(*s, out); });
    } else if (mode == "c") {
        int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        timed([&] { return c_walk(fd, &out); });
    } else if (mode == "ynl") {
        auto path = nlpp::ynl::find_spec("rt-route");
        if (!path) return std::fprintf(stderr, "%s\n", path.error().what().c_str()), 1;
        auto spec = nlpp::ynl::load_spec(*path);
        if (!spec) return std::fprintf(stderr, "%s\n", spec.error().what().c_str()), 1;
        auto c = nlpp::ynl::client::open(*spec, {.read_size = 32768});
        if (!c) return std::fprintf(stderr, "%s\n", c.error().what().c_str()), 1;
        timed([&] { return ynl_walk(*c, out); });
    } else if (mode == "mnl") {
        timed([&] { return mnl_walk(&out); });
    } else {
        std::fprintf(stderr, "usage: nlpp-bench-routes nlpp|c|mnl|ynl\n");
        return 2;
    }
    if (rc != 0) return std::fprintf(stderr, "%s walk failed\n", mode.c_str()), 1;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("%s %.2f %llu %llu %08x %ld\n", mode.c_str(), ms, static_cast<unsigned long long>(out.messages),
                static_cast<unsigned long long>(out.attrs), out.checksum, ru.ru_maxrss);
    return 0;
}
