// nlpp/ipvs/client.hpp: the complete IPVS family over one long-lived socket.
//
// Every IPVS command: services (add, edit, delete, get one, list),
// destinations (add, edit, delete, list per service), sync daemons (start,
// stop, list), timeouts (set, get), info, zero (all or one service), flush,
// and SET_INFO (which the kernel answers with EOPNOTSUPP: it has no
// handler). Requests are checked before they are sent where the kernel
// would only say EINVAL, and kernel errors name their cause ("no such
// service" for ESRCH, "no such destination" or "no such scheduler" for
// ENOENT, "needs CAP_NET_ADMIN" for EPERM). A missing family means the
// ip_vs module is not loaded.
//
// snapshot() reads every service with its destinations (one dump plus one
// per service, as the kernel offers no more); apply() sends many changes
// pipelined (a batch of requests per send, then their ACKs), reporting the
// outcome of each. It is prepare() (checks and encodes, no socket) then
// send(), and a large list goes in chunks: each is sent from a second
// thread while the next is encoded, so the kernel is kept busy.
//
// The client acts in the network namespace its socket was opened in.
// Thread safety: as nlpp::socket, one client per thread.
//
// Example (given nlpp::ipvs::address vip, nlpp::ipvs::address backend):
//   auto ipvs = nlpp::ipvs::client::open({.netns = "lb"});
//   if (!ipvs) return nlpp::fail(ipvs.error());      // "... ip_vs module not loaded"
//   nlpp::ipvs::service web{.key = nlpp::ipvs::virtual_service{nlpp::ipvs::protocol::tcp, vip, 80}, .scheduler = "rr"};
//   if (auto r = ipvs->add_service(web); !r) return r;
//   if (auto r = ipvs->add_dest(web.key, {.address = backend, .port = 8080, .fwd = nlpp::ipvs::forwarding::masq}); !r)
//       return r;
//   auto all = ipvs->snapshot();
//   if (!all) return nlpp::fail(all.error());
//   for (const nlpp::ipvs::service_entry& entry : *all) { /* entry.service, entry.destinations */ }
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlpp/genl/genl.hpp>
#include <nlpp/ipvs/scope.hpp>
#include <nlpp/ipvs/types.hpp>
#include <nlpp/ipvs/wire.hpp>

namespace nlpp::ipvs {

/// One change, for apply() and reconcile plans.
struct change {
    /// The command.
    enum class kind { add_service, edit_service, del_service, add_dest, edit_dest, del_dest };
    kind what = kind::add_service;            ///< what the change does
    ipvs::service service{};                  ///< for dest ops: the service's key is what counts
    std::optional<ipvs::destination> dest{};  ///< the destination, for dest ops
    /// "add service TCP 10.0.0.1:80 (rr)", "del dest TCP 10.0.0.1:80 -> 192.0.2.1:80"
    NLPP_API std::string describe() const;
};

/// Checks what the kernel would reject with a bare EINVAL/ERANGE, and says why:
/// the rules between fields, and the request's attributes against the policy
/// tables of specs/ipvs.yaml (name lengths, the weight's limit, sizes).
NLPP_API result<void> validate(const service& s);
NLPP_API result<void> validate(const service_key& k, const destination& d);

/// Changes checked and encoded by prepare(), for client::send().
class NLPP_API prepared_changes {
public:
    prepared_changes() = default;  ///< no changes
    /// How many changes it holds (sent or answered).
    std::size_t size() const noexcept { return outcomes_.size(); }

private:
    friend NLPP_API prepared_changes prepare(std::span<const change> ops);
    friend class client;
    std::span<const change> ops_{};
    message_builder batch_{0, 0, std::size_t{1} << 30};
    std::vector<std::size_t> sent_{};               // the changes encoded, in order
    std::vector<std::optional<error>> outcomes_{};  // those found invalid, answered
};

/// Checks the changes (what validate() checks; a dest op needs its
/// destination) and encodes the valid ones for client::send(). It touches no
/// client, so it may run on one thread while a client sends on another (as
/// client::apply() does with chunks of a large list). `ops` must outlive the send.
NLPP_API prepared_changes prepare(std::span<const change> ops);

/// The IPVS family over one long-lived generic netlink socket: every command, snapshots and
/// pipelined changes.
class NLPP_API client {
public:
    /// Opens a socket and resolves the IPVS family.
    static result<client> open(const socket_options& options = {});

