// nlpp::asio against the real kernel, each test in its own network namespace: 1,000 links created
// by pipelined coroutines while a monitor coroutine on another socket of the same io_context counts
// every notification; lost events (a tiny receive buffer) recovered by resync; a dump cancelled
// halfway, a timeout and close() with operations pending, each leaving the socket usable. The
// oracle is the kernel's state as iproute2 shows it (`ip -j link show`).
#include "../support/kernel.hpp"

#include <nlpp/asio/socket.hpp>

#include <linux/if_link.h>
#include <linux/veth.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using nlpp::test::netns;

std::set<std::string> ip_links(const netns& ns) {
    std::set<std::string> out;
    for (const auto& l : nlohmann::json::parse(nlpp::test::sh(fmt::format("ip -n {} -j link show", ns.name()))))
        out.insert(l["ifname"].get<std::string>());
    return out;
}

std::string link_name(nlpp::message_view m) {
    for (nlpp::attr_view a : m.attrs(sizeof(ifinfomsg)))
        if (a.type() == IFLA_IFNAME) return std::string(a.get_string());
    return {};
}

// A veth pair: two links (NAME and its peer pNAME) in one request.
nlpp::message_builder new_veth(const std::string& name) {
    nlpp::message_builder b(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    b.put_header(ifinfomsg{});
    b.put_string(IFLA_IFNAME, name);
    {
        auto li = b.nest(IFLA_LINKINFO);
        b.put_string(IFLA_INFO_KIND, "veth");
        auto data = b.nest(IFLA_INFO_DATA);
        auto peer = b.nest(VETH_INFO_PEER);
        b.put_header(ifinfomsg{});
        b.put_string(IFLA_IFNAME, "p" + name);
    }
    return b;
}

nlpp::message_builder get_links() {
    nlpp::message_builder b(RTM_GETLINK, 0);
    b.put_header(ifinfomsg{});
    return b;
}

// Every link's name, by a dump through the coroutine API (an error fails the test).
asio::awaitable<std::set<std::string>> dumped_names(nlpp::asio::socket& s) {
    std::set<std::string> out;
    auto b = get_links();
    auto d = s.dump(b, {"dump links"});
    for (;;) {
        auto m = co_await d.next();
        if (!m) co_return ADD_FAILURE() << m.error(), out;
        if (!*m) co_return out;
        out.insert(link_name(**m));
    }
}

// The name of link 1 by a do-operation: "lo", or empty on failure.
asio::awaitable<std::string> name_of_link_1(nlpp::asio::socket& s) {
    nlpp::message_builder one(RTM_GETLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_index = 1;
    one.put_header(ifi);
    const nlpp::request_info info{"get link 1"};
    auto r = co_await s.do_request(one, info);
    if (!r || !*r) co_return ADD_FAILURE() << "get link 1", std::string();
    co_return link_name((*r)->view());
}

nlpp::asio::socket open(asio::io_context& io, const netns& ns, nlpp::socket_options o = {}) {
    o.netns = ns.name();
    auto s = nlpp::asio::socket::open(io.get_executor(), NETLINK_ROUTE, o);
    if (!s) throw std::runtime_error(s.error().what());
    return std::move(*s);
}

// 1,000 links (500 veth pairs) made by 25 coroutines, 20 requests each, all in flight on one socket.
asio::awaitable<void> create_links(nlpp::asio::socket& s, int workers, int per_worker, int& failures) {
    auto ex = co_await asio::this_coro::executor;
    int running = workers;
    asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
    for (int w = 0; w < workers; ++w)
        asio::co_spawn(
            ex,
            [&, w]() -> asio::awaitable<void> {
                // Named arguments, no braced temporaries in a co_await: GCC 12 destroys those twice.
                const nlpp::reply_handler none;
                const nlpp::request_info info{"add veth pair"};
                for (int i = 0; i < per_worker; ++i) {
                    auto b = new_veth(fmt::format("d{}", w * per_worker + i));
                    auto r = co_await s.request(b, none, info);
                    if (!r) {
                        ++failures;
                        ADD_FAILURE() << r.error();
                    }
                }
                if (--running == 0) all_done.cancel();
            },
            asio::detached);
    std::error_code ec;
    co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

TEST(asio_kernel, pipelined_creation_of_1000_links_with_every_notification_seen) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    asio::io_context io;
    auto maker = open(io, ns, {.receive_buffer = 1 << 20});
    auto monitor = open(io, ns);
    // Large enough for every notification of the run (root may exceed rmem_max).
    const int big = 32 << 20;
    ASSERT_EQ(setsockopt(monitor.raw().fd(), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big), 0);
    ASSERT_TRUE(monitor.subscribe(RTNLGRP_LINK));

    std::set<std::string> seen;
    int lost = 0, failures = 0;
    asio::co_spawn(io, create_links(maker, 25, 20, failures), asio::detached);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer limit(io);
            while (seen.size() < 1000) {
                limit.expires_after(20s);
                auto n = co_await (monitor.next_notification() || limit.async_wait(asio::use_awaitable));
                if (n.index() == 1) co_return;  // the limit: the check below fails
                auto& r = std::get<0>(n);
                if (!r) co_return ADD_FAILURE() << r.error();
                if (std::holds_alternative<nlpp::asio::events_lost>(*r)) {
                    ++lost;
                    continue;
                }
                auto m = std::get<nlpp::owned_message>(*r).view();
                if (m.type() == RTM_NEWLINK) seen.insert(link_name(m));
            }
        },
        asio::detached);
    io.run();
    EXPECT_EQ(failures, 0);
    EXPECT_EQ(lost, 0);
    auto theirs = ip_links(ns);
    theirs.erase("lo");
    EXPECT_EQ(theirs.size(), 1000u);
    EXPECT_EQ(seen, theirs);
}

