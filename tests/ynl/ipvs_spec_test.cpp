// The project's specs/ipvs.yaml through the spec engine builds the same
// bytes as the typed nlpp::ipvs layer for the same requests (the real kernel
// round trip runs in the IPVS VM: tests/ipvs/ipvs_vm_test.cpp). The typed
// layer's policy tables are generated from the spec (src/ipvs/ipvs_tables.hpp,
// test ipvs.tables_generated).
#include <nlpp/genl/genl.hpp>
#include <nlpp/ipvs/wire.hpp>
#include <nlpp/ynl/encode.hpp>

#include <gtest/gtest.h>

namespace {

using json = nlohmann::ordered_json;
namespace ipvs = nlpp::ipvs;
constexpr std::uint16_t family_id = 0x20;

std::vector<std::byte> bytes_of(nlpp::message_builder& b) {
    auto w = b.finish();
    EXPECT_TRUE(w) << w.error();
    return w ? std::vector<std::byte>(w->begin(), w->end()) : std::vector<std::byte>{};
}

class ipvs_spec : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = nlpp::ynl::load_spec(NLPP_OWN_SPECS "/ipvs.yaml");
        ASSERT_TRUE(s) << s.error();
        spec = std::move(*s);
    }
    std::vector<std::byte> engine(const char* op, const json& in) {
        nlpp::message_builder b(family_id, 0);
        auto r = nlpp::ynl::put_request(spec, *spec.find_op(op), in, b);
        EXPECT_TRUE(r) << op << ": " << r.error();
        return bytes_of(b);
    }
    static nlpp::message_builder typed(ipvs::command c) {
        return nlpp::genl::make_request(family_id, static_cast<std::uint8_t>(c), ipvs::family::version);
    }
    nlpp::ynl::spec spec;
};

TEST_F(ipvs_spec, services_same_bytes_as_the_typed_layer) {
    ipvs::service s{.key = ipvs::virtual_service{ipvs::protocol::tcp, ipvs::address::parse("10.0.0.1").value(), 80},
                    .scheduler = "rr", .flags = ipvs::service_flags::persistent, .timeout = 300};
    auto b = typed(ipvs::command::new_service);
    ipvs::put_service(b, s);
    EXPECT_EQ(bytes_of(b), engine("new-service", json::parse(R"({"service": {
        "af": "inet", "protocol": "tcp", "addr": "0a000001", "port": 80, "sched-name": "rr",
        "flags": {"flags": ["persistent"], "mask": "0xffffffff"}, "timeout": 300, "netmask": 4294967295}})")));

    ipvs::service fw{.key = ipvs::firewall_mark{7, 10}, .scheduler = "wlc", .pe_name = "sip", .netmask = 64};
    b = typed(ipvs::command::set_service);
    ipvs::put_service(b, fw);
    EXPECT_EQ(bytes_of(b), engine("set-service", json::parse(R"({"service": {
        "af": "inet6", "fwmark": 7, "sched-name": "wlc", "pe-name": "sip",
        "flags": {"flags": [], "mask": "0xffffffff"}, "timeout": 0, "netmask": 64}})")));

    b = typed(ipvs::command::del_service);
    ipvs::put_service_key(b, s.key);
    EXPECT_EQ(bytes_of(b), engine("del-service", json::parse(R"({"service": {
        "af": "inet", "protocol": "tcp", "addr": "0a000001", "port": 80}})")));
}

TEST_F(ipvs_spec, destinations_daemons_and_timeouts_same_bytes) {
    ipvs::service_key key = ipvs::virtual_service{ipvs::protocol::udp, ipvs::address::parse("2001:db8::1").value(), 53};
    ipvs::destination d{.address = ipvs::address::parse("2001:db8::2").value(), .port = 5353, .fwd = ipvs::forwarding::tunnel,
                        .weight = 3, .upper_threshold = 100, .lower_threshold = 10, .tun_type = ipvs::tunnel_type::gue,
                        .tun_port = 6080, .tun_flags = ipvs::tunnel_flags::csum};
    auto b = typed(ipvs::command::new_dest);
    ipvs::put_service_key(b, key);
    ipvs::put_dest(b, d, true);
    EXPECT_EQ(bytes_of(b), engine("new-dest", json::parse(R"({
        "service": {"af": "inet6", "protocol": "udp", "addr": "20010db8000000000000000000000001", "port": 53},
        "dest": {"addr": "20010db8000000000000000000000002", "port": 5353, "addr-family": "inet6", "fwd-method": "tunnel",
                 "weight": 3, "u-threshold": 100, "l-threshold": 10, "tun-type": "gue", "tun-port": 6080, "tun-flags": ["csum"]}})")));

    b = typed(ipvs::command::new_daemon);
    ipvs::put_daemon(b, ipvs::sync_daemon{.state = ipvs::daemon_state::backup, .mcast_ifn = "eth0", .sync_id = 9});
    EXPECT_EQ(bytes_of(b), engine("new-daemon", json::parse(R"({"daemon": {"state": "backup", "mcast-ifn": "eth0", "sync-id": 9}})")));

    b = typed(ipvs::command::set_config);
    ipvs::put_timeouts(b, ipvs::timeouts{.tcp = 900, .tcp_fin = 120, .udp = 300});
    EXPECT_EQ(bytes_of(b), engine("set-config", json::parse(R"({"timeout-tcp": 900, "timeout-tcp-fin": 120, "timeout-udp": 300})")));

    b = typed(ipvs::command::flush);
    EXPECT_EQ(bytes_of(b), engine("flush", json::object()));
}

}  // namespace
