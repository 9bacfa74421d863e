// nlpp-ipvs's ipvsadm-compatible command line without a kernel: which
// options each command takes, ipvsadm's usage-error texts and exit status 2,
// addresses, ports, fwmarks, timeouts, scheduler flags and -R's lines. The
// expected texts are ipvsadm 1.31's own (ipvsadm.c's fail() calls: `strings
// /usr/sbin/ipvsadm` shows them); tests/ipvs/cli_vs_ipvsadm.sh compares a
// set of them with the real ipvsadm in the VM.
#include "command_line.hpp"

#include "listing.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

namespace {

using namespace nlpp::ipvs;
using namespace nlpp::ipvs::cli;

std::variant<command_line, parse_stop> parse_args(std::vector<std::string> args) {
    return parse(args, "ipvsadm");
}

// The command line, or a test failure naming what stopped it.
command_line ok(std::vector<std::string> args) {
    auto p = parse_args(args);
    if (auto* stop = std::get_if<parse_stop>(&p)) {
        ADD_FAILURE() << "stopped with " << stop->status << ": " << stop->text;
        return {};
    }
    return std::get<command_line>(p);
}

// The usage error's message (without its newline); "" (and a failure) if
// parsing did not stop with status 2.
std::string usage_error(std::vector<std::string> args) {
    auto p = parse_args(args);
    auto* stop = std::get_if<parse_stop>(&p);
    if (!stop || stop->status != 2 || !stop->text.ends_with('\n')) {
        ADD_FAILURE() << "not a usage error";
        return "";
    }
    return stop->text.substr(0, stop->text.size() - 1);
}

address ip(const char* s) { return address::parse(s).value(); }

TEST(IpvsCommandLine, CommandsAndTheirRequiredOptions) {
    EXPECT_EQ(usage_error({"-A"}), "You need to supply the 'service-address' option for the 'add-service' command");
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80"}),
              "You need to supply the 'real-server' option for the 'add-server' command");
    EXPECT_EQ(usage_error({"-d", "-r", "10.0.0.2"}),
              "You need to supply the 'service-address' option for the 'delete-server' command");
    EXPECT_EQ(usage_error({"-A", "-E", "-t", "10.0.0.1:80"}), "multiple commands specified");
    EXPECT_EQ(usage_error({"-A", "-t", "10.0.0.1:80", "-t", "10.0.0.2:80"}), "multiple 'service-address' options specified");
    EXPECT_EQ(ok({"-C"}).cmd, FLUSH);
    EXPECT_EQ(ok({"-S"}).cmd, SAVE);
    EXPECT_EQ(ok({"-Z"}).cmd, ZERO);
    EXPECT_EQ(ok({"-R"}).cmd, RESTORE);
    EXPECT_EQ(ok({"--list"}).cmd, LIST);
    EXPECT_EQ(ok({"-l"}).cmd, LIST);
}

TEST(IpvsCommandLine, IllegalAndConflictingOptions) {
    EXPECT_EQ(usage_error({"-L", "-s", "rr"}), "Illegal 'scheduler' option with the 'list' command");
    EXPECT_EQ(usage_error({"-A", "-t", "10.0.0.1:80", "-s", "rr", "-r", "1.1.1.1"}),
              "Illegal 'real-server' option with the 'add-service' command");
    EXPECT_EQ(usage_error({"-C", "-n"}), "Illegal 'numeric' option with the 'flush' command");
    EXPECT_EQ(usage_error({"-Z", "-r", "1.1.1.1"}), "Illegal 'real-server' option with the 'zero' command");
    EXPECT_EQ(usage_error({"--stop-daemon", "master", "-w", "3"}), "Illegal 'weight' option with the 'stop-daemon' command");
    EXPECT_EQ(ok({"--stop-daemon", "master", "--syncid", "3"}).daemon.sync_id, 3u);
    EXPECT_EQ(usage_error({"-L", "-t", "10.0.0.1:80", "-c"}),
              "The option 'service-address' conflicts with the 'connection' option in the 'list' command");
    EXPECT_EQ(usage_error({"-L", "--timeout", "--daemon"}),
              "The option 'daemon' conflicts with the 'timeout' option in the 'list' command");
    EXPECT_EQ(usage_error({"-L", "-c", "--stats"}), "options conflicts in the list command");
    EXPECT_EQ(usage_error({"-L", "--timeout", "--persistent-conn"}), "options conflicts in the list command");
    EXPECT_EQ(usage_error({"-A", "-t", "10.0.0.1:80", "extra"}), "unexpected argument extra");
    // Listing options that go together.
    const command_line l = ok({"-Lnc", "--persistent-conn"});
    EXPECT_TRUE(l.has(O_NUMERIC) && l.has(O_CONNECTION) && l.has(O_PCONN));
    EXPECT_EQ(l.format, fmt_bits::numeric | fmt_bits::persistent_conn);
}

