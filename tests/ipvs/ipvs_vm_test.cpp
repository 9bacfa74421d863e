// nlpp::ipvs against a real IPVS kernel (run inside scripts/ipvs-vm.sh; on a
// host without IPVS these tests skip, and under CI=true they fail). Each
// test works in its own network namespace with a dummy interface so that
// masquerading destinations are routable.
#include "../support/kernel.hpp"
#include "../support/specs.hpp"

#include <nlpp/ipvs/client.hpp>
#include <nlpp/ipvs/reconcile.hpp>
#include <nlpp/ynl/client.hpp>

#include <fmt/format.h>

#include <linux/ip_vs.h>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

namespace {

using namespace nlpp::ipvs;
using nlpp::test::netns;

address ip(const char* s) { return address::parse(s).value(); }

class ipvs_vm : public ::testing::Test {
protected:
    void SetUp() override {
        NLPP_REQUIRE_ROOT();
        ns_.emplace();
        // IPVS first: a host without it (nor, often, the dummy module) skips.
        auto c = client::open({.netns = ns_->name()});
        if (!c && c.error().is(nlpp::errc::family_not_found)) {
            if (nlpp::test::in_ci() && std::getenv("NLPP_IN_VM")) FAIL() << c.error();
            GTEST_SKIP() << "IPVS is not available in this kernel (" << c.error()
                         << "); run the IPVS tests through scripts/ipvs-vm.sh";
        }
        ASSERT_TRUE(c) << c.error();
        ipvs_.emplace(std::move(*c));
        ns_->run("ip link add dum0 type dummy");
        ns_->run("ip addr add 192.0.2.1/24 dev dum0");
        ns_->run("ip addr add 2001:db8::1/64 dev dum0 nodad");
        ns_->run("ip link set dum0 up");
    }
    std::string ipvsadm(const std::string& args) { return ns_->run("ipvsadm " + args); }

    std::optional<netns> ns_;
    std::optional<client> ipvs_;
};

service web(const char* vip = "10.0.0.1", std::uint16_t port = 80) {
    return service{.key = virtual_service{protocol::tcp, ip(vip), port}, .scheduler = "rr"};
}

TEST_F(ipvs_vm, info_and_timeouts) {
    auto i = ipvs_->get_info();
    ASSERT_TRUE(i) << i.error();
    EXPECT_EQ(i->version_string(), "1.2.1");
    EXPECT_GT(i->conn_tab_size, 0u);
    ASSERT_TRUE(ipvs_->set_timeouts({.tcp = 900, .tcp_fin = 100, .udp = 200}));
    auto t = ipvs_->get_timeouts();
    ASSERT_TRUE(t) << t.error();
    EXPECT_EQ(t->tcp, 900u);
    EXPECT_EQ(t->tcp_fin, 100u);
    EXPECT_EQ(t->udp, 200u);
    EXPECT_NE(ipvsadm("-L --timeout").find("900 100 200"), std::string::npos);
}

TEST_F(ipvs_vm, set_info_has_no_kernel_handler) {
    auto r = ipvs_->set_info();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().errno_value(), EOPNOTSUPP);
}

TEST_F(ipvs_vm, service_lifecycle_and_ipvsadm_agrees) {
    auto s = web();
    s.flags = service_flags::persistent;
    s.timeout = 300;
    s.netmask = 24;
    ASSERT_TRUE(ipvs_->add_service(s)) << ipvs_->add_service(s).error();
    auto got = ipvs_->get_service(s.key);
    ASSERT_TRUE(got) << got.error();
    EXPECT_EQ(got->scheduler, "rr");
    EXPECT_EQ(got->timeout, 300u);
    EXPECT_EQ(got->netmask, 24);
    EXPECT_TRUE(got->flags & service_flags::persistent);
    const auto listing = ipvsadm("-Ln");
    EXPECT_NE(listing.find("TCP  10.0.0.1:80 rr persistent 300 mask 255.255.255.0"), std::string::npos) << listing;

    s.scheduler = "wlc";
    ASSERT_TRUE(ipvs_->edit_service(s));
    EXPECT_EQ(ipvs_->get_service(s.key)->scheduler, "wlc");
    ASSERT_TRUE(ipvs_->del_service(s.key));
    EXPECT_TRUE(ipvs_->services()->empty());
}

