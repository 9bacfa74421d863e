// nlpp-ipvs's ipvsadm-compatible command line (see command_line.hpp).
#include "command_line.hpp"

#include "listing.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <bit>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

namespace nlpp::ipvs::cli {
namespace {

namespace fb = fmt_bits;

constexpr const char* cmd_names[] = {"add-service", "edit-service", "delete-service", "flush",
                                     "list",        "add-server",   "delete-server",  "edit-server",
                                     "set",         "start-daemon", "stop-daemon",    "restore",
                                     "save",        "zero"};
// A table, in opt_id order.
// clang-format off
constexpr const char* opt_names[] = {
    "numeric", "connection", "service-address", "scheduler", "persistent", "netmask", "real-server",
    "forwarding-method", "weight", "u-threshold", "l-threshold", "mcast-interface", "timeout", "daemon",
    "stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid", "exact", "ops", "pe",
    "sched-flags", "mcast-group", "mcast-port", "mcast-ttl", "sync-maxlen", "tun-info", "tun-type",
    "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum", "json"};
// clang-format on

// Which options each command takes: '+' required, ' ' optional, '1' at most
// one of the '1's, anything else illegal. One string per command, one
// character per option in opt_id order.
constexpr const char* legal[] = {
    /*ADD     */ "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx",
    /*EDIT    */ "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx",
    /*DEL     */ "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    /*FLUSH   */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    /*LIST    */ " 11xxxxxxxxx11       xxxxxxx xxxxx ",
    /*ADDDEST */ "xx+xxx+    xxxxxxxxxxxxxxxxxx     x",
    /*DELDEST */ "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    /*EDITDEST*/ "xx+xxx+    xxxxxxxxxxxxxxxxxx     x",
    /*TIMEOUT */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    /*STARTD  */ "xxxxxxxxxxx xxxxxxx xxxx    xxxxxxx",
    /*STOPD   */ "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxxx",
    /*RESTORE */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    /*SAVE    */ " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx ",
    /*ZERO    */ "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
};
static_assert(sizeof("xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx") - 1 == NUM_OPT);

constexpr std::uint32_t max_timeout = 86400 * 31;

// Parsing stops with a parse_stop, thrown inside this file only (parse()
// returns it): a usage error is ipvsadm's fail(2, ...).
[[noreturn]] void usage_fail(std::string msg) { throw parse_stop{2, std::move(msg) + "\n"}; }

long to_number(const std::string& s, long min, long max) {
    if (s.empty()) return -1;
    char* end = nullptr;
    errno = 0;
    const long n = std::strtol(s.c_str(), &end, 10);
    if (*end != '\0' || errno == ERANGE || n < min || n > max) return -1;
    return n;
}

std::uint32_t parse_timeout(const std::string& s, long min, long max) {
    const long n = to_number(s, min, max);
    if (n < 0) usage_fail(fmt::format("invalid timeout value `{}' specified", s));
    return static_cast<std::uint32_t>(n);
}

// host[:port], [v6]:port or a bare IPv6 address; hosts and services by name too.
bool parse_addrport(std::string buf, std::uint16_t proto, address& addr, std::uint16_t& port,
                    bool& port_given) {
    port_given = false;
    if (buf.empty() || buf.find_first_not_of("0123456789") == std::string::npos) return false;
    std::string port_text;
    bool have_port = false;
    if (buf[0] == '[') {
        const auto close = buf.find(']');
        if (close == std::string::npos || close + 1 >= buf.size() || buf[close + 1] != ':')
            return false;
        port_text = buf.substr(close + 2);
        have_port = true;
        buf = buf.substr(1, close - 1);
    }
    in6_addr a6;
    in_addr a4;
    if (inet_pton(AF_INET6, buf.c_str(), &a6) > 0) {
        addr.family = AF_INET6;
        std::memcpy(addr.bytes.data(), &a6, 16);
    } else {
        if (!have_port) {
            const auto colon = buf.rfind(':');
            if (colon != std::string::npos) {
                port_text = buf.substr(colon + 1);
                have_port = true;
                buf = buf.substr(0, colon);
            }
        }
        if (inet_aton(buf.c_str(), &a4) == 0) {
            const hostent* h = gethostbyname(buf.c_str());
            if (!h || h->h_addrtype != AF_INET || h->h_length != 4) return false;
            std::memcpy(&a4, h->h_addr_list[0], 4);
        }
        addr = address{};
        addr.family = AF_INET;
        std::memcpy(addr.bytes.data(), &a4, 4);
    }
    if (have_port) {
        port_given = true;
        const long n = to_number(port_text, 0, 65535);
        if (n >= 0) {
            port = static_cast<std::uint16_t>(n);
        } else {
            const char* p = proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "sctp";
            const servent* s = getservbyname(port_text.c_str(), p);
            if (!s) return false;
            port = ntohs(static_cast<std::uint16_t>(s->s_port));
        }
    }
    return true;
}

std::uint32_t parse_sched_flags(const std::string& sched, const std::string& arg) {
    std::uint32_t flags = 0;
    std::stringstream ss(arg);
    for (std::string f; std::getline(ss, f, ',');) {
        if (f.empty()) continue;
        struct {
            const char* name;
            std::uint32_t bit;
            const char* sched;
        } table[] = {{"flag-1", service_flags::sched1, nullptr},
                     {"flag-2", service_flags::sched2, nullptr},
                     {"flag-3", service_flags::sched3, nullptr},
                     {"sh-fallback", service_flags::sh_fallback, "sh"},
                     {"sh-port", service_flags::sh_port, "sh"},
                     {"mh-fallback", service_flags::mh_fallback, "mh"},
                     {"mh-port", service_flags::mh_port, "mh"}};
        bool found = false;
        for (const auto& t : table) {
            if (f != t.name) continue;
            found = true;
            flags |= t.bit;
            if (t.sched && sched != t.sched)
                usage_fail(fmt::format("incompatible scheduler flag `{}'", f));
        }
        if (!found) usage_fail(fmt::format("invalid scheduler flag `{}'", f));
    }
    return flags;
}

void set_command(command_line& cl, cmd_id c) {
    if (cl.cmd != CMD_NONE) usage_fail("multiple commands specified");
    cl.cmd = c;
}

void set_option(command_line& cl, opt_id o) {
    const unsigned long long bit = 1ull << o;
    if (cl.options & bit) usage_fail(fmt::format("multiple '{}' options specified", opt_names[o]));
    cl.options |= bit;
}

// The option table: long name, short letter, argument (0 none, 1 required, 2 optional), handler key.
struct opt_def {
    const char* name;
    char short_name;
    int arg;
    int key;
};
enum extra_key {
    K_ADD = 1000,
    K_EDIT,
    K_DEL,
    K_CLEAR,
    K_LIST,
    K_ZERO,
    K_ADDSRV,
    K_EDITSRV,
    K_DELSRV,
    K_SET,
    K_HELP,
    K_VERSION,
    K_RESTORE,
    K_SAVE,
    K_START,
    K_STOP,
    K_TCP,
    K_UDP,
    K_SCTP,
    K_FWMARK,
    K_MASQ,
    K_IPIP,
    K_GATE,
    K_SORT,
    K_IPV6
};
constexpr opt_def opts[] = {
    {"add-service", 'A', 0, K_ADD},
    {"edit-service", 'E', 0, K_EDIT},
    {"delete-service", 'D', 0, K_DEL},
    {"clear", 'C', 0, K_CLEAR},
    {"list", 'L', 0, K_LIST},
    {"list", 'l', 0, K_LIST},
    {"zero", 'Z', 0, K_ZERO},
    {"add-server", 'a', 0, K_ADDSRV},
    {"edit-server", 'e', 0, K_EDITSRV},
    {"delete-server", 'd', 0, K_DELSRV},
    {"set", 0, 0, K_SET},
    {"help", 'h', 0, K_HELP},
    {"version", 'v', 0, K_VERSION},
    {"restore", 'R', 0, K_RESTORE},
    {"save", 'S', 0, K_SAVE},
    {"start-daemon", 0, 1, K_START},
    {"stop-daemon", 0, 1, K_STOP},
    {"tcp-service", 't', 1, K_TCP},
    {"udp-service", 'u', 1, K_UDP},
    {"sctp-service", 0, 1, K_SCTP},
    {"fwmark-service", 'f', 1, K_FWMARK},
    {"scheduler", 's', 1, O_SCHEDULER},
    {"persistent", 'p', 2, O_PERSISTENT},
    {"netmask", 'M', 1, O_NETMASK},
    {"real-server", 'r', 1, O_SERVER},
    {"masquerading", 'm', 0, K_MASQ},
    {"ipip", 'i', 0, K_IPIP},
    {"gatewaying", 'g', 0, K_GATE},
    {"weight", 'w', 1, O_WEIGHT},
    {"u-threshold", 'x', 1, O_UTHRESH},
    {"l-threshold", 'y', 1, O_LTHRESH},
    {"numeric", 'n', 0, O_NUMERIC},
    {"connection", 'c', 0, O_CONNECTION},
    {"mcast-interface", 0, 1, O_MCAST},
    {"syncid", 0, 1, O_SYNCID},
    {"timeout", 0, 0, O_TIMEOUT},
    {"daemon", 0, 0, O_DAEMON},
    {"stats", 0, 0, O_STATS},
    {"rate", 0, 0, O_RATE},
    {"thresholds", 0, 0, O_THRESHOLDS},
    {"persistent-conn", 0, 0, O_PCONN},
    {"nosort", 0, 0, O_NOSORT},
    {"sort", 0, 0, K_SORT},
    {"exact", 'X', 0, O_EXACT},
    {"ipv6", '6', 0, K_IPV6},
    {"ops", 'o', 0, O_OPS},
    {"pe", 0, 1, O_PE},
    {"sched-flags", 'b', 1, O_SCHEDFLAGS},
    {"mcast-group", 0, 1, O_MGROUP},
    {"mcast-port", 0, 1, O_MPORT},
    {"mcast-ttl", 0, 1, O_MTTL},
    {"sync-maxlen", 0, 1, O_MAXLEN},
    {"tun-info", 0, 0, O_TUNINFO},
    {"tun-type", 0, 1, O_TUNTYPE},
    {"tun-port", 0, 1, O_TUNPORT},
    {"tun-nocsum", 0, 0, O_NOCSUM},
    {"tun-csum", 0, 0, O_CSUM},
    {"tun-remcsum", 0, 0, O_REMCSUM},
    {"json", 0, 0, O_JSON},
};

void handle(command_line& cl, const opt_def& o, const std::optional<std::string>& arg) {
    const std::string a = arg.value_or("");
    auto service_opt = [&](protocol p) {
        set_option(cl, O_SERVICE);
        virtual_service v{p, {}, 0};
        bool port_given = false;
        if (!parse_addrport(a, static_cast<std::uint16_t>(p), v.address, v.port, port_given))
            usage_fail("illegal virtual server address[:port] specified");
        cl.svc.key = v;
    };
    switch (o.key) {
    case K_ADD: set_command(cl, ADD); break;
    case K_EDIT: set_command(cl, EDIT); break;
    case K_DEL: set_command(cl, DEL); break;
    case K_CLEAR: set_command(cl, FLUSH); break;
    case K_LIST: set_command(cl, LIST); break;
    case K_ZERO: set_command(cl, ZERO); break;
    case K_ADDSRV: set_command(cl, ADDDEST); break;
    case K_EDITSRV: set_command(cl, EDITDEST); break;
    case K_DELSRV: set_command(cl, DELDEST); break;
    case K_SET: set_command(cl, TIMEOUT); break;
    case K_RESTORE: set_command(cl, RESTORE); break;
    case K_SAVE: set_command(cl, SAVE); break;
    case K_START:
    case K_STOP:
        set_command(cl, o.key == K_START ? STARTD : STOPD);
        if (a == "master")
            cl.daemon.state = daemon_state::master;
        else if (a == "backup")
            cl.daemon.state = daemon_state::backup;
        else
            usage_fail(o.key == K_START ? "illegal start-daemon parameter specified"
                                        : "illegal start_daemon specified");
        break;
    case K_TCP: service_opt(protocol::tcp); break;
    case K_UDP: service_opt(protocol::udp); break;
    case K_SCTP: service_opt(protocol::sctp); break;
    case K_FWMARK: {
        set_option(cl, O_SERVICE);
        char* end = nullptr;
        errno = 0;
        const long long l = std::strtoll(a.c_str(), &end, 10);
        if (*end != '\0' || a.empty() || errno == ERANGE || l <= 0 || l > UINT_MAX)
            usage_fail(fmt::format("invalid fwmark value `{}' specified", a));
        cl.svc.key = firewall_mark{static_cast<std::uint32_t>(l), AF_INET};
        break;
    }
    case O_SCHEDULER:
        set_option(cl, O_SCHEDULER);
        cl.svc.scheduler = a.substr(0, 15);
        break;
    case O_PERSISTENT:
        set_option(cl, O_PERSISTENT);
        cl.svc.flags |= service_flags::persistent;
        cl.svc.timeout = arg ? parse_timeout(a, 1, max_timeout) : 300;
        break;
    case O_NETMASK:
        set_option(cl, O_NETMASK);
        cl.netmask_arg = a;
        break;
    case O_SERVER: {
        set_option(cl, O_SERVER);
        const auto proto =
            std::holds_alternative<virtual_service>(cl.svc.key)
                ? static_cast<std::uint16_t>(std::get<virtual_service>(cl.svc.key).protocol)
                : std::uint16_t{IPPROTO_TCP};
        if (!parse_addrport(a, proto, cl.dest.address, cl.dest.port, cl.dest_port_given))
            usage_fail("illegal real server address[:port] specified");
        break;
    }
    case K_MASQ:
    case K_IPIP:
    case K_GATE:
        set_option(cl, O_FORWARD);
        cl.dest.fwd = o.key == K_MASQ   ? forwarding::masq
                      : o.key == K_IPIP ? forwarding::tunnel
                                        : forwarding::route;
        break;
    case O_WEIGHT: {
        set_option(cl, O_WEIGHT);
        const long n =
            to_number(a, 0, INT_MAX);  // Debian's ipvsadm 1.31 takes weights up to INT_MAX
        if (n < 0) usage_fail("illegal weight specified");
        cl.dest.weight = static_cast<std::uint32_t>(n);
        break;
    }
    case O_UTHRESH:
    case O_LTHRESH: {
        set_option(cl, static_cast<opt_id>(o.key));
        const long n = to_number(a, 0, INT_MAX);
        if (n < 0)
            usage_fail(o.key == O_UTHRESH ? "illegal u_threshold specified"
                                          : "illegal l_threshold specified");
        (o.key == O_UTHRESH ? cl.dest.upper_threshold : cl.dest.lower_threshold) =
            static_cast<std::uint32_t>(n);
        break;
    }
    case O_MCAST:
        set_option(cl, O_MCAST);
        cl.daemon.mcast_ifn = a.substr(0, 15);
        break;
    case O_SYNCID: {
        set_option(cl, O_SYNCID);
        const long n = to_number(a, 0, 255);
        if (n < 0) usage_fail("illegal syncid specified");
        cl.daemon.sync_id = static_cast<std::uint32_t>(n);
        break;
    }
    case O_NUMERIC:
        set_option(cl, O_NUMERIC);
        cl.format |= fb::numeric;
        break;
    case O_CONNECTION: set_option(cl, O_CONNECTION); break;
    case O_TIMEOUT: set_option(cl, O_TIMEOUT); break;
    case O_DAEMON: set_option(cl, O_DAEMON); break;
    case O_STATS:
        set_option(cl, O_STATS);
        cl.format |= fb::stats;
        break;
    case O_RATE:
        set_option(cl, O_RATE);
        cl.format |= fb::rate;
        break;
    case O_THRESHOLDS:
        set_option(cl, O_THRESHOLDS);
        cl.format |= fb::thresholds;
        break;
    case O_PCONN:
        set_option(cl, O_PCONN);
        cl.format |= fb::persistent_conn;
        break;
    case O_NOSORT:
        set_option(cl, O_NOSORT);
        cl.format |= fb::nosort;
        break;
    case K_SORT: break;
    case O_EXACT:
        set_option(cl, O_EXACT);
        cl.format |= fb::exact;
        break;
    case O_JSON: set_option(cl, O_JSON); break;
    case K_IPV6:
        if (auto* f = std::get_if<firewall_mark>(&cl.svc.key))
            f->family = AF_INET6;
        else
            usage_fail("-6 used before -f\n");
        break;
    case O_OPS:
        set_option(cl, O_OPS);
        cl.svc.flags |= service_flags::one_packet;
        break;
    case O_PE:
        set_option(cl, O_PE);
        cl.svc.pe_name = a.substr(0, 16);
        break;
    case O_SCHEDFLAGS:
        set_option(cl, O_SCHEDFLAGS);
        cl.sched_flags_arg = a;
        break;
    case O_MGROUP: {
        set_option(cl, O_MGROUP);
        auto g = address::parse(a);
        const bool v6 = a.find(':') != std::string::npos;
        const bool multicast = g && (v6 ? (g->is_v6() && g->bytes[0] == 0xff)
                                        : (!g->is_v6() && (g->bytes[0] & 0xf0) == 0xe0));
        if (!multicast)
            usage_fail(fmt::format("invalid {} mcast-group `{}'", v6 ? "IPv6" : "IPv4", a));
        cl.daemon.mcast_group = *g;
        break;
    }
    case O_MPORT:
    case O_MTTL:
    case O_MAXLEN: {
        set_option(cl, static_cast<opt_id>(o.key));
        const long max = o.key == O_MTTL ? 255 : o.key == O_MAXLEN ? 65535 - 20 - 8 : 65535;
        const long n = to_number(a, 1, max);
        if (n < 0) usage_fail(fmt::format("illegal {} specified", opt_names[o.key]));
        if (o.key == O_MPORT)
            cl.daemon.mcast_port = static_cast<std::uint16_t>(n);
        else if (o.key == O_MTTL)
            cl.daemon.mcast_ttl = static_cast<std::uint8_t>(n);
        else
            cl.daemon.sync_maxlen = static_cast<std::uint16_t>(n);
        break;
    }
    case O_TUNINFO:
        set_option(cl, O_TUNINFO);
        cl.format |= fb::tun_info;
        break;
    case O_TUNTYPE:
        set_option(cl, O_TUNTYPE);
        if (a == "ipip")
            cl.dest.tun_type = tunnel_type::ipip;
        else if (a == "gue")
            cl.dest.tun_type = tunnel_type::gue;
        else if (a == "gre")
            cl.dest.tun_type = tunnel_type::gre;
        else
            usage_fail("illegal tunnel type specified");
        break;
    case O_TUNPORT: {
        set_option(cl, O_TUNPORT);
        const long n = to_number(a, 1, 65535);
        if (n < 0) usage_fail("illegal tunnel port specified");
        cl.dest.tun_port = static_cast<std::uint16_t>(n);
        break;
    }
    case O_NOCSUM: set_option(cl, O_NOCSUM); break;
    case O_CSUM:
        set_option(cl, O_CSUM);
        cl.dest.tun_flags |= tunnel_flags::csum;
        break;
    case O_REMCSUM:
        set_option(cl, O_REMCSUM);
        cl.dest.tun_flags |= tunnel_flags::remcsum;
        break;
    default: break;
    }
}

// Parses one command line (argv without the program name), popt-style:
// combined short options (-Ln), attached or separate arguments, --long=value.
command_line parse_or_stop(const std::vector<std::string>& args, std::string_view prog) {
    command_line cl;
    cl.dest.fwd = forwarding::route;  // ipvsadm's default: direct routing
    cl.svc.scheduler.clear();
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& s = args[i];
        auto next_arg = [&](bool optional) -> std::optional<std::string> {
            if (i + 1 < args.size() && (!optional || args[i + 1].empty() || args[i + 1][0] != '-'))
                return args[++i];
            return std::nullopt;
        };
        if (s.size() > 2 && s[0] == '-' && s[1] == '-') {
            const auto eq = s.find('=');
            const std::string name =
                s.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            const opt_def* o = nullptr;
            for (const auto& d : opts)
                if (name == d.name) o = &d;
            if (!o) usage_fail(fmt::format("invalid option `{}'", s));
            if (o->key == K_HELP) throw parse_stop{0, usage_text(prog)};
            if (o->key == K_VERSION) throw parse_stop{0, version_text()};
            std::optional<std::string> arg;
            if (eq != std::string::npos)
                arg = s.substr(eq + 1);
            else if (o->arg)
                arg = next_arg(o->arg == 2);
            if (o->arg == 1 && !arg) usage_fail(fmt::format("{}: missing argument", s));
            handle(cl, *o, arg);
        } else if (s.size() > 1 && s[0] == '-') {
            for (std::size_t k = 1; k < s.size(); ++k) {
                const opt_def* o = nullptr;
                for (const auto& d : opts)
                    if (d.short_name == s[k]) o = &d;
                if (!o) usage_fail(fmt::format("invalid option `-{}'", s[k]));
                if (o->key == K_HELP) throw parse_stop{0, usage_text(prog)};
                if (o->key == K_VERSION) throw parse_stop{0, version_text()};
                std::optional<std::string> arg;
                if (o->arg) {
                    if (k + 1 < s.size())
                        arg = s.substr(k + 1);
                    else
                        arg = next_arg(o->arg == 2);
                    if (o->arg == 1 && !arg) usage_fail(fmt::format("-{}: missing argument", s[k]));
                    k = s.size();
                }
                handle(cl, *o, arg);
            }
        } else {
            cl.positional.push_back(s);
        }
    }
    if (cl.cmd == CMD_NONE) {
        throw parse_stop{255,
                         fmt::format("Try `{0} -h' or '{0} --help' for more information.\n", prog)};
    }
    if (cl.cmd == TIMEOUT) {
        if (cl.positional.size() < 3) usage_fail("--set option requires 3 timeout values");
        cl.tmo = {parse_timeout(cl.positional[0], 0, max_timeout),
                  parse_timeout(cl.positional[1], 0, max_timeout),
                  parse_timeout(cl.positional[2], 0, max_timeout)};
        cl.positional.erase(cl.positional.begin(), cl.positional.begin() + 3);
    }
    if (!cl.positional.empty()) usage_fail(fmt::format("unexpected argument {}", cl.positional[0]));

