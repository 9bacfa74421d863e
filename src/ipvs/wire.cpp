// The IPVS generic netlink encoding (see wire.hpp for the traps).
#include <nlpp/ipvs/wire.hpp>
#include <nlpp/genl/genl.hpp>

#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <bit>

#include <fmt/format.h>

namespace nlpp::ipvs {
namespace {

constexpr auto be = byte_order::big;

// Attribute names (the kernel's, lower-case and hyphenated as in specs/ipvs.yaml).
constexpr attr_name stats_names[] = {{},         {"conns"},  {"inpkts"}, {"outpkts"}, {"inbytes"}, {"outbytes"},
                                     {"cps"},    {"inpps"},  {"outpps"}, {"inbps"},   {"outbps"},  {"pad"}};
constexpr attr_set stats_set{"stats", stats_names};
constexpr attr_name service_names[] = {{},          {"af"},        {"protocol"}, {"addr"},
                                       {"port"},    {"fwmark"},    {"sched-name"}, {"flags"},
                                       {"timeout"}, {"netmask"},   {"stats", &stats_set}, {"pe-name"},
                                       {"stats64", &stats_set}};
constexpr attr_set service_set{"service", service_names};
constexpr attr_name dest_names[] = {{},
                                    {"addr"},
                                    {"port"},
                                    {"fwd-method"},
                                    {"weight"},
                                    {"u-threshold"},
                                    {"l-threshold"},
                                    {"active-conns"},
                                    {"inact-conns"},
                                    {"persist-conns"},
                                    {"stats", &stats_set},
                                    {"addr-family"},
                                    {"stats64", &stats_set},
                                    {"tun-type"},
                                    {"tun-port"},
                                    {"tun-flags"}};
constexpr attr_set dest_set{"dest", dest_names};
constexpr attr_name daemon_names[] = {{},           {"state"},       {"mcast-ifn"},    {"sync-id"},   {"sync-maxlen"},
                                      {"mcast-group"}, {"mcast-group6"}, {"mcast-port"}, {"mcast-ttl"}};
constexpr attr_set daemon_set{"daemon", daemon_names};
constexpr attr_name cmd_names[] = {{}, {"service", &service_set}, {"dest", &dest_set}, {"daemon", &daemon_set},
                                   {"timeout-tcp"}, {"timeout-tcp-fin"}, {"timeout-udp"}};
constexpr attr_set cmd_set{"cmd", cmd_names};

void put_addr(message_builder& b, std::uint16_t type, const address& a) {
    b.put(type, bytes(reinterpret_cast<const std::byte*>(a.bytes.data()), a.size()));
}

std::uint32_t v4_mask(std::uint8_t prefix) noexcept {
    return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

// Reads a fixed-width scalar or fails naming the attribute.
template <std::integral T>
result<T> get(attr_view a, std::string_view what, byte_order o = byte_order::host) {
    auto v = a.get<T>(o);
    if (!v) return fail(std::move(v.error()).wrap(what));
    return *v;
}

result<address> get_addr(attr_view a, std::uint16_t family, std::string_view what) {
    auto p = a.payload();
    address out;
    out.family = family;
    if (p.size() != 4 && p.size() != 16)
        return fail(errc::attr_invalid, fmt::format("{}: address of {} bytes", what, p.size()));
    if (family == AF_INET6 && p.size() != 16)
        return fail(errc::attr_invalid, fmt::format("{}: IPv6 address of {} bytes", what, p.size()));
    std::memcpy(out.bytes.data(), p.data(), out.size());
    return out;
}

result<void> check(const attr_range& r, std::string_view what) {
    if (auto e = r.error()) return fail(std::move(*e).wrap(what));
    return {};
}

// STATS (legacy widths) or STATS64 (all u64): both decode into one struct.
result<stats> get_stats(attr_view nest, bool wide) {
    stats s;
    std::uint64_t* fields[] = {nullptr,  &s.conns, &s.inpkts, &s.outpkts, &s.inbytes, &s.outbytes,
                               &s.cps,   &s.inpps, &s.outpps, &s.inbps,   &s.outbps};
    attr_range r = nest.nested();
    for (attr_view a : r) {
        if (a.type() == 0 || a.type() > IPVS_STATS_ATTR_OUTBPS) continue;  // PAD and newer counters
        const bool is64 = wide || a.type() == IPVS_STATS_ATTR_INBYTES || a.type() == IPVS_STATS_ATTR_OUTBYTES;
        auto v = is64 ? get<std::uint64_t>(a, stats_names[a.type()].name)
                      : get<std::uint32_t>(a, stats_names[a.type()].name).map([](std::uint32_t x) { return std::uint64_t{x}; });
        if (!v) return fail(v.error());
        *fields[a.type()] = *v;
    }
    if (auto c = check(r, wide ? "stats64" : "stats"); !c) return fail(c.error());
    return s;
}

// The one nest a reply of this kind carries (SERVICE, DEST or DAEMON).
result<attr_view> only_nest(message_view m, std::uint16_t type, std::string_view what) {
    attr_range top = m.attrs(genl::header_size);
    std::optional<attr_view> nest;
    for (attr_view a : top)
        if (a.type() == type) nest = a;
    if (auto c = check(top, what); !c) return fail(c.error());
    if (!nest) return fail(errc::attr_missing, fmt::format("{}: reply has no {} attribute", what, cmd_names[type].name));
    return *nest;
}

}  // namespace

std::string_view command_name(command c) noexcept {
    static constexpr std::string_view names[] = {
        "unspec",     "new-service", "set-service", "del-service", "get-service", "new-dest",
        "set-dest",   "del-dest",    "get-dest",    "new-daemon",  "del-daemon",  "get-daemon",
        "set-config", "get-config",  "set-info",    "get-info",    "zero",        "flush"};
    return cmd(c) < std::size(names) ? names[cmd(c)] : "unknown";
}

const attr_set& attr_names() noexcept { return cmd_set; }

void put_service_key(message_builder& b, const service_key& key) {
    auto n = b.nest(IPVS_CMD_ATTR_SERVICE);
    if (const auto* v = std::get_if<virtual_service>(&key)) {
        b.put<std::uint16_t>(IPVS_SVC_ATTR_AF, v->address.family);
        b.put<std::uint16_t>(IPVS_SVC_ATTR_PROTOCOL, static_cast<std::uint16_t>(v->protocol));
        put_addr(b, IPVS_SVC_ATTR_ADDR, v->address);
        b.put<std::uint16_t>(IPVS_SVC_ATTR_PORT, v->port, be);
    } else {
        const auto& f = std::get<firewall_mark>(key);
        b.put<std::uint16_t>(IPVS_SVC_ATTR_AF, f.family);
        b.put<std::uint32_t>(IPVS_SVC_ATTR_FWMARK, f.mark);
    }
}

void put_service(message_builder& b, const service& s) {
    auto n = b.nest(IPVS_CMD_ATTR_SERVICE);
    const std::uint16_t af = key_family(s.key);
    if (const auto* v = std::get_if<virtual_service>(&s.key)) {
        b.put<std::uint16_t>(IPVS_SVC_ATTR_AF, af);
        b.put<std::uint16_t>(IPVS_SVC_ATTR_PROTOCOL, static_cast<std::uint16_t>(v->protocol));
        put_addr(b, IPVS_SVC_ATTR_ADDR, v->address);
        b.put<std::uint16_t>(IPVS_SVC_ATTR_PORT, v->port, be);
    } else {
        b.put<std::uint16_t>(IPVS_SVC_ATTR_AF, af);
        b.put<std::uint32_t>(IPVS_SVC_ATTR_FWMARK, std::get<firewall_mark>(s.key).mark);
    }
    b.put_string(IPVS_SVC_ATTR_SCHED_NAME, s.scheduler);
    if (!s.pe_name.empty()) b.put_string(IPVS_SVC_ATTR_PE_NAME, s.pe_name);
    ip_vs_flags f{s.flags & ~service_flags::hashed, s.flags_mask};
    b.put(IPVS_SVC_ATTR_FLAGS, as_bytes_of(f));
    b.put<std::uint32_t>(IPVS_SVC_ATTR_TIMEOUT, s.timeout);
    if (af == AF_INET6) b.put<std::uint32_t>(IPVS_SVC_ATTR_NETMASK, s.prefix());
    else b.put<std::uint32_t>(IPVS_SVC_ATTR_NETMASK, v4_mask(s.prefix()), be);
}

void put_dest(message_builder& b, const destination& d, bool full) {
    auto n = b.nest(IPVS_CMD_ATTR_DEST);
    put_addr(b, IPVS_DEST_ATTR_ADDR, d.address);
    b.put<std::uint16_t>(IPVS_DEST_ATTR_PORT, d.port, be);
    b.put<std::uint16_t>(IPVS_DEST_ATTR_ADDR_FAMILY, d.address.family);
    if (!full) return;
    b.put<std::uint32_t>(IPVS_DEST_ATTR_FWD_METHOD, static_cast<std::uint32_t>(d.fwd));
    b.put<std::uint32_t>(IPVS_DEST_ATTR_WEIGHT, d.weight);
    b.put<std::uint32_t>(IPVS_DEST_ATTR_U_THRESH, d.upper_threshold);
    b.put<std::uint32_t>(IPVS_DEST_ATTR_L_THRESH, d.lower_threshold);
    if (d.fwd == forwarding::tunnel) {
        b.put<std::uint8_t>(IPVS_DEST_ATTR_TUN_TYPE, static_cast<std::uint8_t>(d.tun_type));
        b.put<std::uint16_t>(IPVS_DEST_ATTR_TUN_PORT, d.tun_port, be);
        b.put<std::uint16_t>(IPVS_DEST_ATTR_TUN_FLAGS, d.tun_flags);
    }
}

void put_daemon(message_builder& b, const sync_daemon& d) {
    auto n = b.nest(IPVS_CMD_ATTR_DAEMON);
    b.put<std::uint32_t>(IPVS_DAEMON_ATTR_STATE, static_cast<std::uint32_t>(d.state));
    b.put_string(IPVS_DAEMON_ATTR_MCAST_IFN, d.mcast_ifn);
    b.put<std::uint32_t>(IPVS_DAEMON_ATTR_SYNC_ID, d.sync_id);
    if (d.sync_maxlen) b.put<std::uint16_t>(IPVS_DAEMON_ATTR_SYNC_MAXLEN, d.sync_maxlen);
    if (d.mcast_group) {
        if (d.mcast_group->is_v6()) put_addr(b, IPVS_DAEMON_ATTR_MCAST_GROUP6, *d.mcast_group);
        else put_addr(b, IPVS_DAEMON_ATTR_MCAST_GROUP, *d.mcast_group);
    }
    if (d.mcast_port) b.put<std::uint16_t>(IPVS_DAEMON_ATTR_MCAST_PORT, d.mcast_port);
    if (d.mcast_ttl) b.put<std::uint8_t>(IPVS_DAEMON_ATTR_MCAST_TTL, d.mcast_ttl);
}

void put_daemon_state(message_builder& b, daemon_state s) {
    auto n = b.nest(IPVS_CMD_ATTR_DAEMON);
    b.put<std::uint32_t>(IPVS_DAEMON_ATTR_STATE, static_cast<std::uint32_t>(s));
}

void put_timeouts(message_builder& b, const timeouts& t) {
    b.put<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp);
    b.put<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcp_fin);
    b.put<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp);
}

