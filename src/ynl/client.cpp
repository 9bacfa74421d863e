// Running YNL operations over a netlink socket.
#include <nlpp/ynl/client.hpp>

#include <linux/netlink.h>

#include <fmt/format.h>

#include <nlpp/genl/genl.hpp>
#include <nlpp/socket/reply_reader.hpp>

namespace nlpp::ynl {

result<client> client::open(const ynl::spec& s, const socket_options& options) {
    auto sock = socket::open(static_cast<int>(s.protonum), options);
    if (!sock) return fail(sock.error());
    if (!s.is_genetlink()) return client(s, std::move(*sock), 0, {});
    genl::client gc(std::move(*sock));
    auto f = gc.family(s.name);
    if (!f) return fail(f.error());
    std::vector<std::pair<std::string, std::uint32_t>> groups;
    for (const auto& g : (*f)->mcast_groups) groups.emplace_back(g.name, g.id);
    const std::uint16_t id = (*f)->id;
    return client(s, std::move(gc.raw()), id, std::move(groups));
}

result<void> client::build(const request& req, std::optional<message_builder>& b, request_trace* trace) const {
    const operation* op = req.op;
    if (!op) return fail(errc::invalid_argument, "request without an operation");
    const bool dump = req.mode == mode::dump;
    if (dump ? !op->has_dump() : !op->has_do())
        return fail(errc::invalid_argument, fmt::format("operation '{}' has no {}", op->name, dump ? "dump" : "do"));
    if (!op->request_value) return fail(errc::invalid_argument, fmt::format("operation '{}' has no request id", op->name));
    const auto type = spec_->is_genetlink() ? family_id_ : static_cast<std::uint16_t>(*op->request_value);
    const auto flags = static_cast<std::uint16_t>(NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK) | req.flags);
    if (b) b->begin(type, flags);
    else b.emplace(type, flags);
    if (auto r = put_request(*spec_, *op, req.attrs, *b, trace); !r)
        return fail(std::move(r.error()).wrap(fmt::format("{} {}", op->name, dump ? "dump" : "do")));
    return {};
}

result<std::vector<std::optional<nlpp::error>>> client::run_batch(std::span<const request> reqs, const reply_callback& on_reply,
                                                                  const decode_options& options) {
    return exchange(reqs, [&](std::size_t k, message_view m) -> result<void> {
        auto j = decode(*spec_, *reqs[k].op, m, options);
        if (!j) return fail(std::move(j.error()).wrap(fmt::format("{} reply", reqs[k].op->name)));
        return on_reply ? on_reply(k, std::move(*j)) : result<void>{};
    });
}

result<std::vector<std::optional<nlpp::error>>> client::exchange(std::span<const request> reqs, const message_callback& on_message) {
    std::optional<message_builder> b;
    std::vector<request_trace> traces(reqs.size());
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        starts.push_back(b ? b->size() : 0);
        if (auto r = build(reqs[i], b, &traces[i]); !r) return fail(r.error());
    }
    if (!b) return std::vector<std::optional<nlpp::error>>{};
    auto first = sock_.send(*b);
    if (!first) return fail(first.error());
    auto wire = b->finish();  // the bytes as sent (seqs stamped), for extack paths
    std::vector<reply_reader> readers;
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        const std::size_t end = i + 1 < reqs.size() ? starts[i + 1] : wire->size();
        readers.emplace_back(*first + static_cast<std::uint32_t>(i), sock_.port_id(), wire->subspan(starts[i], end - starts[i]),
                             request_info{fmt::format("{} {}", reqs[i].op->name, reqs[i].mode == mode::dump ? "dump" : "do")});
    }
    std::vector<std::optional<nlpp::error>> out(reqs.size());
    std::vector<bool> done(reqs.size());
    std::size_t remaining = reqs.size();
    while (remaining > 0) {
        // The kernel answers do requests while they are sent: if nothing is
        // left to read and no dump is running, the unanswered ones get no
        // reply (nfnetlink does not ACK batch-end of an aborted batch).
        const bool dump_running = [&] {
            for (std::size_t i = 0; i < reqs.size(); ++i)
                if (!done[i] && reqs[i].mode == mode::dump) return true;
            return false;
        }();
        if (!dump_running && !sock_.readable()) {
            std::optional<std::size_t> failed;
            for (std::size_t i = 0; i < reqs.size() && !failed; ++i)
                if (out[i]) failed = i;
            for (std::size_t i = 0; i < reqs.size(); ++i)
                if (!done[i] && failed) {
                    out[i] = nlpp::error(errc::not_answered, fmt::format("{} {}", reqs[i].op->name, reqs[i].mode == mode::dump ? "dump" : "do"));
                    out[i]->hint = fmt::format("request {} of the batch failed first", *failed + 1);
                }
            break;
        }
        auto d = sock_.receive();
        if (!d) return fail(d.error());
        message_range msgs(d->data);
        for (message_view m : msgs) {
            const std::uint32_t k = m.seq() - *first;
            if (d->group != 0 || k >= reqs.size()) {
                if (d->group != 0 || (m.seq() == 0 && m.port() == 0)) sock_.queue_notification(m);
                continue;  // else a late reply to an earlier request
            }
            auto v = readers[k].classify(m, d->group);
            if (!v || *v == reply_reader::verdict::done) {
                if (!v) {
                    out[k] = std::move(v.error());
                    traces[k].annotate(*out[k]);
                }
                if (!done[k]) --remaining;
                done[k] = true;
            } else if (*v == reply_reader::verdict::reply) {
                if (on_message)
                    if (auto r = on_message(k, m); !r) return fail(r.error());
            } else if (*v == reply_reader::verdict::notification) {
                sock_.queue_notification(m);
            }
        }
        if (auto e = msgs.error()) return fail(std::move(*e).wrap("reply"));
    }
    return out;
}

result<void> client::run(const request& req, const std::function<result<void>(nlohmann::ordered_json&&)>& on_reply,
                         const decode_options& options) {
    auto r = run_batch(std::span(&req, 1), [&](std::size_t, nlohmann::ordered_json&& j) -> result<void> {
        return on_reply ? on_reply(std::move(j)) : result<void>{};
    }, options);
    if (!r) return fail(r.error());
    if ((*r)[0]) return fail(std::move(*(*r)[0]));
    return {};
}

result<void> client::subscribe(std::string_view group) {
    std::optional<std::uint32_t> id;
    std::string known;
    if (spec_->is_genetlink()) {
        for (const auto& [name, gid] : groups_) {
            if (name == group) id = gid;
            known += (known.empty() ? "" : ", ") + name;
        }
    } else {
        for (const auto& g : spec_->mcast_groups) {
            if (g.name == group) id = g.value;
            known += (known.empty() ? "" : ", ") + g.name;
        }
    }
    if (!id)
        return fail(errc::invalid_argument, fmt::format("{} has no multicast group '{}' (it has: {})", spec_->name, group,
                                                       known.empty() ? "none" : known));
    return sock_.subscribe(*id);
}

result<notification> client::decode_notification(message_view m, const decode_options& options) const {
    std::uint32_t id = m.type();
    if (spec_->is_genetlink()) {
        if (m.type() != family_id_ || m.payload().empty())
            return fail(errc::malformed, fmt::format("notification of type {} is not from {}", m.type(), spec_->name));
        id = static_cast<std::uint32_t>(m.payload()[0]);
    }
    const operation* op = spec_->find_reply(id);
    if (!op) return fail(errc::malformed, fmt::format("{} has no notification with id {}", spec_->name, id));
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
