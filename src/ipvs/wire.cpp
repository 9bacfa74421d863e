// The IPVS generic netlink encoding (see wire.hpp for the traps).
#include <nlpp/ipvs/wire.hpp>
#include <nlpp/core/decoder.hpp>
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
constexpr const auto& cmd_names = tables::cmd_attrs_list;
// The public command enum (wire.hpp) is the spec's, id for id.
static_assert(cmd(command::new_service) == tables::op::new_service &&
              cmd(command::set_service) == tables::op::set_service &&
              cmd(command::del_service) == tables::op::del_service &&
              cmd(command::get_service) == tables::op::get_service &&
              cmd(command::new_dest) == tables::op::new_dest &&
              cmd(command::set_dest) == tables::op::set_dest &&
              cmd(command::del_dest) == tables::op::del_dest &&
              cmd(command::get_dest) == tables::op::get_dest &&
              cmd(command::new_daemon) == tables::op::new_daemon &&
              cmd(command::del_daemon) == tables::op::del_daemon &&
              cmd(command::get_daemon) == tables::op::get_daemon &&
              cmd(command::set_config) == tables::op::set_config &&
              cmd(command::get_config) == tables::op::get_config &&
              cmd(command::set_info) == tables::op::set_info &&
              cmd(command::get_info) == tables::op::get_info &&
              cmd(command::zero) == tables::op::zero && cmd(command::flush) == tables::op::flush &&
              std::size(tables::op_names) == cmd(command::flush) + 1u);

void put_addr(message_builder& b, std::uint16_t type, const address& a) {
    b.put(type, bytes(reinterpret_cast<const std::byte*>(a.bytes.data()), a.size()));
}

std::uint32_t v4_mask(std::uint8_t prefix) noexcept {
    return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

// An address attribute of `family`: 4 or 16 bytes (the kernel sends IPv4
// in a 16-byte union), 16 for IPv6. A problem is kept by the decoder.
address get_addr(attr_decoder& d, attr_view a, std::uint16_t family) {
    const bytes p = a.payload();
    address out;
    if ((p.size() != 4 && p.size() != 16) || (family == AF_INET6 && p.size() != 16)) {
        d.invalid(a, fmt::format("address of {} bytes", p.size()));
        return out;
    }
    out.family = family;
    std::memcpy(out.bytes.data(), p.data(), out.size());
    return out;
}

// STATS (legacy widths) or STATS64 (all u64), the decoder's current
// attribute: both decode into one struct.
stats get_stats(attr_decoder& d, bool wide) {
    stats s;
    std::uint64_t* out[] = {nullptr, &s.conns, &s.inpkts, &s.outpkts, &s.inbytes, &s.outbytes,
                            &s.cps,  &s.inpps, &s.outpps, &s.inbps,   &s.outbps};
    d.nested([&](attr_decoder& n) {
        while (n.next()) {
            const auto t = n.type();
            if (t == 0 || t > IPVS_STATS_ATTR_OUTBPS) continue;  // PAD and newer counters
            if (wide || t == IPVS_STATS_ATTR_INBYTES || t == IPVS_STATS_ATTR_OUTBYTES)
                *out[t] = n.get<std::uint64_t>();
            else
                *out[t] = n.get<std::uint32_t>();
        }
    });
    return s;
}

// The one nest a reply of this kind carries (SERVICE, DEST or DAEMON).
result<attr_view> only_nest(message_view m, std::uint16_t type, std::string_view what) {
    attr_decoder top(m.attrs(genl::header_size), what, &tables::cmd_attrs);
    std::optional<attr_view> nest;
    while (top.next())
        if (top.type() == type) nest = top.attr();
    if (auto e = top.error()) return fail(std::move(*e));
    if (!nest)
        return fail(errc::attr_missing,
                    fmt::format("{}: reply has no {} attribute", what, cmd_names[type].name));
    return *nest;
}

// The attributes that name a service, inside its nest.
void put_key_attrs(message_builder& b, const service_key& key) {
    b.put<std::uint16_t>(IPVS_SVC_ATTR_AF, key_family(key));
    if (const auto* v = std::get_if<virtual_service>(&key)) {
        b.put<std::uint16_t>(IPVS_SVC_ATTR_PROTOCOL, static_cast<std::uint16_t>(v->protocol));
        put_addr(b, IPVS_SVC_ATTR_ADDR, v->address);
        b.put<std::uint16_t>(IPVS_SVC_ATTR_PORT, v->port, be);
    } else {
        b.put<std::uint32_t>(IPVS_SVC_ATTR_FWMARK, std::get<firewall_mark>(key).mark);
    }
}

}  // namespace

std::string_view command_name(command c) noexcept {
    if (c == command::unspec) return "unspec";
    return cmd(c) < std::size(tables::op_names) ? tables::op_names[cmd(c)] : "unknown";
}

const attr_set& attr_names() noexcept { return tables::cmd_attrs; }

void put_service_key(message_builder& b, const service_key& key) {
    auto n = b.nest(IPVS_CMD_ATTR_SERVICE);
    put_key_attrs(b, key);
}