result<service> parse_service(message_view m) {
    auto nest = only_nest(m, IPVS_CMD_ATTR_SERVICE, "service");
    if (!nest) return fail(nest.error());
    service s;
    std::optional<std::uint16_t> af, proto, port;
    std::optional<std::uint32_t> fwmark, netmask;
    std::optional<attr_view> addr;
    bool have_stats64 = false;
    attr_range r = nest->nested();
    for (attr_view a : r) {
        result<void> ok;
        auto set16 = [&](std::optional<std::uint16_t>& out, std::string_view what, byte_order o = byte_order::host) {
            auto v = get<std::uint16_t>(a, what, o);
            if (!v) return result<void>(fail(v.error()));
            out = *v;
            return result<void>();
        };
        auto set32 = [&](std::optional<std::uint32_t>& out, std::string_view what, byte_order o = byte_order::host) {
            auto v = get<std::uint32_t>(a, what, o);
            if (!v) return result<void>(fail(v.error()));
            out = *v;
            return result<void>();
        };
        switch (a.type()) {
        case IPVS_SVC_ATTR_AF: ok = set16(af, "service af"); break;
        case IPVS_SVC_ATTR_PROTOCOL: ok = set16(proto, "service protocol"); break;
        case IPVS_SVC_ATTR_ADDR: addr = a; break;
        case IPVS_SVC_ATTR_PORT: ok = set16(port, "service port", be); break;
        case IPVS_SVC_ATTR_FWMARK: ok = set32(fwmark, "service fwmark"); break;
        case IPVS_SVC_ATTR_SCHED_NAME: s.scheduler = std::string(a.get_string()); break;
        case IPVS_SVC_ATTR_PE_NAME: s.pe_name = std::string(a.get_string()); break;
        case IPVS_SVC_ATTR_FLAGS: {
            auto f = a.get_struct<ip_vs_flags>();
            if (!f) return fail(std::move(f.error()).wrap("service flags"));
            s.flags = f->flags;
            break;
        }
        case IPVS_SVC_ATTR_TIMEOUT: {
            auto v = get<std::uint32_t>(a, "service timeout");
            if (!v) return fail(v.error());
            s.timeout = *v;
            break;
        }
        case IPVS_SVC_ATTR_NETMASK: netmask = a.get<std::uint32_t>().value_or(0); break;
        case IPVS_SVC_ATTR_STATS:
        case IPVS_SVC_ATTR_STATS64: {
            const bool wide = a.type() == IPVS_SVC_ATTR_STATS64;
            if (!wide && have_stats64) break;
            auto st = get_stats(a, wide);
            if (!st) return fail(std::move(st.error()).wrap("service"));
            s.stats = *st;
            have_stats64 = have_stats64 || wide;
            break;
        }
        default: break;
        }
        if (!ok) return fail(ok.error());
    }
    if (auto c = check(r, "service"); !c) return fail(c.error());
    if (!af) return fail(errc::attr_missing, "service: no address family");
    if (fwmark && *fwmark != 0) {
        s.key = firewall_mark{*fwmark, *af};
    } else {
        if (!proto || !addr || !port) return fail(errc::attr_missing, "service: neither fwmark nor protocol, address and port");
        auto a = get_addr(*addr, *af, "service addr");
        if (!a) return fail(a.error());
        s.key = virtual_service{static_cast<protocol>(*proto), *a, *port};
    }
    if (netmask) {
        // IPv4: the mask as stored (network order) -> prefix; IPv6: the prefix itself.
        if (*af == AF_INET6) s.netmask = static_cast<std::uint8_t>(std::min<std::uint32_t>(*netmask, 128));
        else s.netmask = static_cast<std::uint8_t>(std::countl_one(byteswap(*netmask)));
        if (s.netmask == (*af == AF_INET6 ? 128 : 32)) s.netmask = 0;
    }
    return s;
}

