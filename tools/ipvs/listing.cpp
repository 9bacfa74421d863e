// ipvsadm-compatible text listings (see listing.hpp).
#include "listing.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <sstream>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace nlpp::ipvs::cli {
namespace {

// The protocols ipvsadm names, as listings, rules and the services database
// (getservbyport) write them.
struct protocol_names {
    std::uint16_t number;
    const char* listing;  // "TCP"
    const char* rule;     // "-t"
    const char* servent;  // "tcp"
};
constexpr protocol_names protocols[] = {
    {IPPROTO_TCP, "TCP", "-t", "tcp"},
    {IPPROTO_UDP, "UDP", "-u", "udp"},
    {IPPROTO_SCTP, "SCTP", "--sctp-service", "sctp"},
};
const protocol_names* find_protocol(std::uint16_t number) {
    for (const auto& p : protocols)
        if (p.number == number) return &p;
    return nullptr;
}

std::uint16_t proto_number(const service& s) {
    const auto* v = std::get_if<virtual_service>(&s.key);
    return v ? static_cast<std::uint16_t>(v->protocol) : 0;  // fwmark services carry no protocol
}

std::string addr_name(const address& a, bool numeric) {
    if (!numeric) {
        const hostent* h = gethostbyaddr(a.bytes.data(), static_cast<socklen_t>(a.size()),
                                         a.is_v6() ? AF_INET6 : AF_INET);
        if (h && h->h_name) return h->h_name;
    }
    return a.to_string();
}

std::string port_name(std::uint16_t port, std::uint16_t proto, bool numeric) {
    if (!numeric) {
        if (const protocol_names* p = find_protocol(proto))
            if (const servent* s = getservbyport(htons(port), p->servent)) return s->s_name;
    }
    return std::to_string(port);
}

// "addr:port" (or "[v6]:port") in a fixed buffer: listings print one per
// line, without allocating.
struct addrport_text {
    char data[96];
    std::size_t size = 0;
    std::string_view view() const { return {data, size}; }
    void truncate(std::size_t n) { size = std::min(size, n); }
};

addrport_text addrport(const address& a, std::uint16_t port, std::uint16_t proto, unsigned format) {
    const bool numeric = format & fmt_bits::numeric;
    const std::string host = numeric ? a.to_string() : addr_name(a, false);
    addrport_text t;
    auto* end = a.is_v6() ? fmt::format_to_n(t.data, sizeof t.data, FMT_COMPILE("[{}]:"), host).out
                          : fmt::format_to_n(t.data, sizeof t.data, FMT_COMPILE("{}:"), host).out;
    if (numeric)
        end = fmt::format_to_n(end, static_cast<std::size_t>(t.data + sizeof t.data - end),
                               FMT_COMPILE("{}"), port)
                  .out;
    else
        end = fmt::format_to_n(end, static_cast<std::size_t>(t.data + sizeof t.data - end),
                               FMT_COMPILE("{}"), port_name(port, proto, false))
                  .out;
    t.size = std::min<std::size_t>(static_cast<std::size_t>(end - t.data),
                                   59);  // ipvsadm's 60-byte buffer
    return t;
}

std::string largenum(std::uint64_t i, unsigned format) {
    if (format & fmt_bits::exact) {
        const auto len = std::to_string(i).size();
        return fmt::format(FMT_COMPILE("{:>{}}"), i, len <= 8 ? 9 : len + 1);
    }
    if (i < 100000000ull) return fmt::format(FMT_COMPILE("{:>9}"), i);
    if (i < 1000000000ull) return fmt::format(FMT_COMPILE("{:>8}K"), i / 1000);
    if (i < 100000000000ull) return fmt::format(FMT_COMPILE("{:>8}M"), i / 1000000);
    if (i < 100000000000000ull) return fmt::format(FMT_COMPILE("{:>8}G"), i / 1000000000ull);
    return fmt::format(FMT_COMPILE("{:>8}T"), i / 1000000000000ull);
}

constexpr std::uint32_t any_sched_flag =
    service_flags::sched1 | service_flags::sched2 | service_flags::sched3;

// ipvsadm prints a NULL string for Bypass through printf: "(null)".
std::string_view fwd_word(forwarding f) {
    return f == forwarding::bypass ? "(null)" : std::string_view(forwarding_name(f));
}
std::string_view fwd_switch(forwarding f) {
    switch (f) {
    case forwarding::masq: return "-m";
    case forwarding::tunnel: return "-i";
    case forwarding::local:
    case forwarding::route: return "-g";
    default: return "(null)";
    }
}
const char* tun_flag_switch(std::uint16_t f) {
    static constexpr const char* opts[] = {"--tun-nocsum", "--tun-csum", "--tun-remcsum"};
    return f < 3 ? opts[f] : "--tun-nocsum";
}
const char* tun_flag_short(std::uint16_t f) {
    static constexpr const char* opts[] = {"-c", "+c", "r+c"};
    return f < 3 ? opts[f] : "-c";
}

std::string mask_text(const service& s) {
    const bool v6 = key_family(s.key) == AF_INET6;
    if (v6) return s.prefix() != 128 ? fmt::format(FMT_COMPILE("{}"), s.prefix()) : "";
    if (s.prefix() >= 32) return "";
    const std::uint32_t m = s.prefix() == 0 ? 0 : ~((1u << (32 - s.prefix())) - 1);
    return address::v4(m).to_string();
}

// libipvs's comparators, overflow and all, so that qsort orders as ipvsadm does.
int cmp_addr(const address& a, const address& b, bool v6) {
    for (int w = 0; w < (v6 ? 4 : 1); ++w) {
        std::uint32_t x = 0, y = 0;
        for (int i = 0; i < 4; ++i) {
            x = (x << 8) | a.bytes[static_cast<std::size_t>(w * 4 + i)];
            y = (y << 8) | b.bytes[static_cast<std::size_t>(w * 4 + i)];
        }
        if (const int r = static_cast<int>(x - y)) return r;
    }
    return 0;
}

int cmp_services(const void* pa, const void* pb) {
    const auto& a = (*static_cast<const service_entry* const*>(pa))->service;
    const auto& b = (*static_cast<const service_entry* const*>(pb))->service;
    const auto* fa = std::get_if<firewall_mark>(&a.key);
    const auto* fb = std::get_if<firewall_mark>(&b.key);
    if (const int r = static_cast<int>((fa ? fa->mark : 0u) - (fb ? fb->mark : 0u))) return r;
    if (const int r = key_family(a.key) - key_family(b.key)) return r;
    if (const int r = proto_number(a) - proto_number(b)) return r;
    const auto* va = std::get_if<virtual_service>(&a.key);
    const auto* vb = std::get_if<virtual_service>(&b.key);
    if (!va || !vb) return 0;
    if (const int r = cmp_addr(va->address, vb->address, va->address.is_v6())) return r;
    return va->port - vb->port;
}

int cmp_dests(const void* pa, const void* pb) {
    const auto& a = **static_cast<const destination* const*>(pa);
    const auto& b = **static_cast<const destination* const*>(pb);
    if (const int r = cmp_addr(a.address, b.address, a.address.is_v6())) return r;
    return a.port - b.port;
}

template <class T>
void qsort_like_ipvsadm(std::vector<T>& v, int (*cmp)(const void*, const void*)) {
    std::vector<const T*> p;
    p.reserve(v.size());
    for (const auto& x : v) p.push_back(&x);
    std::qsort(p.data(), p.size(), sizeof(const T*), cmp);
    std::vector<T> out;
    out.reserve(v.size());
    for (const T* x : p) out.push_back(std::move(v[static_cast<std::size_t>(x - v.data())]));
    v = std::move(out);
}

}  // namespace

