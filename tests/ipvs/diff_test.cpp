// diff() without a kernel: the order of its events, each kind of event, its
// text, and that a snapshot compared with itself (counters moving) is no change.
#include <nlpp/ipvs/diff.hpp>

#include <gtest/gtest.h>

namespace {

using namespace nlpp::ipvs;

address ip(const char* s) { return address::parse(s).value(); }
service_key tcp(const char* vip, std::uint16_t port = 80) { return virtual_service{protocol::tcp, ip(vip), port}; }
service_entry entry(service_key key, std::vector<destination> ds, const char* sched = "rr") {
    return {service{.key = key, .scheduler = sched}, std::move(ds)};
}
destination dest(const char* a, std::uint32_t weight = 1, std::uint32_t active = 0) {
    return {.address = ip(a), .port = 80, .weight = weight, .active_conns = active};
}
std::vector<std::string> described(const std::vector<event>& es) {
    std::vector<std::string> out;
    for (const auto& e : es) out.push_back(std::string(event_name(e.what)) + ": " + e.describe());
    return out;
}
using lines = std::vector<std::string>;

// Services first, then destinations, each sorted by key whatever the order
// of the snapshots; an added or removed service brings its destinations.
TEST(ipvs_diff, every_kind_in_a_defined_order) {
    const std::vector<service_entry> before = {
        entry(firewall_mark{5}, {}),
        entry(tcp("10.0.0.2"), {dest("192.0.2.2"), dest("192.0.2.1", 1, 3), dest("192.0.2.4", 2, 1)}),
        entry(tcp("10.0.0.1"), {dest("192.0.2.5")}),
    };
    service persistent{.key = tcp("10.0.0.2"), .scheduler = "wrr", .flags = service_flags::persistent, .timeout = 300};
    std::vector<service_entry> after = {
        entry(tcp("10.0.0.3"), {dest("192.0.2.9", 2), dest("192.0.2.8")}, "sh"),
        {persistent, {dest("192.0.2.4", 7, 0), dest("192.0.2.3"), dest("192.0.2.1", 1, 0), dest("192.0.2.2", 1, 9)}},
    };
    after[1].destinations[1].upper_threshold = 10;
    after[1].destinations.push_back({.address = ip("2001:db8::1"), .port = 8080, .fwd = forwarding::route});
    EXPECT_EQ(described(diff(before, after)),
              (lines{
                  "service-removed: - service TCP 10.0.0.1:80",
                  "service-edited: ~ service TCP 10.0.0.2:80 scheduler rr -> wrr, flags 0x0 -> 0x1, timeout 0 -> 300",
                  "service-added: + service TCP 10.0.0.3:80 sh",
                  "service-removed: - service FWM 5",
                  "dest-removed: - dest TCP 10.0.0.1:80 -> 192.0.2.5:80",
                  "dest-idle: = dest TCP 10.0.0.2:80 -> 192.0.2.1:80 active connections 3 -> 0",
                  "dest-added: + dest TCP 10.0.0.2:80 -> 192.0.2.3:80 Masq weight 1 upper 10",
                  "dest-edited: ~ dest TCP 10.0.0.2:80 -> 192.0.2.4:80 weight 2 -> 7",
                  "dest-idle: = dest TCP 10.0.0.2:80 -> 192.0.2.4:80 active connections 1 -> 0",
                  "dest-added: + dest TCP 10.0.0.2:80 -> [2001:db8::1]:8080 Route weight 1",
                  "dest-added: + dest TCP 10.0.0.3:80 -> 192.0.2.8:80 Masq weight 1",
                  "dest-added: + dest TCP 10.0.0.3:80 -> 192.0.2.9:80 Masq weight 2",
              }));
    // What each event carries: the service after (before for a removed
    // one), and the destination before and after.
    const auto es = diff(before, after);
    EXPECT_EQ(es[1].service.scheduler, "wrr");
    EXPECT_EQ(es[1].service_before->scheduler, "rr");
    EXPECT_EQ(es[4].service.scheduler, "rr");  // 10.0.0.1, removed
    EXPECT_EQ(es[7].service.timeout, 300u);    // its service as it is after
    EXPECT_EQ(es[7].dest_before->weight, 2u);
    EXPECT_EQ(es[7].dest->weight, 7u);
    // The reverse: what was added is removed and the other way round.
    EXPECT_EQ(described(diff(after, before)).front(), "service-added: + service TCP 10.0.0.1:80 rr");
}

// Counters, rates and inactive connections move without an event; a
// snapshot is no change from itself; the first of two equal keys counts.
TEST(ipvs_diff, same_state_is_no_change) {
    std::vector<service_entry> a = {entry(tcp("10.0.0.1"), {dest("192.0.2.1", 1, 4)}), entry(firewall_mark{9, 10}, {})};
    EXPECT_TRUE(diff(a, a).empty());
    EXPECT_TRUE(diff({}, {}).empty());
    auto b = a;
    b[0].service.stats.conns = 100;
    b[0].service.flags |= service_flags::hashed;  // the kernel's flag, not a setting
    b[0].destinations[0].active_conns = 2;
    b[0].destinations[0].inactive_conns = 7;
    b[0].destinations[0].stats.inbps = 5000;
    EXPECT_TRUE(diff(a, b).empty());
    b.push_back(entry(tcp("10.0.0.1"), {}, "wrr"));  // a second entry of the same key: ignored
    EXPECT_TRUE(diff(a, b).empty());
    EXPECT_EQ(described(diff({}, a)),
              (lines{"service-added: + service TCP 10.0.0.1:80 rr", "service-added: + service FWM 9 IPv6 rr",
                     "dest-added: + dest TCP 10.0.0.1:80 -> 192.0.2.1:80 Masq weight 1"}));
}

}  // namespace
