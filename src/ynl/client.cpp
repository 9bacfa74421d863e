// Running YNL operations over a netlink socket.
#include <nlpp/ynl/client.hpp>

#include <linux/netlink.h>

#include <fmt/format.h>

#include <nlpp/genl/genl.hpp>

namespace nlpp::ynl {

result<client> client::open(const ynl::spec& s, const socket_options& options) {
    auto sock = socket::open(static_cast<int>(s.protonum), options);
    if (!sock) return fail(sock.error());
    if (!s.is_genetlink()) {
        std::vector<genl::mcast_group> groups;
        for (const auto& g : s.mcast_groups)
            if (g.value) groups.push_back({g.name, *g.value});
        return client(s, std::move(*sock), 0, std::move(groups));
    }
    auto f = genl::resolve(*sock, s.name);
    if (!f) return fail(f.error());
    return client(s, std::move(*sock), f->id, std::move(f->mcast_groups));
}

result<void> client::build(const request& req, std::optional<message_builder>& b,
                           request_trace* trace) const {
    const operation* op = req.op;
    if (!op) return fail(errc::invalid_argument, "request without an operation");
    const bool dump = req.mode == mode::dump;
    if (dump ? !op->has_dump() : !op->has_do())
        return fail(errc::invalid_argument,
                    fmt::format("operation '{}' has no {}", op->name, dump ? "dump" : "do"));
    if (!op->request_value)
        return fail(errc::invalid_argument,
                    fmt::format("operation '{}' has no request id", op->name));
    const auto type =
        spec_->is_genetlink() ? family_id_ : static_cast<std::uint16_t>(*op->request_value);
    const auto flags =
        static_cast<std::uint16_t>(NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK) | req.flags);
    if (b)
        b->begin(type, flags);
    else
        b.emplace(type, flags);
    if (auto r = put_request(*spec_, *op, req.attrs, *b, trace); !r)
        return fail(
            std::move(r.error()).wrap(fmt::format("{} {}", op->name, dump ? "dump" : "do")));
    return {};
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

result<void> client::subscribe(std::string_view group) {
    std::optional<std::uint32_t> id;
    std::string known;
    for (const auto& g : groups_) {
        if (g.name == group) id = g.id;
        known += (known.empty() ? "" : ", ") + g.name;
    }
    if (!id)
        return fail(errc::invalid_argument,
                    fmt::format("{} has no multicast group '{}' (it has: {})", spec_->name, group,
                                known.empty() ? "none" : known));
    return sock_.subscribe(*id);
}

result<notification> client::decode_notification(message_view m,
                                                 const decode_options& options) const {
    std::uint32_t id = m.type();
    if (spec_->is_genetlink()) {
        if (m.type() != family_id_ || m.payload().empty())
            return fail(errc::malformed, fmt::format("notification of type {} is not from {}",
                                                     m.type(), spec_->name));
        id = static_cast<std::uint32_t>(m.payload()[0]);
    }
    const operation* op = spec_->find_reply(id);
    // Classic families announce a deletion with the request's type (RTM_DELLINK,
    // RTM_DELADDR, RTM_DELROUTE), which no reply has: named by that operation.
    if (!op && !spec_->is_genetlink())
        for (const auto& o : spec_->operations)
            if (o.request_value == id) op = &o;
    if (!op)
        return fail(errc::malformed,
                    fmt::format("{} has no notification with id {}", spec_->name, id));
    auto j = decode(*spec_, *op, m, options);
    if (!j) return fail(std::move(j.error()).wrap(op->name));
    return notification{op->name, std::move(*j)};
}

result<notification> client::next_notification(const decode_options& options) {
    auto m = sock_.next_notification();
    if (!m) return fail(m.error());
    return decode_notification(m->view(), options);
}

}  // namespace nlpp::ynl