std::string sched_flags(const service& s) {
    std::vector<const char*> names;
    if (s.scheduler == "sh") {
        if (s.flags & service_flags::sh_fallback) names.push_back("sh-fallback");
        if (s.flags & service_flags::sh_port) names.push_back("sh-port");
    } else if (s.scheduler == "mh") {
        if (s.flags & service_flags::mh_fallback) names.push_back("mh-fallback");
        if (s.flags & service_flags::mh_port) names.push_back("mh-port");
    } else {
        if (s.flags & service_flags::sched1) names.push_back("flag-1");
        if (s.flags & service_flags::sched2) names.push_back("flag-2");
        if (s.flags & service_flags::sched3) names.push_back("flag-3");
    }
    return fmt::format(FMT_COMPILE("{}"), fmt::join(names, ","));
}

void sort_like_ipvsadm(std::vector<service_entry>& entries) {
    qsort_like_ipvsadm(entries, cmp_services);
    for (auto& e : entries) qsort_like_ipvsadm(e.destinations, cmp_dests);
}

std::string title(unsigned format) {
    constexpr const char* dest_line = "  -> RemoteAddress:Port\n";
    if (format & fmt_bits::stats)
        return fmt::format(FMT_COMPILE("{:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n{}"),
                           "Prot LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes",
                           "OutBytes", dest_line);
    if (format & fmt_bits::rate)
        return fmt::format(FMT_COMPILE("{:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n{}"),
                           "Prot LocalAddress:Port", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS",
                           dest_line);
    if (format & fmt_bits::thresholds)
        return fmt::format(FMT_COMPILE("{:<33} {:<10} {:<10} {:<10} {:<10}\n{}"),
                           "Prot LocalAddress:Port", "Uthreshold", "Lthreshold", "ActiveConn",
                           "InActConn", dest_line);
    if (format & fmt_bits::persistent_conn)
        return fmt::format(FMT_COMPILE("{:<33} {:<9} {:<11} {:<10} {:<10}\n{}"),
                           "Prot LocalAddress:Port", "Weight", "PersistConn", "ActiveConn",
                           "InActConn", dest_line);
    if (format & fmt_bits::tun_info)
        return "Prot LocalAddress:Port Scheduler Flags\n"
               "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n";
    if (format & fmt_bits::rule) return "";
    return "Prot LocalAddress:Port Scheduler Flags\n"
           "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
}