TEST(IpvsCommandLine, UnknownOptionsAndMissingArguments) {
    EXPECT_EQ(usage_error({"-Q"}), "invalid option `-Q'");
    EXPECT_EQ(usage_error({"--nosuch"}), "invalid option `--nosuch'");
    EXPECT_EQ(usage_error({"-A", "-t"}), "-t: missing argument");
    EXPECT_EQ(usage_error({"-A", "--tcp-service"}), "--tcp-service: missing argument");
    // -6 before -f is ipvsadm's message with its stray newline.
    EXPECT_EQ(usage_error({"-A", "-6"}), "-6 used before -f\n");
}

TEST(IpvsCommandLine, StopsThatAreNotErrors) {
    auto help = parse_args({"-h"});
    ASSERT_TRUE(std::holds_alternative<parse_stop>(help));
    EXPECT_EQ(std::get<parse_stop>(help).status, 0);
    EXPECT_EQ(std::get<parse_stop>(help).text, usage_text("ipvsadm"));
    EXPECT_TRUE(usage_text("ipvsadm").starts_with(version_text() + "Usage:\n  ipvsadm -A|E virtual-service"));
    // -h wins over what follows it, but not over an error before it.
    EXPECT_EQ(std::get<parse_stop>(parse_args({"-Ln", "-h", "-Q"})).status, 0);
    EXPECT_EQ(usage_error({"-Q", "-h"}), "invalid option `-Q'");
    auto version = parse_args({"--version"});
    EXPECT_EQ(std::get<parse_stop>(version).status, 0);
    EXPECT_EQ(std::get<parse_stop>(version).text, version_text());
    // Options without a command: ipvsadm's hint and status 255.
    auto none = parse_args({"-n"});
    EXPECT_EQ(std::get<parse_stop>(none).status, 255);
    EXPECT_EQ(std::get<parse_stop>(none).text, "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
}

TEST(IpvsCommandLine, ServiceAddresses) {
    const command_line v4 = ok({"-A", "-t", "10.0.0.1:80", "-s", "rr"});
    EXPECT_EQ(v4.svc.key, service_key(virtual_service{protocol::tcp, ip("10.0.0.1"), 80}));
    EXPECT_EQ(v4.svc.scheduler, "rr");
    const command_line v6 = ok({"-A", "--udp-service=[2001:db8::1]:53"});
    EXPECT_EQ(v6.svc.key, service_key(virtual_service{protocol::udp, ip("2001:db8::1"), 53}));
    EXPECT_EQ(v6.svc.scheduler, "wlc");  // ipvsadm's default
    const command_line sctp = ok({"-D", "--sctp-service", "10.0.0.4:3868"});
    EXPECT_EQ(sctp.svc.key, service_key(virtual_service{protocol::sctp, ip("10.0.0.4"), 3868}));
    EXPECT_EQ(usage_error({"-A", "-t", "10.0.0.7:0"}), "Zero port specified for non-persistent service");
    EXPECT_EQ(ok({"-A", "-t", "10.0.0.7:0", "-p"}).svc.timeout, 300u);
    // (Host and service names are looked up, so these avoid names a resolver could answer.)
    for (const char* bad : {"", "123", "[::1", "[::1]80", "10.0.0.1:65536", "10.0.0.1:x-no-such-service"})
        EXPECT_EQ(usage_error({"-A", "-t", bad}), "illegal virtual server address[:port] specified") << bad;
    EXPECT_EQ(usage_error({"-A", "-t", "1.1.1.1:80", "-o"}), "One-Packet Scheduling is only for UDP virtual services");
    EXPECT_TRUE(ok({"-A", "-u", "1.1.1.1:80", "-o"}).svc.flags & service_flags::one_packet);
}

TEST(IpvsCommandLine, Fwmarks) {
    EXPECT_EQ(ok({"-A", "-f", "5"}).svc.key, service_key(firewall_mark{5, 2}));
    EXPECT_EQ(ok({"-A", "-f", "6", "-6"}).svc.key, service_key(firewall_mark{6, 10}));
    EXPECT_EQ(ok({"-A", "-f", "4294967295"}).svc.key, service_key(firewall_mark{4294967295u, 2}));
    for (const char* bad : {"0", "4294967296", "x", "5x", "-1", ""})
        EXPECT_EQ(usage_error({"-A", "-f", bad}), std::string("invalid fwmark value `") + bad + "' specified");
}

TEST(IpvsCommandLine, RealServers) {
    const command_line m = ok({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.10:8080", "-m", "-w", "3", "-x", "100", "-y", "10"});
    EXPECT_EQ(m.cmd, ADDDEST);
    EXPECT_EQ(m.dest.address, ip("192.0.2.10"));
    EXPECT_EQ(m.dest.port, 8080);
    EXPECT_EQ(m.dest.fwd, forwarding::masq);
    EXPECT_EQ(m.dest.weight, 3u);
    EXPECT_EQ(m.dest.upper_threshold, 100u);
    EXPECT_EQ(m.dest.lower_threshold, 10u);
    // Direct routing (the default) and tunnels take the service's port; so does a server without one.
    const command_line g = ok({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.11:8080"});
    EXPECT_EQ(g.dest.fwd, forwarding::route);
    EXPECT_EQ(g.dest.port, 80);
    EXPECT_EQ(ok({"-e", "-t", "10.0.0.1:80", "-r", "192.0.2.11", "-m"}).dest.port, 80);
    EXPECT_EQ(ok({"-d", "-t", "10.0.0.1:80", "-r", "2001:db8::20"}).dest.address, ip("2001:db8::20"));
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "[2001:db8::20]:80", "-m"}),
              "Different address family is allowed only for tunneling servers");
    EXPECT_EQ(ok({"-a", "-t", "10.0.0.1:80", "-r", "2001:db8::20", "-i"}).dest.fwd, forwarding::tunnel);
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.999"}), "illegal real server address[:port] specified");
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-w", "-1"}), "illegal weight specified");
    EXPECT_EQ(ok({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-w", "2147483647"}).dest.weight, 2147483647u);
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-x", "abc"}), "illegal u_threshold specified");
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-y", "abc"}), "illegal l_threshold specified");
}

TEST(IpvsCommandLine, Tunnels) {
    const command_line gue = ok({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.60", "-i", "--tun-type", "gue",
                                 "--tun-port", "6080", "--tun-csum"});
    EXPECT_EQ(gue.dest.tun_type, tunnel_type::gue);
    EXPECT_EQ(gue.dest.tun_port, 6080);
    EXPECT_EQ(gue.dest.tun_flags, tunnel_flags::csum);
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-m", "--tun-type", "gue"}),
              "Tunnel options conflict with forward method");
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-i", "--tun-type", "gue"}),
              "You need to supply the 'tun-port' option for the 'gue' tunnel type");
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-i", "--tun-type", "gue", "--tun-port", "5",
                           "--tun-csum", "--tun-remcsum"}),
              "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type");
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-i", "--tun-type", "gre", "--tun-remcsum"}),
              "Illegal 'tun-remcsum' option with the 'gre' tunnel type");
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-i", "--tun-port", "80"}),
              "Illegal 'tun-port' option with the 'ipip' tunnel type");
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-i", "--tun-type", "vxlan"}),
              "illegal tunnel type specified");
    EXPECT_EQ(usage_error({"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1", "-i", "--tun-port", "0"}),
              "illegal tunnel port specified");
}

