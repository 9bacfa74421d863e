// Dumps and walks every IPv4 route of the current network namespace with one
// of three walkers, in a fresh process per run (bench/route_bench.sh):
//   nlpp   nlpp::socket::dump as a range, every attribute walked
//   c      hand-written C over a raw socket with the kernel's macros (the floor)
//   mnl    libmnl's callback API
//   ynl    the spec engine: rt-route.yaml, every route decoded to JSON text
//   ynl-tree  the same decoded to nlohmann::ordered_json values
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

// The spec engine: every route decoded to JSON text (decode_text, what
// nlpp-ynl --output-json prints), or with `tree` to an ordered_json value.
int ynl_walk(nlpp::ynl::client& c, walk_result& out, bool tree) {
    const auto& spec = c.spec();
    const auto* op = spec.find_op("getroute");
    const nlpp::ynl::request req{op, nlpp::ynl::mode::dump, nlohmann::ordered_json{{"rtm-family", 2}}};
    std::string text;
    auto r = c.exchange(std::span(&req, 1), [&](std::size_t, nlpp::message_view m) -> nlpp::result<void> {
        ++out.messages;
        if (tree) {
            auto j = nlpp::ynl::decode(spec, *op, m);
            if (!j) return nlpp::fail(j.error());
            out.attrs += j->size();
            out.checksum ^= j->value("table", 0u);
            return {};
        }
        text.clear();
        auto d = nlpp::ynl::decode_text(spec, *op, m, text);
        out.attrs += text.size();
        out.checksum ^= static_cast<std::uint32_t>(text.size());
        return d;
    });
    if (!r) std::fprintf(stderr, "%s\n", r.error().what().c_str());
    return r && !(*r)[0] ? 0 : -1;
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
    } else if (mode == "ynl" || mode == "ynl-tree") {
        auto path = nlpp::ynl::find_spec("rt-route");
        if (!path) return std::fprintf(stderr, "%s\n", path.error().what().c_str()), 1;
        auto spec = nlpp::ynl::load_spec(*path);
        if (!spec) return std::fprintf(stderr, "%s\n", spec.error().what().c_str()), 1;
        auto c = nlpp::ynl::client::open(*spec, {.read_size = 32768});
        if (!c) return std::fprintf(stderr, "%s\n", c.error().what().c_str()), 1;
        timed([&] { return ynl_walk(*c, out, mode == "ynl-tree"); });
    } else if (mode == "mnl") {
        timed([&] { return mnl_walk(&out); });
    } else {
        std::fprintf(stderr, "usage: nlpp-bench-routes nlpp|c|mnl|ynl|ynl-tree\n");
        return 2;
    }
    if (rc != 0) return std::fprintf(stderr, "%s walk failed\n", mode.c_str()), 1;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("%s %.2f %llu %llu %08x %ld\n", mode.c_str(), ms, static_cast<unsigned long long>(out.messages),
                static_cast<unsigned long long>(out.attrs), out.checksum, ru.ru_maxrss);
    return 0;
}
