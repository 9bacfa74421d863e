// The typed path of nlpp::asio: rt-link as nlpp-gen generates it (tests/CMakeLists.txt), dumped,
// done and monitored through nlpp::asio::family_socket in a fresh network namespace; the oracle is
// `ip -j link show`.
#include "../support/kernel.hpp"

#include <nlpp/asio/family_socket.hpp>
#include <rt_link.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace {

namespace rt = nlpp::gen::rt_link;
using links = nlpp::asio::family_socket<rt::spec_info>;
using nlpp::test::netns;

TEST(asio_typed, rt_link_dump_do_and_notification) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    nlpp::test::sh(fmt::format("ip -n {} link add t0 type veth peer name t1", ns.name()));
    nlpp::test::sh(fmt::format("ip -n {} link set t0 mtu 1400", ns.name()));
    asio::io_context io;
    auto s = links::open(io.get_executor(), {.netns = ns.name()});
    ASSERT_TRUE(s) << s.error();
    ASSERT_TRUE(s->subscribe("rtnlgrp-link"));

    std::map<int, std::pair<std::string, std::uint32_t>> ours;  // ifindex: name, mtu
    std::string lo, added;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            const nlpp::gen::message<rt::ops::getlink> all{};
            auto d = s->dump(all);
            for (;;) {
                auto m = co_await d.next();
                if (!m) co_return ADD_FAILURE() << m.error();
                if (!*m) break;
                ours[(*m)->header.ifi_index] = {(*m)->attrs.ifname.value_or("?"), (*m)->attrs.mtu.value_or(0)};
            }
            nlpp::gen::message<rt::ops::getlink> one{};
            one.header.ifi_index = 1;
            auto r = co_await s->do_(one);
            if (!r) co_return ADD_FAILURE() << r.error();
            lo = r->attrs.ifname.value_or("?");

            nlpp::test::sh(fmt::format("ip -n {} link add t2 type veth peer name t3", ns.name()));
            while (added.empty()) {
                auto n = co_await s->next_notification();
                if (!n) co_return ADD_FAILURE() << n.error();
                if (!std::holds_alternative<nlpp::owned_message>(*n)) continue;
                auto link = links::as<rt::ops::getlink>(std::get<nlpp::owned_message>(*n).view());
                if (!link) co_return ADD_FAILURE() << link.error();
                if (*link) added = (*link)->attrs.ifname.value_or("?");
            }
        },
        asio::detached);
    io.run();

    auto theirs = nlohmann::json::parse(nlpp::test::sh(fmt::format("ip -n {} -j link show", ns.name())));
    // t2/t3 were added after the dump.
    EXPECT_EQ(ours.size() + 2, theirs.size());
    for (const auto& l : theirs) {
        const std::string name = l["ifname"].get<std::string>();
        if (name == "t2" || name == "t3") continue;
        ASSERT_TRUE(ours.count(l["ifindex"].get<int>())) << name;
        EXPECT_EQ(ours[l["ifindex"].get<int>()].first, name);
        EXPECT_EQ(ours[l["ifindex"].get<int>()].second, l["mtu"].get<std::uint32_t>());
    }
    EXPECT_EQ(lo, "lo");
    EXPECT_TRUE(added == "t2" || added == "t3") << added;
}

}  // namespace