TEST(IpvsCommandLine, PersistenceAndNetmasks) {
    const command_line p = ok({"-A", "-u", "10.0.0.2:53", "-p", "60", "-M", "255.255.255.0"});
    EXPECT_TRUE(p.svc.flags & service_flags::persistent);
    EXPECT_EQ(p.svc.timeout, 60u);
    EXPECT_EQ(p.svc.netmask, 24);
    EXPECT_EQ(ok({"-A", "-t", "10.0.0.2:53", "-p60"}).svc.timeout, 60u);  // attached argument
    // -p's argument is optional: an option after it is not taken for one.
    const command_line bare = ok({"-A", "-t", "10.0.0.2:0", "-p", "-s", "rr"});
    EXPECT_EQ(bare.svc.timeout, 300u);
    EXPECT_EQ(bare.svc.scheduler, "rr");
    EXPECT_EQ(ok({"-A", "-t", "[2001:db8::100]:443", "-p", "120", "-M", "64"}).svc.netmask, 64);
    EXPECT_EQ(usage_error({"-A", "-t", "1.1.1.1:80", "-p", "0"}), "invalid timeout value `0' specified");
    EXPECT_EQ(usage_error({"-A", "-t", "1.1.1.1:80", "-p", "2678401"}), "invalid timeout value `2678401' specified");
    EXPECT_EQ(ok({"-A", "-t", "1.1.1.1:80", "-p", "2678400"}).svc.timeout, 2678400u);  // 31 days
    EXPECT_EQ(usage_error({"-A", "-t", "1.1.1.1:80", "-p", "-M", "1.2.3.x"}),
              "illegal virtual server persistent mask specified");
    EXPECT_EQ(usage_error({"-A", "-t", "[2001:db8::1]:80", "-p", "-M", "129"}), "illegal ipv6 netmask specified");
}