result<destination> parse_dest(message_view m, std::uint16_t service_family) {
    auto nest = only_nest(m, IPVS_CMD_ATTR_DEST, "destination");
    if (!nest) return fail(nest.error());
    destination d;
    std::optional<attr_view> addr;
    std::uint16_t af = service_family;
    bool have_stats64 = false;
    attr_range r = nest->nested();
    for (attr_view a : r) {
        result<void> ok;
        auto u32 = [&](std::uint32_t& out, std::string_view what) {
            auto v = get<std::uint32_t>(a, what);
            if (!v) return result<void>(fail(v.error()));
            out = *v;
            return result<void>();
        };
        switch (a.type()) {
        case IPVS_DEST_ATTR_ADDR: addr = a; break;
        case IPVS_DEST_ATTR_PORT: {
            auto v = get<std::uint16_t>(a, "dest port", be);
            if (!v) return fail(v.error());
            d.port = *v;
            break;
        }
        case IPVS_DEST_ATTR_FWD_METHOD: {
            std::uint32_t f = 0;
            ok = u32(f, "dest fwd-method");
            d.fwd = static_cast<forwarding>(f & IP_VS_CONN_F_FWD_MASK);
            break;
        }
        case IPVS_DEST_ATTR_WEIGHT: ok = u32(d.weight, "dest weight"); break;
        case IPVS_DEST_ATTR_U_THRESH: ok = u32(d.upper_threshold, "dest u-threshold"); break;
        case IPVS_DEST_ATTR_L_THRESH: ok = u32(d.lower_threshold, "dest l-threshold"); break;
        case IPVS_DEST_ATTR_ACTIVE_CONNS: ok = u32(d.active_conns, "dest active-conns"); break;
        case IPVS_DEST_ATTR_INACT_CONNS: ok = u32(d.inactive_conns, "dest inact-conns"); break;
        case IPVS_DEST_ATTR_PERSIST_CONNS: ok = u32(d.persist_conns, "dest persist-conns"); break;
        case IPVS_DEST_ATTR_ADDR_FAMILY: {
            auto v = get<std::uint16_t>(a, "dest addr-family");
            if (!v) return fail(v.error());
            if (*v) af = *v;
            break;
        }
        case IPVS_DEST_ATTR_TUN_TYPE: {
            auto v = get<std::uint8_t>(a, "dest tun-type");
            if (!v) return fail(v.error());
            d.tun_type = static_cast<tunnel_type>(*v);
            break;
        }
        case IPVS_DEST_ATTR_TUN_PORT: {
            auto v = get<std::uint16_t>(a, "dest tun-port", be);
            if (!v) return fail(v.error());
            d.tun_port = *v;
            break;
        }
        case IPVS_DEST_ATTR_TUN_FLAGS: {
            auto v = get<std::uint16_t>(a, "dest tun-flags");
            if (!v) return fail(v.error());
            d.tun_flags = *v;
            break;
        }
        case IPVS_DEST_ATTR_STATS:
        case IPVS_DEST_ATTR_STATS64: {
            const bool wide = a.type() == IPVS_DEST_ATTR_STATS64;
            if (!wide && have_stats64) break;
            auto st = get_stats(a, wide);
            if (!st) return fail(std::move(st.error()).wrap("destination"));
            d.stats = *st;
            have_stats64 = have_stats64 || wide;
            break;
        }
        default: break;
        }
        if (!ok) return fail(ok.error());
    }
    if (auto c = check(r, "destination"); !c) return fail(c.error());
    if (!addr) return fail(errc::attr_missing, "destination: no address");
    auto a = get_addr(*addr, af, "dest addr");
    if (!a) return fail(a.error());
    d.address = *a;
    return d;
}