TEST_F(ipvs_vm, errors_name_their_cause) {
    auto s = web();
    auto missing = ipvs_->del_service(s.key);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().errno_value(), ESRCH);
    EXPECT_NE(missing.error().what().find("no such service"), std::string::npos) << missing.error();

    ASSERT_TRUE(ipvs_->add_service(s));
    auto dup = ipvs_->add_service(s);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().errno_value(), EEXIST);
    EXPECT_NE(dup.error().what().find("service already exists"), std::string::npos);

    auto bad_sched = web("10.0.0.2");
    bad_sched.scheduler = "nosuch";
    auto r = ipvs_->add_service(bad_sched);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().errno_value(), ENOENT);
    EXPECT_NE(r.error().what().find("no such scheduler"), std::string::npos);

    destination d{.address = ip("192.0.2.10"), .port = 80};
    auto nodest = ipvs_->del_dest(s.key, d);
    ASSERT_FALSE(nodest);
    EXPECT_EQ(nodest.error().errno_value(), ENOENT);
    EXPECT_NE(nodest.error().what().find("no such destination"), std::string::npos);

    ASSERT_TRUE(ipvs_->add_dest(s.key, d));
    auto dupd = ipvs_->add_dest(s.key, d);
    ASSERT_FALSE(dupd);
    EXPECT_EQ(dupd.error().errno_value(), EEXIST);

    // The kernel's EINVAL for a non-unicast masquerading destination.
    auto notlocal = ipvs_->add_dest(s.key, {.address = ip("224.0.0.1"), .port = 80});
    ASSERT_FALSE(notlocal);
    EXPECT_EQ(notlocal.error().errno_value(), EINVAL);

    // Checked before sending: what the kernel would only call ERANGE/EINVAL.
    auto thresh = ipvs_->add_dest(s.key, {.address = ip("192.0.2.11"), .port = 80, .lower_threshold = 5});
    ASSERT_FALSE(thresh);
    EXPECT_NE(thresh.error().what().find("lower threshold 5 is above upper threshold 0"), std::string::npos);

    auto missing_get = ipvs_->get_service(web("10.9.9.9").key);
    ASSERT_FALSE(missing_get);
    EXPECT_EQ(missing_get.error().errno_value(), ESRCH);
    // GET_DEST of a missing service is an empty dump, not an error.
    auto none = ipvs_->dests(web("10.9.9.9").key);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST_F(ipvs_vm, every_forwarding_method_and_tunnel_option) {
    auto s = web();
    ASSERT_TRUE(ipvs_->add_service(s));
    std::vector<destination> ds = {
        {.address = ip("192.0.2.10"), .port = 80, .fwd = forwarding::masq, .weight = 1},
        {.address = ip("192.0.2.11"), .port = 80, .fwd = forwarding::route, .weight = 2},
        {.address = ip("192.0.2.1"), .port = 80, .fwd = forwarding::local, .weight = 3},
        {.address = ip("192.0.2.13"), .port = 80, .fwd = forwarding::tunnel, .weight = 4,
         .upper_threshold = 100, .lower_threshold = 10},
        {.address = ip("192.0.2.14"), .port = 80, .fwd = forwarding::tunnel, .weight = 5,
         .tun_type = tunnel_type::gue, .tun_port = 6080, .tun_flags = tunnel_flags::csum},
        {.address = ip("192.0.2.15"), .port = 80, .fwd = forwarding::tunnel, .weight = 6,
         .tun_type = tunnel_type::gre, .tun_flags = tunnel_flags::remcsum},
        {.address = ip("2001:db8::10"), .port = 80, .fwd = forwarding::tunnel, .weight = 7},  // mixed family
    };
    for (const auto& d : ds) ASSERT_TRUE(ipvs_->add_dest(s.key, d)) << ipvs_->add_dest(s.key, d).error().what();
    auto got = ipvs_->dests(s.key);
    ASSERT_TRUE(got) << got.error();
    ASSERT_EQ(got->size(), ds.size());
    for (const auto& want : ds) {
        auto it = std::find_if(got->begin(), got->end(), [&](const destination& d) { return d.address == want.address; });
        ASSERT_NE(it, got->end()) << want.address.to_string();
        EXPECT_EQ(it->fwd, want.fwd);
        EXPECT_EQ(it->weight, want.weight);
        EXPECT_EQ(it->upper_threshold, want.upper_threshold);
        EXPECT_EQ(it->lower_threshold, want.lower_threshold);
        if (want.fwd == forwarding::tunnel) {
            EXPECT_EQ(it->tun_type, want.tun_type);
            EXPECT_EQ(it->tun_port, want.tun_port);
            EXPECT_EQ(it->tun_flags, want.tun_flags);
        }
    }
    const auto listing = ipvsadm("-Ln --tun-info");
    EXPECT_NE(listing.find("192.0.2.14:80"), std::string::npos) << listing;
    EXPECT_NE(listing.find("gue"), std::string::npos) << listing;
    EXPECT_NE(listing.find("[2001:db8::10]:80"), std::string::npos) << listing;

    // Drain and edit.
    auto drained = ds[0];
    drained.weight = 0;
    ASSERT_TRUE(ipvs_->edit_dest(s.key, drained));
    auto after = ipvs_->dests(s.key).value();
    auto it = std::find_if(after.begin(), after.end(), [&](const destination& d) { return d.address == ds[0].address; });
    EXPECT_EQ(it->weight, 0u);
    ASSERT_TRUE(ipvs_->del_dest(s.key, ds[1]));
    EXPECT_EQ(ipvs_->dests(s.key)->size(), ds.size() - 1);
}

