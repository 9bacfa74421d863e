// Scopes and plans, without a kernel: the scope syntax (what parses, what is
// refused and how the error names it, what an item covers) and what plan()
// makes of a scope and of drain options.
#include <nlpp/ipvs/reconcile.hpp>

#include <gtest/gtest.h>

namespace {

using namespace nlpp::ipvs;

address ip(const char* s) { return address::parse(s).value(); }
service_key tcp(const char* vip, std::uint16_t port) { return virtual_service{protocol::tcp, ip(vip), port}; }
service_key udp(const char* vip, std::uint16_t port) { return virtual_service{protocol::udp, ip(vip), port}; }
service_key fwm(std::uint32_t mark, std::uint16_t family = 2) { return firewall_mark{mark, family}; }

TEST(ipvs_scope, items_cover_what_they_name) {
    auto s = scope::parse("10.96.0.0/12, tcp:192.0.2.0/24:443,udp:2001:db8::/64,10.0.0.0/8:53,fwmark:100-199");
    ASSERT_TRUE(s) << s.error().what();
    EXPECT_EQ(s->to_string(), "10.96.0.0/12,tcp:192.0.2.0/24:443,udp:2001:db8::/64,10.0.0.0/8:53,fwmark:100-199");
    EXPECT_TRUE(s->contains(tcp("10.96.0.1", 80)));
    EXPECT_TRUE(s->contains(udp("10.111.255.255", 0)));
    EXPECT_FALSE(s->contains(tcp("10.112.0.0", 80)));  // past the /12
    EXPECT_TRUE(s->contains(tcp("192.0.2.7", 443)));
    EXPECT_FALSE(s->contains(tcp("192.0.2.7", 80)));   // another port
    EXPECT_FALSE(s->contains(udp("192.0.2.7", 443)));  // another protocol
    EXPECT_TRUE(s->contains(udp("2001:db8::5", 53)));
    EXPECT_FALSE(s->contains(tcp("2001:db8::5", 53)));
    EXPECT_TRUE(s->contains(tcp("10.1.2.3", 53)));     // port 53, any protocol
    EXPECT_FALSE(s->contains(tcp("10.1.2.3", 54)));
    EXPECT_TRUE(s->contains(fwm(100)));
    EXPECT_TRUE(s->contains(fwm(199, 10)));            // fwmark items cover both families
    EXPECT_FALSE(s->contains(fwm(200)));
    EXPECT_FALSE(s->contains(fwm(99, 10)));
    EXPECT_FALSE(s->contains(tcp("::ffff:10.96.0.1", 80)));  // an IPv6 address is not in an IPv4 prefix
}

TEST(ipvs_scope, ipv6_with_a_port_and_whole_families) {
    auto s = scope::parse("tcp:2001:db8:1::/48:443,tcp:[2001:db8:2::]/48:8443,fwmark:7,0.0.0.0/0");
    ASSERT_TRUE(s) << s.error().what();
    EXPECT_EQ(s->to_string(), "tcp:2001:db8:1::/48:443,tcp:2001:db8:2::/48:8443,fwmark:7,0.0.0.0/0");
    EXPECT_TRUE(s->contains(tcp("2001:db8:1:ffff::1", 443)));
    EXPECT_FALSE(s->contains(tcp("2001:db8:1::1", 80)));
    EXPECT_TRUE(s->contains(tcp("2001:db8:2::1", 8443)));
    EXPECT_TRUE(s->contains(fwm(7, 10)));
    EXPECT_FALSE(s->contains(fwm(8)));
    EXPECT_TRUE(s->contains(udp("203.0.113.9", 1)));  // /0: every IPv4 service
    EXPECT_FALSE(s->contains(udp("2001:db8:3::1", 1)));
    const std::vector<std::string> file = {"10.0.0.0/8", "fwmark:1-2,fwmark:5"};  // the file's list
    auto f = scope::parse(file);
    ASSERT_TRUE(f) << f.error().what();
    EXPECT_EQ(f->to_string(), "10.0.0.0/8,fwmark:1-2,fwmark:5");
}

TEST(ipvs_scope, bad_items_are_named) {
    const std::pair<const char*, const char*> cases[] = {
        {"", "scope: empty (name at least one prefix or fwmark range)"},
        {"  ", "scope: empty (name at least one prefix or fwmark range)"},
        {"10.0.0.0/8,,fwmark:1", "scope: item 2 is empty"},
        {"10.0.0.0/8,", "scope: item 2 is empty"},
        {"10.0.0.0", "scope item '10.0.0.0': a prefix needs its length (10.96.0.0/12, 2001:db8::/64), or the item is fwmark:FIRST-LAST"},
        {"10.0.0.0/33", "scope item '10.0.0.0/33': '33' is not a prefix length from 0 to 32"},
        {"2001:db8::/129", "scope item '2001:db8::/129': '129' is not a prefix length from 0 to 128"},
        {"10.0.0.1/8", "scope item '10.0.0.1/8': host bits are set (the prefix is 10.0.0.0/8)"},
        {"tcp:10.0.0.0/8:http", "scope item 'tcp:10.0.0.0/8:http': 'http' is not a port from 0 to 65535"},
        {"tcp:10.0.0.0/8:65536", "scope item 'tcp:10.0.0.0/8:65536': '65536' is not a port from 0 to 65535"},
        {"icmp:10.0.0.0/8", "scope item 'icmp:10.0.0.0/8': unknown protocol 'icmp' (tcp, udp, sctp or fwmark)"},
        {"dead::/16:80", ""},  // a valid item: 'dead' is hex, an IPv6 address, not a protocol
        {"web.example/24", "scope item 'web.example/24': 'web.example' is not an IPv4 or IPv6 address"},
        {"fwmark:", "scope item 'fwmark:': a fwmark item is fwmark:FIRST-LAST or fwmark:MARK, marks from 1 to 4294967295"},
        {"fwmark:0-5", "scope item 'fwmark:0-5': a fwmark item is fwmark:FIRST-LAST or fwmark:MARK, marks from 1 to 4294967295"},
        {"fwmark:9-3", "scope item 'fwmark:9-3': the range 9-3 is empty"},
        {"fwmark:1-x", "scope item 'fwmark:1-x': a fwmark item is fwmark:FIRST-LAST or fwmark:MARK, marks from 1 to 4294967295"},
    };
    for (const auto& [text, want] : cases) {
        auto s = scope::parse(text);
        if (!*want) {
            EXPECT_TRUE(s) << text << ": " << s.error().what();
            continue;
        }
        ASSERT_FALSE(s) << text;
        EXPECT_EQ(s.error().what().rfind(want, 0), 0u) << s.error().what() << "\nshould start with\n" << want;
    }
    EXPECT_FALSE(scope::parse(std::vector<std::string>{}));
    EXPECT_FALSE(scope::parse(std::vector<std::string>{"10.0.0.0/8", ""}));
}

service_entry entry(service_key key, std::vector<destination> ds) {
    return {service{.key = key, .scheduler = "rr"}, std::move(ds)};
}
destination dest(const char* a, std::uint32_t weight = 1, std::uint32_t active = 0) {
    return {.address = ip(a), .port = 80, .weight = weight, .active_conns = active};
}
std::vector<std::string> described(const std::vector<change>& cs) {
    std::vector<std::string> out;
    for (const auto& c : cs) out.push_back(c.describe());
    return out;
}
using lines = std::vector<std::string>;

// A second owner's services (outside the scope) are never deleted or
// changed, whatever the mode, and an empty desired state removes exactly
// the services in the scope.
TEST(ipvs_plan, a_scope_leaves_other_owners_alone) {
    const std::vector<service_entry> current = {
        entry(tcp("10.96.0.1", 80), {dest("192.0.2.1")}),
        entry(tcp("10.200.0.1", 80), {dest("192.0.2.2")}),  // the other owner's
        entry(fwm(150), {dest("192.0.2.3")}),
        entry(fwm(5), {}),                                   // the other owner's
    };
    auto mine = scope::parse("10.96.0.0/12,fwmark:100-199");
    ASSERT_TRUE(mine);
    plan_options o{.scope = *mine};
    auto empty = plan(current, {}, o);
    ASSERT_TRUE(empty) << empty.error().what();
    EXPECT_EQ(described(empty->changes), (lines{"del service TCP 10.96.0.1:80", "del service FWM 150"}));

    std::vector<service_entry> desired = {entry(tcp("10.96.0.1", 80), {dest("192.0.2.9")})};
    auto p = plan(current, desired, o);
    ASSERT_TRUE(p);
    EXPECT_EQ(described(p->changes), (lines{"del service FWM 150", "del dest TCP 10.96.0.1:80 -> 192.0.2.1:80",
                                           "add dest TCP 10.96.0.1:80 -> 192.0.2.9:80 (Masq, weight 1)"}));
    o.mode = reconcile_mode::partial;
    p = plan(current, desired, o);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->changes.size(), 2u);  // FWM 150 is not listed: left alone