result<sync_daemon> parse_daemon(message_view m) {
    auto nest = only_nest(m, IPVS_CMD_ATTR_DAEMON, "sync daemon");
    if (!nest) return fail(nest.error());
    sync_daemon d;
    attr_range r = nest->nested();
    for (attr_view a : r) {
        switch (a.type()) {
        case IPVS_DAEMON_ATTR_STATE: {
            auto v = get<std::uint32_t>(a, "daemon state");
            if (!v) return fail(v.error());
            d.state = static_cast<daemon_state>(*v);
            break;
        }
        case IPVS_DAEMON_ATTR_MCAST_IFN: d.mcast_ifn = std::string(a.get_string()); break;
        case IPVS_DAEMON_ATTR_SYNC_ID: {
            auto v = get<std::uint32_t>(a, "daemon sync-id");
            if (!v) return fail(v.error());
            d.sync_id = *v;
            break;
        }
        case IPVS_DAEMON_ATTR_SYNC_MAXLEN: {
            auto v = get<std::uint16_t>(a, "daemon sync-maxlen");
            if (!v) return fail(v.error());
            d.sync_maxlen = *v;
            break;
        }
        case IPVS_DAEMON_ATTR_MCAST_GROUP:
        case IPVS_DAEMON_ATTR_MCAST_GROUP6: {
            const bool v6 = a.type() == IPVS_DAEMON_ATTR_MCAST_GROUP6;
            auto g = get_addr(a, v6 ? AF_INET6 : AF_INET, "daemon mcast-group");
            if (!g) return fail(g.error());
            d.mcast_group = *g;
            break;
        }
        case IPVS_DAEMON_ATTR_MCAST_PORT: {
            auto v = get<std::uint16_t>(a, "daemon mcast-port");
            if (!v) return fail(v.error());
            d.mcast_port = *v;
            break;
        }
        case IPVS_DAEMON_ATTR_MCAST_TTL: {
            auto v = get<std::uint8_t>(a, "daemon mcast-ttl");
            if (!v) return fail(v.error());
            d.mcast_ttl = *v;
            break;
        }
        default: break;
        }
    }
    if (auto c = check(r, "sync daemon"); !c) return fail(c.error());
    return d;
}

