// nlpp::socket against the real kernel, each test in its own network
// namespace: link dumps compared with `ip -j link`, do requests, extended
// ACK from a bad request, notifications (queued during requests and lost
// to ENOBUFS, then recovered), timeouts and non-blocking reads.
#include "../support/kernel.hpp"

#include <nlpp/core/builder.hpp>
#include <nlpp/socket/socket.hpp>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>
#include <map>
#include <set>

namespace {

using nlpp::test::netns;

constexpr nlpp::attr_name link_names[] = {{}, {"address"}, {"broadcast"}, {"ifname"}, {"mtu"}, {"link"}};
constexpr nlpp::attr_set link_set{"link-attrs", link_names};

struct link_row {
    std::string name;
    std::uint32_t mtu = 0;
    std::string address;
};

std::string mac(nlpp::bytes b) {
    std::string s;
    for (std::size_t i = 0; i < b.size(); ++i) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>(b[i]));
        if (i) s += ':';
        s += buf;
    }
    return s;
}

std::map<int, link_row> dump_links(nlpp::socket& s) {
    std::map<int, link_row> out;
    nlpp::message_builder b(RTM_GETLINK, 0);
    b.put_header(ifinfomsg{});
    auto r = s.dump(b, {"dump links"});
    for (nlpp::message_view m : r) {
        auto ifi = m.fixed_header<ifinfomsg>().value();
        link_row row;
        for (nlpp::attr_view a : m.attrs(sizeof(ifinfomsg))) {
            if (a.type() == IFLA_IFNAME) row.name = std::string(a.get_string());
            if (a.type() == IFLA_MTU) row.mtu = a.get<std::uint32_t>().value();
            if (a.type() == IFLA_ADDRESS) row.address = mac(a.payload());
        }
        out[ifi.ifi_index] = row;
    }
    EXPECT_FALSE(r.error()) << *r.error();
    return out;
}

TEST(socket_kernel, dump_of_1000_veth_links_matches_ip) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    nlpp::test::add_veth_pairs(ns, 500);

    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name()});
    ASSERT_TRUE(s) << s.error();
    auto ours = dump_links(*s);
    auto theirs = nlohmann::json::parse(nlpp::test::sh("ip -n " + ns.name() + " -j link show"));
    ASSERT_EQ(ours.size(), 1001u);
    ASSERT_EQ(theirs.size(), ours.size());
    for (const auto& l : theirs) {
        const auto& row = ours.at(l["ifindex"].get<int>());
        EXPECT_EQ(row.name, l["ifname"].get<std::string>());
        EXPECT_EQ(row.mtu, l["mtu"].get<std::uint32_t>());
        EXPECT_EQ(row.address, l["address"].get<std::string>());
    }
}

TEST(socket_kernel, do_request_returns_one_reply_then_ack) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name()});
    ASSERT_TRUE(s) << s.error();
    nlpp::message_builder b(RTM_GETLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_index = 1;
    b.put_header(ifi);
    int replies = 0;
    std::string name;
    auto r = s->request(b, [&](nlpp::message_view m) -> nlpp::result<void> {
        ++replies;
        name = std::string(m.attrs(sizeof(ifinfomsg)).find(IFLA_IFNAME)->get_string());
        return {};
    });
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(replies, 1);
    EXPECT_EQ(name, "lo");
}

TEST(socket_kernel, extack_from_a_bad_request_names_the_attribute) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name()});
    ASSERT_TRUE(s) << s.error();
    nlpp::message_builder b(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    b.put_header(ifinfomsg{});
    b.put_string(IFLA_IFNAME, "veth9");
    b.put<std::uint16_t>(IFLA_MTU, 1500);  // IFLA_MTU is a u32: policy violation
    {
        auto li = b.nest(IFLA_LINKINFO);
        b.put_string(IFLA_INFO_KIND, "veth");
    }
    auto r = s->request(b, {}, {"add link veth9", sizeof(ifinfomsg), &link_set});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().errno_value(), 0);
    EXPECT_FALSE(r.error().extack().message.empty()) << r.error();
    EXPECT_EQ(r.error().extack().attr_path, ".mtu") << r.error();
    EXPECT_NE(r.error().what().find("bad attribute: .mtu"), std::string::npos) << r.error();

    // The socket is still usable and the same request, fixed, works.
    nlpp::message_builder ok(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    ok.put_header(ifinfomsg{});
    ok.put_string(IFLA_IFNAME, "veth9");
    ok.put<std::uint32_t>(IFLA_MTU, 1400);
    {
        auto li = ok.nest(IFLA_LINKINFO);
        ok.put_string(IFLA_INFO_KIND, "veth");
    }
    auto r2 = s->request(ok, {}, {"add link veth9"});
    ASSERT_TRUE(r2) << r2.error();
    EXPECT_NE(ns.run("ip link show veth9").find("mtu 1400"), std::string::npos);
}