TEST_F(ipvs_vm, ipv6_and_fwmark_services) {
    service v6{.key = virtual_service{protocol::udp, ip("2001:db8::100"), 53}, .scheduler = "sh"};
    v6.flags = service_flags::sh_fallback | service_flags::sh_port | service_flags::persistent;
    v6.timeout = 60;
    v6.netmask = 64;
    ASSERT_TRUE(ipvs_->add_service(v6)) << ipvs_->add_service(v6).error();
    service fwm{.key = firewall_mark{42, AF_INET}, .scheduler = "wrr"};
    ASSERT_TRUE(ipvs_->add_service(fwm));
    service fwm6{.key = firewall_mark{43, AF_INET6}, .scheduler = "mh"};
    fwm6.flags = service_flags::mh_port;
    ASSERT_TRUE(ipvs_->add_service(fwm6)) << ipvs_->add_service(fwm6).error();
    ASSERT_TRUE(ipvs_->add_dest(v6.key, {.address = ip("2001:db8::20"), .port = 53, .fwd = forwarding::route}));
    ASSERT_TRUE(ipvs_->add_dest(fwm.key, {.address = ip("192.0.2.30"), .port = 0, .fwd = forwarding::route}));

    auto all = ipvs_->snapshot();
    ASSERT_TRUE(all) << all.error();
    ASSERT_EQ(all->size(), 3u);
    auto find = [&](const service_key& k) {
        return std::find_if(all->begin(), all->end(), [&](const service_entry& e) { return e.service.key == k; });
    };
    auto e6 = find(v6.key);
    ASSERT_NE(e6, all->end());
    EXPECT_EQ(e6->service.netmask, 64);
    EXPECT_EQ(e6->service.flags & service_flags::settable, v6.flags);
    ASSERT_EQ(e6->destinations.size(), 1u);
    EXPECT_EQ(e6->destinations[0].address, ip("2001:db8::20"));
    EXPECT_NE(find(fwm.key), all->end());
    EXPECT_EQ(find(fwm6.key)->service.flags & service_flags::settable, service_flags::mh_port);
    const auto listing = ipvsadm("-Ln");
    EXPECT_NE(listing.find("FWM  42 wrr"), std::string::npos) << listing;
    EXPECT_NE(listing.find("UDP  [2001:db8::100]:53 sh"), std::string::npos) << listing;

    ASSERT_TRUE(ipvs_->zero(v6.key));
    ASSERT_TRUE(ipvs_->zero());
    ASSERT_TRUE(ipvs_->flush());
    EXPECT_TRUE(ipvs_->services()->empty());
}

TEST_F(ipvs_vm, state_made_by_ipvsadm_reads_back) {
    ipvsadm("-A -t 10.0.0.5:443 -s wlc -p 120");
    ipvsadm("-a -t 10.0.0.5:443 -r 192.0.2.40:8443 -m -w 5 -x 50 -y 5");
    ipvsadm("-A -f 7 -6 -s rr");
    auto all = ipvs_->snapshot();
    ASSERT_TRUE(all) << all.error();
    ASSERT_EQ(all->size(), 2u);
    for (const auto& e : *all) {
        if (std::holds_alternative<virtual_service>(e.service.key)) {
            EXPECT_EQ(e.service.scheduler, "wlc");
            EXPECT_EQ(e.service.timeout, 120u);
            ASSERT_EQ(e.destinations.size(), 1u);
            EXPECT_EQ(e.destinations[0].port, 8443);
            EXPECT_EQ(e.destinations[0].weight, 5u);
            EXPECT_EQ(e.destinations[0].upper_threshold, 50u);
            EXPECT_EQ(e.destinations[0].lower_threshold, 5u);
        } else {
            EXPECT_EQ(std::get<firewall_mark>(e.service.key).family, AF_INET6);
        }
    }
}