void put_service(message_builder& b, const service& s) {
    auto n = b.nest(IPVS_CMD_ATTR_SERVICE);
    put_key_attrs(b, s.key);
    b.put_string(IPVS_SVC_ATTR_SCHED_NAME, s.scheduler);
    if (!s.pe_name.empty()) b.put_string(IPVS_SVC_ATTR_PE_NAME, s.pe_name);
    ip_vs_flags f{s.flags & ~service_flags::hashed, s.flags_mask};
    b.put(IPVS_SVC_ATTR_FLAGS, as_bytes_of(f));
    b.put<std::uint32_t>(IPVS_SVC_ATTR_TIMEOUT, s.timeout);
    if (key_family(s.key) == AF_INET6)
        b.put<std::uint32_t>(IPVS_SVC_ATTR_NETMASK, s.prefix());
    else
        b.put<std::uint32_t>(IPVS_SVC_ATTR_NETMASK, v4_mask(s.prefix()), be);
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
        if (d.mcast_group->is_v6())
            put_addr(b, IPVS_DAEMON_ATTR_MCAST_GROUP6, *d.mcast_group);
        else
            put_addr(b, IPVS_DAEMON_ATTR_MCAST_GROUP, *d.mcast_group);
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
    bool have_af = false, have_proto = false, have_port = false, have_netmask = false,
         have_wide = false;
    std::optional<attr_view> addr;
    stats legacy;
    attr_decoder in(nest->nested(), "service", &tables::service_attrs);
    while (in.next()) {
        switch (in.type()) {
        case IPVS_SVC_ATTR_AF:
            af = in.get<std::uint16_t>();
            have_af = true;
            break;
        case IPVS_SVC_ATTR_PROTOCOL:
            proto = in.get<std::uint16_t>();
            have_proto = true;
            break;
        case IPVS_SVC_ATTR_ADDR: addr = in.attr(); break;  // read once the family is known
        case IPVS_SVC_ATTR_PORT:
            port = in.get<std::uint16_t>(be);
            have_port = true;
            break;
        case IPVS_SVC_ATTR_FWMARK: fwmark = in.get<std::uint32_t>(); break;
        case IPVS_SVC_ATTR_SCHED_NAME: s.scheduler = in.get_string(); break;
        case IPVS_SVC_ATTR_PE_NAME: s.pe_name = in.get_string(); break;
        case IPVS_SVC_ATTR_FLAGS: s.flags = in.get_struct<ip_vs_flags>().flags; break;
        case IPVS_SVC_ATTR_TIMEOUT: s.timeout = in.get<std::uint32_t>(); break;
        case IPVS_SVC_ATTR_NETMASK:
            netmask = in.get<std::uint32_t>();
            have_netmask = true;
            break;
        case IPVS_SVC_ATTR_STATS: legacy = get_stats(in, false); break;
        case IPVS_SVC_ATTR_STATS64:
            s.stats = get_stats(in, true);
            have_wide = true;
            break;
        default: break;
        }
    }
    if (auto e = in.error()) return fail(std::move(*e));
    if (!have_wide) s.stats = legacy;  // the kernel sends both; STATS64 is exact
    if (!have_af) return fail(errc::attr_missing, "service: no address family");
    if (fwmark != 0) {
        s.key = firewall_mark{fwmark, af};
    } else {
        if (!have_proto || !addr || !have_port)
            return fail(errc::attr_missing,
                        "service: neither fwmark nor protocol, address and port");
        const address a = get_addr(in, *addr, af);
        if (auto e = in.error()) return fail(std::move(*e));
        s.key = virtual_service{static_cast<protocol>(proto), a, port};
    }
    if (have_netmask) {
        // IPv4: the mask as stored (network order) -> prefix; IPv6: the prefix itself.
        if (af == AF_INET6)
            s.netmask = static_cast<std::uint8_t>(std::min<std::uint32_t>(netmask, 128));
        else
            s.netmask = static_cast<std::uint8_t>(std::countl_one(
                needs_swap(be) ? byteswap(netmask) : netmask));  // read in host order, sent as be32
        if (s.netmask == (af == AF_INET6 ? 128 : 32)) s.netmask = 0;
    }
    return s;
}