TEST(socket_kernel, unknown_link_kind_is_a_clear_error) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name()});
    ASSERT_TRUE(s);
    nlpp::message_builder b(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    b.put_header(ifinfomsg{});
    b.put_string(IFLA_IFNAME, "x0");
    {
        auto li = b.nest(IFLA_LINKINFO);
        b.put_string(IFLA_INFO_KIND, "no-such-kind");
    }
    auto r = s->request(b, {}, {"add link x0"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().errno_value(), EOPNOTSUPP);
    EXPECT_NE(r.error().what().find("add link x0"), std::string::npos);
}

nlpp::message_builder add_veth(const std::string& name) {
    nlpp::message_builder b(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    b.put_header(ifinfomsg{});
    b.put_string(IFLA_IFNAME, name);
    {
        auto li = b.nest(IFLA_LINKINFO);
        b.put_string(IFLA_INFO_KIND, "veth");
    }
    return b;
}

TEST(socket_kernel, notifications_during_a_request_are_queued) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name(), .timeout = std::chrono::milliseconds(2000)});
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->subscribe(RTNLGRP_LINK));
    auto b = add_veth("v0");
    ASSERT_TRUE(s->request(b));
    EXPECT_GE(s->pending_notifications(), 1u);
    std::vector<std::string> names;  // v0 and its automatically named peer
    while (s->pending_notifications() > 0) {
        auto n = s->next_notification();
        ASSERT_TRUE(n) << n.error();
        EXPECT_EQ(n->view().type(), RTM_NEWLINK);
        names.emplace_back(n->view().attrs(sizeof(ifinfomsg)).find(IFLA_IFNAME)->get_string());
    }
    EXPECT_NE(std::find(names.begin(), names.end(), "v0"), names.end());
}

// RTM_NEWADDR of 10.0.0.<host>/<prefix> on lo, appended to `b` (or begun).
void add_address(std::optional<nlpp::message_builder>& b, int host, unsigned char prefix = 32) {
    const std::uint16_t flags = NLM_F_CREATE | NLM_F_EXCL;
    if (b) b->begin(RTM_NEWADDR, flags);
    else b.emplace(RTM_NEWADDR, flags);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    ifa.ifa_prefixlen = prefix;
    ifa.ifa_index = 1;
    b->put_header(ifa);
    const auto a = static_cast<std::uint32_t>(0x0a000000 | host);
    b->put<std::uint32_t>(IFA_LOCAL, a, nlpp::byte_order::big);
    b->put<std::uint32_t>(IFA_ADDRESS, a, nlpp::byte_order::big);
}

std::set<std::string> lo_ipv4(const netns& ns) {
    std::set<std::string> out;
    for (const auto& l : nlohmann::json::parse(ns.run("ip -j -4 addr show dev lo")))
        for (const auto& a : l["addr_info"]) out.insert(a["local"].get<std::string>());
    return out;
}