TEST(IpvsCommandLine, ConnectionTimeouts) {
    const command_line s = ok({"--set", "900", "120", "300"});
    EXPECT_EQ(s.cmd, TIMEOUT);
    EXPECT_EQ(s.tmo.tcp, 900u);
    EXPECT_EQ(s.tmo.tcp_fin, 120u);
    EXPECT_EQ(s.tmo.udp, 300u);
    EXPECT_EQ(ok({"--set", "0", "0", "2678400"}).tmo.udp, 2678400u);
    EXPECT_EQ(usage_error({"--set", "1", "2"}), "--set option requires 3 timeout values");
    EXPECT_EQ(usage_error({"--set", "1", "2", "x"}), "invalid timeout value `x' specified");
    EXPECT_EQ(usage_error({"--set", "1", "2", "2678401"}), "invalid timeout value `2678401' specified");
    EXPECT_EQ(usage_error({"--set", "1", "2", "3", "4"}), "unexpected argument 4");
}

TEST(IpvsCommandLine, SchedulerFlags) {
    EXPECT_EQ(ok({"-A", "-u", "1.1.1.1:80", "-s", "sh", "-b", "sh-port,sh-fallback"}).svc.flags,
              service_flags::sh_port | service_flags::sh_fallback);
    EXPECT_EQ(ok({"-A", "-f", "6", "-s", "mh", "-b", "mh-port"}).svc.flags, service_flags::mh_port);
    EXPECT_EQ(ok({"-A", "-f", "6", "-b", "flag-3"}).svc.flags, service_flags::sched3);
    EXPECT_EQ(usage_error({"-A", "-u", "1.1.1.1:80", "-s", "sh", "-b", "sh-port,mh-port"}),
              "incompatible scheduler flag `mh-port'");
    EXPECT_EQ(usage_error({"-A", "-u", "1.1.1.1:80", "-b", "sh-port"}),  // the default scheduler is wlc
              "incompatible scheduler flag `sh-port'");
    EXPECT_EQ(usage_error({"-A", "-u", "1.1.1.1:80", "-s", "sh", "-b", "nosuch"}), "invalid scheduler flag `nosuch'");
}

