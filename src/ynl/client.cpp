// Running YNL operations over a netlink socket.
#include <nlpp/ynl/client.hpp>

#include <linux/netlink.h>

#include <fmt/format.h>

#include <nlpp/genl/genl.hpp>

namespace nlpp::ynl {

result<resolved_family> resolve_family(const ynl::spec& s, socket& sock) {
    resolved_family out;
    if (!s.is_genetlink()) {
        for (const auto& g : s.mcast_groups)
            if (g.value) out.groups.push_back({g.name, *g.value});
        return out;
    }
    auto f = genl::resolve(sock, s.name);
    if (!f) return fail(f.error());
    out.id = f->id;
    out.groups = std::move(f->mcast_groups);
    return out;
}

result<client> client::open(const ynl::spec& s, const socket_options& options) {
    auto sock = socket::open(static_cast<int>(s.protonum), options);
    if (!sock) return fail(sock.error());
    auto f = resolve_family(s, *sock);
    if (!f) return fail(f.error());
    return client(s, std::move(*sock), f->id, std::move(f->groups));
}

result<void> build_request(const ynl::spec& s, std::uint16_t family_id, const request& req,
                           std::optional<message_builder>& b, request_trace* trace) {
    const operation* op = req.op;
    if (!op) return fail(errc::invalid_argument, "request without an operation");
    const bool dump = req.mode == mode::dump;
    if (dump ? !op->has_dump() : !op->has_do())
        return fail(errc::invalid_argument,
                    fmt::format("operation '{}' has no {}", op->name, dump ? "dump" : "do"));
    if (!op->request_value)
        return fail(errc::invalid_argument,
                    fmt::format("operation '{}' has no request id", op->name));
    const auto type = s.is_genetlink() ? family_id : static_cast<std::uint16_t>(*op->request_value);
    const auto flags =
        static_cast<std::uint16_t>(NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK) | req.flags);
    if (b)
        b->begin(type, flags);
    else
        b.emplace(type, flags);
    if (auto r = put_request(s, *op, req.attrs, *b, trace); !r)
        return fail(
            std::move(r.error()).wrap(fmt::format("{} {}", op->name, dump ? "dump" : "do")));
    return {};
}

result<void> client::build(const request& req, std::optional<message_builder>& b,
                           request_trace* trace) const {
    return build_request(*spec_, family_id_, req, b, trace);
}

result<batch_outcomes> client::run_batch(std::span<const request> reqs,
                                         const reply_callback& on_reply,
                                         const decode_options& options) {
    return exchange(reqs, [&](std::size_t k, message_view m) -> result<void> {
        auto j = decode(*spec_, *reqs[k].op, m, options);
        if (!j) return fail(std::move(j.error()).wrap(fmt::format("{} reply", reqs[k].op->name)));
        return on_reply ? on_reply(k, std::move(*j)) : result<void>{};
    });
}

result<batch_outcomes> client::exchange(std::span<const request> reqs,
                                        const message_callback& on_message) {
    std::optional<message_builder> b;
    std::vector<request_trace> traces(reqs.size());
    std::vector<batch_reader::answer> answers;
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        if (auto r = build(reqs[i], b, &traces[i]); !r) return fail(r.error());
        answers.push_back(reqs[i].mode == mode::dump ? batch_reader::answer::dump
                                                     : batch_reader::answer::ack);
    }
    if (!b) return batch_outcomes{};
    auto out = sock_.exchange(*b, std::move(answers), on_message, [&](std::size_t i) {
        return request_info{
            fmt::format("{} {}", reqs[i].op->name, reqs[i].mode == mode::dump ? "dump" : "do")};
    });
    if (!out) return fail(out.error());
    // The trace knows attribute names through sub-messages too.
    for (std::size_t i = 0; i < out->size(); ++i)
        if ((*out)[i]) traces[i].annotate(*(*out)[i]);
    return out;
}

result<void> client::run(const request& req,
                         const std::function<result<void>(nlohmann::ordered_json&&)>& on_reply,
                         const decode_options& options) {
    auto r = run_batch(
        std::span(&req, 1),
        [&](std::size_t, nlohmann::ordered_json&& j) -> result<void> {
            return on_reply ? on_reply(std::move(j)) : result<void>{};
        },
        options);
    if (!r) return fail(r.error());
    if ((*r)[0]) return fail(std::move(*(*r)[0]));
    return {};
}

result<std::uint32_t> find_group(const ynl::spec& s, std::span<const genl::mcast_group> groups,
                                 std::string_view group) {
    std::string known;
    for (const auto& g : groups) {
        if (g.name == group) return g.id;
        known += (known.empty() ? "" : ", ") + g.name;
    }
    return fail(errc::invalid_argument, fmt::format("{} has no multicast group '{}' (it has: {})",
                                                    s.name, group, known.empty() ? "none" : known));
}

result<void> client::subscribe(std::string_view group) {
    auto id = find_group(*spec_, groups_, group);
    if (!id) return fail(id.error());
    return sock_.subscribe(*id);
}

result<notification> decode_notification(const ynl::spec& s, std::uint16_t family_id,
                                         message_view m, const decode_options& options) {
    std::uint32_t id = m.type();
    if (s.is_genetlink()) {
        if (m.type() != family_id || m.payload().empty())
            return fail(errc::malformed,
                        fmt::format("notification of type {} is not from {}", m.type(), s.name));
        id = static_cast<std::uint32_t>(m.payload()[0]);
    }
    const operation* op = s.find_reply(id);
    // Classic families announce a deletion with the request's type (RTM_DELLINK,
    // RTM_DELADDR, RTM_DELROUTE), which no reply has: named by that operation.
    if (!op && !s.is_genetlink())
        for (const auto& o : s.operations)
            if (o.request_value == id) op = &o;
    if (!op)
        return fail(errc::malformed, fmt::format("{} has no notification with id {}", s.name, id));
    auto j = decode(s, *op, m, options);
    if (!j) return fail(std::move(j.error()).wrap(op->name));
    return notification{op->name, std::move(*j)};
}

result<notification> client::decode_notification(message_view m,
                                                 const decode_options& options) const {
    return ynl::decode_notification(*spec_, family_id_, m, options);
}

result<notification> client::next_notification(const decode_options& options) {
    auto m = sock_.next_notification();
    if (!m) return fail(m.error());
    return decode_notification(m->view(), options);
}

}  // namespace nlpp::ynl
