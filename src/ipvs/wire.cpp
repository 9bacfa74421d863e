// The IPVS generic netlink encoding (see wire.hpp for the traps).
#include <nlpp/ipvs/wire.hpp>
#include <nlpp/genl/genl.hpp>

#include "ipvs_tables.hpp"

#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <bit>

#include <fmt/format.h>

namespace nlpp::ipvs {
namespace {

constexpr auto be = byte_order::big;

// The policy tables (names, kinds, limits) and command ids are generated from
// specs/ipvs.yaml into ipvs_tables.hpp (checked in; test ipvs.tables_generated).
constexpr const auto& stats_names = tables::stats_attrs_list;
constexpr const auto& cmd_names = tables::cmd_attrs_list;
// The public command enum (wire.hpp) is the spec's, id for id.
static_assert(cmd(command::new_service) == tables::op::new_service && cmd(command::set_service) == tables::op::set_service &&
              cmd(command::del_service) == tables::op::del_service && cmd(command::get_service) == tables::op::get_service &&
              cmd(command::new_dest) == tables::op::new_dest && cmd(command::set_dest) == tables::op::set_dest &&
              cmd(command::del_dest) == tables::op::del_dest && cmd(command::get_dest) == tables::op::get_dest &&
              cmd(command::new_daemon) == tables::op::new_daemon && cmd(command::del_daemon) == tables::op::del_daemon &&
              cmd(command::get_daemon) == tables::op::get_daemon && cmd(command::set_config) == tables::op::set_config &&
              cmd(command::get_config) == tables::op::get_config && cmd(command::set_info) == tables::op::set_info &&
              cmd(command::get_info) == tables::op::get_info && cmd(command::zero) == tables::op::zero &&
              cmd(command::flush) == tables::op::flush && std::size(tables::op_names) == cmd(command::flush) + 1u);

void put_addr(message_builder& b, std::uint16_t type, const address& a) {
    b.put(type, bytes(reinterpret_cast<const std::byte*>(a.bytes.data()), a.size()));
}

std::uint32_t v4_mask(std::uint8_t prefix) noexcept {
    return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

// Reads fields of one nest; the first problem is kept and reported once at
// the end, so the common path builds no error objects.
class fields {
public:
    explicit fields(std::string_view what) : what_(what) {}

    template <std::integral T>
    bool read(attr_view a, T& out, std::string_view name, byte_order o = byte_order::host) {
        if (a.payload().size() == sizeof(T)) {
            out = load<T>(a.payload(), o);
            return true;
        }
        return bad(fmt::format("{} {}: needs {} bytes, has {}", what_, name, sizeof(T), a.payload().size()));
    }
    bool addr(attr_view a, std::uint16_t family, address& out, std::string_view name) {
        auto p = a.payload();
        if ((p.size() != 4 && p.size() != 16) || (family == AF_INET6 && p.size() != 16))
            return bad(fmt::format("{} {}: address of {} bytes", what_, name, p.size()));
        out.family = family;
        std::memcpy(out.bytes.data(), p.data(), out.size());
        return true;
    }
    bool bad(std::string why) {
        if (!err_) err_ = error(errc::attr_invalid, std::move(why));
        return false;
    }
    // The first problem, or the walk's fault, as a failure.
    result<void> finish(const attr_range& r) {
        if (err_) return fail(std::move(*err_));
        if (r.fault()) return fail(std::move(*r.error()).wrap(what_));
        return {};
    }

private:
    std::string_view what_;
    std::optional<error> err_;
};

// STATS (legacy widths) or STATS64 (all u64): both decode into one struct.
result<stats> get_stats(attr_view nest, bool wide) {
    stats s;
    std::uint64_t* out[] = {nullptr, &s.conns, &s.inpkts, &s.outpkts, &s.inbytes, &s.outbytes,
                            &s.cps,  &s.inpps, &s.outpps, &s.inbps,   &s.outbps};
    fields f(wide ? "stats64" : "stats");
    attr_range r = nest.nested();
    for (attr_view a : r) {
        const auto t = a.type();
        if (t == 0 || t > IPVS_STATS_ATTR_OUTBPS) continue;  // PAD and newer counters
        if (wide || t == IPVS_STATS_ATTR_INBYTES || t == IPVS_STATS_ATTR_OUTBYTES) {
            f.read(a, *out[t], stats_names[t].name);
        } else {
            std::uint32_t v = 0;
            if (f.read(a, v, stats_names[t].name)) *out[t] = v;
        }
    }
    if (auto c = f.finish(r); !c) return fail(c.error());
    return s;
}

// The one nest a reply of this kind carries (SERVICE, DEST or DAEMON).
result<attr_view> only_nest(message_view m, std::uint16_t type, std::string_view what) {
    attr_range top = m.attrs(genl::header_size);
    std::optional<attr_view> nest;
    for (attr_view a : top)
        if (a.type() == type) nest = a;
    if (top.fault()) return fail(std::move(*top.error()).wrap(what));
    if (!nest) return fail(errc::attr_missing, fmt::format("{}: reply has no {} attribute", what, cmd_names[type].name));
    return *nest;
}

// Decodes the better of STATS / STATS64 (the kernel sends both).
result<void> decode_stats(std::optional<attr_view> legacy, std::optional<attr_view> wide, stats& out, std::string_view what) {
    if (!legacy && !wide) return {};
    auto st = get_stats(wide ? *wide : *legacy, wide.has_value());
    if (!st) return fail(std::move(st.error()).wrap(what));
    out = *st;
    return {};
}

}  // namespace

std::string_view command_name(command c) noexcept {
    if (c == command::unspec) return "unspec";
    return cmd(c) < std::size(tables::op_names) ? tables::op_names[cmd(c)] : "unknown";
}

const attr_set& attr_names() noexcept { return tables::cmd_attrs; }

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
    std::uint16_t af = 0, proto = 0, port = 0;
    std::uint32_t fwmark = 0, netmask = 0;
    bool have_af = false, have_proto = false, have_port = false, have_netmask = false;
    std::optional<attr_view> addr, stats_legacy, stats_wide;
    fields f("service");
    attr_range r = nest->nested();
    for (attr_view a : r) {
        switch (a.type()) {
        case IPVS_SVC_ATTR_AF: have_af = f.read(a, af, "af"); break;
        case IPVS_SVC_ATTR_PROTOCOL: have_proto = f.read(a, proto, "protocol"); break;
        case IPVS_SVC_ATTR_ADDR: addr = a; break;
        case IPVS_SVC_ATTR_PORT: have_port = f.read(a, port, "port", be); break;
        case IPVS_SVC_ATTR_FWMARK: f.read(a, fwmark, "fwmark"); break;
        case IPVS_SVC_ATTR_SCHED_NAME: s.scheduler = std::string(a.get_string()); break;
        case IPVS_SVC_ATTR_PE_NAME: s.pe_name = std::string(a.get_string()); break;
        case IPVS_SVC_ATTR_FLAGS:
            if (a.payload().size() >= sizeof(ip_vs_flags)) s.flags = load<std::uint32_t>(a.payload());
            else f.bad(fmt::format("service flags: needs {} bytes, has {}", sizeof(ip_vs_flags), a.payload().size()));
            break;
        case IPVS_SVC_ATTR_TIMEOUT: f.read(a, s.timeout, "timeout"); break;
        case IPVS_SVC_ATTR_NETMASK: have_netmask = f.read(a, netmask, "netmask"); break;
        case IPVS_SVC_ATTR_STATS: stats_legacy = a; break;
        case IPVS_SVC_ATTR_STATS64: stats_wide = a; break;
        default: break;
        }
    }
    if (auto c = f.finish(r); !c) return fail(c.error());
    if (auto st = decode_stats(stats_legacy, stats_wide, s.stats, "service"); !st) return fail(st.error());
    if (!have_af) return fail(errc::attr_missing, "service: no address family");
    if (fwmark != 0) {
        s.key = firewall_mark{fwmark, af};
    } else {
        if (!have_proto || !addr || !have_port)
            return fail(errc::attr_missing, "service: neither fwmark nor protocol, address and port");
        address a;
        if (!f.addr(*addr, af, a, "addr")) return fail(f.finish(r).error());
        s.key = virtual_service{static_cast<protocol>(proto), a, port};
    }
    if (have_netmask) {
        // IPv4: the mask as stored (network order) -> prefix; IPv6: the prefix itself.
        if (af == AF_INET6) s.netmask = static_cast<std::uint8_t>(std::min<std::uint32_t>(netmask, 128));
        else s.netmask = static_cast<std::uint8_t>(std::countl_one(needs_swap(be) ? byteswap(netmask) : netmask));  // read in host order, sent as be32
        if (s.netmask == (af == AF_INET6 ? 128 : 32)) s.netmask = 0;
    }
    return s;
}

result<destination> parse_dest(message_view m, std::uint16_t service_family) {
    auto nest = only_nest(m, IPVS_CMD_ATTR_DEST, "destination");
    if (!nest) return fail(nest.error());
    destination d;
    std::optional<attr_view> addr, stats_legacy, stats_wide;
    std::uint16_t af = service_family, dest_af = 0;
    std::uint32_t fwd = 0;
    std::uint8_t tun_type = 0;
    fields f("destination");
    attr_range r = nest->nested();
    for (attr_view a : r) {
        switch (a.type()) {
        case IPVS_DEST_ATTR_ADDR: addr = a; break;
        case IPVS_DEST_ATTR_PORT: f.read(a, d.port, "port", be); break;
        case IPVS_DEST_ATTR_FWD_METHOD:
            if (f.read(a, fwd, "fwd-method")) d.fwd = static_cast<forwarding>(fwd & IP_VS_CONN_F_FWD_MASK);
            break;
        case IPVS_DEST_ATTR_WEIGHT: f.read(a, d.weight, "weight"); break;
        case IPVS_DEST_ATTR_U_THRESH: f.read(a, d.upper_threshold, "u-threshold"); break;
        case IPVS_DEST_ATTR_L_THRESH: f.read(a, d.lower_threshold, "l-threshold"); break;
        case IPVS_DEST_ATTR_ACTIVE_CONNS: f.read(a, d.active_conns, "active-conns"); break;
        case IPVS_DEST_ATTR_INACT_CONNS: f.read(a, d.inactive_conns, "inact-conns"); break;
        case IPVS_DEST_ATTR_PERSIST_CONNS: f.read(a, d.persist_conns, "persist-conns"); break;
        case IPVS_DEST_ATTR_ADDR_FAMILY:
            if (f.read(a, dest_af, "addr-family") && dest_af) af = dest_af;
            break;
        case IPVS_DEST_ATTR_TUN_TYPE:
            if (f.read(a, tun_type, "tun-type")) d.tun_type = static_cast<tunnel_type>(tun_type);
            break;
        case IPVS_DEST_ATTR_TUN_PORT: f.read(a, d.tun_port, "tun-port", be); break;
        case IPVS_DEST_ATTR_TUN_FLAGS: f.read(a, d.tun_flags, "tun-flags"); break;
        case IPVS_DEST_ATTR_STATS: stats_legacy = a; break;
        case IPVS_DEST_ATTR_STATS64: stats_wide = a; break;
        default: break;
        }
    }
    if (auto c = f.finish(r); !c) return fail(c.error());
    if (auto st = decode_stats(stats_legacy, stats_wide, d.stats, "destination"); !st) return fail(st.error());
    if (!addr) return fail(errc::attr_missing, "destination: no address");
    if (!f.addr(*addr, af, d.address, "addr")) return fail(f.finish(r).error());
    return d;
}

result<sync_daemon> parse_daemon(message_view m) {
    auto nest = only_nest(m, IPVS_CMD_ATTR_DAEMON, "sync daemon");
    if (!nest) return fail(nest.error());
    sync_daemon d;
    std::uint32_t state = 0;
    fields f("sync daemon");
    attr_range r = nest->nested();
    for (attr_view a : r) {
        switch (a.type()) {
        case IPVS_DAEMON_ATTR_STATE:
            if (f.read(a, state, "state")) d.state = static_cast<daemon_state>(state);
            break;
        case IPVS_DAEMON_ATTR_MCAST_IFN: d.mcast_ifn = std::string(a.get_string()); break;
        case IPVS_DAEMON_ATTR_SYNC_ID: f.read(a, d.sync_id, "sync-id"); break;
        case IPVS_DAEMON_ATTR_SYNC_MAXLEN: f.read(a, d.sync_maxlen, "sync-maxlen"); break;
        case IPVS_DAEMON_ATTR_MCAST_GROUP:
        case IPVS_DAEMON_ATTR_MCAST_GROUP6: {
            address g;
            if (f.addr(a, a.type() == IPVS_DAEMON_ATTR_MCAST_GROUP6 ? AF_INET6 : AF_INET, g, "mcast-group")) d.mcast_group = g;
            break;
        }
        case IPVS_DAEMON_ATTR_MCAST_PORT: f.read(a, d.mcast_port, "mcast-port"); break;
        case IPVS_DAEMON_ATTR_MCAST_TTL: f.read(a, d.mcast_ttl, "mcast-ttl"); break;
        default: break;
        }
    }
    if (auto c = f.finish(r); !c) return fail(c.error());
    return d;
}

result<timeouts> parse_timeouts(message_view m) {
    timeouts t;
    fields f("timeouts");
    attr_range r = m.attrs(genl::header_size);
    for (attr_view a : r) {
        switch (a.type()) {
        case IPVS_CMD_ATTR_TIMEOUT_TCP: f.read(a, t.tcp, "timeout-tcp"); break;
        case IPVS_CMD_ATTR_TIMEOUT_TCP_FIN: f.read(a, t.tcp_fin, "timeout-tcp-fin"); break;
        case IPVS_CMD_ATTR_TIMEOUT_UDP: f.read(a, t.udp, "timeout-udp"); break;
        default: break;
        }
    }
    if (auto c = f.finish(r); !c) return fail(c.error());
    return t;
}

result<info> parse_info(message_view m) {
    info i;
    bool have_version = false;
    fields f("info");
    attr_range r = m.attrs(genl::header_size);
    for (attr_view a : r) {
        if (a.type() == IPVS_INFO_ATTR_VERSION) have_version = f.read(a, i.version, "version");
        else if (a.type() == IPVS_INFO_ATTR_CONN_TAB_SIZE) f.read(a, i.conn_tab_size, "conn-tab-size");
    }
    if (auto c = f.finish(r); !c) return fail(c.error());
    if (!have_version) return fail(errc::attr_missing, "info: no version");
    return i;
}

}  // namespace nlpp::ipvs
