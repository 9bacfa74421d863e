// nlpp/ynl/client.hpp: speak any family described by a YNL spec.
//
// A client opens the spec's socket (NETLINK_GENERIC with the family and its
// multicast groups resolved through nlctrl, or the raw protocol number),
// sends requests built from JSON (put_request) and hands every reply to a
// callback as decoded JSON (decode). One call runs one request or a batch
// of several in one datagram (nftables' batch-begin ... batch-end), each
// answered in order; dumps stream, so memory stays flat in dump size.
// Kernel errors carry the extack message and the offending or missing
// attribute's path by name, through nests and sub-messages.
//
// Example:
//   auto file = nlpp::ynl::find_spec("rt-link");      // NLPP_SPEC_PATH, /usr/share/ynl/specs...
//   if (!file) return nlpp::fail(file.error());
//   auto spec = nlpp::ynl::load_spec(*file);
//   if (!spec) return nlpp::fail(spec.error());
//   auto c = nlpp::ynl::client::open(*spec, {.netns = "blue"});
//   if (!c) return nlpp::fail(c.error());
//   nlpp::ynl::request req{spec->find_op("getlink"), nlpp::ynl::mode::dump};
//   auto r = c->run(req, [](nlohmann::ordered_json&& link) -> nlpp::result<void> {
//       std::cout << link["ifname"] << '\n';
//       return {};
//   });
//   if (!r) std::cerr << r.error() << '\n';
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlpp/genl/genl.hpp>
#include <nlpp/socket/socket.hpp>
#include <nlpp/ynl/decode.hpp>
#include <nlpp/ynl/encode.hpp>

namespace nlpp::ynl {

enum class mode { do_request, dump };

/// NLM_F_* request flags for "new" operations of classic families.
inline constexpr std::uint16_t flag_replace = 0x100, flag_excl = 0x200, flag_create = 0x400,
                               flag_append = 0x800;

/// One request: an operation, do or dump, its JSON and flags.
struct request {
    const operation* op = nullptr;      ///< the operation
    ynl::mode mode = mode::do_request;  ///< do or dump
    nlohmann::ordered_json attrs =
        nlohmann::ordered_json::object();  ///< fixed-header fields and attributes
    std::uint16_t flags = 0;               ///< flag_create etc.
};

/// A notification, decoded.
struct notification {
    /// The operation it belongs to: the (last) one whose reply has its id, or
    /// for a classic family's deletion (RTM_DELLINK...) the one with its request id.
    std::string name;
    nlohmann::ordered_json msg;  ///< its JSON
};

/// A family's id and multicast groups on this kernel (what client::open resolves).
struct resolved_family {
    std::uint16_t id = 0;                   ///< genetlink: the family id; 0 for netlink-raw
    std::vector<genl::mcast_group> groups;  ///< ids from nlctrl (genetlink) or the spec
};
/// Resolves `s` through nlctrl on `sock` (a blocking NETLINK_GENERIC socket) when it is a
/// genetlink family; a netlink-raw family's groups come from the spec and `sock` is not used.
NLPP_API result<resolved_family> resolve_family(const spec& s, socket& sock);
/// Appends `req` as one message to `b` (or starts b's first message), for family id `family_id`
/// (genetlink; ignored otherwise); `trace` records where each attribute went (client::build).
NLPP_API result<void> build_request(const spec& s, std::uint16_t family_id, const request& req,
                                    std::optional<message_builder>& b,
                                    request_trace* trace = nullptr);
/// The id of multicast group `group` among `groups`, or an error listing those there are.
NLPP_API result<std::uint32_t> find_group(const spec& s, std::span<const genl::mcast_group> groups,
                                          std::string_view group);
/// Notification `m` of `s` (family id `family_id` for genetlink) decoded and named.
NLPP_API result<notification> decode_notification(const spec& s, std::uint16_t family_id,
                                                  message_view m,
                                                  const decode_options& options = {});

/// Speaks a family from its spec over one socket.
class NLPP_API client {
public:
    /// `s` must outlive the client.
    static result<client> open(const spec& s, const socket_options& options = {});

    const ynl::spec& spec() const noexcept { return *spec_; }  ///< the spec
    socket& raw() noexcept { return sock_; }                   ///< the socket underneath

    /// Every request of `reqs`, in one datagram, answered in order: replies go
    /// to on_message with the request's index, undecoded (decode() or
    /// decode_text() them). Returns one outcome per request (nullopt:
    /// success); fails as a whole on bad input or I/O errors.
    using message_callback = batch_handler;
    /// @{ Sends `reqs` and hands each reply to on_message.
    result<batch_outcomes> exchange(std::span<const request> reqs,
                                    const message_callback& on_message);
    /// @}
    /// The same with each reply decoded to JSON.
    using reply_callback =
        std::function<result<void>(std::size_t index, nlohmann::ordered_json&& reply)>;
    /// @{ Sends `reqs` and hands each reply to on_reply as JSON.
    result<batch_outcomes> run_batch(std::span<const request> reqs, const reply_callback& on_reply,
                                     const decode_options& options = {});
    /// @}
    /// One request; its failure is the error.
    result<void> run(const request& req,
                     const std::function<result<void>(nlohmann::ordered_json&&)>& on_reply = {},
                     const decode_options& options = {});

    /// Appends `req` as one message to `b` (or starts b's first message);
    /// exposed for tests and tools that compare bytes.
    result<void> build(const request& req, std::optional<message_builder>& b,
                       request_trace* trace = nullptr) const;

    /// Notifications: join a multicast group by its spec name, then read.
    result<void> subscribe(std::string_view group);
    /// The next notification of the joined groups.
    result<notification> next_notification(const decode_options& options = {});

private:
    client(const ynl::spec& s, socket sock, std::uint16_t family_id,
           std::vector<genl::mcast_group> groups)
        : spec_(&s), sock_(std::move(sock)), family_id_(family_id), groups_(std::move(groups)) {}
    result<notification> decode_notification(message_view m, const decode_options& options) const;

    const ynl::spec* spec_;
    socket sock_;
    std::uint16_t family_id_ = 0;  ///< genetlink: the family id
    std::vector<genl::mcast_group>
        groups_;  ///< ids from nlctrl (genetlink) or the spec (netlink-raw)
};

}  // namespace nlpp::ynl
