// nlpp::asio::ynl_client against the real kernel, each test in its own network namespace, with the
// upstream rt-link spec: a dump and a do compared with `ip -j link show` (the oracle), the
// kernel's errors (a missing link: ENODEV, as ip reports it; an over-long name: the kernel's
// extack offset named by the spec), a veth that `ip link add` creates seen as a notification,
// and a resync whose state matches ip's and after which only later notifications come.
#include "../support/kernel.hpp"
#include "../support/specs.hpp"

#include <nlpp/asio/ynl.hpp>
#include <nlpp/ynl/spec.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <system_error>

namespace {

using nlpp::test::netns;
using json = nlohmann::ordered_json;

// The rt-link spec, or nullopt when this machine has none (recorded as not run).
std::optional<nlpp::ynl::spec> rt_link() {
    const std::string path = nlpp::test::kernel_spec("rt-link");
    if (path.empty()) {
        nlpp::test::not_run("asio_ynl: no rt-link spec");
        return std::nullopt;
    }
    auto s = nlpp::ynl::load_spec(path);
    if (!s) throw std::runtime_error(s.error().what());
    return std::move(*s);
}

nlpp::asio::ynl_client open(asio::io_context& io, const nlpp::ynl::spec& spec, const netns& ns) {
    auto c = nlpp::asio::ynl_client::open(io.get_executor(), spec, {.netns = ns.name()});
    if (!c) throw std::runtime_error(c.error().what());
    return std::move(*c);
}

// Runs coroutine `f` on `io` to its end.
template <class F>
void run(asio::io_context& io, F f) {
    bool done = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await f();
            done = true;
        },
        asio::detached);
    io.run();
    ASSERT_TRUE(done);
}

// ifname -> ifindex as iproute2 shows them.
std::map<std::string, unsigned> ip_links(const netns& ns, const std::string& which = "") {
    std::map<std::string, unsigned> out;
    for (const auto& l : json::parse(nlpp::test::sh(fmt::format("ip -n {} -j link show {}", ns.name(), which))))
        out[l["ifname"].get<std::string>()] = l["ifindex"].get<unsigned>();
    return out;
}

TEST(asio_ynl, dump_and_do_match_ip) {
    NLPP_REQUIRE_ROOT();
    auto spec = rt_link();
    if (!spec) return;
    netns ns;
    ns.run("ip link add va type veth peer name vb");
    asio::io_context io;
    auto c = open(io, *spec, ns);
    std::map<std::string, unsigned> dumped;
    std::optional<json> lo;
    run(io, [&]() -> asio::awaitable<void> {
        // Named, not temporaries in the co_await expression: GCC 12 destroys those twice.
        const nlpp::ynl::request all{spec->find_op("getlink"), nlpp::ynl::mode::dump};
        auto links = c.dump(all);
        for (;;) {
            auto l = co_await links.next();
            if (!l) co_return ADD_FAILURE() << l.error();
            if (!*l) break;
            dumped[(**l)["ifname"].get<std::string>()] = (**l)["ifi-index"].get<unsigned>();
        }
        const nlpp::ynl::request one{spec->find_op("getlink"), nlpp::ynl::mode::do_request,
                                     json{{"ifname", "lo"}}};
        auto r = co_await c.run(one);
        if (!r) co_return ADD_FAILURE() << r.error();
        lo = std::move(*r);
    });
    EXPECT_EQ(dumped, ip_links(ns));
    EXPECT_EQ(dumped.size(), 3u);  // lo, va, vb
    ASSERT_TRUE(lo);
    const auto ip_lo = json::parse(nlpp::test::sh(fmt::format("ip -n {} -j -d link show lo", ns.name())))[0];
    EXPECT_EQ((*lo)["ifname"], ip_lo["ifname"]);
    EXPECT_EQ((*lo)["ifi-index"], ip_lo["ifindex"]);
    EXPECT_EQ((*lo)["mtu"], ip_lo["mtu"]);
    EXPECT_EQ((*lo)["operstate"].get<unsigned>() == 0, ip_lo["operstate"] == "UNKNOWN") << lo->dump();
}

