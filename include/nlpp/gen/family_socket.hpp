// nlpp/gen/family_socket.hpp: a socket speaking one family that nlpp-gen
// generated from its YNL spec. The generated header (<family>.hpp)
// includes this one.
//
// family_socket<spec_info> speaks the family over an nlpp socket: do_<Op>(),
// dump<Op>() (streamed), subscribe() and as<Op>() for notifications, with
// genetlink family ids and groups resolved through nlctrl and every request
// checked against the spec's limits before it is sent.
//
// Example:
//   #include <ipvs.hpp>                        // nlpp-gen --spec specs/ipvs.yaml
//   namespace ipvs = nlpp::gen::IPVS;
//   auto s = nlpp::gen::family_socket<ipvs::spec_info>::open();
//   if (!s) return nlpp::fail(s.error());   // e.g. the ip_vs module is not loaded
//   using get_service = nlpp::gen::message<ipvs::ops::get_service>;
//   return s->dump(get_service{}, [](const get_service& m) {
//       if (m.attrs.service && m.attrs.service->port) std::printf("port %u\n", unsigned{*m.attrs.service->port});
//   });
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlpp/core/extack.hpp>
#include <nlpp/gen/types.hpp>
#include <nlpp/genl/genl.hpp>
#include <nlpp/socket/socket.hpp>

namespace nlpp::gen {

/// A socket speaking one generated family; Info is its generated spec_info.
/// Move-only like nlpp::socket; one per thread.
template <class Info>
class family_socket {
public:
    /// Opens the family's protocol (in options.netns) and, for genetlink,
    /// resolves the family id and groups (errc::family_not_found names the module hint).
    static result<family_socket> open(const socket_options& options = {}) {
        auto s = socket::open(Info::protocol, options);
        if (!s) return fail(std::move(s.error()));
        family_socket f(std::move(*s));
        if constexpr (Info::is_genetlink) {
            auto fam = genl::resolve(f.sock_, Info::name);
            if (!fam) return fail(std::move(fam.error()));
            f.family_id_ = fam->id;
            f.groups_ = std::move(fam->mcast_groups);
        } else {
            for (const group_info& g : Info::mcast_groups)
                f.groups_.push_back({std::string(g.name), g.value});
        }
        return f;
    }

    /// Op's do request (flags such as NLM_F_CREATE | NLM_F_EXCL for new* ops);
    /// the reply decoded, or an empty message when Op has none.
    template <class Op>
    result<message<Op>> do_(const message<Op>& req, std::uint16_t flags = 0) {
        static_assert(Op::has_do, "this operation has no do request");
        auto b = checked<Op>(req, flags, family_id_);
        if (!b) return fail(std::move(b.error()));
        message<Op> reply;
        auto r = sock_.request(
            *b, [&](message_view m) { return parse<Op>(m, reply); }, info<Op>());
        if (!r) return fail(std::move(r.error()));
        return reply;
    }

    /// Op's dump, streamed: each(const message<Op>&) for every reply message;
    /// nothing is kept between messages.
    template <class Op, class F>
    result<void> dump(const message<Op>& req, F&& each) {
        static_assert(Op::has_dump, "this operation has no dump");
        auto b = checked<Op>(req, 0, family_id_);
        if (!b) return fail(std::move(b.error()));
        message<Op> one;
        return sock_.dump(
            *b,
            [&](message_view m) -> result<void> {
                one.header = {};
                if constexpr (!std::is_same_v<typename Op::attributes, none>) clear(one.attrs);
                if (auto r = parse<Op>(m, one); !r) return r;
                each(std::as_const(one));
                return {};
            },
            info<Op>());
    }

    /// Joins a multicast group by its spec name.
    result<void> subscribe(std::string_view group) {
        for (const auto& g : groups_)
            if (g.name == group) return sock_.subscribe(g.id);
        return fail(errc::invalid_argument, "no multicast group '" + std::string(group) + "' in " +
                                                std::string(Info::name));
    }
    /// The next notification of a subscribed group (waits; match it with as<Op>()).
    result<owned_message> next_notification() { return sock_.next_notification(); }

    /// `m` decoded as a message of Op (its reply or notification), or nullopt
    /// when it belongs to another operation.
    template <class Op>
    static result<std::optional<message<Op>>> as(message_view m) {
        if (id_of(m) != id<Op>()) return std::optional<message<Op>>();
        message<Op> out;
        if (auto r = parse<Op>(m, out); !r) return fail(std::move(r.error()));
        return std::optional<message<Op>>(std::move(out));
    }

    /// The request built and its attributes checked against Op's policy table
    /// (the spec's checks), so that a bad value fails here with its path.
    template <class Op>
    static result<message_builder> checked(const message<Op>& req, std::uint16_t flags,
                                           std::uint16_t family_id) {
        message_builder b = request<Op>(req, flags, family_id);
        if constexpr (requires { Op::names(); }) {
            auto wire = b.finish();
            if (!wire) return fail(std::move(wire.error()).wrap(std::string(Op::name)));
            const std::size_t start = message_header_size + align4(info<Op>().fixed_header);
            if (auto r = validate(wire->subspan(std::min(start, wire->size())), Op::names()); !r)
                return fail(std::move(r.error()).wrap(std::string(Op::name)));
        }
        return b;
    }
    /// Op's name and attribute names, for errors and extack paths.
    template <class Op>
    static request_info info() {
        std::size_t header = Op::genetlink ? 4 : 0;
        if constexpr (requires { Op::fixed_header::wire_size; })
            header += Op::fixed_header::wire_size;
        if constexpr (requires { Op::names(); })
            return {std::string(Op::name), header, &Op::names()};
        else
            return {std::string(Op::name), header, nullptr};
    }

    socket& raw() noexcept { return sock_; }  ///< the socket underneath
    /// The family's id on this kernel.
    std::uint16_t family_id() const noexcept { return family_id_; }

private:
    explicit family_socket(socket s) : sock_(std::move(s)) {}

    /// The id a message of Op carries: its reply value, else its request value.
    template <class Op>
    static constexpr int id() {
        if constexpr (requires { Op::reply; })
            return Op::reply;
        else
            return Op::request;
    }
    static int id_of(message_view m) {
        if constexpr (Info::is_genetlink)
            return m.payload().empty() ? -1 : static_cast<int>(m.payload()[0]);
        else
            return m.type();
    }
    socket sock_;
    std::uint16_t family_id_ = 0;
    std::vector<genl::mcast_group> groups_;
};

}  // namespace nlpp::gen