TEST(socket_kernel, request_batch_outcomes_match_ip) {
    // Ten address adds in chunks of four: a duplicate (EEXIST) and a bad
    // prefix length (EINVAL) fail where they stand, the rest are applied.
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name(), .timeout = std::chrono::milliseconds(5000)});
    ASSERT_TRUE(s) << s.error();
    std::set<std::string> expected = lo_ipv4(ns);  // 127.0.0.1 when lo is up
    std::optional<nlpp::message_builder> b;
    for (int i = 0; i < 10; ++i) add_address(b, i == 3 ? 1 : i == 6 ? 106 : i + 1, i == 6 ? 33 : 32);
    auto r = s->request_batch(*b, [](std::size_t i) { return nlpp::request_info{"add address " + std::to_string(i)}; }, 4);
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->size(), 10u);
    for (std::size_t i = 0; i < 10; ++i) {
        if (i == 3) {
            ASSERT_TRUE((*r)[i]);
            EXPECT_EQ((*r)[i]->errno_value(), EEXIST) << (*r)[i]->what();
            EXPECT_NE((*r)[i]->what().find("add address 3"), std::string::npos) << (*r)[i]->what();
        } else if (i == 6) {
            ASSERT_TRUE((*r)[i]);
            EXPECT_EQ((*r)[i]->errno_value(), EINVAL) << (*r)[i]->what();
        } else {
            EXPECT_FALSE((*r)[i]) << (*r)[i]->what();
            expected.insert("10.0.0." + std::to_string(i + 1));
        }
    }
    EXPECT_EQ(lo_ipv4(ns), expected);
    EXPECT_EQ(s->pending_notifications(), 0u);
}

TEST(socket_kernel, exchange_attributes_replies_and_errors_to_their_requests) {
    // One datagram: a do (link 1), a dump (IPv4 addresses), a do that fails
    // (no link 999), compared with ip's view.
    NLPP_REQUIRE_ROOT();
    netns ns;
    ns.run("ip addr add 10.1.1.1/32 dev lo");
    ns.run("ip addr add 10.1.1.2/32 dev lo");
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name(), .timeout = std::chrono::milliseconds(5000)});
    ASSERT_TRUE(s) << s.error();
    using answer = nlpp::batch_reader::answer;
    nlpp::message_builder b(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK);
    ifinfomsg ifi{};
    ifi.ifi_index = 1;
    b.put_header(ifi);
    b.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    b.put_header(ifa);
    b.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK);
    ifi.ifi_index = 999;
    b.put_header(ifi);
    std::vector<std::string> links;
    std::set<std::string> addresses;
    auto r = s->exchange(b, {answer::ack, answer::dump, answer::ack}, [&](std::size_t i, nlpp::message_view m) -> nlpp::result<void> {
        if (i == 0) links.emplace_back(m.attrs(sizeof(ifinfomsg)).find(IFLA_IFNAME)->get_string());
        if (i == 1) {
            auto a = m.attrs(sizeof(ifaddrmsg)).find(IFA_LOCAL)->payload();
            std::string text;
            for (std::size_t k = 0; k < 4; ++k) {
                if (k) text += '.';
                text += std::to_string(std::to_integer<int>(a[k]));
            }
            addresses.insert(text);
        }
        EXPECT_NE(i, 2u);
        return {};
    });
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_FALSE((*r)[0]);
    EXPECT_FALSE((*r)[1]);
    ASSERT_TRUE((*r)[2]);
    EXPECT_EQ((*r)[2]->errno_value(), ENODEV) << (*r)[2]->what();
    const auto theirs = nlohmann::json::parse(ns.run("ip -j link show dev lo"));
    EXPECT_EQ(links, std::vector<std::string>{theirs.at(0)["ifname"].get<std::string>()});
    EXPECT_EQ(addresses, lo_ipv4(ns));
    EXPECT_EQ(addresses.count("10.1.1.1") + addresses.count("10.1.1.2"), 2u);
}

TEST(socket_kernel, enobufs_is_reported_and_the_socket_recovers) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto listener = nlpp::socket::open(NETLINK_ROUTE,
                                       {.netns = ns.name(), .receive_buffer = 1024, .timeout = std::chrono::milliseconds(2000)});
    ASSERT_TRUE(listener) << listener.error();
    ASSERT_TRUE(listener->subscribe(RTNLGRP_LINK));
    nlpp::test::add_veth_pairs(ns, 200);

    bool lost = false;
    for (int i = 0; i < 300 && !lost; ++i) {
        auto n = listener->next_notification();
        if (!n) {
            ASSERT_EQ(n.error().errno_value(), ENOBUFS) << n.error();
            EXPECT_NE(n.error().what().find("resynchronise"), std::string::npos);
            lost = true;
        }
    }
    ASSERT_TRUE(lost) << "a 1 KiB buffer should overflow with 400 link notifications";
    // Resynchronise with a dump on the same socket: complete and correct.
    ASSERT_TRUE(listener->unsubscribe(RTNLGRP_LINK));
    auto links = dump_links(*listener);
    EXPECT_EQ(links.size(), 401u);
}