void append_service_block(std::string& out, const service_entry& e, unsigned format) {
    const service& s = e.service;
    const bool rule = format & fmt_bits::rule;
    const bool v6 = key_family(s.key) == AF_INET6;
    const std::uint16_t proto = proto_number(s);
    const auto o = std::back_inserter(out);
    addrport_text name;  // the service's name, as every line of its block starts with it
    if (const auto* f = std::get_if<firewall_mark>(&s.key)) {
        name.size = (rule ? fmt::format_to_n(name.data, sizeof name.data, FMT_COMPILE("-f {}{}"),
                                             f->mark, v6 ? " -6" : "")
                          : fmt::format_to_n(name.data, sizeof name.data, FMT_COMPILE("FWM  {}{}"),
                                             f->mark, v6 ? " IPv6" : ""))
                        .size;
    } else {
        const auto& v = std::get<virtual_service>(s.key);
        const addrport_text vname = addrport(v.address, v.port, proto, format);
        const protocol_names* p = find_protocol(proto);
        if (rule) {
            const char* sw = p ? p->rule : "--xxx-service";
            name.size = fmt::format_to_n(name.data, sizeof name.data, FMT_COMPILE("{} {}"), sw,
                                         vname.view())
                            .size;
        } else {
            name.size = fmt::format_to_n(name.data, sizeof name.data, FMT_COMPILE("{:<4} {}"),
                                         p ? p->listing : "?", vname.view())
                            .size;
            if (!v6) name.truncate(33);
        }
    }
    name.truncate(sizeof name.data);

    const std::string mask = mask_text(s);
    if (rule) {
        fmt::format_to(o, FMT_COMPILE("-A {} -s {}"), name.view(), s.scheduler);
        if (s.flags & service_flags::persistent) {
            fmt::format_to(o, FMT_COMPILE(" -p {}"), s.timeout);
            if (!mask.empty()) fmt::format_to(o, FMT_COMPILE(" -M {}"), mask);
        }
        if (!s.pe_name.empty()) fmt::format_to(o, FMT_COMPILE(" --pe {}"), s.pe_name);
        if (s.flags & service_flags::one_packet) out += " -o";
        if (s.flags & any_sched_flag) fmt::format_to(o, FMT_COMPILE(" -b {}"), sched_flags(s));
    } else if (format & (fmt_bits::stats | fmt_bits::rate)) {
        const auto& st = s.stats;
        fmt::format_to(o, FMT_COMPILE("{:<33}"), name.view());
        const std::array<std::uint64_t, 5> values =
            (format & fmt_bits::stats)
                ? std::array<std::uint64_t, 5>{st.conns, st.inpkts, st.outpkts, st.inbytes,
                                               st.outbytes}
                : std::array<std::uint64_t, 5>{st.cps, st.inpps, st.outpps, st.inbps, st.outbps};
        for (std::uint64_t v : values) out += largenum(v, format);
    } else {
        fmt::format_to(o, FMT_COMPILE("{} {}"), name.view(), s.scheduler);
        if (s.flags & any_sched_flag) fmt::format_to(o, FMT_COMPILE(" ({})"), sched_flags(s));
        if (s.flags & service_flags::persistent) {
            fmt::format_to(o, FMT_COMPILE(" persistent {}"), s.timeout);
            if (!mask.empty()) fmt::format_to(o, FMT_COMPILE(" mask {}"), mask);
            if (!s.pe_name.empty()) fmt::format_to(o, FMT_COMPILE(" pe {}"), s.pe_name);
        }
        if (s.flags & service_flags::one_packet) out += " ops";
    }
    out += '\n';

    for (const auto& d : e.destinations) {
        addrport_text dname = addrport(d.address, d.port, proto, format);
        if (!rule && !d.address.is_v6()) dname.truncate(28);
        const auto w = static_cast<std::int32_t>(d.weight);
        if (rule) {
            fmt::format_to(o, FMT_COMPILE("-a {} -r {} {} -w {}"), name.view(), dname.view(),
                           fwd_switch(d.fwd), w);
            if (d.fwd == forwarding::tunnel) {
                switch (d.tun_type) {
                case tunnel_type::gre:
                    fmt::format_to(o, FMT_COMPILE(" --tun-type gre {}"),
                                   tun_flag_switch(d.tun_flags));
                    break;
                case tunnel_type::gue:
                    fmt::format_to(o, FMT_COMPILE(" --tun-type gue --tun-port {} {}"), d.tun_port,
                                   tun_flag_switch(d.tun_flags));
                    break;
                case tunnel_type::ipip: out += " --tun-type ipip"; break;
                }
            }
            out += '\n';
        } else if (format & fmt_bits::stats) {
            fmt::format_to(o, FMT_COMPILE("  -> {:<28}"), dname.view());
            for (std::uint64_t v : {d.stats.conns, d.stats.inpkts, d.stats.outpkts, d.stats.inbytes,
                                    d.stats.outbytes})
                out += largenum(v, format);
            out += '\n';
        } else if (format & fmt_bits::rate) {
            fmt::format_to(o, FMT_COMPILE("  -> {:<28} {:>8} {:>8} {:>8}"), dname.view(),
                           d.stats.cps, d.stats.inpps, d.stats.outpps);
            out += largenum(d.stats.inbps, format);
            out += largenum(d.stats.outbps, format);
            out += '\n';
        } else if (format & fmt_bits::thresholds) {
            fmt::format_to(o, FMT_COMPILE("  -> {:<28} {:<10} {:<10} {:<10} {:<10}\n"),
                           dname.view(), d.upper_threshold, d.lower_threshold, d.active_conns,
                           d.inactive_conns);
        } else if (format & fmt_bits::persistent_conn) {
            fmt::format_to(o, FMT_COMPILE("  -> {:<28} {:<9} {:<11} {:<10} {:<10}\n"), dname.view(),
                           d.weight, d.persist_conns, d.active_conns, d.inactive_conns);
        } else if (format & fmt_bits::tun_info) {
            std::string ti = "n/a";
            if (d.fwd == forwarding::tunnel) {
                if (d.tun_type == tunnel_type::ipip)
                    ti = "ipip";
                else if (d.tun_type == tunnel_type::gue)
                    ti = fmt::format(FMT_COMPILE("gue:{}:{}"), d.tun_port,
                                     tun_flag_short(d.tun_flags));
                else if (d.tun_type == tunnel_type::gre)
                    ti = fmt::format(FMT_COMPILE("gre:{}"), tun_flag_short(d.tun_flags));
                if (ti.size() > 15) ti.resize(15);
            }
            fmt::format_to(o, FMT_COMPILE("  -> {:<28} {:<7} {:<13} {:<6} {:<10} {:<10}\n"),
                           dname.view(), fwd_word(d.fwd), ti, w, d.active_conns, d.inactive_conns);
        } else {
            fmt::format_to(o, FMT_COMPILE("  -> {:<28} {:<7} {:<6} {:<10} {:<10}\n"), dname.view(),
                           fwd_word(d.fwd), w, d.active_conns, d.inactive_conns);
        }
    }
}

