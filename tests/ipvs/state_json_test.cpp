// nlpp-ipvs's JSON state schema without a kernel: the example and the
// defaults of docs/ipvs.md ("The JSON state schema") read as documented, and
// bad input is refused with the JSON path of the fault. apply against a
// kernel is tests/ipvs/apply_cli.sh's (in the VM).
#include "state_json.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace {

using namespace nlpp::ipvs;

address ip(const char* s) { return address::parse(s).value(); }

// The state is refused with an error that starts with `why` (what() may add
// the error code's text after it).
void expect_refused(const char* text, const std::string& why) {
    auto s = cli::state_from_json(text);
    if (s) return ADD_FAILURE() << "accepted: " << text;
    EXPECT_TRUE(s.error().what().starts_with(why)) << s.error().what() << "\ndoes not start with\n" << why;
}

TEST(IpvsStateJson, TheDocumentedExample) {
    auto s = cli::state_from_json(R"({"services": [
      {"protocol": "tcp", "address": "10.0.0.1", "port": 80,
       "scheduler": "rr", "flags": ["persistent"], "timeout": 300, "netmask": 24,
       "persistence_engine": "sip",
       "destinations": [
         {"address": "192.0.2.10", "port": 8080, "forwarding": "masq", "weight": 3,
          "upper_threshold": 0, "lower_threshold": 0},
         {"address": "2001:db8::60", "port": 80, "forwarding": "tunnel", "weight": 1,
          "tunnel": {"type": "gue", "port": 6080, "checksum": "csum"}}
       ]},
      {"fwmark": 5, "family": "ipv6", "scheduler": "mh", "flags": ["mh-port"]}
    ]})");
    ASSERT_TRUE(s) << s.error().what();
    ASSERT_EQ(s->services.size(), 2u);
    const service& a = s->services[0].service;
    EXPECT_EQ(a.key, service_key(virtual_service{protocol::tcp, ip("10.0.0.1"), 80}));
    EXPECT_EQ(a.scheduler, "rr");
    EXPECT_EQ(a.pe_name, "sip");
    EXPECT_EQ(a.flags, service_flags::persistent);
    EXPECT_EQ(a.timeout, 300u);
    EXPECT_EQ(a.netmask, 24);
    ASSERT_EQ(s->services[0].destinations.size(), 2u);
    const destination& d0 = s->services[0].destinations[0];
    EXPECT_EQ(d0.address, ip("192.0.2.10"));
    EXPECT_EQ(d0.port, 8080);
    EXPECT_EQ(d0.fwd, forwarding::masq);
    EXPECT_EQ(d0.weight, 3u);
    const destination& d1 = s->services[0].destinations[1];
    EXPECT_EQ(d1.fwd, forwarding::tunnel);
    EXPECT_EQ(d1.tun_type, tunnel_type::gue);
    EXPECT_EQ(d1.tun_port, 6080);
    EXPECT_EQ(d1.tun_flags, tunnel_flags::csum);
    const service& b = s->services[1].service;
    EXPECT_EQ(b.key, service_key(firewall_mark{5, 10}));
    EXPECT_EQ(b.flags, service_flags::mh_port);
}

TEST(IpvsStateJson, Defaults) {
    auto s = cli::state_from_json(R"({"services": [
      {"address": "10.0.0.1", "flags": ["persistent", "hashed"], "netmask": 32,
       "destinations": [{"address": "192.0.2.1"}]},
      {"address": "10.0.0.2", "port": 53, "protocol": "udp", "timeout": 60},
      {"fwmark": 7}]})");
    ASSERT_TRUE(s) << s.error().what();
    const service& a = s->services[0].service;
    EXPECT_EQ(a.key, service_key(virtual_service{protocol::tcp, ip("10.0.0.1"), 0}));
    EXPECT_EQ(a.scheduler, "wlc");
    EXPECT_EQ(a.flags, service_flags::persistent);  // hashed is ignored on input
    EXPECT_EQ(a.timeout, 300u);                     // persistent alone: 300 s
    EXPECT_EQ(a.netmask, 0);                        // 32: the whole address
    const destination& d = s->services[0].destinations[0];
    EXPECT_EQ(d.port, 0);
    EXPECT_EQ(d.fwd, forwarding::masq);
    EXPECT_EQ(d.weight, 1u);
    EXPECT_EQ(d.tun_type, tunnel_type::ipip);
    EXPECT_EQ(s->services[1].service.flags, service_flags::persistent);  // a timeout implies persistent
    EXPECT_EQ(s->services[2].service.key, service_key(firewall_mark{7, 2}));
}