nlpp::message_builder set_lo_mtu(std::uint32_t mtu) {
    nlpp::message_builder b(RTM_NEWLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_index = 1;
    b.put_header(ifi);
    b.put<std::uint32_t>(IFLA_MTU, mtu);
    return b;
}

std::uint32_t lo_mtu(const netns& ns) {
    return nlohmann::json::parse(nlpp::test::sh("ip -n " + ns.name() + " -j link show dev lo"))
        .at(0)["mtu"]
        .get<std::uint32_t>();
}

TEST(socket_kernel, request_whose_ack_an_overrun_dropped_fails_at_once) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    // 32 KiB (the kernel doubles it): far less than 100 veth pairs' notifications, enough for one
    // request's notification and ACK.
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name(), .receive_buffer = 32 * 1024,
                                                .timeout = std::chrono::milliseconds(5000)});
    ASSERT_TRUE(s) << s.error();
    ASSERT_TRUE(s->subscribe(RTNLGRP_LINK));
    nlpp::test::add_veth_pairs(ns, 100);
    // The buffer overran (the kernel dropped notifications), and nothing was read since: the
    // kernel drops this request's ACK too.
    ASSERT_GT(nlpp::test::netlink_drops(ns, s->port_id()), 0u);

    auto b = set_lo_mtu(1300);
    const auto start = std::chrono::steady_clock::now();
    auto r = s->request(b, {}, {"set lo mtu 1300"});
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r) << "the ACK should have been dropped";
    EXPECT_FALSE(r.error().is(nlpp::errc::timeout)) << r.error();
    EXPECT_EQ(r.error().errno_value(), ENOBUFS) << r.error();
    const std::string text = r.error().what();
    EXPECT_NE(text.find("set lo mtu 1300: the reply was lost to a receive buffer overrun"), std::string::npos) << text;
    EXPECT_NE(text.find("may or may not have been carried out"), std::string::npos) << text;
    EXPECT_NE(text.find("check the state"), std::string::npos) << text;
    EXPECT_LT(took, std::chrono::seconds(2));
    EXPECT_EQ(lo_mtu(ns), 1300u);  // the kernel carried it out: ip says so

    // Notifications were lost too, and the caller still learns it.
    auto n = s->next_notification();
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().errno_value(), ENOBUFS) << n.error();
    // The socket works: the next request is answered, and ip sees its effect.
    auto again = set_lo_mtu(1400);
    auto r2 = s->request(again, {}, {"set lo mtu 1400"});
    ASSERT_TRUE(r2) << r2.error();
    EXPECT_EQ(lo_mtu(ns), 1400u);
    EXPECT_EQ(dump_links(*s).size(), 201u);  // and so does a dump
}

TEST(socket_kernel, timeout_and_nonblocking_reads) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name(), .timeout = std::chrono::milliseconds(50)});
    ASSERT_TRUE(s);
    auto r = s->receive();
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(nlpp::errc::timeout));
    auto nb = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name(), .nonblocking = true});
    ASSERT_TRUE(nb);
    auto r2 = nb->receive();
    ASSERT_FALSE(r2);
    EXPECT_TRUE(r2.error().is(nlpp::errc::would_block));
}

TEST(socket_kernel, missing_namespace_is_a_clear_error) {
    NLPP_REQUIRE_ROOT();
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = "nlpp-no-such-ns"});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().errno_value(), ENOENT);
    EXPECT_NE(s.error().what().find("/run/netns/nlpp-no-such-ns"), std::string::npos);
}

TEST(socket_kernel, namespace_by_fd) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    ns.run("ip link add vx0 type veth peer name vx1");
    const int fd = ::open(("/run/netns/" + ns.name()).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns_fd = fd});
    ::close(fd);
    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(dump_links(*s).size(), 3u);  // lo, vx0, vx1: not the caller's namespace
}

TEST(socket_kernel, sockets_move) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name()});
    ASSERT_TRUE(s);
    nlpp::socket moved = std::move(*s);
    EXPECT_EQ(s->fd(), -1);
    EXPECT_EQ(dump_links(moved).size(), 1u);
}

}  // namespace

