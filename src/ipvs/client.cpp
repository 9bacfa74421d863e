// The IPVS client: requests, errors that name their cause, snapshots, batches.
#include <nlpp/ipvs/client.hpp>

#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <array>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <functional>
#include <future>
#include <iterator>
#include <set>
#include <span>
#include <system_error>
#include <thread>
#include <type_traits>

#include <fmt/format.h>

namespace nlpp::ipvs {
namespace {

bool is_service_cmd(command c) {
    return c == command::new_service || c == command::set_service || c == command::del_service ||
           c == command::get_service || c == command::zero;
}
bool is_dest_cmd(command c) {
    return c == command::new_dest || c == command::set_dest || c == command::del_dest;
}

// The attributes `put` writes, checked against the spec's policy tables
// (specs/ipvs.yaml, generated into ipvs_tables.hpp: name lengths, the
// weight's limit, address and integer sizes) before the kernel sees them.
template <class Put>
result<void> check_tables(Put put) {
    std::array<std::byte, 4096> storage;
    message_builder b(storage, 0, 0);
    b.put_header(genl::header{});
    put(b);
    auto wire = b.finish();
    if (!wire) return fail(wire.error());
    return nlpp::validate(wire->subspan(message_header_size + genl::header_size), attr_names());
}

// Names the real cause of a kernel errno for this command.
error errno_cause(error e, command c) {
    switch (e.errno_value()) {
    case ESRCH:
        e.set_hint((c == command::del_daemon) ? "no such sync daemon running" : "no such service");
        break;
    case ENOENT:
        e.set_hint(
            is_dest_cmd(c) ? "no such destination"
            : (c == command::new_service || c == command::set_service)
                ? "no such scheduler or persistence engine (is its ip_vs_* module available?)"
                : "no such object");
        break;
    case EEXIST:
        e.set_hint(is_dest_cmd(c)             ? "destination already exists"
                   : c == command::new_daemon ? "sync daemon already running"
                                              : "service already exists");
        break;
    case EPERM: e.set_hint("needs CAP_NET_ADMIN (in the initial user namespace)"); break;
    case EOPNOTSUPP:
        e.set_hint(fmt::format("the kernel does not support {} this way", command_name(c)));
        break;
    case EAFNOSUPPORT:
        e.set_hint("address family not supported (kernel without IPv6 IPVS?)");
        break;
    case ERANGE:
        if (is_dest_cmd(c))
            e.set_hint("weight or thresholds out of range (lower threshold above upper?)");
        break;
    case EINVAL:
        if (is_dest_cmd(c))
            e.set_hint(
                "invalid destination (address not unicast or local, or mixed address families without tunnelling?)");
        else if (is_service_cmd(c))
            e.set_hint("invalid service arguments");
        else if (c == command::new_daemon)
            e.set_hint("invalid sync daemon arguments (multicast group?)");
        else if (c == command::set_config)
            e.set_hint("timeout out of range");
        break;
    default: break;
    }
    return e;
}

// A "do" whose one reply `parse` decodes.
template <class Parse>
auto one_reply(client& self, message_builder& b, command c, std::string what, Parse parse)
    -> result<typename std::invoke_result_t<Parse, message_view>::value_type> {
    using T = typename std::invoke_result_t<Parse, message_view>::value_type;
    std::optional<T> got;
    auto r = self.genl().raw().request(b,
                                       [&](message_view m) -> result<void> {
                                           auto v = parse(m);
                                           if (!v) return fail(v.error());
                                           got = std::move(*v);
                                           return {};
                                       },
                                       {what, genl::header_size, &attr_names()});
    if (!r) return fail(self.explain(std::move(r.error()), c));
    if (!got) return fail(errc::attr_missing, what + ": no reply");
    return std::move(*got);
}

// A dump whose every reply `parse` decodes. `what` names the request only on
// failure; the error is the kernel's, not yet explain()ed (snapshot() runs
// this on a second thread, and explain() may ask nlctrl on the client's socket).
template <class Parse>
auto dump_all(socket& s, message_builder& b, const std::function<std::string()>& what, Parse parse)
    -> result<std::vector<typename std::invoke_result_t<Parse, message_view>::value_type>> {
    std::vector<typename std::invoke_result_t<Parse, message_view>::value_type> out;
    auto r = s.dump(b,
                    [&](message_view m) -> result<void> {
                        auto v = parse(m);
                        if (!v) return fail(v.error());
                        out.push_back(std::move(*v));
                        return {};
                    },
                    {{}, genl::header_size, &attr_names()});
    if (!r) return fail(std::move(r.error()).wrap(what()));
    return out;
}

// The same, with the error's cause named for command c.
template <class Parse>
auto all_replies(client& self, socket& s, message_builder& b, command c,
                 const std::function<std::string()>& what, Parse parse) {
    auto r = dump_all(s, b, what, parse);
    if (!r) return decltype(r)(fail(self.explain(std::move(r.error()), c)));
    return r;
}

}  // namespace

std::string change::describe() const {
    static constexpr const char* verbs[] = {"add service", "edit service", "del service",
                                            "add dest",    "edit dest",    "del dest"};
    std::string s = verbs[static_cast<int>(what)];
    s += ' ';
    s += key_string(service.key);
    if (dest) {
        const auto& d = *dest;
        s += " -> ";
        s += endpoint_string(d.address, d.port);
        if (what != kind::del_dest)
            fmt::format_to(std::back_inserter(s), " ({}, weight {})", forwarding_name(d.fwd),
                           d.weight);
    } else if (what != kind::del_service) {
        s += " (";
        s += service.scheduler;
        s += ')';
    }
    return s;
}

result<void> validate(const service& s) {
    const auto what = [&] { return key_string(s.key); };  // named only on failure
    if (s.scheduler.empty())
        return fail(errc::invalid_argument, fmt::format("service {}: no scheduler name", what()));
    const std::uint16_t af = key_family(s.key);
    if (af != AF_INET && af != AF_INET6)
        return fail(
            errc::invalid_argument,
            fmt::format("service {}: address family {} is neither IPv4 nor IPv6", what(), af));
    if (s.netmask > (af == AF_INET6 ? 128 : 32))
        return fail(
            errc::invalid_argument,
            fmt::format("service {}: netmask /{} is longer than the address", what(), s.netmask));
    if (const auto* f = std::get_if<firewall_mark>(&s.key); f && f->mark == 0)
        return fail(errc::invalid_argument,
                    fmt::format("service {}: a firewall mark must not be 0", what()));
    if (auto t = check_tables([&](message_builder& b) { put_service(b, s); }); !t)
        return fail(std::move(t.error()).wrap("service " + what()));
    return {};
}

result<void> validate(const service_key& k, const destination& d) {
    const auto what = [&] {
        return fmt::format("destination {} of {}", d.address.to_string(), key_string(k));
    };
    if (d.lower_threshold > d.upper_threshold)
        return fail(errc::invalid_argument,
                    fmt::format("{}: lower threshold {} is above upper threshold {} (the kernel "
                                "rejects this even when the upper threshold is 0)",
                                what(), d.lower_threshold, d.upper_threshold));
    if (d.fwd == forwarding::tunnel && d.tun_type == tunnel_type::gue && d.tun_port == 0)
        return fail(errc::invalid_argument,
                    fmt::format("{}: GUE tunnelling needs a tunnel port", what()));
    if (d.address.family != key_family(k) && d.fwd != forwarding::tunnel)
        return fail(
            errc::invalid_argument,
            fmt::format("{}: a destination of another address family needs tunnel forwarding",
                        what()));
    if (auto t = check_tables([&](message_builder& b) {
            put_service_key(b, k);
            put_dest(b, d, true);
        });
        !t)
        return fail(std::move(t.error()).wrap(what()));
    return {};
}

namespace {

// IPVS messages are small and a snapshot is one dump per service: 4 KiB
// reads make the kernel allocate 4 KiB dump buffers instead of 32 KiB,
// which makes those dumps about a third faster.
// The service dump is the exception: see services().
socket_options dest_dump_options(socket_options o) {
    if (o.read_size == socket_options{}.read_size) o.read_size = 4096;
    return o;
}

}  // namespace

result<client> client::open(const socket_options& options) {
    auto gc = genl::client::open(dest_dump_options(options));
    if (!gc) return fail(gc.error());
    auto f = gc->family(family::name);
    if (!f) {
        if (f.error().is(errc::family_not_found)) {
            error e(errc::family_not_found, "IPVS generic netlink family");
            e.set_hint("ip_vs module not loaded (modprobe ip_vs)");
            return fail(std::move(e));
        }
        return fail(f.error());
    }
    const auto id = (*f)->id;
    return client(std::move(*gc), id, options);
}

error client::explain(error e, command c) {
    if (e.errno_value() == ENOENT) {
        gc_.forget(family::name);
        auto f = gc_.family(family::name);
        if (!f && f.error().is(errc::family_not_found)) {
            error gone(errc::family_not_found, e.context());
            gone.set_hint(
                "the IPVS family is gone: ip_vs was unloaded after this client resolved it (modprobe ip_vs)");
            return gone;
        }
        if (f && (*f)->id != family_id_) {
            family_id_ = (*f)->id;
            e.set_hint(
                "the IPVS family was registered again under a new id (ip_vs reloaded): retry");
            return e;
        }
    }
    return errno_cause(std::move(e), c);
}

message_builder client::request(command c) const {
    return genl::make_request(family_id_, cmd(c), family::version);
}

result<void> client::exec(command c, message_builder& b, std::string what) {
    auto r = gc_.raw().request(b, {}, {std::move(what), genl::header_size, &attr_names()});
    if (!r) return fail(explain(std::move(r.error()), c));
    return {};
}

result<void> client::add_service(const service& s) {
    if (auto v = validate(s); !v) return v;
    auto b = request(command::new_service);
    put_service(b, s);
    return exec(command::new_service, b, "add service " + key_string(s.key));
}

result<void> client::edit_service(const service& s) {
    if (auto v = validate(s); !v) return v;
    auto b = request(command::set_service);
    put_service(b, s);
    return exec(command::set_service, b, "edit service " + key_string(s.key));
}

result<void> client::del_service(const service_key& key) {
    auto b = request(command::del_service);
    put_service_key(b, key);
    return exec(command::del_service, b, "delete service " + key_string(key));
}

result<service> client::get_service(const service_key& key) {
    auto b = request(command::get_service);
    put_service_key(b, key);
    return one_reply(*this, b, command::get_service, "get service " + key_string(key),
                     parse_service);
}

// The kernel's service dump resumes by position: for every buffer it fills
// it walks its service table from the start, so a dump of N services costs
// N / (services per buffer) walks. It is read in the largest buffers the
// kernel makes (32 KiB: 8 times fewer walks than 4 KiB), on a socket of its
// own, since a netlink socket keeps the largest read it has seen as its
// dump buffer size and the destination dumps are faster with 4 KiB.
result<socket*> client::service_dump_socket() {
    if (!service_dump_) {
        auto s = socket::open(NETLINK_GENERIC, service_dump_options_);
        if (!s) return fail(std::move(s.error()).wrap("list services"));
        service_dump_.emplace(std::move(*s));
    }
    return &*service_dump_;
}

result<std::vector<service>> client::services() {
    auto s = service_dump_socket();
    if (!s) return fail(std::move(s.error()));
    auto b = request(command::get_service);
    return all_replies(
        *this, **s, b, command::get_service, [] { return std::string("list services"); },
        parse_service);
}

result<void> client::add_dest(const service_key& key, const destination& d) {
    if (auto v = validate(key, d); !v) return v;
    auto b = request(command::new_dest);
    put_service_key(b, key);
    put_dest(b, d, true);
    return exec(command::new_dest, b,
                fmt::format("add destination {} to {}", d.address.to_string(), key_string(key)));
}

result<void> client::edit_dest(const service_key& key, const destination& d) {
    if (auto v = validate(key, d); !v) return v;
    auto b = request(command::set_dest);
    put_service_key(b, key);
    put_dest(b, d, true);
    return exec(command::set_dest, b,
                fmt::format("edit destination {} of {}", d.address.to_string(), key_string(key)));
}

result<void> client::del_dest(const service_key& key, const destination& d) {
    auto b = request(command::del_dest);
    put_service_key(b, key);
    put_dest(b, d, false);
    return exec(command::del_dest, b,
                fmt::format("delete destination {} of {}", d.address.to_string(), key_string(key)));
}

result<std::vector<destination>> client::dests(const service_key& key) {
    auto d = dest_dump(gc_.raw(), key);
    if (!d) return fail(explain(std::move(d.error()), command::get_dest));
    return d;
}

result<std::vector<destination>> client::dest_dump(socket& s, const service_key& key) const {
    auto b = request(command::get_dest);
    put_service_key(b, key);
    const auto af = key_family(key);
    return dump_all(  // runs once per service in snapshot(): the context is named only on failure
        s, b, [&] { return "list destinations of " + key_string(key); },
        [af](message_view m) { return parse_dest(m, af); });
}

result<void> client::start_daemon(const sync_daemon& d) {
    if (d.mcast_ifn.empty()) return fail(errc::invalid_argument, "sync daemon: no interface name");
    if (auto t = check_tables([&](message_builder& b) { put_daemon(b, d); }); !t)
        return fail(std::move(t.error()).wrap("sync daemon"));
    auto b = request(command::new_daemon);
    put_daemon(b, d);
    return exec(
        command::new_daemon, b,
        fmt::format("start {} sync daemon", d.state == daemon_state::backup ? "backup" : "master"));
}

result<void> client::stop_daemon(daemon_state state) {
    auto b = request(command::del_daemon);
    put_daemon_state(b, state);
    return exec(
        command::del_daemon, b,
        fmt::format("stop {} sync daemon", state == daemon_state::backup ? "backup" : "master"));
}

result<std::vector<sync_daemon>> client::daemons() {
    auto b = request(command::get_daemon);
    return all_replies(
        *this, gc_.raw(), b, command::get_daemon, [] { return std::string("list sync daemons"); },
        parse_daemon);
}

result<void> client::set_timeouts(const timeouts& t) {
    auto b = request(command::set_config);
    put_timeouts(b, t);
    return exec(command::set_config, b, "set timeouts");
}

result<timeouts> client::get_timeouts() {
    auto b = request(command::get_config);
    return one_reply(*this, b, command::get_config, "get timeouts", parse_timeouts);
}

result<info> client::get_info() {
    auto b = request(command::get_info);
    return one_reply(*this, b, command::get_info, "get info", parse_info);
}

result<void> client::set_info() {
    auto b = request(command::set_info);
    return exec(command::set_info, b, "set info");
}

result<void> client::zero(const std::optional<service_key>& key) {
    auto b = request(command::zero);
    if (key) put_service_key(b, *key);
    return exec(command::zero, b,
                key ? "zero counters of " + key_string(*key) : "zero all counters");
}

result<void> client::flush() {
    auto b = request(command::flush);
    return exec(command::flush, b, "flush");
}

result<std::vector<service_entry>> client::snapshot(const scope* within,
                                                    std::vector<service_key>* vanished) {
    auto svcs = services();
    if (!svcs) return fail(svcs.error());
    std::vector<service_entry> out;
    out.reserve(svcs->size());
    for (auto& s : *svcs)
        if (!within || within->contains(s.key)) out.push_back({std::move(s), {}});
    // One GET_DEST dump per service: the kernel finishes a dump
    // (NLMSG_DONE) only when its reply is read, and refuses a second dump on
    // a socket (EBUSY) until then, so dumps cannot be pipelined on one
    // socket. Two sockets take half each, one on a thread of its own: on
    // 6.1 the kernel runs the dump callbacks one at a time (the genetlink
    // mutex), but each socket's system calls, the kernel's buffer
    // allocation and copies and the decoding overlap the other's dump.
    auto dump_part = [this](socket& s, std::span<service_entry> part) -> std::optional<error> {
        for (auto& e : part) {
            auto d = dest_dump(s, e.service.key);
            if (d)
                e.destinations = std::move(*d);
            else if (d.error().errno_value() != ENOENT)  // ENOENT: the service is gone (see below)
                return std::move(d.error());
        }
        return std::nullopt;
    };
    const std::span<service_entry> all(out);
    std::optional<error> failed, failed_there;
    constexpr std::size_t two_sockets_from = 64;  // below this a thread is not worth starting
    socket* second = nullptr;
    if (out.size() >= two_sockets_from) {
        if (!dest_dump_)
            if (auto s = socket::open(NETLINK_GENERIC, dest_dump_options(service_dump_options_)))
                dest_dump_.emplace(std::move(*s));
        if (dest_dump_) second = &*dest_dump_;  // else: one socket does it all
    }
    const auto half = all.size() / 2;
    std::optional<std::thread> there;
    try {
        if (second) there.emplace([&] { failed_there = dump_part(*second, all.subspan(half)); });
    } catch (const std::system_error&) {  // no thread to be had: one socket does it all
    }
    if (there) {
        failed = dump_part(gc_.raw(), all.first(half));
        there->join();
        if (!failed) failed = std::move(failed_there);
    } else {
        failed = dump_part(gc_.raw(), all);
    }
    if (failed) return fail(explain(std::move(*failed), command::get_dest).wrap("snapshot"));
    // A service deleted after the service dump answers its destination dump
    // empty (or with ENOENT), like a service without destinations: a second
    // service dump tells them apart.
    if (std::any_of(out.begin(), out.end(),
                    [](const service_entry& e) { return e.destinations.empty(); })) {
        auto again = services();
        if (!again) return fail(std::move(again.error()).wrap("snapshot: second service dump"));
        std::set<service_key> still;
        for (const auto& s : *again) still.insert(s.key);
        std::erase_if(out, [&](const service_entry& e) {
            if (!e.destinations.empty() || still.contains(e.service.key)) return false;
            if (vanished) vanished->push_back(e.service.key);
            return true;
        });
    }
    return out;
}

namespace {

// The command of each change::kind.
constexpr command change_commands[] = {command::new_service, command::set_service,
                                       command::del_service, command::new_dest,
                                       command::set_dest,    command::del_dest};

// A change's request, its nlmsg_type left for send() to set.
void encode(message_builder& b, const change& op) {
    using k = change::kind;
    b.put_header(genl::header{cmd(change_commands[static_cast<int>(op.what)]), family::version, 0});
    switch (op.what) {
    case k::add_service:
    case k::edit_service: put_service(b, op.service); break;
    case k::del_service: put_service_key(b, op.service.key); break;
    case k::add_dest:
    case k::edit_dest:
    case k::del_dest:
        put_service_key(b, op.service.key);
        put_dest(b, op.dest.value_or(destination{}), op.what != k::del_dest);
        break;
    }
}

}  // namespace

prepared_changes prepare(std::span<const change> ops) {
    prepared_changes p;
    p.ops_ = ops;
    p.outcomes_.resize(ops.size());
    // Invalid changes are answered here and not sent; the rest go in one batch.
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const auto& op = ops[i];
        result<void> v;
        if (op.what == change::kind::add_service || op.what == change::kind::edit_service)
            v = validate(op.service);
        else if (op.dest && op.what != change::kind::del_dest)
            v = validate(op.service.key, *op.dest);
        else if (!op.dest && op.what >= change::kind::add_dest)
            v = fail(errc::invalid_argument, op.describe() + ": no destination given");
        if (!v) {
            p.outcomes_[i] = v.error();
            continue;
        }
        if (!p.sent_.empty()) p.batch_.begin(0, 0);
        encode(p.batch_, op);
        p.sent_.push_back(i);
    }
    return p;
}