result<destination> parse_dest(message_view m, std::uint16_t service_family) {
    auto nest = only_nest(m, IPVS_CMD_ATTR_DEST, "destination");
    if (!nest) return fail(nest.error());
    destination d;
    std::optional<attr_view> addr;
    std::uint16_t af = service_family;
    bool have_wide = false;
    stats legacy;
    attr_decoder in(nest->nested(), "destination", &tables::dest_attrs);
    while (in.next()) {
        switch (in.type()) {
        case IPVS_DEST_ATTR_ADDR: addr = in.attr(); break;  // read once the family is known
        case IPVS_DEST_ATTR_PORT: d.port = in.get<std::uint16_t>(be); break;
        case IPVS_DEST_ATTR_FWD_METHOD:
            d.fwd = static_cast<forwarding>(in.get<std::uint32_t>() & IP_VS_CONN_F_FWD_MASK);
            break;
        case IPVS_DEST_ATTR_WEIGHT: d.weight = in.get<std::uint32_t>(); break;
        case IPVS_DEST_ATTR_U_THRESH: d.upper_threshold = in.get<std::uint32_t>(); break;
        case IPVS_DEST_ATTR_L_THRESH: d.lower_threshold = in.get<std::uint32_t>(); break;
        case IPVS_DEST_ATTR_ACTIVE_CONNS: d.active_conns = in.get<std::uint32_t>(); break;
        case IPVS_DEST_ATTR_INACT_CONNS: d.inactive_conns = in.get<std::uint32_t>(); break;
        case IPVS_DEST_ATTR_PERSIST_CONNS: d.persist_conns = in.get<std::uint32_t>(); break;
        case IPVS_DEST_ATTR_ADDR_FAMILY:
            if (const auto dest_af = in.get<std::uint16_t>()) af = dest_af;
            break;
        case IPVS_DEST_ATTR_TUN_TYPE:
            d.tun_type = static_cast<tunnel_type>(in.get<std::uint8_t>());
            break;
        case IPVS_DEST_ATTR_TUN_PORT: d.tun_port = in.get<std::uint16_t>(be); break;
        case IPVS_DEST_ATTR_TUN_FLAGS: d.tun_flags = in.get<std::uint16_t>(); break;
        case IPVS_DEST_ATTR_STATS: legacy = get_stats(in, false); break;
        case IPVS_DEST_ATTR_STATS64:
            d.stats = get_stats(in, true);
            have_wide = true;
            break;
        default: break;
        }
    }
    if (auto e = in.error()) return fail(std::move(*e));
    if (!have_wide) d.stats = legacy;  // the kernel sends both; STATS64 is exact
    if (!addr) return fail(errc::attr_missing, "destination: no address");
    d.address = get_addr(in, *addr, af);
    if (auto e = in.error()) return fail(std::move(*e));
    return d;
}

result<sync_daemon> parse_daemon(message_view m) {
    auto nest = only_nest(m, IPVS_CMD_ATTR_DAEMON, "sync daemon");
    if (!nest) return fail(nest.error());
    sync_daemon d;
    attr_decoder in(nest->nested(), "sync daemon", &tables::daemon_attrs);
    while (in.next()) {
        switch (in.type()) {
        case IPVS_DAEMON_ATTR_STATE:
            d.state = static_cast<daemon_state>(in.get<std::uint32_t>());
            break;
        case IPVS_DAEMON_ATTR_MCAST_IFN: d.mcast_ifn = in.get_string(); break;
        case IPVS_DAEMON_ATTR_SYNC_ID: d.sync_id = in.get<std::uint32_t>(); break;
        case IPVS_DAEMON_ATTR_SYNC_MAXLEN: d.sync_maxlen = in.get<std::uint16_t>(); break;
        case IPVS_DAEMON_ATTR_MCAST_GROUP: d.mcast_group = get_addr(in, in.attr(), AF_INET); break;
        case IPVS_DAEMON_ATTR_MCAST_GROUP6:
            d.mcast_group = get_addr(in, in.attr(), AF_INET6);
            break;
        case IPVS_DAEMON_ATTR_MCAST_PORT: d.mcast_port = in.get<std::uint16_t>(); break;
        case IPVS_DAEMON_ATTR_MCAST_TTL: d.mcast_ttl = in.get<std::uint8_t>(); break;
        default: break;
        }
    }
    if (auto e = in.error()) return fail(std::move(*e));
    return d;
}

result<timeouts> parse_timeouts(message_view m) {
    timeouts t;
    attr_decoder in(m.attrs(genl::header_size), "timeouts", &tables::cmd_attrs);
    while (in.next()) {
        switch (in.type()) {
        case IPVS_CMD_ATTR_TIMEOUT_TCP: t.tcp = in.get<std::uint32_t>(); break;
        case IPVS_CMD_ATTR_TIMEOUT_TCP_FIN: t.tcp_fin = in.get<std::uint32_t>(); break;
        case IPVS_CMD_ATTR_TIMEOUT_UDP: t.udp = in.get<std::uint32_t>(); break;
        default: break;
        }
    }
    if (auto e = in.error()) return fail(std::move(*e));
    return t;
}

result<info> parse_info(message_view m) {
    info i;
    bool have_version = false;
    attr_decoder in(m.attrs(genl::header_size), "info", &tables::info_attrs);
    while (in.next()) {
        if (in.type() == IPVS_INFO_ATTR_VERSION) {
            i.version = in.get<std::uint32_t>();
            have_version = true;
        } else if (in.type() == IPVS_INFO_ATTR_CONN_TAB_SIZE)
            i.conn_tab_size = in.get<std::uint32_t>();
    }
    if (auto e = in.error()) return fail(std::move(*e));
    if (!have_version) return fail(errc::attr_missing, "info: no version");
    return i;
}

}  // namespace nlpp::ipvs
