// nlpp/asio/ynl.hpp: any family described by a YNL spec, spoken through the Asio socket:
// co_await run() for a do request (the reply as JSON), dump() as an async range of JSON replies in
// constant memory, notifications decoded and named. The same model as nlpp/asio/socket.hpp
// (docs/async.md); requests are built and replies decoded as nlpp::ynl::client does, and a
// kernel error names the offending attribute by the spec's name. Its own target, nlpp::asio_ynl,
// so that only its users link the spec engine (libfyaml).
//
// Example (given asio::io_context& io, const nlpp::ynl::spec& spec):
//   #include <asio/co_spawn.hpp>
//   #include <asio/detached.hpp>
//   #include <asio/io_context.hpp>
//   asio::co_spawn(io, [&]() -> asio::awaitable<void> {
//       auto c = nlpp::asio::ynl_client::open(io.get_executor(), spec);
//       if (!c) co_return;
//       auto links = c->dump({spec.find_op("getlink"), nlpp::ynl::mode::dump});
//       for (;;) {
//           auto link = co_await links.next();   // a JSON reply, nullptr at the end
//           if (!link || !*link) break;
//           std::printf("%s\n", (**link)["ifname"].get<std::string>().c_str());
//       }
//   }, asio::detached);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include <nlpp/asio/socket.hpp>
#include <nlpp/ynl/client.hpp>

namespace nlpp::asio {

/// One item of a ynl_client's notification stream: a decoded notification, or the news that
/// some were lost (then ynl_client::resync()).
using ynl_notification = std::variant<ynl::notification, events_lost>;

/// The replies of a ynl_client dump: `co_await next()` gives each decoded to JSON (valid until
/// the next next()), nullptr at the end, or the error. Constant memory, like dump_range.
class NLPP_API ynl_dump {
public:
    /// The next reply as JSON, nullptr at the end, or the dump's error (attributes by name).
    ::asio::awaitable<result<const nlohmann::ordered_json*>> next();

private:
    friend class ynl_client;
    ynl_dump(const ynl::spec& s, const ynl::operation& op, dump_range r, ynl::request_trace t,
             ynl::decode_options options);
    explicit ynl_dump(error e) : failed_(std::move(e)) {}
    const ynl::spec* spec_ = nullptr;
    const ynl::operation* op_ = nullptr;
    std::optional<dump_range> range_;
    ynl::request_trace trace_;
    ynl::decode_options options_;
    std::optional<error> failed_;
    nlohmann::ordered_json one_;
};

/// A family's spec spoken over the Asio socket; move-only; the spec must outlive it.
class NLPP_API ynl_client {
public:
    /// Opens the spec's protocol (in options.netns) on executor `ex`. For a genetlink family the
    /// id and multicast groups are resolved first through nlctrl on a blocking socket (a short
    /// wait here, as in nlpp::ynl::client::open).
    static result<ynl_client> open(::asio::any_io_executor ex, const ynl::spec& s,
                                   const socket_options& options = {});

    /// A do request (req.mode must be do_request), sent when awaited: the reply as JSON, or
    /// nullopt when the kernel sent only the ACK.
    ::asio::awaitable<result<std::optional<nlohmann::ordered_json>>> run(
        const ynl::request& req, const ynl::decode_options& options = {});
    /// A dump (req.mode must be dump) as an async range of JSON replies; sent by the first next().
    ynl_dump dump(const ynl::request& req, const ynl::decode_options& options = {});

    /// Joins a multicast group by its spec name.
    result<void> subscribe(std::string_view group);
    /// The next notification, decoded, or events_lost after an overrun (then resync()).
    ::asio::awaitable<result<ynl_notification>> next_notification(ynl::decode_options options = {});
    /// After events_lost: drops the queued notifications and those the kernel holds, then runs
    /// the dump `req` (req.mode must be dump), each reply decoded to on_state (the current
    /// state; its error ends the resync). The subscriptions stay on, so what changes during and
    /// after the dump follows through next_notification(): apply it on top (socket::resync).
    ::asio::awaitable<result<void>> resync(
        const ynl::request& req, std::function<result<void>(nlohmann::ordered_json)> on_state,
        ynl::decode_options options = {});

    const ynl::spec& spec() const noexcept { return *spec_; }  ///< the spec
    socket& raw() noexcept { return sock_; }                   ///< the Asio socket underneath

private:
    ynl_client(const ynl::spec& s, socket sock, ynl::resolved_family f)
        : spec_(&s), sock_(std::move(sock)), family_(std::move(f)) {}
    const ynl::spec* spec_;
    socket sock_;
    ynl::resolved_family family_;
};

}  // namespace nlpp::asio
