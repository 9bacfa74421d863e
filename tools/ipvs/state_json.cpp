// The JSON state schema of nlpp-ipvs (see state_json.hpp).
#include "state_json.hpp"

#include "listing.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <future>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <simdjson.h>

namespace nlpp::ipvs::cli {

using nlohmann::ordered_json;
namespace sj = simdjson::dom;

namespace {

ordered_json stats_json(const stats& s) {
    return {{"conns", s.conns},     {"inpkts", s.inpkts},     {"outpkts", s.outpkts},
            {"inbytes", s.inbytes}, {"outbytes", s.outbytes}, {"cps", s.cps},
            {"inpps", s.inpps},     {"outpps", s.outpps},     {"inbps", s.inbps},
            {"outbps", s.outbps}};
}

constexpr std::pair<std::string_view, forwarding> fwd_names[] = {{"masq", forwarding::masq},
                                                                 {"local", forwarding::local},
                                                                 {"tunnel", forwarding::tunnel},
                                                                 {"route", forwarding::route},
                                                                 {"bypass", forwarding::bypass}};
constexpr std::pair<std::string_view, tunnel_type> tun_names[] = {
    {"ipip", tunnel_type::ipip}, {"gue", tunnel_type::gue}, {"gre", tunnel_type::gre}};
constexpr std::pair<std::string_view, std::uint16_t> csum_names[] = {
    {"none", tunnel_flags::nocsum},
    {"csum", tunnel_flags::csum},
    {"remcsum", tunnel_flags::remcsum}};
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

ordered_json flags_json(const service& s, json_form form) {
    ordered_json out = ordered_json::array();
    if (s.flags & service_flags::persistent) out.push_back("persistent");
    if ((s.flags & service_flags::hashed) && form == json_form::listing) out.push_back("hashed");
    if (s.flags & service_flags::one_packet) out.push_back("one-packet");
    std::stringstream ss(
        sched_flags(s));  // the scheduler's words for its flags, as ipvsadm prints them
    for (std::string part; std::getline(ss, part, ',');) out.push_back(part);
    return out;
}

// Where a value sits in the document ("$.services[2].port"), rendered only
// for an error: reading 10,000 services builds no path strings.
struct path {
    static constexpr std::size_t none = static_cast<std::size_t>(-1);
    const path* parent = nullptr;
    std::string_view key{};    // a member of an object, or
    std::size_t index = none;  // an item of an array; neither: the document
    path member(std::string_view k) const { return {this, k}; }
    path item(std::size_t i) const { return {this, {}, i}; }
    std::string str() const {
        std::string s = parent ? parent->str() : "$";
        if (index != none)
            s += fmt::format("[{}]", index);
        else if (parent)
            s += fmt::format(".{}", key);
        return s;
    }
};

tl::unexpected<error> fault(const path& p, std::string_view what) {
    return fail(errc::invalid_argument, fmt::format("{}: {}", p.str(), what));
}

std::string text_of(sj::element v) { return simdjson::minify(v); }

// A JSON value that may be absent.
using member = std::optional<sj::element>;

// The members of object `e` named in `names`, each at its name's place,
// found in one pass over its fields (looking up each name would scan them
// again); the first of a repeated name counts; any other name is an error.
template <std::size_t N>
result<std::array<member, N>> members_of(sj::element e, const path& p,
                                         const std::array<std::string_view, N>& names) {
    sj::object o;
    if (e.get_object().get(o)) return fault(p, "expected an object, got " + text_of(e));
    std::array<member, N> out;
    for (const auto field : o) {
        std::size_t i = 0;
        while (i < N && field.key != names[i]) ++i;
        if (i == N) return fault(p.member(field.key), "unknown key");
        if (!out[i]) out[i] = field.value;
    }
    return out;
}

// The value `v` at `at` (the fallback when absent), checked.
template <class T>
result<T> get_uint(const member& v, const path& at, std::uint64_t max, T fallback) {
    if (!v) return fallback;
    std::uint64_t n = 0;
    if (!v->is_int64() && !v->is_uint64())
        n = max + 1;  // not an integer (a double, a string...)
    else if (v->get_uint64().get(n))
        n = max + 1;  // negative
    if (n > max)
        return fault(at, fmt::format("expected an integer from 0 to {}, got {}", max, text_of(*v)));
    return static_cast<T>(n);
}

result<std::string_view> get_string(const member& v, const path& at, std::string_view fallback) {
    if (!v) return fallback;
    std::string_view s;
    if (v->get_string().get(s)) return fault(at, "expected a string, got " + text_of(*v));
    return s;
}

template <class T, std::size_t N>
result<T> get_enum(const member& v, const path& at,
                   const std::pair<std::string_view, T> (&table)[N], T fallback) {
    auto s = get_string(v, at, name_of(table, fallback));
    if (!s) return fail(s.error());
    for (const auto& [n, x] : table)
        if (n == *s) return x;
    std::string names;
    for (const auto& [n, x] : table) names += (names.empty() ? "" : ", ") + std::string(n);
    return fault(at, fmt::format("'{}' is not one of {}", *s, names));
}

result<address> get_address(const member& v, const path& at) {
    auto a = get_string(v, at, "");
    if (!a) return fail(a.error());
    auto addr = address::parse(*a);
    if (!addr) return fault(at, addr.error().context());
    return *addr;
}

// The names of each object, the most frequent first (each field is
// compared with the names before its own).
constexpr std::array<std::string_view, 11> dest_names = {"address",
                                                         "port",
                                                         "forwarding",
                                                         "weight",
                                                         "upper_threshold",
                                                         "lower_threshold",
                                                         "tunnel",
                                                         "active_conns",
                                                         "inactive_conns",
                                                         "persistent_conns",
                                                         "stats"};
constexpr std::array<std::string_view, 3> tunnel_names = {"type", "port", "checksum"};
constexpr std::array<std::string_view, 12> service_names = {
    "protocol", "address", "port",   "scheduler",          "flags",       "timeout", "netmask",
    "stats",    "fwmark",  "family", "persistence_engine", "destinations"};

result<destination> dest_from_json(sj::element e, const path& p) {
    auto m = members_of(e, p, dest_names);
    if (!m) return fail(m.error());
    const auto& [address_json, port_json, fwd_json, weight_json, upper_json, lower_json,
                 tunnel_json, active, inactive, persistent, stats] = *m;
    destination d;
    auto addr = get_address(address_json, p.member("address"));
    if (!addr) return fail(addr.error());
    d.address = *addr;
    auto port = get_uint<std::uint16_t>(port_json, p.member("port"), 65535, 0);
    auto fwd = get_enum(fwd_json, p.member("forwarding"), fwd_names, forwarding::masq);
    auto weight = get_uint<std::uint32_t>(weight_json, p.member("weight"), 2147483647, 1);
    auto upper = get_uint<std::uint32_t>(upper_json, p.member("upper_threshold"), 2147483647, 0);
    auto lower = get_uint<std::uint32_t>(lower_json, p.member("lower_threshold"), 2147483647, 0);
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
    if (tunnel_json) {
        const path tp = p.member("tunnel");
        auto t = members_of(*tunnel_json, tp, tunnel_names);
        if (!t) return fail(t.error());
        const auto& [type_json, tport_json, csum_json] = *t;
        auto type = get_enum(type_json, tp.member("type"), tun_names, tunnel_type::ipip);
        auto tport = get_uint<std::uint16_t>(tport_json, tp.member("port"), 65535, 0);
        auto csum = get_enum(csum_json, tp.member("checksum"), csum_names, tunnel_flags::nocsum);
        if (!type) return fail(type.error());
        if (!tport) return fail(tport.error());
        if (!csum) return fail(csum.error());
        d.tun_type = *type;
        d.tun_port = *tport;
        d.tun_flags = *csum;
    }
    return d;
}

result<service_entry> service_from_json(sj::element e, const path& p) {
    auto m = members_of(e, p, service_names);
    if (!m) return fail(m.error());
    const auto& [protocol_json, address_json, port_json, scheduler_json, flags_json, timeout_json,
                 netmask_json, stats, fwmark_json, family_json, pe_json, dests_json] = *m;
    service_entry entry;
    service& s = entry.service;
    if (fwmark_json) {
        auto mark = get_uint<std::uint32_t>(fwmark_json, p.member("fwmark"), 0xffffffff, 0);
        if (!mark) return fail(mark.error());
        auto fam = get_string(family_json, p.member("family"), "ipv4");
        if (!fam) return fail(fam.error());
        if (*fam != "ipv4" && *fam != "ipv6")
            return fault(p.member("family"), "expected ipv4 or ipv6");
        s.key =
            firewall_mark{*mark, static_cast<std::uint16_t>(*fam == "ipv6" ? AF_INET6 : AF_INET)};
    } else {
        auto proto = get_string(protocol_json, p.member("protocol"), "tcp");
        if (!proto) return fail(proto.error());
        protocol pr;
        if (*proto == "tcp")
            pr = protocol::tcp;
        else if (*proto == "udp")
            pr = protocol::udp;
        else if (*proto == "sctp")
            pr = protocol::sctp;
        else
            return fault(p.member("protocol"),
                         fmt::format("'{}' is not one of tcp, udp, sctp", *proto));
        auto text = get_string(address_json, p.member("address"), "");
        if (!text) return fail(text.error());
        if (text->empty()) return fault(p, "a service needs an address (or a fwmark)");
        auto addr = get_address(address_json, p.member("address"));
        if (!addr) return fail(addr.error());
        auto port = get_uint<std::uint16_t>(port_json, p.member("port"), 65535, 0);
        if (!port) return fail(port.error());
        s.key = virtual_service{pr, *addr, *port};
    }
    auto sched = get_string(scheduler_json, p.member("scheduler"), "wlc");
    auto pe = get_string(pe_json, p.member("persistence_engine"), "");
    auto timeout = get_uint<std::uint32_t>(timeout_json, p.member("timeout"), 86400 * 31, 0);
    auto netmask = get_uint<std::uint8_t>(netmask_json, p.member("netmask"), 128, 0);
    if (!sched) return fail(sched.error());
    if (!pe) return fail(pe.error());
    if (!timeout) return fail(timeout.error());
    if (!netmask) return fail(netmask.error());
    s.scheduler = *sched;
    s.pe_name = *pe;
    s.timeout = *timeout;
    s.netmask = *netmask == (key_family(s.key) == AF_INET6 ? 128 : 32) ? 0 : *netmask;
    if (flags_json) {
        const path fp = p.member("flags");
        sj::array flags;
        if (flags_json->get_array().get(flags)) return fault(fp, "expected an array of flag names");
        std::size_t i = 0;
        for (const sj::element name : flags) {
            std::string_view n;
            if (name.get_string().get(n)) n = {};
            std::uint32_t bit = 0;
            for (const auto& [word, b] : flag_names)
                if (word == n) bit = b;
            if (!bit) return fault(fp.item(i), "unknown flag " + text_of(name));
            if (bit != service_flags::hashed) s.flags |= bit;
            ++i;
        }
    }
    if (s.timeout && !(s.flags & service_flags::persistent)) s.flags |= service_flags::persistent;
    if ((s.flags & service_flags::persistent) && !s.timeout) s.timeout = 300;
    if (dests_json) {
        const path dp = p.member("destinations");
        sj::array dests;
        if (dests_json->get_array().get(dests)) return fault(dp, "expected an array");
        entry.destinations.reserve(dests.size());
        std::size_t i = 0;
        for (const sj::element de : dests) {
            auto d = dest_from_json(de, dp.item(i++));
            if (!d) return fail(d.error());
            entry.destinations.push_back(*d);
        }
    }
    return entry;
}

}  // namespace

ordered_json to_json(const service& s, json_form form) {
    ordered_json j;
    if (const auto* f = std::get_if<firewall_mark>(&s.key)) {
        j["fwmark"] = f->mark;
        j["family"] = f->family == AF_INET6 ? "ipv6" : "ipv4";
    } else {
        const auto& v = std::get<virtual_service>(s.key);
        j["protocol"] = v.protocol == protocol::tcp   ? "tcp"
                        : v.protocol == protocol::udp ? "udp"
                                                      : "sctp";
        j["address"] = v.address.to_string();
        j["port"] = v.port;
    }
    j["scheduler"] = s.scheduler;
    if (!s.pe_name.empty()) j["persistence_engine"] = s.pe_name;
    j["flags"] = flags_json(s, form);
    j["timeout"] = s.timeout;
    j["netmask"] = s.prefix();
    return j;
}

ordered_json to_json(const destination& d, json_form form) {
    ordered_json dj = {
        {"address", d.address.to_string()},        {"port", d.port},
        {"forwarding", name_of(fwd_names, d.fwd)}, {"weight", d.weight},
        {"upper_threshold", d.upper_threshold},    {"lower_threshold", d.lower_threshold}};
    if (d.fwd == forwarding::tunnel)
        dj["tunnel"] = {{"type", name_of(tun_names, d.tun_type)},
                        {"port", d.tun_port},
                        {"checksum", name_of(csum_names, d.tun_flags)}};
    if (form == json_form::listing) {
        dj["active_conns"] = d.active_conns;
        dj["inactive_conns"] = d.inactive_conns;
        dj["persistent_conns"] = d.persist_conns;
    }
    return dj;
}

ordered_json to_json(const std::vector<service_entry>& entries, json_form form) {
    const bool listing = form == json_form::listing;
    ordered_json services = ordered_json::array();
    for (const auto& e : entries) {
        ordered_json j = to_json(e.service, form);
        if (listing) j["stats"] = stats_json(e.service.stats);
        ordered_json ds = ordered_json::array();
        for (const auto& d : e.destinations) {
            ordered_json dj = to_json(d, form);
            if (listing) dj["stats"] = stats_json(d.stats);
            ds.push_back(std::move(dj));
        }
        j["destinations"] = std::move(ds);
        services.push_back(std::move(j));
    }
    return {{"services", std::move(services)}};
}

ordered_json to_json(const timeouts& t) {
    return {{"tcp", t.tcp}, {"tcp_fin", t.tcp_fin}, {"udp", t.udp}};
}

ordered_json to_json(const std::vector<sync_daemon>& ds) {
    ordered_json out = ordered_json::array();
    for (const auto& d : ds) {
        ordered_json j = {{"state", d.state == daemon_state::master   ? "master"
                                    : d.state == daemon_state::backup ? "backup"
                                                                      : "none"},
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

namespace {

// The file's "scope": a list of scope item strings; the union of them.
result<std::optional<scope>> scope_from_json(const member& v, const path& top) {
    if (!v) return std::optional<scope>{};
    const path p = top.member("scope");
    sj::array list;
    if (v->get_array().get(list)) return fault(p, "expected a list of strings, got " + text_of(*v));
    std::vector<std::string> items;
    std::size_t i = 0;
    for (const sj::element item : list) {
        const path ip = p.item(i++);
        std::string_view text;
        if (item.get_string().get(text))
            return fault(ip, "expected a string, got " + text_of(item));
        items.emplace_back(text);
        if (auto one = scope::parse(items.back()); !one)
            return fail(std::move(one.error()).wrap(ip.str()));
    }
    auto s = scope::parse(items);
    if (!s) return fail(std::move(s.error()).wrap(p.str()));
    return std::optional<scope>(std::move(*s));
}

// `padded`: SIMDJSON_PADDING readable bytes follow the text, so simdjson
// parses it in place instead of copying it first.
result<desired_state> parse_state(std::string_view text, bool padded,
                                  const scope_callback& on_scope = {}) {
    sj::parser parser;
    sj::element doc;
    if (const auto e = parser.parse(text.data(), text.size(), !padded).get(doc))
        return fail(errc::invalid_argument,
                    fmt::format("not valid JSON: {}", simdjson::error_message(e)));
    const path top;
    static constexpr std::array<std::string_view, 2> top_names = {"services", "scope"};
    auto o = members_of(doc, top, top_names);
    if (!o) return fail(o.error());
    const auto& [services_json, scope_json] = *o;
    desired_state out;
    auto sc = scope_from_json(scope_json, top);
    if (!sc) return fail(sc.error());
    out.scope = std::move(*sc);
    if (on_scope) on_scope(out.scope);
    sj::array svcs;
    if (!services_json || services_json->get_array().get(svcs))
        return fault(top, "expected \"services\": [...]");
    const path services = top.member("services");
    std::vector<sj::element> items(svcs.begin(), svcs.end());
    out.services.resize(items.size());
    // Each part of the list converted into its place, the first failure of the part kept.
    auto convert = [&](std::size_t from, std::size_t to) -> std::optional<error> {
        for (std::size_t i = from; i < to; ++i) {
            auto e = service_from_json(items[i], services.item(i));
            if (!e) return std::move(e.error());
            out.services[i] = std::move(*e);
        }
        return std::nullopt;
    };
    // A large list in two halves at once (the document is only read); the
    // first half's failure is the first in the file. A small one starts no thread.
    const std::size_t half = items.size() >= 2048 ? items.size() / 2 : items.size();
    std::future<std::optional<error>> second;
    if (half < items.size())
        second = std::async(std::launch::async | std::launch::deferred,
                            [&] { return convert(half, items.size()); });
    const auto first_failure = convert(0, half);
    const auto second_failure = second.valid() ? second.get() : std::nullopt;
    if (first_failure) return fail(*first_failure);
    if (second_failure) return fail(*second_failure);
    // A service listed twice is an error at its second place.
    std::vector<std::pair<const service_key*, std::size_t>> keys;
    keys.reserve(out.services.size());
    for (std::size_t i = 0; i < out.services.size(); ++i)
        keys.emplace_back(&out.services[i].service.key, i);
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
        return *a.first != *b.first ? *a.first < *b.first : a.second < b.second;
    });
    std::size_t twice = keys.size();
    for (std::size_t k = 1; k < keys.size(); ++k)
        if (*keys[k].first == *keys[k - 1].first) twice = std::min(twice, keys[k].second);
    if (twice < keys.size())
        return fault(services.item(twice),
                     "service " + key_string(out.services[twice].service.key) + " is listed twice");
    return out;
}

}  // namespace

result<desired_state> state_from_json(std::string_view text) { return parse_state(text, false); }

namespace {

// What a SIGBUS during read_mapped() says, written before the file is mapped
// (a signal handler can only write what is ready).
char bus_message[1024];
std::size_t bus_message_size = 0;

void on_bus(int) {
    [[maybe_unused]] const auto n = write(STDERR_FILENO, bus_message, bus_message_size);
    _exit(2);
}

}  // namespace

std::optional<result<desired_state>> read_mapped(int fd, std::size_t size, const std::string& file,
                                                 const scope_callback& on_scope) {
    void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) return std::nullopt;
    // Pages the file no longer has fault when read: another process cut it
    // short (rewrote it in place) after its size was taken. That is said,
    // and the program ends as on other bad input (nothing has been changed
    // yet), rather than dying of the signal.
    const auto said = fmt::format_to_n(
        bus_message, sizeof bus_message - 1,
        "{}: the file shrank while it was read (another program rewrote it in place?); "
        "nothing was changed\n",
        file);
    bus_message_size = said.size < sizeof bus_message ? said.size : sizeof bus_message - 1;
    struct sigaction bus {
    }, before{};
    bus.sa_handler = on_bus;
    sigaction(SIGBUS, &bus, &before);
    auto state = parse_state({static_cast<const char*>(map), size}, true, on_scope);
    sigaction(SIGBUS, &before, nullptr);
    munmap(map, size);
    if (!state) return fail(std::move(state.error()).wrap(file));
    return state;
}

result<desired_state> read_state(const std::string& file, const scope_callback& on_scope) {
    std::FILE* f = file == "-" ? stdin : std::fopen(file.c_str(), "rb");
    if (!f)
        return fail(errc::invalid_argument,
                    fmt::format("cannot open {}: {}", file, std::strerror(errno)));
    struct stat st {};
    const std::size_t size = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)
                                 ? static_cast<std::size_t>(st.st_size)
                                 : 0;
    // A regular file whose last page has room for simdjson's padding (the
    // kernel fills it with zeros) is parsed where the page cache has it: no
    // copy, no buffer.
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    if (size > 0 && size % page != 0 && size % page <= page - simdjson::SIMDJSON_PADDING) {
        auto state = read_mapped(fileno(f), size, file, on_scope);
        if (state) {
            if (f != stdin) std::fclose(f);
            return std::move(*state);
        }
    }
    // Else one buffer the size of the file (a pipe's grows), with simdjson's
    // padding behind it and not zeroed first: no regrowth of a large state,
    // and simdjson parses it in place.
    auto out_of_memory = [&] {
        if (f != stdin) std::fclose(f);
        return fail(errc::invalid_argument, fmt::format("cannot read {}: out of memory", file));
    };
    simdjson::padded_string buf(
        std::max<std::size_t>(size + 1, 65536));  // + 1: the read that finds the end
    if (!buf.data()) return out_of_memory();
    std::size_t have = 0;
    for (;;) {
        if (have == buf.size()) {
            simdjson::padded_string bigger(2 * have);
            if (!bigger.data()) return out_of_memory();
            std::memcpy(bigger.data(), buf.data(), have);
            buf.swap(bigger);
        }
        const std::size_t got = std::fread(buf.data() + have, 1, buf.size() - have, f);
        have += got;
        if (got == 0) break;
    }
    const int bad = std::ferror(f) ? errno : 0;
    if (f != stdin) std::fclose(f);
    if (bad)
        return fail(errc::invalid_argument,
                    fmt::format("cannot read {}: {}", file, std::strerror(bad)));
    const std::string_view text(buf.data(), have);
    auto state = parse_state(text, true, on_scope);
    if (!state) return fail(std::move(state.error()).wrap(file));
    return state;
}

}  // namespace nlpp::ipvs::cli