TEST(IpvsStateJson, FaultsNameTheirPath) {
    expect_refused(R"({"services": [{"address": "10.0.0.1"}, {"address": "10.0.0.2", "port": 70000}]})", "$.services[1].port: expected an integer from 0 to 65535, got 70000");
    expect_refused(R"({"services": [{"address": "10.0.0.1", "destinations": [{"address": "192.0.2.1", "port": "x"}]}]})", "$.services[0].destinations[0].port: expected an integer from 0 to 65535, got \"x\"");
    expect_refused(R"({"services": [{"address": "10.0.0.1", "colour": "red"}]})", "$.services[0].colour: unknown key");
    expect_refused(R"({"services": [{"address": "10.0.0.1"}, {"address": "10.0.0.1"}]})", "$.services[1]: service TCP 10.0.0.1:0 is listed twice");
    expect_refused(R"({"services": [{"address": "10.0.0.1", "destinations": [{"address": "192.0.2.1", "forwarding": "nat"}]}]})", "$.services[0].destinations[0].forwarding: 'nat' is not one of masq, local, tunnel, route, bypass");
    expect_refused(R"({"services": [{"protocol": "icmp", "address": "10.0.0.1"}]})", "$.services[0].protocol: 'icmp' is not one of tcp, udp, sctp");
    expect_refused(R"({"services": [{"port": 80}]})", "$.services[0]: a service needs an address (or a fwmark)");
    expect_refused(R"({"services": [{"address": "10.0.0.1", "flags": ["sticky"]}]})", "$.services[0].flags[0]: unknown flag \"sticky\"");
    expect_refused(R"({"servers": []})", "$.servers: unknown key");
    expect_refused(R"({})", "$: expected \"services\": [...]");
    expect_refused(R"({"services": [{"address": "10.0.0.1", "port": -1}]})", "$.services[0].port: expected an integer from 0 to 65535, got -1");
    expect_refused(R"({"services": [{"address": "10.0.0.1", "weight": 1}, {"address": "10.0.0.2", "timeout": 1.5}]})", "$.services[0].weight: unknown key");
    expect_refused(R"({"services": [{"address": "10.0.0.2", "timeout": 1.5}]})", "$.services[0].timeout: expected an integer from 0 to 2678400, got 1.5");
    expect_refused(R"({"services": [{"address": "10.0.0.1", "destinations": [{"address": "192.0.2.1"}, 5]}]})", "$.services[0].destinations[1]: expected an object, got 5");
    expect_refused(R"({"services": [{"address": "10.0.0.1", "destinations": [{"address": "192.0.2.1", "tunnel": {"port": true}}]}]})", "$.services[0].destinations[0].tunnel.port: expected an integer from 0 to 65535, got true");
    expect_refused(R"({"services": [{"address": "10.0.0.1",)", "not valid JSON: ");
}

// A list of 3,000 services is read in two halves at once: the fault
// reported is still the first in the file (a service listed twice is looked
// for once every service is read), and a service listed in both halves is found.
TEST(IpvsStateJson, LargeListsFaultInFileOrder) {
    auto list = [](std::size_t bad_port_at, std::size_t bad_key_at, std::size_t repeat_at) {
        std::string text = R"({"services": [)";
        for (std::size_t i = 0; i < 3000; ++i) {
            const std::size_t n = i == repeat_at ? 7 : i;
            text += fmt::format(R"({}{{"address": "10.0.{}.{}", "port": {}{}}})", i ? ", " : "", n / 256, n % 256,
                                i == bad_port_at ? 70000 : 80, i == bad_key_at ? R"(, "colour": "red")" : "");
        }
        return text + "]}";
    };
    constexpr std::size_t none = 99999;
    ASSERT_TRUE(cli::state_from_json(list(none, none, none)));
    EXPECT_EQ(cli::state_from_json(list(none, none, none))->services.size(), 3000u);
    expect_refused(list(2500, 100, none).c_str(), "$.services[100].colour: unknown key");
    expect_refused(list(2500, none, none).c_str(), "$.services[2500].port: expected an integer from 0 to 65535");
    expect_refused(list(none, 2999, 2000).c_str(), "$.services[2999].colour: unknown key");
    expect_refused(list(none, none, 2000).c_str(), "$.services[2000]: service TCP 10.0.0.7:80 is listed twice");
}