// The thread-safety contract in socket.hpp: one socket per thread, any
// number of threads on one namespace. 8 threads, each with its own socket,
// dump links and add and delete their own veth pairs; nothing may fail.
// NLPP_STRESS_SECONDS makes the run longer (scripts/reliability.sh: 60 s).
TEST(socket_kernel, eight_threads_with_their_own_sockets) {
    NLPP_REQUIRE_ROOT();
    nlpp::test::netns ns;
    for (int i = 0; i < 20; ++i) ns.run("ip link add s" + std::to_string(i) + " type veth peer name p" + std::to_string(i));
    const char* env = std::getenv("NLPP_STRESS_SECONDS");
    const auto seconds = std::chrono::seconds(env ? std::atoi(env) : 2);
    std::atomic<long> dumps{0}, changes{0}, interrupted{0};
    std::vector<std::string> failures(8);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name()});
            if (!s) return void(failures[t] = s.error().what());
            const auto end = std::chrono::steady_clock::now() + seconds;
            const std::string name = "thr" + std::to_string(t);
            while (std::chrono::steady_clock::now() < end && failures[t].empty()) {
                // Other threads change links meanwhile: a dump may be
                // interrupted (NLM_F_DUMP_INTR), and is retried until consistent.
                for (int attempt = 0;; ++attempt) {
                    nlpp::message_builder d(RTM_GETLINK, 0);
                    d.put_header(ifinfomsg{});
                    std::size_t links = 0;
                    auto r = s->dump(d, [&](nlpp::message_view) -> nlpp::result<void> {
                        ++links;
                        return {};
                    }, {"dump links"});
                    if (!r && r.error().is(nlpp::errc::dump_interrupted) && attempt < 100) {
                        ++interrupted;
                        continue;
                    }
                    if (!r || links < 41) failures[t] = r ? "short dump" : r.error().what();
                    break;
                }
                ++dumps;
                nlpp::message_builder add(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
                add.put_header(ifinfomsg{});
                add.put_string(IFLA_IFNAME, name);
                {
                    auto info = add.nest(IFLA_LINKINFO);
                    add.put_string(IFLA_INFO_KIND, "veth");
                }
                if (auto a = s->request(add, {}, {"add " + name}); !a) failures[t] = a.error().what();
                nlpp::message_builder del(RTM_DELLINK, 0);
                del.put_header(ifinfomsg{});
                del.put_string(IFLA_IFNAME, name);
                if (auto x = s->request(del, {}, {"delete " + name}); !x) failures[t] = x.error().what();
                changes += 2;
            }
        });
    for (auto& th : threads) th.join();
    for (std::size_t t = 0; t < 8; ++t) EXPECT_EQ(failures[t], "") << "thread " << t;
    EXPECT_GT(dumps.load(), 8);
    std::printf("8 threads, %lld s: %ld consistent dumps (%ld interrupted and retried), %ld link changes, no error\n",
                static_cast<long long>(seconds.count()), dumps.load(), interrupted.load(), changes.load());
}

// A namespace deleted while a socket in it is open: the socket keeps the
// namespace alive and goes on working.
TEST(socket_kernel, namespace_deleted_while_a_socket_is_open) {
    NLPP_REQUIRE_ROOT();
    std::string name;
    std::optional<nlpp::socket> s;
    {
        nlpp::test::netns ns;
        ns.run("ip link add gone0 type veth peer name gone1");
        name = ns.name();
        auto o = nlpp::socket::open(NETLINK_ROUTE, {.netns = name});
        ASSERT_TRUE(o) << o.error();
        s.emplace(std::move(*o));
    }  // ip netns del
    auto again = nlpp::socket::open(NETLINK_ROUTE, {.netns = name});
    ASSERT_FALSE(again);  // the name is gone
    auto links = dump_links(*s);
    EXPECT_EQ(links.size(), 3u);  // lo and the pair, still there
}