result<std::vector<std::optional<error>>> client::send(prepared_changes p) {
    std::vector<std::optional<error>>& out = p.outcomes_;
    if (p.sent_.empty()) return std::move(out);
    // Every request is for this client's family (the id prepare() could not know).
    const std::uint16_t sent_id = family_id_;
    auto wire = p.batch_.finish();
    if (!wire) return fail(wire.error());
    for (std::size_t at = 0; at < wire->size();  // the builder wrote each nlmsg_len (>= 16)
         at += align4(load<std::uint32_t>(wire->subspan(at))))
        store<std::uint16_t>(wire->subspan(at + 4), sent_id);
    const auto ops = p.ops_;
    const auto& sent = p.sent_;
    auto results = gc_.raw().request_batch(p.batch_, [&](std::size_t k) {
        return request_info{ops[sent[k]].describe(), genl::header_size, &attr_names()};
    });
    if (!results) return fail(results.error());
    // The family is asked about once per batch: the first ENOENT tells
    // whether it went away or moved; later ones are named the same way.
    std::optional<error> first_enoent;
    for (std::size_t k = 0; k < sent.size(); ++k) {
        if (!(*results)[k]) continue;
        error e = std::move(*(*results)[k]);
        const command c = change_commands[static_cast<int>(ops[sent[k]].what)];
        if (e.errno_value() != ENOENT) {
            e = errno_cause(std::move(e), c);
        } else if (!first_enoent) {
            e = explain(std::move(e), c);
            first_enoent = e;
        } else if (first_enoent->is(errc::family_not_found) || family_id_ != sent_id) {
            first_enoent->set_context(e.context());  // the same cause, this change's context
            e = *first_enoent;
        } else {
            e = errno_cause(std::move(e), c);
        }
        out[sent[k]] = std::move(e);
    }
    return std::move(out);
}