TEST(asio_kernel, lost_events_are_reported_and_resync_recovers_the_exact_set) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    asio::io_context io;
    auto maker = open(io, ns, {.receive_buffer = 1 << 20});
    auto monitor = open(io, ns, {.receive_buffer = 1});  // the kernel's minimum: overruns
    ASSERT_TRUE(monitor.subscribe(RTNLGRP_LINK));

    std::set<std::string> state;
    int lost = 0, resyncs = 0, failures = 0;
    bool made = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await create_links(maker, 25, 20, failures);
            made = true;
        },
        asio::detached);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer idle(io);
            for (;;) {
                idle.expires_after(made ? 300ms : 20s);
                auto n = co_await (monitor.next_notification() || idle.async_wait(asio::use_awaitable));
                if (n.index() == 1) {
                    if (made) co_return;  // quiet after the last link: the state is complete
                    co_return ADD_FAILURE() << "no notification for 20 s";
                }
                auto& r = std::get<0>(n);
                if (!r) co_return ADD_FAILURE() << r.error();
                if (std::holds_alternative<nlpp::asio::events_lost>(*r)) {
                    ++lost;
                    std::set<std::string> fresh;
                    auto b = get_links();
                    const nlpp::reply_handler add = [&](nlpp::message_view m) -> nlpp::result<void> {
                        fresh.insert(link_name(m));
                        return {};
                    };
                    const nlpp::request_info info{"resync links"};
                    auto res = co_await monitor.resync(b, add, info);
                    for (int retry = 0; !res && res.error().is(nlpp::errc::dump_interrupted) && retry < 100;
                         ++retry) {  // the links changed during the dump: again, from scratch
                        fresh.clear();
                        res = co_await monitor.resync(b, add, info);
                    }
                    if (!res) co_return ADD_FAILURE() << res.error();
                    ++resyncs;
                    state = std::move(fresh);
                    continue;
                }
                auto m = std::get<nlpp::owned_message>(*r).view();
                if (m.type() == RTM_NEWLINK) state.insert(link_name(m));
                if (m.type() == RTM_DELLINK) state.erase(link_name(m));
            }
        },
        asio::detached);
    io.run();
    EXPECT_EQ(failures, 0);
    EXPECT_GT(lost, 0) << "a receive buffer of the kernel's minimum should overrun";
    EXPECT_EQ(resyncs, lost);
    EXPECT_EQ(state, ip_links(ns));
}

TEST(asio_kernel, dump_cancelled_halfway_leaves_the_socket_usable) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    nlpp::test::add_veth_pairs(ns, 500);
    asio::io_context io;
    auto s = open(io, ns, {.read_size = 4096});  // a few links per datagram: a long dump

    asio::cancellation_signal stop;
    int before_stop = 0;
    std::optional<nlpp::error> ended;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await asio::this_coro::throw_if_cancelled(false);  // see the error as a value
            auto b = get_links();
            auto d = s.dump(b, {"dump links"});
            for (;;) {
                auto m = co_await d.next();
                if (!m) co_return ended.emplace(m.error()), void();
                if (!*m) co_return;
                if (++before_stop == 10) stop.emit(asio::cancellation_type::terminal);
            }
        },
        asio::bind_cancellation_slot(stop.slot(), asio::detached));
    io.run();
    EXPECT_EQ(before_stop, 10);
    ASSERT_TRUE(ended);
    EXPECT_EQ(ended->code(), std::errc::operation_canceled);  // asio::error::operation_aborted
    EXPECT_EQ(ended->errno_value(), ECANCELED);

    // The next request and dump on the same socket work: the rest of the old dump is dropped.
    io.restart();
    std::set<std::string> ours;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            EXPECT_EQ(co_await name_of_link_1(s), "lo");
            ours = co_await dumped_names(s);
        },
        asio::detached);
    io.run();
    EXPECT_EQ(ours.size(), 1001u);
    EXPECT_EQ(ours, ip_links(ns));
}