TEST_F(ipvs_vm, sync_daemons_start_list_stop) {
    sync_daemon master{.state = daemon_state::master, .mcast_ifn = "dum0", .sync_id = 7, .sync_maxlen = 1400,
                       .mcast_group = ip("239.1.2.3"), .mcast_port = 8850, .mcast_ttl = 2};
    ASSERT_TRUE(ipvs_->start_daemon(master)) << ipvs_->start_daemon(master).error();
    sync_daemon backup{.state = daemon_state::backup, .mcast_ifn = "dum0", .sync_id = 8};
    ASSERT_TRUE(ipvs_->start_daemon(backup)) << ipvs_->start_daemon(backup).error();
    auto again = ipvs_->start_daemon(master);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().errno_value(), EEXIST);
    auto ds = ipvs_->daemons();
    ASSERT_TRUE(ds) << ds.error();
    ASSERT_EQ(ds->size(), 2u);
    EXPECT_EQ((*ds)[0].state, daemon_state::master);
    EXPECT_EQ((*ds)[0].sync_id, 7u);
    EXPECT_EQ((*ds)[0].mcast_group, ip("239.1.2.3"));
    EXPECT_EQ((*ds)[0].mcast_port, 8850);
    EXPECT_EQ((*ds)[0].mcast_ttl, 2);
    EXPECT_EQ((*ds)[1].state, daemon_state::backup);
    EXPECT_NE(ipvsadm("-L --daemon").find("master sync daemon (mcast=dum0, syncid=7"), std::string::npos);
    ASSERT_TRUE(ipvs_->stop_daemon(daemon_state::master));
    ASSERT_TRUE(ipvs_->stop_daemon(daemon_state::backup));
    EXPECT_TRUE(ipvs_->daemons()->empty());
}

// Adding `count` services of `vip` (ports 1000 up), each with a destination
// at port 80 of each of `dests`, in that order.
std::vector<change> adding(const char* vip, int count, std::initializer_list<const char*> dests) {
    std::vector<change> ops;
    for (int i = 0; i < count; ++i) {
        auto s = web(vip, static_cast<std::uint16_t>(1000 + i));
        ops.push_back({change::kind::add_service, s, std::nullopt});
        for (const char* d : dests) ops.push_back({change::kind::add_dest, s, destination{.address = ip(d), .port = 80}});
    }
    return ops;
}

TEST_F(ipvs_vm, batch_apply_reports_each_outcome) {
    auto ops = adding("10.1.0.0", 300, {"192.0.2.50"});
    ops.push_back({change::kind::add_service, web("10.1.0.0", 1000), std::nullopt});  // duplicate: EEXIST
    auto r = ipvs_->apply(ops);
    ASSERT_TRUE(r) << r.error();
    for (std::size_t i = 0; i + 1 < r->size(); ++i) EXPECT_FALSE((*r)[i]) << (*r)[i]->what();
    ASSERT_TRUE(r->back());
    EXPECT_EQ(r->back()->errno_value(), EEXIST);
    EXPECT_NE(r->back()->what().find("add service TCP 10.1.0.0:1000"), std::string::npos) << r->back()->what();
    auto snap = ipvs_->snapshot();
    ASSERT_TRUE(snap);
    EXPECT_EQ(snap->size(), 300u);
    EXPECT_EQ(std::count_if(snap->begin(), snap->end(), [](const service_entry& e) { return e.destinations.size() == 1; }), 300);
}

// More than 1,024 changes go in chunks, each sent while the next is
// encoded: every outcome lands at its change's index, on_chunk sees the
// chunks in order, and a change refused before sending (no destination) or
// by the kernel (a duplicate) in a later chunk is named there.
TEST_F(ipvs_vm, a_large_apply_goes_in_chunks_in_order) {
    auto ops = adding("10.2.0.0", 800, {"192.0.2.50", "192.0.2.51"});
    const std::size_t no_dest = 1501, duplicate = 2300;  // add_dests in the second and third chunks
    ops[no_dest].dest.reset();
    ops[duplicate] = ops[duplicate - 1];
    std::vector<std::pair<std::size_t, std::size_t>> chunks;  // first, size
    auto r = ipvs_->apply(ops, [&](std::size_t first, std::span<const std::optional<nlpp::error>> outcomes) {
        chunks.emplace_back(first, outcomes.size());
    });
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->size(), ops.size());
    EXPECT_EQ(chunks, (std::vector<std::pair<std::size_t, std::size_t>>{{0, 1024}, {1024, 1024}, {2048, 352}}));
    for (std::size_t i = 0; i < r->size(); ++i) {
        if (i != no_dest && i != duplicate) {
            EXPECT_FALSE((*r)[i]) << i << ": " << (*r)[i]->what();
        }
    }
    ASSERT_TRUE((*r)[no_dest]);
    EXPECT_NE((*r)[no_dest]->what().find("no destination given"), std::string::npos) << (*r)[no_dest]->what();
    ASSERT_TRUE((*r)[duplicate]);
    EXPECT_EQ((*r)[duplicate]->errno_value(), EEXIST) << (*r)[duplicate]->what();
    EXPECT_NE((*r)[duplicate]->what().find(ops[duplicate].describe()), std::string::npos) << (*r)[duplicate]->what();
    auto snap = ipvs_->snapshot();
    ASSERT_TRUE(snap);
    EXPECT_EQ(snap->size(), 800u);
    std::size_t dests = 0;
    for (const auto& e : *snap) dests += e.destinations.size();
    EXPECT_EQ(dests, 1598u);  // 1,600 less the one without a destination and the duplicate
}