std::string service_block(const service_entry& e, unsigned format) {
    std::string out;
    append_service_block(out, e, format);
    return out;
}

std::string listing(const info& i, const std::vector<service_entry>& entries, unsigned format) {
    std::string out;
    std::size_t lines = 0;
    for (const auto& e : entries) lines += 1 + e.destinations.size();
    out.reserve(lines * 64 + 256);  // one buffer for the whole listing
    if (!(format & fmt_bits::rule))
        fmt::format_to(std::back_inserter(out),
                       FMT_COMPILE("IP Virtual Server version {} (size={})\n"), i.version_string(),
                       i.conn_tab_size);
    out += title(format);
    for (const auto& e : entries) append_service_block(out, e, format);
    return out;
}

std::string timeout_line(const timeouts& t) {
    return fmt::format(FMT_COMPILE("Timeout (tcp tcpfin udp): {} {} {}\n"),
                       static_cast<std::int32_t>(t.tcp), static_cast<std::int32_t>(t.tcp_fin),
                       static_cast<std::int32_t>(t.udp));
}

std::string daemon_lines(const std::vector<sync_daemon>& ds) {
    std::string out;
    for (const auto& d : ds) {
        const auto st = static_cast<std::uint32_t>(d.state);
        const char* type = (st & 1) ? "master" : (st & 2) ? "backup" : nullptr;
        if (!type) continue;
        out += fmt::format(FMT_COMPILE("{} sync daemon (mcast={}, syncid={}"), type, d.mcast_ifn,
                           static_cast<std::int32_t>(d.sync_id));
        if (d.sync_maxlen) out += fmt::format(FMT_COMPILE(", maxlen={}"), d.sync_maxlen);
        if (d.mcast_group)
            out += fmt::format(FMT_COMPILE(", group={}"), d.mcast_group->to_string());
        if (d.mcast_port) out += fmt::format(FMT_COMPILE(", port={}"), d.mcast_port);
        if (d.mcast_ttl) out += fmt::format(FMT_COMPILE(", ttl={}"), d.mcast_ttl);
        out += ")\n";
    }
    return out;
}

