// The IPVS wire encoding without a kernel: the byte-order traps, kernel-style
// replies (no NLA_F_NESTED, PAD in stats64, unknown attributes, no dest
// address family on old kernels), malformed replies, and reconcile plans.
#include <nlpp/core/dump.hpp>
#include <nlpp/genl/genl.hpp>
#include <nlpp/ipvs/reconcile.hpp>
#include <nlpp/ipvs/wire.hpp>

#include <linux/ip_vs.h>
#include <sys/socket.h>

#include "../support/wire.hpp"

#include <gtest/gtest.h>

namespace {

using namespace nlpp::ipvs;

address ip(const char* s) { return address::parse(s).value(); }

std::vector<std::byte> finish(nlpp::message_builder& b) {
    auto w = b.finish().value();
    return {w.begin(), w.end()};
}

// A kernel-style reply: cmd header, then whatever `body` puts.
template <class F>
std::vector<std::byte> reply(command c, F&& body) {
    auto b = nlpp::genl::make_request(0x20, cmd(c), 1);
    body(b);
    return finish(b);
}

TEST(ipvs_wire, service_request_bytes_follow_the_kernel_traps) {
    service s{.key = virtual_service{protocol::tcp, ip("10.0.0.1"), 80}, .scheduler = "rr"};
    s.flags = service_flags::persistent;
    s.timeout = 300;
    s.netmask = 24;
    auto b = nlpp::genl::make_request(0x20, cmd(command::new_service), 1);
    put_service(b, s);
    auto bytes = finish(b);
    auto m = nlpp::message_view::parse(bytes).value();
    auto nest = m.attrs(4).find(IPVS_CMD_ATTR_SERVICE).value();
    EXPECT_TRUE(nest.nested_flag());
    auto tb = nest.nested().index<IPVS_SVC_ATTR_MAX + 1>();
    EXPECT_EQ(tb[IPVS_SVC_ATTR_AF]->get<std::uint16_t>().value(), AF_INET);
    EXPECT_EQ(nlpp::to_hex(tb[IPVS_SVC_ATTR_PORT]->payload()), "00 50\n");          // big-endian
    EXPECT_EQ(nlpp::to_hex(tb[IPVS_SVC_ATTR_ADDR]->payload()), "0a 00 00 01\n");
    EXPECT_EQ(nlpp::to_hex(tb[IPVS_SVC_ATTR_NETMASK]->payload()), "ff ff ff 00\n");  // be32 mask
    EXPECT_EQ(nlpp::to_hex(tb[IPVS_SVC_ATTR_FLAGS]->payload()), nlpp::to_hex(nlpp::test::wire().u32(1).u32(0xffffffff).bytes()));  // {flags, mask}, host order
    EXPECT_EQ(tb[IPVS_SVC_ATTR_TIMEOUT]->get<std::uint32_t>().value(), 300u);      // host order
    EXPECT_EQ(tb[IPVS_SVC_ATTR_SCHED_NAME]->get_string(), "rr");

    service v6{.key = virtual_service{protocol::udp, ip("2001:db8::1"), 53}, .scheduler = "sh"};
    v6.netmask = 64;
    auto b6 = nlpp::genl::make_request(0x20, cmd(command::new_service), 1);
    put_service(b6, v6);
    auto bytes6 = finish(b6);
    auto svc6 = nlpp::message_view::parse(bytes6)->attrs(4).find(IPVS_CMD_ATTR_SERVICE)->nested();
    EXPECT_EQ(svc6.find(IPVS_SVC_ATTR_NETMASK)->get<std::uint32_t>().value(), 64u);  // host-order prefix
    EXPECT_EQ(svc6.find(IPVS_SVC_ATTR_ADDR)->payload().size(), 16u);
}

TEST(ipvs_wire, service_round_trips_through_a_kernel_style_reply) {
    for (const service& s : {
             service{.key = virtual_service{protocol::tcp, ip("10.0.0.1"), 80}, .scheduler = "rr", .pe_name = "sip",
                     .flags = service_flags::persistent | service_flags::one_packet, .timeout = 300, .netmask = 16},
             service{.key = virtual_service{protocol::sctp, ip("2001:db8::5"), 9}, .scheduler = "mh",
                     .flags = service_flags::mh_port, .netmask = 48},
             service{.key = firewall_mark{7, AF_INET6}, .scheduler = "wlc"},
         }) {
        auto bytes = reply(command::new_service, [&](nlpp::message_builder& b) { put_service(b, s); });
        auto back = parse_service(nlpp::message_view::parse(bytes).value());
        ASSERT_TRUE(back) << back.error();
        EXPECT_EQ(back->key, s.key);
        EXPECT_EQ(back->scheduler, s.scheduler);
        EXPECT_EQ(back->pe_name, s.pe_name);
        EXPECT_EQ(back->flags, s.flags);
        EXPECT_EQ(back->timeout, s.timeout);
        EXPECT_EQ(back->netmask, s.netmask);
    }
}

// The kernel's order and quirks (§1.8): no NLA_F_NESTED, 16-byte addresses,
// STATS with legacy widths then STATS64 with PAD, an attribute from the future.
std::vector<std::byte> kernel_service_reply() {
    return reply(command::new_service, [](nlpp::message_builder& b) {
        auto n = b.nest(IPVS_CMD_ATTR_SERVICE, false);
        b.put<std::uint16_t>(IPVS_SVC_ATTR_AF, AF_INET);
        b.put<std::uint16_t>(IPVS_SVC_ATTR_PROTOCOL, 6);
        std::array<std::uint8_t, 16> addr{192, 0, 2, 1};
        b.put(IPVS_SVC_ATTR_ADDR, std::as_bytes(std::span(addr)));
        b.put<std::uint16_t>(IPVS_SVC_ATTR_PORT, 443, nlpp::byte_order::big);
        b.put_string(IPVS_SVC_ATTR_SCHED_NAME, "wlc");
        ip_vs_flags f{service_flags::hashed | service_flags::persistent, 0xffffffff};
        b.put(IPVS_SVC_ATTR_FLAGS, nlpp::as_bytes_of(f));
        b.put<std::uint32_t>(IPVS_SVC_ATTR_TIMEOUT, 360);
        b.put<std::uint32_t>(IPVS_SVC_ATTR_NETMASK, 0xffffffff, nlpp::byte_order::big);
        {
            auto st = b.nest(IPVS_SVC_ATTR_STATS, false);
            b.put<std::uint32_t>(IPVS_STATS_ATTR_CONNS, 7);
            b.put<std::uint64_t>(IPVS_STATS_ATTR_INBYTES, 1000);
        }
        {
            auto st = b.nest(IPVS_SVC_ATTR_STATS64, false);
            b.put_flag(IPVS_STATS_ATTR_PAD);
            b.put<std::uint64_t>(IPVS_STATS_ATTR_CONNS, 5'000'000'000ull);
            b.put_flag(IPVS_STATS_ATTR_PAD);
            b.put<std::uint64_t>(IPVS_STATS_ATTR_INBYTES, 1000);
            b.put<std::uint64_t>(IPVS_STATS_ATTR_OUTBPS, 12);
        }
        b.put<std::uint32_t>(99, 1);  // unknown: skipped
    });
}

TEST(ipvs_wire, kernel_reply_quirks) {
    auto bytes = kernel_service_reply();
    auto s = parse_service(nlpp::message_view::parse(bytes).value());
    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(s->key, service_key(virtual_service{protocol::tcp, ip("192.0.2.1"), 443}));
    EXPECT_TRUE(s->flags & service_flags::hashed);
    EXPECT_EQ(s->netmask, 0);  // full /32
    EXPECT_EQ(s->stats.conns, 5'000'000'000ull);  // stats64 wins over the 32-bit counter
    EXPECT_EQ(s->stats.outbps, 12u);
}

TEST(ipvs_wire, dest_without_address_family_takes_the_service_family) {
    auto bytes = reply(command::new_dest, [](nlpp::message_builder& b) {
        auto n = b.nest(IPVS_CMD_ATTR_DEST, false);
        std::array<std::uint8_t, 16> a6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
        b.put(IPVS_DEST_ATTR_ADDR, std::as_bytes(std::span(a6)));
        b.put<std::uint16_t>(IPVS_DEST_ATTR_PORT, 8080, nlpp::byte_order::big);
        b.put<std::uint32_t>(IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_TUNNEL);
        b.put<std::uint32_t>(IPVS_DEST_ATTR_WEIGHT, 3);
        b.put<std::uint8_t>(IPVS_DEST_ATTR_TUN_TYPE, IP_VS_CONN_F_TUNNEL_TYPE_GUE);
        b.put<std::uint16_t>(IPVS_DEST_ATTR_TUN_PORT, 6080, nlpp::byte_order::big);
        b.put<std::uint16_t>(IPVS_DEST_ATTR_TUN_FLAGS, IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM);
        b.put<std::uint32_t>(IPVS_DEST_ATTR_ACTIVE_CONNS, 4);
    });
    auto d = parse_dest(nlpp::message_view::parse(bytes).value(), AF_INET6);
    ASSERT_TRUE(d) << d.error();
    EXPECT_EQ(d->address, ip("2001:db8::9"));
    EXPECT_EQ(d->port, 8080);
    EXPECT_EQ(d->fwd, forwarding::tunnel);
    EXPECT_EQ(d->tun_type, tunnel_type::gue);
    EXPECT_EQ(d->tun_port, 6080);
    EXPECT_EQ(d->tun_flags, tunnel_flags::remcsum);
    EXPECT_EQ(d->active_conns, 4u);
}

TEST(ipvs_wire, malformed_replies_are_errors) {
    auto bytes = kernel_service_reply();
    for (std::size_t cut = 20; cut < bytes.size(); cut += 7) {
        std::vector<std::byte> part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
        nlpp::store<std::uint32_t>(part, static_cast<std::uint32_t>(part.size()));  // a consistent, short message
        auto m = nlpp::message_view::parse(part);
        if (!m) continue;
        auto s = parse_service(*m);
        if (!s) {
            EXPECT_FALSE(s.error().what().empty());
        }
    }
    auto no_nest = reply(command::new_service, [](nlpp::message_builder&) {});
    auto s = parse_service(nlpp::message_view::parse(no_nest).value());
    ASSERT_FALSE(s);
    EXPECT_TRUE(s.error().is(nlpp::errc::attr_missing));
    auto bad_port = reply(command::new_service, [](nlpp::message_builder& b) {
        auto n = b.nest(IPVS_CMD_ATTR_SERVICE);
        b.put<std::uint16_t>(IPVS_SVC_ATTR_AF, AF_INET);
        b.put<std::uint32_t>(IPVS_SVC_ATTR_PORT, 80);
    });
    auto p = parse_service(nlpp::message_view::parse(bad_port).value());
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().what(), "service port: attribute 4: needs 2 bytes of payload, has 4: invalid attribute");
    // Inside the stats64 nest, and an address read once the walk is over: the path names them.
    auto bad_stats = reply(command::new_service, [](nlpp::message_builder& b) {
        auto n = b.nest(IPVS_CMD_ATTR_SERVICE);
        b.put<std::uint16_t>(IPVS_SVC_ATTR_AF, AF_INET);
        auto st = b.nest(IPVS_SVC_ATTR_STATS64);
        b.put<std::uint32_t>(IPVS_STATS_ATTR_CONNS, 1);
    });
    auto st = parse_service(nlpp::message_view::parse(bad_stats).value());
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().what(), "service stats64.conns: attribute 1: needs 8 bytes of payload, has 4: invalid attribute");
    auto bad_addr = reply(command::new_dest, [](nlpp::message_builder& b) {
        auto n = b.nest(IPVS_CMD_ATTR_DEST);
        b.put<std::uint32_t>(IPVS_DEST_ATTR_ADDR, 0x0100000a);
        b.put<std::uint16_t>(IPVS_DEST_ATTR_ADDR_FAMILY, AF_INET6);
    });
    auto d = parse_dest(nlpp::message_view::parse(bad_addr).value(), AF_INET);
    ASSERT_FALSE(d);
    EXPECT_TRUE(d.error().is(nlpp::errc::attr_invalid));
    EXPECT_EQ(d.error().what(), "destination addr: address of 4 bytes: invalid attribute");
}

TEST(ipvs_wire, info_timeouts_daemon) {
    auto info_bytes = reply(command::set_info, [](nlpp::message_builder& b) {
        b.put<std::uint32_t>(IPVS_INFO_ATTR_VERSION, 0x010201);
        b.put<std::uint32_t>(IPVS_INFO_ATTR_CONN_TAB_SIZE, 4096);
    });
    auto i = parse_info(nlpp::message_view::parse(info_bytes).value()).value();
    EXPECT_EQ(i.version_string(), "1.2.1");
    EXPECT_EQ(i.conn_tab_size, 4096u);
    auto t_bytes = reply(command::set_config, [](nlpp::message_builder& b) { put_timeouts(b, {900, 120, 300}); });
    auto t = parse_timeouts(nlpp::message_view::parse(t_bytes).value()).value();
    EXPECT_EQ(t.tcp, 900u);
    EXPECT_EQ(t.tcp_fin, 120u);
    EXPECT_EQ(t.udp, 300u);
    sync_daemon d{.state = daemon_state::backup, .mcast_ifn = "eth1", .sync_id = 3, .sync_maxlen = 1400,
                  .mcast_group = ip("ff02::81"), .mcast_port = 8848, .mcast_ttl = 4};
    auto d_bytes = reply(command::new_daemon, [&](nlpp::message_builder& b) { put_daemon(b, d); });
    auto back = parse_daemon(nlpp::message_view::parse(d_bytes).value()).value();
    EXPECT_EQ(back.state, d.state);
    EXPECT_EQ(back.mcast_ifn, "eth1");
    EXPECT_EQ(back.mcast_group, d.mcast_group);
    EXPECT_EQ(back.mcast_ttl, 4);
}

TEST(ipvs_validate, rejects_what_the_kernel_would_call_einval) {
    service s{.key = virtual_service{protocol::tcp, ip("10.0.0.1"), 80}, .scheduler = "rr"};
    EXPECT_TRUE(validate(s));
    s.netmask = 33;
    EXPECT_FALSE(validate(s));
    s.netmask = 0;
    s.scheduler = "a-name-longer-than-15";  // specs/ipvs.yaml: sched-name max-len 15
    auto long_name = validate(s);
    ASSERT_FALSE(long_name);
    EXPECT_NE(long_name.error().what().find(".service.sched-name: 21 bytes, at most 15 allowed"), std::string::npos)
        << long_name.error().what();
    s.scheduler = "rr";
    s.pe_name = "seventeen-chars-x";  // pe-name max-len 16
    EXPECT_FALSE(validate(s));
    s.pe_name = "sixteen-chars-xx";
    EXPECT_TRUE(validate(s));
    s.scheduler = "";
    EXPECT_FALSE(validate(s));
    s.scheduler = "a-name-longer-than-15";
    EXPECT_FALSE(validate(service{.key = firewall_mark{0, AF_INET}}));
    destination d{.address = ip("2001:db8::1"), .port = 80, .fwd = forwarding::masq};
    auto r = validate(s.key, d);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().what().find("needs tunnel forwarding"), std::string::npos);
    EXPECT_FALSE(validate(s.key, {.address = ip("10.0.0.2"), .fwd = forwarding::tunnel, .tun_type = tunnel_type::gue}));
    // weight: the kernel reads it as an int (the spec's max s32-max).
    s.scheduler = "rr";
    auto heavy = validate(s.key, {.address = ip("10.0.0.2"), .port = 80, .weight = 0x80000000u});
    ASSERT_FALSE(heavy);
    EXPECT_NE(heavy.error().what().find(".dest.weight: 2147483648 is above the maximum 2147483647"), std::string::npos)
        << heavy.error().what();
    EXPECT_TRUE(validate(s.key, {.address = ip("10.0.0.2"), .port = 80, .weight = 0x7fffffffu}));
}