// N services x 4 destinations (TCP, rr, masquerading), deterministic.
std::vector<service_entry> desired_state(int services) {
    std::vector<service_entry> out;
    for (int i = 0; i < services; ++i) {
        const auto vip = fmt::format("10.{}.{}.{}", 100 + i / 65536, (i / 256) % 256, i % 256);
        service_entry e{web(vip.c_str(), 80), {}};
        for (int d = 0; d < 4; ++d)
            e.destinations.push_back(destination{.address = ip(fmt::format("192.0.2.{}", 10 + d).c_str()), .port = 8080,
                                                 .weight = static_cast<std::uint32_t>(1 + (i + d) % 5)});
        out.push_back(std::move(e));
    }
    return out;
}

// What ipvsadm -Sn lists, as a set of lines, for comparing kernel state with the desired one.
std::set<std::string> lines_of(const std::string& text) {
    std::set<std::string> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        if (nl > start) out.insert(text.substr(start, nl - start));
    return out;
}
std::set<std::string> ipvsadm_lines(const std::vector<service_entry>& want) {
    std::set<std::string> out;
    for (const auto& e : want) {
        const auto& k = std::get<virtual_service>(e.service.key);
        const auto vs = fmt::format("{}:{}", k.address.to_string(), k.port);
        out.insert(fmt::format("-A -t {} -s {}", vs, e.service.scheduler));
        for (const auto& d : e.destinations)
            out.insert(fmt::format("-a -t {} -r {}:{} -m -w {}", vs, d.address.to_string(), d.port, d.weight));
    }
    return out;
}

// Load: NLPP_IPVS_LOAD services x 4 destinations (default 2,000; the
// regeneration script runs 50,000) created by reconcile, snapshotted,
// reconciled after changes and flushed; ipvsadm sees exactly the desired
// state at every step.
TEST_F(ipvs_vm, load_reconcile_snapshot_flush) {
    const char* env = std::getenv("NLPP_IPVS_LOAD");
    const int n = env ? std::atoi(env) : 2000;
    auto want = desired_state(n);
    auto t0 = std::chrono::steady_clock::now();
    auto r = reconcile(*ipvs_, want, {});
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->failed(), 0u);
    EXPECT_EQ(r->ops.size(), static_cast<std::size_t>(n) * 5);
    const double created = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(lines_of(ipvsadm("-Sn")), ipvsadm_lines(want));

    t0 = std::chrono::steady_clock::now();
    auto snap = ipvs_->snapshot();
    ASSERT_TRUE(snap) << snap.error();
    const double snapped = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(snap->size(), static_cast<std::size_t>(n));
    EXPECT_TRUE(plan(*snap, want, {}).value().changes.empty()) << "the snapshot is the desired state";

    // Changes: 1% of the weights, every 10th service loses a destination, every 20th is gone.
    for (int i = 0; i < n; ++i) {
        if (i % 100 == 0) want[static_cast<std::size_t>(i)].destinations[0].weight += 10;
        if (i % 10 == 3) want[static_cast<std::size_t>(i)].destinations.pop_back();
    }
    std::erase_if(want, [&](const service_entry& e) { return (&e - want.data()) % 20 == 7; });
    t0 = std::chrono::steady_clock::now();
    r = reconcile(*ipvs_, want, {});
    ASSERT_TRUE(r) << r.error();
    const double reconciled = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r->failed(), 0u);
    EXPECT_EQ(lines_of(ipvsadm("-Sn")), ipvsadm_lines(want));
    auto again = reconcile(*ipvs_, want, {}, true);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->ops.empty()) << "a second run has nothing to do";

    ASSERT_TRUE(ipvs_->flush());
    EXPECT_TRUE(lines_of(ipvsadm("-Sn")).empty());
    std::printf("ipvs load: %d services x 4 destinations: created %.2f s, snapshot %.2f s, reconcile (%zu ops) %.2f s\n", n,
                created, snapped, r->ops.size(), reconciled);
}

