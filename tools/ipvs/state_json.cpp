// The JSON state schema of nlpp-ipvs (see state_json.hpp).
#include "state_json.hpp"

#include "listing.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <set>
#include <sstream>

#include <fmt/format.h>

namespace nlpp::ipvs::cli {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

ordered_json stats_json(const stats& s) {
    return {{"conns", s.conns}, {"inpkts", s.inpkts}, {"outpkts", s.outpkts}, {"inbytes", s.inbytes},
            {"outbytes", s.outbytes}, {"cps", s.cps}, {"inpps", s.inpps}, {"outpps", s.outpps},
            {"inbps", s.inbps}, {"outbps", s.outbps}};
}

constexpr std::pair<std::string_view, forwarding> fwd_names[] = {
    {"masq", forwarding::masq}, {"local", forwarding::local}, {"tunnel", forwarding::tunnel},
    {"route", forwarding::route}, {"bypass", forwarding::bypass}};
constexpr std::pair<std::string_view, tunnel_type> tun_names[] = {
    {"ipip", tunnel_type::ipip}, {"gue", tunnel_type::gue}, {"gre", tunnel_type::gre}};
constexpr std::pair<std::string_view, std::uint16_t> csum_names[] = {
    {"none", tunnel_flags::nocsum}, {"csum", tunnel_flags::csum}, {"remcsum", tunnel_flags::remcsum}};
constexpr std::pair<std::string_view, std::uint32_t> flag_names[] = {
    {"persistent", service_flags::persistent}, {"hashed", service_flags::hashed},
    {"one-packet", service_flags::one_packet}, {"sh-fallback", service_flags::sh_fallback},
    {"sh-port", service_flags::sh_port},       {"mh-fallback", service_flags::mh_fallback},
    {"mh-port", service_flags::mh_port},       {"flag-1", service_flags::sched1},
    {"flag-2", service_flags::sched2},         {"flag-3", service_flags::sched3}};

template <class T, std::size_t N>
std::string_view name_of(const std::pair<std::string_view, T> (&table)[N], T v) {
    for (const auto& [n, x] : table)
        if (x == v) return n;
    return "unknown";
}

ordered_json flags_json(const service& s) {
    ordered_json out = ordered_json::array();
    if (s.flags & service_flags::persistent) out.push_back("persistent");
    if (s.flags & service_flags::hashed) out.push_back("hashed");
    if (s.flags & service_flags::one_packet) out.push_back("one-packet");
    std::stringstream ss(sched_flags(s));  // the scheduler's words for its flags, as ipvsadm prints them
    for (std::string part; std::getline(ss, part, ',');) out.push_back(part);
    return out;
}

// Reads typed fields with JSON-path errors.
class reader {
public:
    explicit reader(std::string path) : path_(std::move(path)) {}
    error err(const std::string& what) const { return error(errc::invalid_argument, fmt::format("{}: {}", path_, what)); }
    std::string at(const std::string& key) const { return path_ + "." + key; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

template <class T>
result<T> get_uint(const json& o, const char* key, const reader& r, std::uint64_t max, T fallback) {
    if (!o.contains(key)) return fallback;
    const auto& v = o.at(key);
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max)
        return fail(reader(r.at(key)).err(fmt::format("expected an integer from 0 to {}, got {}", max, v.dump())));
    return static_cast<T>(v.get<std::uint64_t>());
}

result<std::string> get_string(const json& o, const char* key, const reader& r, std::string fallback) {
    if (!o.contains(key)) return fallback;
    if (!o.at(key).is_string()) return fail(reader(r.at(key)).err("expected a string, got " + o.at(key).dump()));
    return o.at(key).get<std::string>();
}

result<void> known_keys(const json& o, const reader& r, std::initializer_list<std::string_view> keys) {
    if (!o.is_object()) return fail(r.err("expected an object, got " + o.dump()));
    for (const auto& [k, v] : o.items()) {
        bool ok = false;
        for (auto name : keys) ok = ok || k == name;
        if (!ok) return fail(reader(r.at(k)).err("unknown key"));
    }
    return {};
}

template <class T, std::size_t N>
result<T> get_enum(const json& o, const char* key, const reader& r, const std::pair<std::string_view, T> (&table)[N],
                   T fallback) {
    auto s = get_string(o, key, r, std::string(name_of(table, fallback)));
    if (!s) return fail(s.error());
    for (const auto& [n, v] : table)
        if (n == *s) return v;
    std::string names;
    for (const auto& [n, v] : table) names += (names.empty() ? "" : ", ") + std::string(n);
    return fail(reader(r.at(key)).err(fmt::format("'{}' is not one of {}", *s, names)));
}

result<destination> dest_from_json(const json& o, const reader& r) {
    if (auto k = known_keys(o, r, {"address", "port", "forwarding", "weight", "upper_threshold", "lower_threshold",
                                   "tunnel", "active_conns", "inactive_conns", "persistent_conns", "stats"});
        !k)
        return fail(k.error());
    destination d;
    auto a = get_string(o, "address", r, "");
    if (!a) return fail(a.error());
    auto addr = address::parse(*a);
    if (!addr) return fail(reader(r.at("address")).err(addr.error().context()));
    d.address = *addr;
    auto port = get_uint<std::uint16_t>(o, "port", r, 65535, 0);
    auto fwd = get_enum(o, "forwarding", r, fwd_names, forwarding::masq);
    auto weight = get_uint<std::uint32_t>(o, "weight", r, 2147483647, 1);
    auto upper = get_uint<std::uint32_t>(o, "upper_threshold", r, 2147483647, 0);
    auto lower = get_uint<std::uint32_t>(o, "lower_threshold", r, 2147483647, 0);
    if (!port) return fail(port.error());
    if (!fwd) return fail(fwd.error());
    if (!weight) return fail(weight.error());
    if (!upper) return fail(upper.error());
    if (!lower) return fail(lower.error());
    d.port = *port;
    d.fwd = *fwd;
    d.weight = *weight;
    d.upper_threshold = *upper;
    d.lower_threshold = *lower;
    if (o.contains("tunnel")) {
        reader tr(r.at("tunnel"));
        const auto& t = o.at("tunnel");
        if (auto k = known_keys(t, tr, {"type", "port", "checksum"}); !k) return fail(k.error());
        auto type = get_enum(t, "type", tr, tun_names, tunnel_type::ipip);
        auto tport = get_uint<std::uint16_t>(t, "port", tr, 65535, 0);
        auto csum = get_enum(t, "checksum", tr, csum_names, tunnel_flags::nocsum);
        if (!type) return fail(type.error());
        if (!tport) return fail(tport.error());
        if (!csum) return fail(csum.error());
        d.tun_type = *type;
        d.tun_port = *tport;
        d.tun_flags = *csum;
    }
    return d;
}

result<service_entry> service_from_json(const json& o, const reader& r) {
    if (auto k = known_keys(o, r, {"protocol", "address", "port", "fwmark", "family", "scheduler", "persistence_engine",
                                   "flags", "timeout", "netmask", "stats", "destinations"});
        !k)
        return fail(k.error());
    service_entry e;
    service& s = e.service;
    if (o.contains("fwmark")) {
        auto mark = get_uint<std::uint32_t>(o, "fwmark", r, 0xffffffff, 0);
        if (!mark) return fail(mark.error());
        auto fam = get_string(o, "family", r, "ipv4");
        if (!fam) return fail(fam.error());
        if (*fam != "ipv4" && *fam != "ipv6") return fail(reader(r.at("family")).err("expected ipv4 or ipv6"));
        s.key = firewall_mark{*mark, static_cast<std::uint16_t>(*fam == "ipv6" ? AF_INET6 : AF_INET)};
    } else {
        auto proto = get_string(o, "protocol", r, "tcp");
        if (!proto) return fail(proto.error());
        protocol p;
        if (*proto == "tcp") p = protocol::tcp;
        else if (*proto == "udp") p = protocol::udp;
        else if (*proto == "sctp") p = protocol::sctp;
        else return fail(reader(r.at("protocol")).err(fmt::format("'{}' is not one of tcp, udp, sctp", *proto)));
        auto a = get_string(o, "address", r, "");
        if (!a) return fail(a.error());
        if (a->empty()) return fail(r.err("a service needs an address (or a fwmark)"));
        auto addr = address::parse(*a);
        if (!addr) return fail(reader(r.at("address")).err(addr.error().context()));
        auto port = get_uint<std::uint16_t>(o, "port", r, 65535, 0);
        if (!port) return fail(port.error());
        s.key = virtual_service{p, *addr, *port};
    }
    auto sched = get_string(o, "scheduler", r, "wlc");
    auto pe = get_string(o, "persistence_engine", r, "");
    auto timeout = get_uint<std::uint32_t>(o, "timeout", r, 86400 * 31, 0);
    auto netmask = get_uint<std::uint8_t>(o, "netmask", r, 128, 0);
    if (!sched) return fail(sched.error());
    if (!pe) return fail(pe.error());
    if (!timeout) return fail(timeout.error());
    if (!netmask) return fail(netmask.error());
    s.scheduler = *sched;
    s.pe_name = *pe;
    s.timeout = *timeout;
    s.netmask = *netmask == (key_family(s.key) == AF_INET6 ? 128 : 32) ? 0 : *netmask;
    if (o.contains("flags")) {
        const auto& f = o.at("flags");
        if (!f.is_array()) return fail(reader(r.at("flags")).err("expected an array of flag names"));
        for (std::size_t i = 0; i < f.size(); ++i) {
            const auto name = f[i].is_string() ? f[i].get<std::string>() : std::string();
            std::uint32_t bit = 0;
            for (const auto& [n, b] : flag_names)
                if (n == name) bit = b;
            if (!bit) return fail(reader(fmt::format("{}[{}]", r.at("flags"), i)).err("unknown flag " + f[i].dump()));
            if (bit != service_flags::hashed) s.flags |= bit;
        }
    }
    if (s.timeout && !(s.flags & service_flags::persistent)) s.flags |= service_flags::persistent;
    if ((s.flags & service_flags::persistent) && !s.timeout) s.timeout = 300;
    if (o.contains("destinations")) {
        const auto& ds = o.at("destinations");
        if (!ds.is_array()) return fail(reader(r.at("destinations")).err("expected an array"));
        for (std::size_t i = 0; i < ds.size(); ++i) {
            auto d = dest_from_json(ds[i], reader(fmt::format("{}[{}]", r.at("destinations"), i)));
            if (!d) return fail(d.error());
            e.destinations.push_back(*d);
        }
    }
    return e;
}

}  // namespace

ordered_json to_json(const std::vector<service_entry>& entries) {
    ordered_json services = ordered_json::array();
    for (const auto& e : entries) {
        const service& s = e.service;
        ordered_json j;
        if (const auto* f = std::get_if<firewall_mark>(&s.key)) {
            j["fwmark"] = f->mark;
            j["family"] = f->family == AF_INET6 ? "ipv6" : "ipv4";
        } else {
            const auto& v = std::get<virtual_service>(s.key);
            j["protocol"] = v.protocol == protocol::tcp ? "tcp" : v.protocol == protocol::udp ? "udp" : "sctp";
            j["address"] = v.address.to_string();
            j["port"] = v.port;
        }
        j["scheduler"] = s.scheduler;
        if (!s.pe_name.empty()) j["persistence_engine"] = s.pe_name;
        j["flags"] = flags_json(s);
        j["timeout"] = s.timeout;
        j["netmask"] = s.prefix();
        j["stats"] = stats_json(s.stats);
        ordered_json ds = ordered_json::array();
        for (const auto& d : e.destinations) {
            ordered_json dj = {{"address", d.address.to_string()},
                               {"port", d.port},
                               {"forwarding", name_of(fwd_names, d.fwd)},
                               {"weight", d.weight},
                               {"upper_threshold", d.upper_threshold},
                               {"lower_threshold", d.lower_threshold}};
            if (d.fwd == forwarding::tunnel)
                dj["tunnel"] = {{"type", name_of(tun_names, d.tun_type)},
                                {"port", d.tun_port},
                                {"checksum", name_of(csum_names, d.tun_flags)}};
            dj["active_conns"] = d.active_conns;
            dj["inactive_conns"] = d.inactive_conns;
            dj["persistent_conns"] = d.persist_conns;
            dj["stats"] = stats_json(d.stats);
            ds.push_back(std::move(dj));
        }
        j["destinations"] = std::move(ds);
        services.push_back(std::move(j));
    }
    return {{"services", std::move(services)}};
}

ordered_json to_json(const timeouts& t) { return {{"tcp", t.tcp}, {"tcp_fin", t.tcp_fin}, {"udp", t.udp}}; }

ordered_json to_json(const std::vector<sync_daemon>& ds) {
    ordered_json out = ordered_json::array();
    for (const auto& d : ds) {
        ordered_json j = {{"state", d.state == daemon_state::master ? "master" : d.state == daemon_state::backup ? "backup" : "none"},
                          {"mcast_interface", d.mcast_ifn},
                          {"syncid", d.sync_id},
                          {"sync_maxlen", d.sync_maxlen}};
        if (d.mcast_group) j["mcast_group"] = d.mcast_group->to_string();
        j["mcast_port"] = d.mcast_port;
        j["mcast_ttl"] = d.mcast_ttl;
        out.push_back(std::move(j));
    }
    return out;
}

result<std::vector<service_entry>> state_from_json(const json& j) {
    reader top("$");
    if (auto k = known_keys(j, top, {"services", "scope"}); !k) return fail(k.error());
    if (!j.contains("services") || !j.at("services").is_array()) return fail(top.err("expected \"services\": [...]"));
    std::vector<service_entry> out;
    std::set<service_key> seen;
    const auto& svcs = j.at("services");
    for (std::size_t i = 0; i < svcs.size(); ++i) {
        const auto path = fmt::format("$.services[{}]", i);
        auto e = service_from_json(svcs[i], reader(path));
        if (!e) return fail(e.error());
        if (!seen.insert(e->service.key).second)
            return fail(reader(path).err("service " + key_string(e->service.key) + " is listed twice"));
        out.push_back(std::move(*e));
    }
    return out;
}

result<std::optional<scope>> scope_from_json(const json& j) {
    if (!j.is_object() || !j.contains("scope")) return std::optional<scope>{};
    const auto& list = j.at("scope");
    if (!list.is_array()) return fail(reader("$.scope").err("expected a list of strings, got " + list.dump()));
    std::vector<std::string> items;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const reader r(fmt::format("$.scope[{}]", i));
        if (!list[i].is_string()) return fail(r.err("expected a string, got " + list[i].dump()));
        items.push_back(list[i].get<std::string>());
        if (auto one = scope::parse(items.back()); !one) return fail(std::move(one.error()).wrap(r.path()));
    }
    auto s = scope::parse(items);
    if (!s) return fail(std::move(s.error()).wrap("$.scope"));
    return std::optional<scope>(std::move(*s));
}

}  // namespace nlpp::ipvs::cli