TEST(IpvsCommandLine, SyncDaemons) {
    const command_line d = ok({"--start-daemon", "master", "--mcast-interface", "dum0", "--syncid", "9", "--mcast-group",
                               "239.1.1.1", "--mcast-port", "8850", "--mcast-ttl", "2", "--sync-maxlen", "1400"});
    EXPECT_EQ(d.cmd, STARTD);
    EXPECT_EQ(d.daemon.state, daemon_state::master);
    EXPECT_EQ(d.daemon.mcast_ifn, "dum0");
    EXPECT_EQ(d.daemon.sync_id, 9u);
    EXPECT_EQ(d.daemon.mcast_group, ip("239.1.1.1"));
    EXPECT_EQ(d.daemon.mcast_port, 8850);
    EXPECT_EQ(d.daemon.mcast_ttl, 2);
    EXPECT_EQ(d.daemon.sync_maxlen, 1400);
    EXPECT_EQ(ok({"--start-daemon", "backup"}).daemon.mcast_ifn, "eth0");  // ipvsadm's default
    EXPECT_EQ(ok({"--stop-daemon", "backup"}).daemon.state, daemon_state::backup);
    EXPECT_EQ(usage_error({"--start-daemon", "foo"}), "illegal start-daemon parameter specified");
    EXPECT_EQ(usage_error({"--stop-daemon", "foo"}), "illegal start_daemon specified");
    EXPECT_EQ(usage_error({"--start-daemon", "master", "--mcast-group", "1.2.3.4"}), "invalid IPv4 mcast-group `1.2.3.4'");
    EXPECT_EQ(usage_error({"--start-daemon", "master", "--mcast-group", "fe80::1"}), "invalid IPv6 mcast-group `fe80::1'");
    EXPECT_EQ(ok({"--start-daemon", "master", "--mcast-group", "ff02::1"}).daemon.mcast_group, ip("ff02::1"));
    EXPECT_EQ(usage_error({"--start-daemon", "master", "--mcast-port", "0"}), "illegal mcast-port specified");
    EXPECT_EQ(usage_error({"--start-daemon", "master", "--mcast-ttl", "256"}), "illegal mcast-ttl specified");
    EXPECT_EQ(usage_error({"--start-daemon", "master", "--sync-maxlen", "65508"}), "illegal sync-maxlen specified");
    EXPECT_EQ(usage_error({"--start-daemon", "master", "--syncid", "256"}), "illegal syncid specified");
}

TEST(IpvsCommandLine, LongOptionsWithValues) {
    const command_line c = ok({"--tcp-service=1.1.1.1:80", "--add-service", "--scheduler=rr", "--persistent=30"});
    EXPECT_EQ(c.cmd, ADD);
    EXPECT_EQ(c.svc.scheduler, "rr");
    EXPECT_EQ(c.svc.timeout, 30u);
    EXPECT_EQ(ok({"-A", "-t", "1.1.1.1:80", "-s", "a-scheduler-name-too-long"}).svc.scheduler, "a-scheduler-nam");
}

TEST(IpvsCommandLine, RestoreLines) {
    EXPECT_EQ(restore_args("-A -t 10.0.0.1:80 -s rr"), (std::vector<std::string>{"-A", "-t", "10.0.0.1:80", "-s", "rr"}));
    EXPECT_EQ(restore_args("  -a\t-t 10.0.0.1:80   -r 192.0.2.1 \r"),
              (std::vector<std::string>{"-a", "-t", "10.0.0.1:80", "-r", "192.0.2.1"}));
    EXPECT_TRUE(restore_args("").empty());
    EXPECT_TRUE(restore_args("   \t").empty());
    EXPECT_TRUE(restore_args("# -A -t 10.0.0.1:80").empty());
    EXPECT_TRUE(restore_args("#comment").empty());
    // ipvsadm -S's lines parse back to the change they save.
    auto c = as_change(ok(restore_args("-a -t 10.0.0.1:80 -r 192.0.2.10:8080 -m -w 3")));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->what, change::kind::add_dest);
    EXPECT_EQ(cmd_of(c->what), ADDDEST);
    EXPECT_FALSE(as_change(ok(restore_args("-C"))));
}

TEST(IpvsCommandLine, KernelErrorTexts) {
    const nlpp::error exists = nlpp::error::from_errno(EEXIST, "add service");
    EXPECT_EQ(ipvsadm_message(ADD, exists), "Service already exists");
    EXPECT_EQ(ipvsadm_message(ADDDEST, exists), "Destination already exists");
    EXPECT_EQ(ipvsadm_message(DEL, nlpp::error::from_errno(ESRCH, "")), "No such service");
    EXPECT_EQ(ipvsadm_message(CMD_NONE, nlpp::error::from_errno(EPERM, "")), "Permission denied (you must be root)");
    EXPECT_EQ(ipvsadm_message(ADD, nlpp::error::from_errno(EBUSY, "")), std::strerror(EBUSY));
}

}  // namespace