    desired.push_back(entry(udp("10.200.0.1", 53), {}));
    auto outside = plan(current, desired, o);
    ASSERT_FALSE(outside);
    EXPECT_EQ(outside.error().what().rfind("desired service UDP 10.200.0.1:53 is outside the scope 10.96.0.0/12,fwmark:100-199", 0), 0u)
        << outside.error().what();

    // Unscoped, the same empty state removes everything (as before scopes).
    EXPECT_EQ(plan(current, {}, {}).value().changes.size(), 4u);
}

// With a drain timeout, what leaves is set to weight 0 now and deleted
// later; a service that leaves goes after its destinations.
TEST(ipvs_plan, drain_sets_weight_zero_and_defers_deletes) {
    const std::vector<service_entry> current = {
        entry(tcp("10.0.0.1", 80), {dest("192.0.2.1", 3, 5), dest("192.0.2.2")}),
        entry(tcp("10.0.0.2", 80), {dest("192.0.2.3")}),
        entry(tcp("10.0.0.3", 80), {}),
    };
    const std::vector<service_entry> desired = {entry(tcp("10.0.0.1", 80), {dest("192.0.2.2")})};
    auto p = plan(current, desired, plan_options{.drain = {.timeout = 30}});
    ASSERT_TRUE(p);
    EXPECT_EQ(described(p->changes), (lines{"del service TCP 10.0.0.3:80",  // no destinations: nothing to drain
                                           "edit dest TCP 10.0.0.2:80 -> 192.0.2.3:80 (Masq, weight 0)",
                                           "edit dest TCP 10.0.0.1:80 -> 192.0.2.1:80 (Masq, weight 0)"}));
    EXPECT_EQ(described(p->drains),
              (lines{"del dest TCP 10.0.0.2:80 -> 192.0.2.3:80", "del dest TCP 10.0.0.1:80 -> 192.0.2.1:80"}));
    EXPECT_EQ(described(p->after_drains), (lines{"del service TCP 10.0.0.2:80"}));

    // Timeout 0: today's immediate deletes, nothing deferred.
    auto now = plan(current, desired, plan_options{});
    ASSERT_TRUE(now);
    EXPECT_EQ(described(now->changes),
              (lines{"del service TCP 10.0.0.2:80", "del service TCP 10.0.0.3:80", "del dest TCP 10.0.0.1:80 -> 192.0.2.1:80"}));
    EXPECT_TRUE(now->drains.empty());
    EXPECT_TRUE(now->after_drains.empty());
}