service_entry entry(const char* vip, std::vector<destination> ds, const char* sched = "rr") {
    return {service{.key = virtual_service{protocol::tcp, ip(vip), 80}, .scheduler = sched}, std::move(ds)};
}

TEST(ipvs_reconcile, plans_only_the_differences) {
    std::vector<service_entry> current = {
        entry("10.0.0.1", {{.address = ip("192.0.2.1"), .port = 80}, {.address = ip("192.0.2.2"), .port = 80}}),
        entry("10.0.0.2", {}),
        entry("10.0.0.3", {{.address = ip("192.0.2.3"), .port = 80, .weight = 1}}),
    };
    std::vector<service_entry> desired = {
        entry("10.0.0.1", {{.address = ip("192.0.2.1"), .port = 80}, {.address = ip("192.0.2.4"), .port = 80}}),
        entry("10.0.0.3", {{.address = ip("192.0.2.3"), .port = 80, .weight = 0}}, "wrr"),
        entry("10.0.0.9", {{.address = ip("192.0.2.9"), .port = 80}}),
    };
    const auto ops = plan(current, desired, {}).value().changes;
    std::vector<std::string> got;
    for (const auto& op : ops) got.push_back(op.describe());
    EXPECT_EQ(got, (std::vector<std::string>{
                       "del service TCP 10.0.0.2:80",
                       "edit service TCP 10.0.0.3:80 (wrr)",
                       "add service TCP 10.0.0.9:80 (rr)",
                       "add dest TCP 10.0.0.9:80 -> 192.0.2.9:80 (Masq, weight 1)",  // with its service
                       "del dest TCP 10.0.0.1:80 -> 192.0.2.2:80",
                       "add dest TCP 10.0.0.1:80 -> 192.0.2.4:80 (Masq, weight 1)",
                       "edit dest TCP 10.0.0.3:80 -> 192.0.2.3:80 (Masq, weight 0)",
                   }));
    const auto partial = plan(current, desired, {.mode = reconcile_mode::partial}).value().changes;
    EXPECT_EQ(partial.size(), ops.size() - 1);  // 10.0.0.2 is left alone
    EXPECT_TRUE(plan(desired, desired, {}).value().changes.empty());  // idempotent
}

}  // namespace