    /// Services.
    result<void> add_service(const service& s);
    result<void> edit_service(const service& s);       ///< changes a service's settings
    result<void> del_service(const service_key& key);  ///< deletes a service and its destinations
    result<service> get_service(const service_key& key);  ///< one service
    result<std::vector<service>> services();              ///< every service

    /// Destinations of a service.
    result<void> add_dest(const service_key& key, const destination& d);
    /// Changes a destination's settings.
    result<void> edit_dest(const service_key& key, const destination& d);
    result<void> del_dest(const service_key& key, const destination& d);  ///< by address and port
    /// The destinations of a service.
    result<std::vector<destination>> dests(const service_key& key);

    /// Connection synchronisation daemons.
    result<void> start_daemon(const sync_daemon& d);
    result<void> stop_daemon(daemon_state state);  ///< stops the sync daemon of that state
    result<std::vector<sync_daemon>> daemons();    ///< the running sync daemons

    /// Global settings and state.
    result<void> set_timeouts(const timeouts& t);
    result<timeouts> get_timeouts();  ///< the TCP, TCP FIN and UDP timeouts
    result<info> get_info();          ///< the IPVS version and connection table size
    result<void> set_info();          ///< the kernel has no handler: EOPNOTSUPP
    result<void> zero(
        const std::optional<service_key>& key = std::nullopt);  ///< counters of one or all
    result<void> flush();                                       ///< every service and destination

    /// Every service with its destinations: one service dump, then one
    /// destination dump per service. With `within`, only the services in that
    /// scope (the others' destinations are not read). A service deleted
    /// meanwhile (its destination dump comes back empty and a second service
    /// dump no longer lists it) is left out, and named in `vanished` when
    /// given; the second dump runs only when some service has no destinations.
    result<std::vector<service_entry>> snapshot(const scope* within = nullptr,
                                                std::vector<service_key>* vanished = nullptr);
    /// Called by apply() after each chunk: the index of its first change and
    /// the chunk's outcomes, in order. The next chunk is being sent meanwhile:
    /// it must not use the client.
    using apply_callback =
        std::function<void(std::size_t first, std::span<const std::optional<error>> outcomes)>;
    /// Sends the changes pipelined and returns one outcome per change
    /// (nullopt: done). More than 1,024 go in chunks of 1,024: each is sent
    /// (send()) on a second thread while this one checks and encodes the next
    /// (prepare()) and calls on_chunk for the one before. Fails as a whole
    /// only when the socket does (on_chunk has had the chunks before).
    result<std::vector<std::optional<error>>> apply(std::span<const change> ops,
                                                    const apply_callback& on_chunk = {});
    /// Sends what prepare() encoded, pipelined, and returns one outcome per
    /// change: nullopt (done), the kernel's error, or prepare()'s for a change
    /// it found invalid and did not send. Fails as a whole only when the socket does.
    result<std::vector<std::optional<error>>> send(prepared_changes p);

    /// Names the cause of a kernel error for command c (the errno's hint for
    /// this command). ENOENT for any command can also mean that the IPVS
    /// family went away after open() (ip_vs unloaded): nlctrl is asked again,
    /// and the error says so (errc::family_not_found), or, when the family
    /// came back under another id, this client uses the new id from the next
    /// request on. Every request of this client passes its errors through here.
    error explain(error e, command c);

    genl::client& genl() noexcept { return gc_; }  ///< the generic netlink client underneath
    /// The IPVS family id on this kernel.
    std::uint16_t family_id() const noexcept { return family_id_; }

private:
    client(genl::client gc, std::uint16_t id, const socket_options& dump_options)
        : gc_(std::move(gc)), family_id_(id), service_dump_options_(dump_options) {}
    message_builder request(command c) const;
    result<socket*> service_dump_socket();
    result<std::vector<destination>> dest_dump(socket& s, const service_key& key) const;
    result<void> exec(command c, message_builder& b, std::string what);

    genl::client gc_;
    std::uint16_t family_id_;
    socket_options service_dump_options_;
    std::optional<socket> service_dump_;  // opened by the first services()
    std::optional<socket> dest_dump_;     // snapshot()'s second socket for destination dumps
};

}  // namespace nlpp::ipvs