// A file is parsed where it is mapped when its last page has room for
// simdjson's padding, else read into a buffer: both ways read the same state
// (sizes around a page's end, whitespace making up the size).
TEST(IpvsStateJson, FilesOfEverySizeReadTheSame) {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    const std::string doc = R"({"services": [{"address": "10.0.0.1", "port": 80, "destinations": [{"address": "192.0.2.1"}]}]})";
    char dir[] = "/tmp/nlpp-state-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string file = std::string(dir) + "/state.json";
    for (const std::size_t size : {page - 100, page - 64, page - 63, page - 1, page, page + 1, 3 * page - 30}) {
        std::FILE* f = std::fopen(file.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        const std::string text = doc + std::string(size - doc.size(), ' ');
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
        auto s = cli::read_state(file);
        ASSERT_TRUE(s) << size << ": " << s.error().what();
        ASSERT_EQ(s->services.size(), 1u);
        EXPECT_EQ(s->services[0].destinations.at(0).address, ip("192.0.2.1")) << size;
    }
    std::remove(file.c_str());
    rmdir(dir);
}

// A file cut short by another program after its size was taken (here: a
// size past its end) makes the mapped pages fault: the program says so and
// exits with status 2 instead of dying of SIGBUS.
TEST(IpvsStateJsonDeathTest, AFileThatShrinksWhileReadIsAnError) {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    char dir[] = "/tmp/nlpp-state-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string file = std::string(dir) + "/state.json";
    std::FILE* f = std::fopen(file.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs(R"({"services": []})", f);
    std::fclose(f);
    const int fd = open(file.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(cli::read_mapped(fd, 3 * page - 100, file), ::testing::ExitedWithCode(2),
                "state.json: the file shrank while it was read");
    close(fd);
    std::remove(file.c_str());
    rmdir(dir);
}

// The file's "scope": a list of scope items (docs/ipvs.md, "Scope"); each
// fault names its JSON path.
TEST(IpvsStateJson, TheScopeList) {
    auto s = cli::state_from_json(R"({"scope": ["tcp:10.96.0.0/12:443", "fwmark:100-199,2001:db8::/64"], "services": []})");
    ASSERT_TRUE(s) << s.error();
    ASSERT_TRUE(s->scope);
    EXPECT_EQ(s->scope->to_string(), "tcp:10.96.0.0/12:443,fwmark:100-199,2001:db8::/64");
    auto none = cli::state_from_json(R"({"services": []})");
    ASSERT_TRUE(none) << none.error();
    EXPECT_FALSE(none->scope);
    const std::pair<const char*, std::string> bad[] = {
        {R"({"scope": [], "services": []})", "$.scope: scope: empty"},
        {R"({"scope": "10.0.0.0/8", "services": []})", "$.scope: expected a list of strings, got \"10.0.0.0/8\""},
        {R"({"scope": ["10.0.0.0/8", 7], "services": []})", "$.scope[1]: expected a string, got 7"},
        {R"({"scope": ["10.0.0.0/8", "fwmark:9-3"], "services": []})", "$.scope[1]: scope item 'fwmark:9-3': the range 9-3 is empty"},
    };
    for (const auto& [text, why] : bad) {
        auto r = cli::state_from_json(text);
        ASSERT_FALSE(r) << text;
        EXPECT_TRUE(r.error().what().starts_with(why)) << r.error() << "\ndoes not start with\n" << why;
    }
}

}  // namespace