TEST(asio_kernel, cancellation_while_suspended_and_a_timeout_by_awaitable_operators) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    nlpp::test::add_veth_pairs(ns, 150);
    asio::io_context io;
    auto s = open(io, ns, {.read_size = 4096});
    ASSERT_TRUE(s.subscribe(RTNLGRP_LINK));
    asio::cancellation_signal stop;
    int got = 0;
    std::optional<nlpp::error> dump_end;
    std::optional<nlpp::asio::notification> later;
    // A waiter for notifications reads for the socket: the dump waits to be handed each reply.
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer t(io);
            t.expires_after(200ms);  // a timeout through awaitable_operators: nothing comes
            auto n = co_await (s.next_notification() || t.async_wait(asio::use_awaitable));
            EXPECT_EQ(n.index(), 1u);
            // After the timeout the stream still works: a change made now is seen.
            nlpp::test::sh(fmt::format("ip -n {} link add late type veth peer name plate", ns.name()));
            auto r = co_await s.next_notification();
            if (!r) co_return ADD_FAILURE() << r.error();
            later = std::move(*r);
        },
        asio::detached);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await asio::this_coro::throw_if_cancelled(false);
            auto b = get_links();
            auto d = s.dump(b, {"dump links"});
            for (;;) {
                auto m = co_await d.next();
                if (!m) co_return dump_end.emplace(m.error()), void();
                if (!*m) co_return;
                if (++got == 10)  // cancelled from elsewhere while the dump waits
                    asio::post(io, [&] { stop.emit(asio::cancellation_type::terminal); });
            }
        },
        asio::bind_cancellation_slot(stop.slot(), asio::detached));
    io.run();
    ASSERT_TRUE(dump_end);
    EXPECT_EQ(dump_end->errno_value(), ECANCELED) << *dump_end;
    EXPECT_GE(got, 10);
    EXPECT_LT(got, 301);
    ASSERT_TRUE(later);
    ASSERT_TRUE(std::holds_alternative<nlpp::owned_message>(*later));
    const auto late = link_name(std::get<nlpp::owned_message>(*later).view());
    EXPECT_TRUE(late == "late" || late == "plate") << late;
}

TEST(asio_kernel, dump_abandoned_while_another_reads_is_drained_before_the_next) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    nlpp::test::add_veth_pairs(ns, 150);
    asio::io_context io;
    auto s = open(io, ns, {.read_size = 4096});
    ASSERT_TRUE(s.subscribe(RTNLGRP_LINK));
    std::set<std::string> second;
    int first = 0;
    asio::co_spawn(  // waits for notifications: the reader whenever the dumps do not read
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer t(io);
            t.expires_after(500ms);
            co_await (s.next_notification() || t.async_wait(asio::use_awaitable));
        },
        asio::detached);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto b = get_links();
            {
                auto d = s.dump(b, {"dump links, left after 5"});
                while (first < 5) {
                    auto m = co_await d.next();
                    if (!m || !*m) co_return ADD_FAILURE() << "the first dump ended early";
                    ++first;
                }
            }  // abandoned: its remaining replies are read and dropped before the next dump is sent
            second = co_await dumped_names(s);
        },
        asio::detached);
    io.run();
    EXPECT_EQ(first, 5);
    EXPECT_EQ(second, ip_links(ns));
}

TEST(asio_kernel, four_threads_each_with_its_io_context_and_sockets) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    nlpp::test::add_veth_pairs(ns, 50);
    const auto theirs = ip_links(ns);
    std::set<std::string> seen[4];
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            asio::io_context io;
            auto s = open(io, ns);
            asio::co_spawn(
                io,
                [&]() -> asio::awaitable<void> {
                    for (int round = 0; round < 5; ++round) seen[t] = co_await dumped_names(s);
                },
                asio::detached);
            io.run();
        });
    for (auto& t : threads) t.join();
    for (const auto& s : seen) EXPECT_EQ(s, theirs);
}

TEST(asio_kernel, per_operation_timeout_then_the_socket_works) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    asio::io_context io;
    auto s = open(io, ns, {.timeout = 150ms});  // bounds each wait of each operation
    ASSERT_TRUE(s.subscribe(RTNLGRP_LINK));
    std::optional<nlpp::error> quiet;
    std::string name;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            const auto start = std::chrono::steady_clock::now();
            auto n = co_await s.next_notification();  // nothing happens in the namespace
            EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
            if (n) co_return ADD_FAILURE() << "a notification in a quiet namespace";
            quiet = n.error();
            name = co_await name_of_link_1(s);
        },
        asio::detached);
    io.run();
    ASSERT_TRUE(quiet);
    EXPECT_TRUE(quiet->is(nlpp::errc::timeout)) << *quiet;
    EXPECT_EQ(name, "lo");
}