result<std::vector<std::optional<error>>> client::apply(std::span<const change> ops,
                                                        const apply_callback& on_chunk) {
    static constexpr std::size_t chunk = 1024;
    if (ops.size() <= chunk) {  // one chunk: nothing to overlap
        auto got = send(prepare(ops));
        if (got && on_chunk) on_chunk(0, *got);
        return got;
    }
    auto part = [ops](std::size_t from) {
        return prepare(ops.subspan(from, std::min(chunk, ops.size() - from)));
    };
    // With no thread to be had, it runs when awaited (libstdc++ falls back to deferred).
    auto send_there = [this](prepared_changes p) {
        return std::async(std::launch::async | std::launch::deferred,
                          [this, p = std::move(p)]() mutable { return send(std::move(p)); });
    };
    std::vector<std::optional<error>> out;
    out.reserve(ops.size());
    auto in_flight = send_there(part(0));
    for (std::size_t from = 0; from < ops.size(); from += chunk) {
        std::optional<prepared_changes> next;
        if (from + chunk < ops.size()) next = part(from + chunk);
        auto got = in_flight.get();
        if (!got) return fail(std::move(got.error()));
        if (next) in_flight = send_there(std::move(*next));
        if (on_chunk) on_chunk(from, *got);
        std::move(got->begin(), got->end(), std::back_inserter(out));
    }
    return out;
}

}  // namespace nlpp::ipvs