// snapshot() reads destination dumps of every length (100 destinations take
// several replies; some services have none): every service and destination,
// as ipvsadm lists them, and none named as deleted.
TEST_F(ipvs_vm, snapshot_reads_dumps_of_every_length) {
    std::vector<change> ops;
    std::set<std::string> want;
    for (int i = 0; i < 300; ++i) {
        const auto s = web("10.2.0.0", static_cast<std::uint16_t>(1000 + i));
        ops.push_back({change::kind::add_service, s, std::nullopt});
        want.insert(fmt::format("-A -t 10.2.0.0:{} -s rr", 1000 + i));
        const int dests = i % 30 == 0 ? 100 : i % 7;  // some without destinations
        for (int d = 0; d < dests; ++d) {
            const auto port = static_cast<std::uint16_t>(2000 + d);
            ops.push_back({change::kind::add_dest, s, destination{.address = ip("192.0.2.50"), .port = port}});
            want.insert(fmt::format("-a -t 10.2.0.0:{} -r 192.0.2.50:{} -m -w 1", 1000 + i, port));
        }
    }
    auto r = ipvs_->apply(ops);
    ASSERT_TRUE(r) << r.error().what();
    for (const auto& e : *r) ASSERT_FALSE(e) << e->what();
    EXPECT_EQ(lines_of(ipvsadm("-Sn")), want);
    std::vector<service_key> vanished;
    auto snap = ipvs_->snapshot(nullptr, &vanished);
    ASSERT_TRUE(snap) << snap.error().what();
    EXPECT_TRUE(vanished.empty());
    EXPECT_EQ(ipvsadm_lines(*snap), want);
}

// A service deleted between the service dump and its destination dump is
// found by a second service dump and named, never listed as a service
// without destinations. Another thread deletes services while snapshots run
// until some snapshot has caught one; a service that has no destinations and
// is not deleted is never named as deleted.
TEST_F(ipvs_vm, snapshot_names_services_deleted_meanwhile) {
    constexpr int n = 1500;
    std::vector<change> ops;
    std::vector<service_key> keys;
    for (int i = 0; i < n; ++i) {
        const auto s = web("10.3.0.0", static_cast<std::uint16_t>(1000 + i));
        keys.push_back(s.key);
        ops.push_back({change::kind::add_service, s, std::nullopt});
        for (const std::uint16_t port : {std::uint16_t{8080}, std::uint16_t{8081}})
            ops.push_back({change::kind::add_dest, s, destination{.address = ip("192.0.2.60"), .port = port}});
    }
    const service empty = web("10.3.0.1", 80);
    ops.push_back({change::kind::add_service, empty, std::nullopt});
    auto r = ipvs_->apply(ops);
    ASSERT_TRUE(r) << r.error().what();
    for (const auto& e : *r) ASSERT_FALSE(e) << e->what();

    std::atomic<bool> stop = false;
    std::atomic<int> deleted = 0;
    std::thread deleter([&] {
        auto c = client::open({.netns = ns_->name()});
        if (!c) return;
        for (std::size_t i = 0; i < keys.size() && !stop; ++i)
            if (c->del_service(keys[keys.size() - 1 - i])) ++deleted;
    });
    std::set<service_key> seen_vanished;
    int rounds = 0;
    std::string fault;
    for (; rounds < 50 && seen_vanished.empty() && fault.empty(); ++rounds) {
        std::vector<service_key> vanished;
        auto snap = ipvs_->snapshot(nullptr, &vanished);
        if (!snap) {
            fault = snap.error().what();
            break;
        }
        for (const auto& e : *snap)
            if (e.service.key != empty.key && e.destinations.size() != 2) fault = "listed with " + std::to_string(e.destinations.size()) + " destinations: " + key_string(e.service.key);
        // The kernel's service dump resumes by position, so deletions during it
        // can make it skip a service (IPVS sets no NLM_F_DUMP_INTR): a service
        // that was not deleted may be missing, but is never named as deleted.
        for (const auto& k : vanished) {
            if (k == empty.key) fault = "a service without destinations named as deleted: " + key_string(k);
            if (std::find_if(snap->begin(), snap->end(), [&](const service_entry& e) { return e.service.key == k; }) != snap->end())
                fault = "named as deleted and listed: " + key_string(k);
            seen_vanished.insert(k);
        }
    }
    stop = true;
    deleter.join();
    ASSERT_TRUE(fault.empty()) << fault;
    ASSERT_FALSE(seen_vanished.empty()) << rounds << " snapshots, " << deleted << " services deleted, none caught in between";
    // The oracle: ipvsadm does not list any service named as deleted.
    const std::string listed = ipvsadm("-Sn");
    for (const auto& k : seen_vanished) {
        const auto& v = std::get<virtual_service>(k);
        EXPECT_EQ(listed.find(fmt::format("-A -t {}:{} ", v.address.to_string(), v.port)), std::string::npos) << key_string(k);
    }
    std::printf("snapshot during deletions: %zu services named as deleted, after %d snapshots and %d deletions\n",
                seen_vanished.size(), rounds, deleted.load());
}

