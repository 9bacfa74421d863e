// The pure demultiplexing of a batch's answers.
#include <nlpp/socket/batch_reader.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace nlpp {

result<batch_reader> batch_reader::make(std::uint32_t port, bytes wire, std::vector<answer> answers,
                                        describer describe) {
    batch_reader r(port, std::move(describe));
    message_range msgs(wire);
    std::uint32_t expected = 0;
    for (message_view m : msgs) {
        const std::size_t i = r.requests_.size();
        if (i == answers.size())
            return fail(
                errc::invalid_argument,
                fmt::format("batch: more messages than the {} answers declared", answers.size()));
        if (m.seq() == 0 || (i > 0 && m.seq() != expected))
            return fail(errc::invalid_argument,
                        fmt::format("batch: message {} has seq {}, expected {}", i, m.seq(),
                                    i > 0 ? expected : 1));
        if (i == 0) r.first_seq_ = m.seq();
        expected = m.seq() + 1 == 0 ? 1 : m.seq() + 1;  // seq 0 is never assigned
        r.requests_.push_back({m.raw(), answers[i]});
    }
    if (auto e = msgs.error()) return fail(std::move(*e).wrap("batch"));
    if (r.requests_.size() != answers.size())
        return fail(errc::invalid_argument,
                    fmt::format("batch: {} messages for {} answers declared", r.requests_.size(),
                                answers.size()));
    r.outcomes_.resize(answers.size());
    r.open_ = answers.size();
    r.open_dumps_ =
        static_cast<std::size_t>(std::count(answers.begin(), answers.end(), answer::dump));
    return r;
}

std::optional<std::size_t> batch_reader::index_of(std::uint32_t seq) const noexcept {
    if (seq == 0) return std::nullopt;
    std::uint32_t k = seq - first_seq_;
    if (seq < first_seq_) --k;  // the seqs wrapped past 0, which is skipped
    if (k >= requests_.size()) return std::nullopt;
    return k;
}

request_info batch_reader::info(std::size_t i) const {
    request_info r = describe_ ? describe_(i) : request_info{};
    if (r.what.empty()) r.what = fmt::format("batch message {}", i);
    return r;
}

void batch_reader::complete(std::size_t i) {
    auto close = [&](request& r) {
        if (r.complete) return;
        r.complete = true;
        --open_;
        if (r.how == answer::dump) --open_dumps_;
    };
    close(requests_[i]);
    // The kernel handles a datagram's messages in order: an answer to i
    // means the requests before it that answer only failures succeeded.
    for (; in_order_ < i; ++in_order_)
        if (requests_[in_order_].how == answer::errors_only) close(requests_[in_order_]);
}

result<batch_reader::verdict> batch_reader::classify_other(message_view m, std::uint32_t group) {
    if (reply_reader::is_notification(m, group))
        return verdict{reply_reader::verdict::notification};
    const auto k = index_of(m.seq());
    if (!k) {
        if (m.port() != port_ && m.port() != 0)
            return fail(
                errc::port_mismatch,
                fmt::format("batch: message type {} seq {} addressed to port {}, this socket is {}",
                            m.type(), m.seq(), m.port(), port_));
        return verdict{reply_reader::verdict::skip};  // a late reply to an earlier request
    }
    request& r = requests_[*k];
    if (!r.reader) r.reader.emplace(m.seq(), port_, r.wire, info(*k));
    last_ = *k;
    auto v = r.reader->classify(m);
    if (!v) {
        // An error answers a request once; the first one stands.
        if (!outcomes_[*k]) outcomes_[*k] = std::move(v.error());
        complete(*k);
        return verdict{reply_reader::verdict::done, *k};
    }
    if (*v == reply_reader::verdict::done) complete(*k);
    return verdict{*v, *k};
}

void batch_reader::end() {
    const auto failed = std::find_if(outcomes_.begin(), outcomes_.end(),
                                     [](const auto& o) { return o.has_value(); });
    for (std::size_t i = 0; i < requests_.size(); ++i) {
        if (requests_[i].complete) continue;
        requests_[i].complete = true;
        if (failed == outcomes_.end()) continue;
        nlpp::error e(errc::not_answered, info(i).what);
        e.set_hint(
            fmt::format("request {} of the batch failed first", failed - outcomes_.begin() + 1));
        outcomes_[i] = std::move(e);
    }
    open_ = open_dumps_ = 0;
}

}  // namespace nlpp