result<timeouts> parse_timeouts(message_view m) {
    timeouts t;
    attr_range r = m.attrs(genl::header_size);
    for (attr_view a : r) {
        std::uint32_t* out = a.type() == IPVS_CMD_ATTR_TIMEOUT_TCP       ? &t.tcp
                             : a.type() == IPVS_CMD_ATTR_TIMEOUT_TCP_FIN ? &t.tcp_fin
                             : a.type() == IPVS_CMD_ATTR_TIMEOUT_UDP     ? &t.udp
                                                                         : nullptr;
        if (!out) continue;
        auto v = get<std::uint32_t>(a, cmd_names[a.type()].name);
        if (!v) return fail(v.error());
        *out = *v;
    }
    if (auto c = check(r, "timeouts"); !c) return fail(c.error());
    return t;
}

result<info> parse_info(message_view m) {
    info i;
    bool have_version = false;
    attr_range r = m.attrs(genl::header_size);
    for (attr_view a : r) {
        if (a.type() == IPVS_INFO_ATTR_VERSION) {
            auto v = get<std::uint32_t>(a, "info version");
            if (!v) return fail(v.error());
            i.version = *v;
            have_version = true;
        } else if (a.type() == IPVS_INFO_ATTR_CONN_TAB_SIZE) {
            auto v = get<std::uint32_t>(a, "info conn-tab-size");
            if (!v) return fail(v.error());
            i.conn_tab_size = *v;
        }
    }
    if (auto c = check(r, "info"); !c) return fail(c.error());
    if (!have_version) return fail(errc::attr_missing, "info: no version");
    return i;
}

}  // namespace nlpp::ipvs