// Partial failure: one destination the kernel rejects (a multicast address:
// EINVAL) fails alone and is reported; everything else is applied, so the
// kernel holds the desired state less that destination; running again with
// the same state retries only it, and without it there is nothing left to do.
TEST_F(ipvs_vm, reconcile_interrupted_by_a_rejected_destination_converges) {
    auto want = desired_state(50);
    want[25].destinations[2].address = ip("224.0.0.5");
    auto r = reconcile(*ipvs_, want, {});
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->failed(), 1u);
    std::size_t bad = 0;
    while (!r->outcomes[bad]) ++bad;
    EXPECT_EQ(r->ops[bad].what, change::kind::add_dest);
    EXPECT_EQ(r->ops[bad].dest->address, ip("224.0.0.5"));
    EXPECT_EQ(r->outcomes[bad]->errno_value(), EINVAL) << r->outcomes[bad]->what();
    EXPECT_NE(r->outcomes[bad]->what().find("invalid destination"), std::string::npos) << r->outcomes[bad]->what();

    auto applied = want;
    applied[25].destinations.erase(applied[25].destinations.begin() + 2);
    EXPECT_EQ(lines_of(ipvsadm("-Sn")), ipvsadm_lines(applied)) << "consistent: all but the rejected destination";

    auto retry = reconcile(*ipvs_, want, {});
    ASSERT_TRUE(retry);
    ASSERT_EQ(retry->ops.size(), 1u) << "only the rejected destination is left to do";
    EXPECT_EQ(retry->failed(), 1u);

    auto fixed = reconcile(*ipvs_, applied, {});
    ASSERT_TRUE(fixed);
    EXPECT_TRUE(fixed->ops.empty()) << "converged";
}

// The IPVS family disappears between resolution and use (ip_vs unloaded,
// with module autoloading off so that it stays away): the next request says
// so instead of blaming a missing object. With autoloading back, asking
// nlctrl loads ip_vs again under a new family id: the error says to retry,
// and the same client works from the next request on.
TEST_F(ipvs_vm, family_unloaded_between_resolution_and_use) {
    ipvs_.reset();
    ns_.reset();  // the namespace's IPVS state goes with it
    auto c = client::open();
    ASSERT_TRUE(c) << c.error();
    ASSERT_TRUE(c->flush());
    std::string helper;
    std::getline(std::ifstream("/proc/sys/kernel/modprobe"), helper);
    auto set_helper = [](const std::string& path) { std::ofstream("/proc/sys/kernel/modprobe") << path << '\n'; };
    set_helper("/bin/false");
    // Dependent schedulers first; namespace cleanup may hold the module a moment.
    bool unloaded = false;
    for (int i = 0; i < 50 && !unloaded; ++i) {
        unloaded = std::system("for m in $(lsmod | awk '/^ip_vs_/ {print $1}'); do rmmod $m; done; rmmod ip_vs 2>/dev/null") == 0;
        if (!unloaded) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto gone = c->services();
    auto gone_add = c->add_service(web());
    const std::vector<change> two = {{change::kind::add_service, web("10.0.0.1"), std::nullopt},
                                        {change::kind::add_service, web("10.0.0.2"), std::nullopt}};
    auto gone_batch = c->apply(two);
    set_helper(helper);
    ASSERT_TRUE(unloaded) << "rmmod ip_vs failed";
    ASSERT_FALSE(gone);
    EXPECT_TRUE(gone.error().is(nlpp::errc::family_not_found)) << gone.error();
    EXPECT_NE(gone.error().what().find("ip_vs was unloaded"), std::string::npos) << gone.error();
    ASSERT_FALSE(gone_add);
    EXPECT_TRUE(gone_add.error().is(nlpp::errc::family_not_found)) << gone_add.error();
    ASSERT_TRUE(gone_batch) << gone_batch.error();
    for (const auto& outcome : *gone_batch) {
        ASSERT_TRUE(outcome);
        EXPECT_TRUE(outcome->is(nlpp::errc::family_not_found)) << outcome->what();
    }

    auto back = c->services();
    if (!back) {  // ip_vs autoloaded under a new id: named, and the next request uses it
        EXPECT_NE(back.error().what().find("registered again"), std::string::npos) << back.error();
        back = c->services();
    }
    ASSERT_TRUE(back) << back.error();
    ASSERT_TRUE(c->add_service(web()));
    EXPECT_EQ(c->services()->size(), 1u);
    ASSERT_TRUE(c->flush());
}

}  // namespace