TEST(asio_ynl, kernel_errors) {
    NLPP_REQUIRE_ROOT();
    auto spec = rt_link();
    if (!spec) return;
    netns ns;
    asio::io_context io;
    auto c = open(io, *spec, ns);
    std::optional<nlpp::error> missing, too_long;
    run(io, [&]() -> asio::awaitable<void> {
        const nlpp::ynl::request del{spec->find_op("dellink"), nlpp::ynl::mode::do_request,
                                     json{{"ifname", "nosuch0"}}};
        auto r = co_await c.run(del);
        if (r) co_return ADD_FAILURE() << "dellink of a missing link succeeded";
        missing = r.error();
        const nlpp::ynl::request del_long{spec->find_op("dellink"), nlpp::ynl::mode::do_request,
                                          json{{"ifname", "a-name-longer-than-ifnamsiz"}}};
        r = co_await c.run(del_long);
        if (r) co_return ADD_FAILURE() << "dellink of an over-long name succeeded";
        too_long = r.error();
    });
    ASSERT_TRUE(missing && too_long);
    // The oracle: ip says the same of the same namespace.
    EXPECT_THROW(nlpp::test::sh(fmt::format("ip -n {} link del nosuch0", ns.name())), std::runtime_error);
    EXPECT_EQ(missing->code(), std::error_code(ENODEV, std::system_category())) << *missing;
    EXPECT_NE(missing->what().find("dellink do"), std::string::npos) << *missing;
    // The kernel's policy rejects the name (longer than IFNAMSIZ: ERANGE) and points at it by
    // offset: the spec names it.
    EXPECT_EQ(too_long->code(), std::error_code(ERANGE, std::system_category())) << *too_long;
    EXPECT_EQ(too_long->extack().attr_path, ".ifname") << *too_long;
    // A group the spec lacks is refused by name.
    auto bad = c.subscribe("no-such-group");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().what().find("rtnlgrp-link"), std::string::npos) << bad.error();
}

TEST(asio_ynl, notification_of_a_new_veth) {
    NLPP_REQUIRE_ROOT();
    auto spec = rt_link();
    if (!spec) return;
    netns ns;
    asio::io_context io;
    auto c = open(io, *spec, ns);
    ASSERT_TRUE(c.subscribe("rtnlgrp-link"));
    std::map<std::string, unsigned> seen;
    run(io, [&]() -> asio::awaitable<void> {
        nlpp::test::sh(fmt::format("ip -n {} link add vx type veth peer name vy", ns.name()));
        while (!seen.count("vx") || !seen.count("vy")) {
            auto n = co_await c.next_notification();
            if (!n) co_return ADD_FAILURE() << n.error();
            if (std::holds_alternative<nlpp::asio::events_lost>(*n)) co_return ADD_FAILURE() << "events lost";
            const auto& one = std::get<nlpp::ynl::notification>(*n);
            if (one.name == "getlink" || one.name == "newlink")  // the reply's operation names it
                seen[one.msg["ifname"].get<std::string>()] = one.msg["ifi-index"].get<unsigned>();
        }
    });
    auto theirs = ip_links(ns);
    EXPECT_EQ(seen.at("vx"), theirs.at("vx"));
    EXPECT_EQ(seen.at("vy"), theirs.at("vy"));
}

TEST(asio_ynl, resync_dumps_the_state_and_keeps_only_later_notifications) {
    NLPP_REQUIRE_ROOT();
    auto spec = rt_link();
    if (!spec) return;
    netns ns;
    asio::io_context io;
    auto c = open(io, *spec, ns);
    ASSERT_TRUE(c.subscribe("rtnlgrp-link"));
    ns.run("ip link add b0 type veth peer name b1");  // their notifications wait in the socket
    std::map<std::string, unsigned> state;
    std::optional<std::string> next_name;
    std::optional<nlpp::error> not_a_dump;
    run(io, [&]() -> asio::awaitable<void> {
        const nlpp::ynl::request one{spec->find_op("getlink"), nlpp::ynl::mode::do_request,
                                     json{{"ifname", "lo"}}};
        // Named, not temporaries in the co_await expression: GCC 12 destroys those twice.
        const std::function<nlpp::result<void>(json)> ignore = [](json) -> nlpp::result<void> {
            return {};
        };
        auto bad = co_await c.resync(one, ignore);
        if (!bad) not_a_dump = bad.error();
        const nlpp::ynl::request all{spec->find_op("getlink"), nlpp::ynl::mode::dump};
        const std::function<nlpp::result<void>(json)> keep = [&](json l) -> nlpp::result<void> {
            state[l["ifname"].get<std::string>()] = l["ifi-index"].get<unsigned>();
            return {};
        };
        auto r = co_await c.resync(all, keep);
        if (!r) co_return ADD_FAILURE() << r.error();
        nlpp::test::sh(fmt::format("ip -n {} link add a0 type veth peer name a1", ns.name()));
        auto n = co_await c.next_notification();
        if (!n) co_return ADD_FAILURE() << n.error();
        if (std::holds_alternative<nlpp::asio::events_lost>(*n)) co_return ADD_FAILURE() << "events lost";
        next_name = std::get<nlpp::ynl::notification>(*n).msg["ifname"].get<std::string>();
    });
    ASSERT_TRUE(not_a_dump);
    EXPECT_TRUE(not_a_dump->is(nlpp::errc::invalid_argument)) << *not_a_dump;
    auto theirs = ip_links(ns);
    theirs.erase("a0");
    theirs.erase("a1");
    EXPECT_EQ(state, theirs);  // lo, b0 and b1, as ip shows them
    EXPECT_EQ(state.size(), 3u);
    // b0's and b1's notifications went with the old state: the first one after is a0's or a1's.
    ASSERT_TRUE(next_name);
    EXPECT_TRUE(*next_name == "a0" || *next_name == "a1") << *next_name;
}

}  // namespace