std::string connections(const std::string& proc_text, unsigned format) {
    const bool pc = format & fmt_bits::persistent_conn;
    std::string out = "IPVS connection entries\n";
    out += pc ? fmt::format(FMT_COMPILE("pro expire {:<11} {:<18} {:<18} {:<18} {:<16} {}\n"),
                            "state", "source", "virtual", "destination", "pe name", "pe_data")
              : fmt::format(FMT_COMPILE("pro expire {:<11} {:<18} {:<18} {}\n"), "state", "source",
                            "virtual", "destination");
    std::istringstream in(proc_text);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string proto, c, cp, v, vp, d, dp, state, pe_name, pe_data;
        unsigned expires = 0;
        if (!(f >> proto >> c >> cp >> v >> vp >> d >> dp >> state >> expires)) continue;
        const bool has_pe = static_cast<bool>(f >> pe_name >> pe_data);
        const auto named =
            std::find_if(std::begin(protocols), std::end(protocols),
                         [&](const protocol_names& p) { return proto == p.listing; });
        const std::uint16_t pnum = named == std::end(protocols) ? 0 : named->number;
        auto parse_addr = [](const std::string& s) {
            if (auto a = address::parse(s)) return *a;
            return address::v4(static_cast<std::uint32_t>(std::strtoul(s.c_str(), nullptr, 16)));
        };
        auto name = [&](const std::string& a, const std::string& p) {
            return std::string(
                addrport(parse_addr(a),
                         static_cast<std::uint16_t>(std::strtoul(p.c_str(), nullptr, 16)), pnum,
                         format)
                    .view());
        };
        const std::string expire =
            fmt::format(FMT_COMPILE("{:02}:{:02}"), expires / 60, expires % 60);
        if (pc && has_pe)
            out += fmt::format(FMT_COMPILE("{:<3} {:<6} {:<11} {:<18} {:<18} {:<16} {:<18} {}\n"),
                               proto, expire, state, name(c, cp), name(v, vp), name(d, dp), pe_name,
                               pe_data);
        else
            out += fmt::format(FMT_COMPILE("{:<3} {:<6} {:<11} {:<18} {:<18} {}\n"), proto, expire,
                               state, name(c, cp), name(v, vp), name(d, dp));
    }
    return out;
}

}  // namespace nlpp::ipvs::cli
