// nlpp/asio/family_socket.hpp: a family that nlpp-gen generated, spoken through the Asio socket:
// co_await do_<Op>(), dump<Op>() as an async range of decoded messages, notifications decoded
// with as<Op>(). The same model as nlpp/asio/socket.hpp (docs/async.md); the typed half is
// nlpp::gen::family_socket's (request building, the spec's checks, decoding).
//
// Example (given asio::io_context& io):
//   #include <ipvs.hpp>                        // nlpp-gen --spec specs/ipvs.yaml
//   #include <asio/co_spawn.hpp>
//   #include <asio/detached.hpp>
//   #include <asio/io_context.hpp>
//   namespace ipvs = nlpp::gen::IPVS;
//   asio::co_spawn(io, [&]() -> asio::awaitable<void> {
//       auto s = nlpp::asio::family_socket<ipvs::spec_info>::open(io.get_executor());
//       if (!s) co_return;                      // e.g. the ip_vs module is not loaded
//       const nlpp::gen::message<ipvs::ops::get_service> all{};
//       auto services = s->dump(all);
//       for (;;) {
//           auto m = co_await services.next();   // a decoded message, nullptr at the end
//           if (!m || !*m) break;
//           if ((*m)->attrs.service && (*m)->attrs.service->port)
//               std::printf("port %u\n", unsigned{*(*m)->attrs.service->port});
//       }
//   }, asio::detached);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlpp/asio/socket.hpp>
#include <nlpp/gen/family_socket.hpp>
#include <nlpp/gen/types.hpp>
#include <nlpp/genl/genl.hpp>

namespace nlpp::asio {

/// The replies of a typed dump: `co_await next()` gives each decoded (valid until the next
/// next()), nullptr at the end, or the error. Constant memory, like dump_range.
template <class Op>
class typed_dump {
public:
    /// The next message decoded, nullptr at the end, or the dump's error.
    ::asio::awaitable<result<const gen::message<Op>*>> next() {
        if (failed_) co_return fail(*failed_);
        result<std::optional<message_view>> m{std::nullopt};
        try {
            m = co_await range_->next();
        } catch (const std::system_error& e) {  // the caller's coroutine was already cancelled
            co_return fail(error(e.code(), std::string(Op::name)));
        }
        if (!m) co_return fail(std::move(m.error()));
        if (!*m) co_return nullptr;
        one_.header = {};
        if constexpr (!std::is_same_v<typename Op::attributes, gen::none>)
            clear(one_.attrs);  // found by ADL
        if (auto r = gen::parse<Op>(**m, one_); !r) co_return fail(std::move(r.error()));
        co_return &one_;
    }

private:
    template <class>
    friend class family_socket;
    explicit typed_dump(dump_range r) : range_(std::move(r)) {}
    explicit typed_dump(error e) : failed_(std::move(e)) {}
    std::optional<dump_range> range_;
    std::optional<error> failed_;
    gen::message<Op> one_;
};

/// A generated family over the Asio socket; Info is its generated spec_info. Move-only; do not
/// move it while its operations are pending.
template <class Info>
class family_socket {
    using base = gen::family_socket<Info>;

public:
    /// Opens the family's protocol (in options.netns) on executor `ex`. For genetlink, the family
    /// id and groups are resolved first through nlctrl on a blocking socket (a short wait here).
    static result<family_socket> open(::asio::any_io_executor ex,
                                      const socket_options& options = {}) {
        std::uint16_t id = 0;
        std::vector<genl::mcast_group> groups;
        if constexpr (Info::is_genetlink) {
            socket_options blocking = options;
            blocking.nonblocking = false;
            auto tmp = nlpp::socket::open(Info::protocol, blocking);
            if (!tmp) return fail(std::move(tmp.error()));
            auto fam = genl::resolve(*tmp, Info::name);
            if (!fam) return fail(std::move(fam.error()));
            id = fam->id;
            groups = std::move(fam->mcast_groups);
        } else {
            for (const gen::group_info& g : Info::mcast_groups)
                groups.push_back({std::string(g.name), g.value});
        }
        auto s = socket::open(std::move(ex), Info::protocol, options);
        if (!s) return fail(std::move(s.error()));
        return family_socket(std::move(*s), id, std::move(groups));
    }

    /// Op's do request (flags such as NLM_F_CREATE | NLM_F_EXCL for new* ops), built and checked
    /// now, sent when awaited; the reply decoded, or an empty message when Op has none.
    template <class Op>
    ::asio::awaitable<result<gen::message<Op>>> do_(const gen::message<Op>& req,
                                                    std::uint16_t flags = 0) {
        static_assert(Op::has_do, "this operation has no do request");
        return run_do<Op>(base::template checked<Op>(req, flags, family_id_));
    }

    /// Op's dump as an async range of decoded messages.
    template <class Op>
    typed_dump<Op> dump(const gen::message<Op>& req) {
        static_assert(Op::has_dump, "this operation has no dump");
        auto b = base::template checked<Op>(req, 0, family_id_);
        if (!b) return typed_dump<Op>(std::move(b.error()));
        return typed_dump<Op>(sock_.dump(*b, base::template info<Op>()));
    }

    /// Joins a multicast group by its spec name.
    result<void> subscribe(std::string_view group) {
        for (const auto& g : groups_)
            if (g.name == group) return sock_.subscribe(g.id);
        return fail(errc::invalid_argument, "no multicast group '" + std::string(group) + "' in " +
                                                std::string(Info::name));
    }
    /// The next notification or events_lost (socket::next_notification); match it with as<Op>().
    ::asio::awaitable<result<notification>> next_notification() {
        return sock_.next_notification();
    }
    /// `m` decoded as a message of Op, or nullopt when it belongs to another operation.
    template <class Op>
    static result<std::optional<gen::message<Op>>> as(message_view m) {
        return base::template as<Op>(m);
    }

    socket& raw() noexcept { return sock_; }  ///< the Asio socket underneath
    /// The family's id on this kernel (0 for netlink-raw families).
    std::uint16_t family_id() const noexcept { return family_id_; }

private:
    family_socket(socket s, std::uint16_t id, std::vector<genl::mcast_group> groups)
        : sock_(std::move(s)), family_id_(id), groups_(std::move(groups)) {}

    template <class Op>
    ::asio::awaitable<result<gen::message<Op>>> run_do(result<message_builder> b) {
        if (!b) co_return fail(std::move(b.error()));
        gen::message<Op> reply;
        const reply_handler decode = [&](message_view m) { return gen::parse<Op>(m, reply); };
        const request_info info = base::template info<Op>();
        result<void> r;
        try {
            r = co_await sock_.request(*b, decode, info);
        } catch (const std::system_error& e) {  // the caller's coroutine was already cancelled
            co_return fail(error(e.code(), info.what));
        }
        if (!r) co_return fail(std::move(r.error()));
        co_return reply;
    }

    socket sock_;
    std::uint16_t family_id_ = 0;
    std::vector<genl::mcast_group> groups_;
};

}  // namespace nlpp::asio