    // Command/option legality.
    const char* row = legal[cl.cmd];
    int last = -1;
    for (int j = 0; j < NUM_OPT; ++j) {
        const bool set = cl.options & (1ull << j);
        if (!set && row[j] == '+')
            usage_fail(fmt::format("You need to supply the '{}' option for the '{}' command",
                                   opt_names[j], cmd_names[cl.cmd]));
        if (set && row[j] == 'x')
            usage_fail(fmt::format("Illegal '{}' option with the '{}' command", opt_names[j],
                                   cmd_names[cl.cmd]));
        if (set && row[j] == '1') {
            if (last >= 0)
                usage_fail(fmt::format(
                    "The option '{}' conflicts with the '{}' option in the '{}' command",
                    opt_names[j], opt_names[last], cmd_names[cl.cmd]));
            last = j;
        }
    }

    // Netmask: dotted for IPv4 services, a prefix length for IPv6 ones.
    if (!cl.netmask_arg.empty()) {
        if (key_family(cl.svc.key) == AF_INET6) {
            const long n = std::atol(cl.netmask_arg.c_str());
            if (n < 1 || n > 128) usage_fail("illegal ipv6 netmask specified");
            cl.svc.netmask = static_cast<std::uint8_t>(n);
        } else {
            in_addr m;
            if (inet_aton(cl.netmask_arg.c_str(), &m) == 0)
                usage_fail("illegal virtual server persistent mask specified");
            cl.svc.netmask = static_cast<std::uint8_t>(std::countl_one(ntohl(m.s_addr)));
        }
    }
    if (!cl.sched_flags_arg.empty()) {
        cl.svc.flags &= ~(service_flags::sched1 | service_flags::sched2 | service_flags::sched3);
        cl.svc.flags |= parse_sched_flags(cl.svc.scheduler.empty() ? "wlc" : cl.svc.scheduler,
                                          cl.sched_flags_arg);
    }
    if (cl.cmd == ADD || cl.cmd == EDIT) {
        const auto* v = std::get_if<virtual_service>(&cl.svc.key);
        if (v && v->port == 0 && !(cl.svc.flags & service_flags::persistent))
            usage_fail("Zero port specified for non-persistent service");
        if ((cl.svc.flags & service_flags::one_packet) && v && v->protocol != protocol::udp)
            usage_fail("One-Packet Scheduling is only for UDP virtual services");
        if (cl.svc.scheduler.empty()) cl.svc.scheduler = "wlc";
    }
    if (cl.cmd == STARTD && cl.daemon.mcast_ifn.empty()) cl.daemon.mcast_ifn = "eth0";
    if (cl.cmd == ADDDEST || cl.cmd == EDITDEST || cl.cmd == DELDEST) {
        const auto* v = std::get_if<virtual_service>(&cl.svc.key);
        if (!cl.dest_port_given && v) cl.dest.port = v->port;
    }
    if (cl.cmd == ADDDEST || cl.cmd == EDITDEST) {
        const auto* v = std::get_if<virtual_service>(&cl.svc.key);
        if (v && (cl.dest.fwd == forwarding::tunnel || cl.dest.fwd == forwarding::route))
            cl.dest.port = v->port;
        if (cl.dest.address.family != key_family(cl.svc.key) && cl.dest.fwd != forwarding::tunnel)
            usage_fail("Different address family is allowed only for tunneling servers");
        const unsigned long long tun_opts = (1ull << O_TUNTYPE) | (1ull << O_TUNPORT) |
                                            (1ull << O_NOCSUM) | (1ull << O_CSUM) |
                                            (1ull << O_REMCSUM);
        if ((cl.options & tun_opts) && cl.dest.fwd != forwarding::tunnel)
            usage_fail("Tunnel options conflict with forward method");
        // Tunnel type vs options: ipip takes none; gue needs a port and one checksum
        // option at most; gre takes no port and no remote checksum.
        static constexpr const char* tun_names[] = {"ipip", "gue", "gre"};
        static constexpr const char* tun_legal[] = {"xxxx", "+111", "x11x"};
        static constexpr opt_id tun_opt[] = {O_TUNPORT, O_NOCSUM, O_CSUM, O_REMCSUM};
        const auto t = static_cast<std::size_t>(cl.dest.tun_type);
        int tlast = -1;
        for (int j = 0; j < 4; ++j) {
            const bool set = cl.has(tun_opt[j]);
            const char c = tun_legal[t][j];
            if (!set && c == '+')
                usage_fail(
                    fmt::format("You need to supply the '{}' option for the '{}' tunnel type",
                                opt_names[tun_opt[j]], tun_names[t]));
            if (set && c == 'x')
                usage_fail(fmt::format("Illegal '{}' option with the '{}' tunnel type",
                                       opt_names[tun_opt[j]], tun_names[t]));
            if (set && c == '1') {
                if (tlast >= 0)
                    usage_fail(fmt::format(
                        "The option '{}' conflicts with the '{}' option in the '{}' tunnel type",
                        opt_names[tun_opt[j]], opt_names[tlast], tun_names[t]));
                tlast = tun_opt[j];
            }
        }
    }
    if (cl.cmd == LIST) {
        const auto o = cl.options;
        auto has = [&](std::initializer_list<opt_id> ids) {
            for (auto id : ids)
                if (o & (1ull << id)) return true;
            return false;
        };
        if ((has({O_CONNECTION, O_TIMEOUT, O_DAEMON}) && has({O_STATS, O_RATE, O_THRESHOLDS})) ||
            (has({O_TIMEOUT, O_DAEMON}) && has({O_PCONN})))
            usage_fail("options conflicts in the list command");
    }
    return cl;
}

}  // namespace

std::variant<command_line, parse_stop> parse(const std::vector<std::string>& args,
                                             std::string_view prog) {
    try {
        return parse_or_stop(args, prog);
    } catch (parse_stop& stop) {
        return std::move(stop);
    }
}

std::vector<std::string> restore_args(std::string_view line) {
    std::vector<std::string> args;
    for (std::size_t i = 0; i < line.size();) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        std::size_t j = i;
        while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
        if (j > i) args.emplace_back(line.substr(i, j - i));
        i = j;
    }
    if (!args.empty() && args[0][0] == '#') args.clear();
    return args;
}

}  // namespace nlpp::ipvs::cli