nlpp::message_builder set_mtu(const std::string& link, std::uint32_t mtu) {
    nlpp::message_builder b(RTM_NEWLINK, 0);
    b.put_header(ifinfomsg{});
    b.put_string(IFLA_IFNAME, link);
    b.put<std::uint32_t>(IFLA_MTU, mtu);
    return b;
}

std::uint32_t ip_mtu(const netns& ns, const std::string& link) {
    return nlohmann::json::parse(nlpp::test::sh(fmt::format("ip -n {} -j link show dev {}", ns.name(), link)))
        .at(0)["mtu"]
        .get<std::uint32_t>();
}

TEST(asio_kernel, request_whose_ack_an_overrun_dropped_fails_at_once) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    asio::io_context io;
    // 32 KiB (the kernel doubles it): far less than 100 veth pairs' notifications, enough for one
    // request's notification and ACK.
    auto s = open(io, ns, {.receive_buffer = 32 * 1024, .timeout = 5s});
    ASSERT_TRUE(s.subscribe(RTNLGRP_LINK));
    nlpp::test::add_veth_pairs(ns, 100);
    // The buffer overran and nothing was read since: the kernel drops the requests' ACKs too.
    ASSERT_GT(nlpp::test::netlink_drops(ns, s.raw().port_id()), 0u);

    // Two requests in flight at once, each ending with its own error.
    std::optional<nlpp::error> ended[2];
    const std::string links[2] = {"lo", "d0"};
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 2; ++i)
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                auto b = set_mtu(links[i], 1300);
                const nlpp::reply_handler none;
                const nlpp::request_info info{fmt::format("set {} mtu 1300", links[i])};
                auto r = co_await s.request(b, none, info);
                if (r) co_return ADD_FAILURE() << info.what << ": the ACK should have been dropped";
                ended[i] = r.error();
            },
            asio::detached);
    io.run();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, 2s);
    for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(ended[i]);
        EXPECT_FALSE(ended[i]->is(nlpp::errc::timeout)) << *ended[i];
        EXPECT_EQ(ended[i]->errno_value(), ENOBUFS) << *ended[i];
        const std::string text = ended[i]->what();
        EXPECT_NE(text.find(fmt::format("set {} mtu 1300: the reply was lost to a receive buffer overrun", links[i])),
                  std::string::npos)
            << text;
        EXPECT_NE(text.find("may or may not have been carried out"), std::string::npos) << text;
        EXPECT_EQ(ip_mtu(ns, links[i]), 1300u) << links[i];  // carried out, says ip
    }

    // The loss of notifications is still reported, and the socket works: the next request is
    // answered, and a dump is complete.
    io.restart();
    bool lost = false;
    std::optional<nlpp::error> later;
    std::set<std::string> names;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto n = co_await s.next_notification();
            lost = n && std::holds_alternative<nlpp::asio::events_lost>(*n);
            auto b = set_mtu("lo", 1400);
            const nlpp::reply_handler none;
            const nlpp::request_info info{"set lo mtu 1400"};
            auto r = co_await s.request(b, none, info);
            if (!r) later = r.error();
            names = co_await dumped_names(s);
        },
        asio::detached);
    io.run();
    EXPECT_TRUE(lost);
    EXPECT_FALSE(later) << *later;
    EXPECT_EQ(ip_mtu(ns, "lo"), 1400u);
    EXPECT_EQ(names, ip_links(ns));
}

TEST(asio_kernel, close_completes_pending_operations_with_operation_aborted) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    nlpp::test::add_veth_pairs(ns, 150);
    asio::io_context io;
    auto s = open(io, ns, {.read_size = 4096});
    ASSERT_TRUE(s.subscribe(RTNLGRP_LINK));
    std::optional<nlpp::error> notified, dumped;
    int got = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto r = co_await s.next_notification();
            if (r) co_return ADD_FAILURE() << "a notification after close()";
            notified = r.error();
        },
        asio::detached);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto b = get_links();
            auto d = s.dump(b, {"dump links"});
            for (;;) {
                auto m = co_await d.next();
                if (!m) co_return dumped.emplace(m.error()), void();
                if (!*m) co_return;
                if (++got == 5) asio::post(io, [&] { s.close(); });
            }
        },
        asio::detached);
    io.run();
    ASSERT_TRUE(notified);
    ASSERT_TRUE(dumped);
    EXPECT_EQ(notified->errno_value(), ECANCELED) << *notified;
    EXPECT_EQ(dumped->errno_value(), ECANCELED) << *dumped;
    EXPECT_LT(got, 301);
}

}  // namespace