// A restart mid-drain, without a state file: the kernel holds the draining
// destination at weight 0 and the desired state does not list it, so it is
// drained again (no edit: it is at 0 already); a desired destination the
// kernel holds at weight 0 gets its weight back.
TEST(ipvs_plan, a_restart_finishes_drains_and_restores_weights) {
    const std::vector<service_entry> current = {
        entry(tcp("10.0.0.1", 80), {dest("192.0.2.1", 0, 4), dest("192.0.2.2", 0), dest("192.0.2.3", 2)}),
    };
    const std::vector<service_entry> desired = {entry(tcp("10.0.0.1", 80), {dest("192.0.2.2", 5), dest("192.0.2.3", 2)})};
    auto p = plan(current, desired, plan_options{.drain = {.timeout = 30}});
    ASSERT_TRUE(p);
    EXPECT_EQ(described(p->changes), (lines{"edit dest TCP 10.0.0.1:80 -> 192.0.2.2:80 (Masq, weight 5)"}));
    EXPECT_EQ(described(p->drains), (lines{"del dest TCP 10.0.0.1:80 -> 192.0.2.1:80"}));
    EXPECT_TRUE(p->after_drains.empty());
    // Everything desired and nothing draining: a second run has nothing to do.
    std::vector<service_entry> settled = desired;
    auto again = plan(settled, desired, plan_options{.drain = {.timeout = 30}});
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->changes.empty() && again->drains.empty() && again->after_drains.empty());
}

}  // namespace