// The spec engine with the project's specs/ipvs.yaml speaks to the same
// kernel: what it creates the typed layer reads, and its dump decodes the
// same values.
TEST_F(ipvs_vm, spec_engine_with_our_ipvs_spec) {
    auto spec = nlpp::ynl::load_spec(NLPP_OWN_SPECS "/ipvs.yaml");
    ASSERT_TRUE(spec) << spec.error();
    auto c = nlpp::ynl::client::open(*spec, {.netns = ns_->name()});
    ASSERT_TRUE(c) << c.error();
    using json = nlohmann::ordered_json;
    nlpp::ynl::request add{spec->find_op("new-service"), nlpp::ynl::mode::do_request, json::parse(R"({"service": {
        "af": "inet", "protocol": "tcp", "addr": "0a000001", "port": 8080, "sched-name": "wrr",
        "flags": {"flags": [], "mask": "0xffffffff"}, "timeout": 0, "netmask": 4294967295}})")};
    auto made = c->run(add);
    ASSERT_TRUE(made) << made.error();
    nlpp::ynl::request dest{spec->find_op("new-dest"), nlpp::ynl::mode::do_request, json::parse(R"({
        "service": {"af": "inet", "protocol": "tcp", "addr": "0a000001", "port": 8080},
        "dest": {"addr": "c0000202", "port": 80, "addr-family": "inet", "fwd-method": "masq", "weight": 5,
                 "u-threshold": 0, "l-threshold": 0}})")};
    auto added = c->run(dest);
    ASSERT_TRUE(added) << added.error();
    auto typed = ipvs_->get_service(virtual_service{protocol::tcp, ip("10.0.0.1"), 8080});
    ASSERT_TRUE(typed) << typed.error();
    EXPECT_EQ(typed->scheduler, "wrr");
    std::vector<json> dumped;
    ASSERT_TRUE(c->run({spec->find_op("get-service"), nlpp::ynl::mode::dump}, [&](json&& j) -> nlpp::result<void> {
        dumped.push_back(std::move(j));
        return {};
    }));
    ASSERT_EQ(dumped.size(), 1u);
    EXPECT_EQ(dumped[0]["service"]["sched-name"], "wrr");
    EXPECT_EQ(dumped[0]["service"]["port"], 8080);
    EXPECT_EQ(dumped[0]["service"]["protocol"], "tcp");
    // A kernel error through the engine names the cause.
    auto again = c->run(add);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().errno_value(), EEXIST) << again.error();
}

// rt-link's vlan sub-message against a kernel that has 8021q (the host
// kernel of the test machine lacks it).
TEST_F(ipvs_vm, spec_engine_creates_a_vlan) {
    auto spec = nlpp::ynl::load_spec(nlpp::test::kernel_spec("rt-link"));
    ASSERT_TRUE(spec) << spec.error();
    auto c = nlpp::ynl::client::open(*spec, {.netns = ns_->name()});
    ASSERT_TRUE(c) << c.error();
    const std::string dum0 = ns_->run("cat /sys/class/net/dum0/ifindex");
    auto in = nlohmann::ordered_json::parse(R"({"ifname": "vl10", "linkinfo": {"kind": "vlan", "data": {"id": 10, "protocol": "8021q"}}})");
    in["link"] = std::stoi(dum0);
    auto r = c->run({spec->find_op("newlink"), nlpp::ynl::mode::do_request, in, nlpp::ynl::flag_create | nlpp::ynl::flag_excl});
    ASSERT_TRUE(r) << r.error();
    EXPECT_NE(ns_->run("ip -d link show vl10").find("vlan protocol 802.1Q id 10"), std::string::npos);
    std::vector<nlohmann::ordered_json> links;
    ASSERT_TRUE(c->run({spec->find_op("getlink"), nlpp::ynl::mode::do_request, nlohmann::ordered_json{{"ifname", "vl10"}}},
                       [&](nlohmann::ordered_json&& j) -> nlpp::result<void> {
                           links.push_back(std::move(j));
                           return {};
                       }));
    ASSERT_EQ(links.size(), 1u);
    EXPECT_EQ(links[0]["linkinfo"]["data"]["id"], 10);
    EXPECT_EQ(links[0]["linkinfo"]["data"]["protocol"], "8021q");
}