namespace {

// A datagram larger than the read buffer (MSG_TRUNC from the kernel): the
// notification of a route with 400 nexthops is over 6 KB (the kernel sizes
// it exactly; dumps and do replies it sizes to the reader). A socket with a
// 4 KB read buffer reports it as truncated, naming read_size; one with 64 KB reads it.
TEST(socket_kernel, datagram_larger_than_the_read_buffer_is_reported) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    ns.run("ip link add va type veth peer name vb");
    ns.run("ip addr add 198.18.0.1/16 dev va");
    ns.run("ip link set va up");
    auto small = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name(), .read_size = 4096, .timeout = std::chrono::milliseconds(2000)});
    auto big = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name(), .read_size = 64 * 1024, .timeout = std::chrono::milliseconds(2000)});
    ASSERT_TRUE(small && big);
    ASSERT_TRUE(small->subscribe(RTNLGRP_IPV4_ROUTE));
    ASSERT_TRUE(big->subscribe(RTNLGRP_IPV4_ROUTE));

    // ip caps a multipath attribute at 4 KB: this one is built here (rtnexthop + RTA_GATEWAY each).
    const int ifindex = std::stoi(ns.run("cat /sys/class/net/va/ifindex"));
    std::vector<std::byte> hops;
    for (int i = 0; i < 400; ++i) {
        std::byte one[16] = {};
        nlpp::store<std::uint16_t>(nlpp::mutable_bytes(one, 2), 16);
        nlpp::store<std::int32_t>(nlpp::mutable_bytes(one + 4, 4), ifindex);
        nlpp::store<std::uint16_t>(nlpp::mutable_bytes(one + 8, 2), 8);
        nlpp::store<std::uint16_t>(nlpp::mutable_bytes(one + 10, 2), RTA_GATEWAY);
        one[12] = std::byte{198}, one[13] = std::byte{18}, one[14] = std::byte(1 + i / 250), one[15] = std::byte(2 + i % 250);
        hops.insert(hops.end(), one, one + 16);
    }
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name()});
    ASSERT_TRUE(s) << s.error();
    nlpp::message_builder add(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    rtmsg rt{};
    rt.rtm_family = AF_INET;
    rt.rtm_dst_len = 16;
    rt.rtm_table = RT_TABLE_MAIN;
    rt.rtm_protocol = RTPROT_STATIC;
    rt.rtm_type = RTN_UNICAST;
    add.put_header(rt);
    const std::byte net[4] = {std::byte{10}, std::byte{9}, std::byte{0}, std::byte{0}};
    add.put(RTA_DST, nlpp::bytes(net, 4));
    add.put(RTA_MULTIPATH, nlpp::bytes(hops));
    auto r = s->request(add, {}, {"add a route with 400 nexthops"});
    ASSERT_TRUE(r) << r.error();

    auto cut = small->next_notification();
    ASSERT_FALSE(cut);
    EXPECT_TRUE(cut.error().is(nlpp::errc::truncated)) << cut.error();
    EXPECT_NE(cut.error().what().find("read_size"), std::string::npos) << cut.error();
    auto whole = big->next_notification();
    ASSERT_TRUE(whole) << whole.error();
    EXPECT_GT(whole->data.size(), 6000u);
    EXPECT_EQ(whole->view().type(), RTM_NEWROUTE);
}

// Signals interrupting blocking reads (EINTR from poll and recvmmsg, a
// handler without SA_RESTART) are retried: 200 dumps under a signal every
// 50 microseconds all complete.
std::atomic<int> signals_seen{0};
void count_signal(int) { signals_seen.fetch_add(1, std::memory_order_relaxed); }

TEST(socket_kernel, interrupted_system_calls_are_retried) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    for (int i = 0; i < 10; ++i) ns.run("ip link add e" + std::to_string(i) + " type veth peer name f" + std::to_string(i));
    struct sigaction sa {}, old{};
    sa.sa_handler = count_signal;  // no SA_RESTART: blocking calls fail with EINTR
    sigemptyset(&sa.sa_mask);
    ASSERT_EQ(sigaction(SIGUSR1, &sa, &old), 0);
    auto s = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name(), .timeout = std::chrono::milliseconds(2000)});
    ASSERT_TRUE(s) << s.error();
    std::atomic<bool> done{false};
    const pthread_t target = pthread_self();
    std::thread noise([&] {
        while (!done) {
            pthread_kill(target, SIGUSR1);
            std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
    });
    int ok = 0;
    for (int i = 0; i < 200; ++i) ok += dump_links(*s).size() == 21;
    done = true;
    noise.join();
    sigaction(SIGUSR1, &old, nullptr);
    EXPECT_EQ(ok, 200);
    EXPECT_GT(signals_seen.load(), 0);
}

}  // namespace
