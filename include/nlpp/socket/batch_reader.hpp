// nlpp/socket/batch_reader.hpp: the answers to a batch of requests, sorted
// out as a pure function.
//
// A batch is several requests sent in one datagram, each with its own seq
// (assigned in order, skipping 0). A batch_reader is fed every message
// received after the batch was sent, with the multicast group its datagram
// came from, and tells which request each message answers:
//   reply         a data message for request `index`: hand it to the caller
//   notification  a multicast or kernel-originated message: queue it
//   skip          NOOP, or a late reply to an earlier request
//   done          request `index` is complete (its outcome is recorded)
// Each request is followed by its own reply_reader, so a batch obeys the
// same rules as a single request: seq and port checked, extended ACK
// rendered, NLM_F_DUMP_INTR reported. Answers may come in any order.
//
// How a request is answered is declared per request:
//   ack          with NLM_F_ACK: replies (a "do"), then an ACK or an error
//   dump         NLM_F_DUMP: replies, then NLMSG_DONE
//   errors_only  without NLM_F_ACK: nothing on success, an error on failure;
//                complete once a later request of the batch is answered
//                (the kernel handles a datagram's messages in order)
//
// When the kernel has nothing more to say (nothing left to read and no dump
// running) the caller calls end(): requests still unanswered then get
// errc::not_answered naming the request that failed first (nfnetlink does
// not ACK the batch-end of a batch it aborted). When nothing failed,
// unanswered requests count as successes.
//
// It makes no system calls: nlpp::socket drives it (socket::exchange,
// socket::request_batch) and tests drive it with a message-level fake kernel.
//
// Example (given std::uint32_t port, nlpp::bytes wire, nlpp::bytes datagram, std::uint32_t group):
//   using answer = nlpp::batch_reader::answer;
//   auto r = nlpp::batch_reader::make(port, wire, {answer::ack, answer::dump});
//   if (!r) return nlpp::fail(r.error());
//   for (nlpp::message_view m : nlpp::message_range(datagram)) {
//       auto v = r->classify(m, group);
//       if (!v) return nlpp::fail(v.error());
//       if (v->kind == nlpp::reply_reader::verdict::reply) std::printf("request %zu: type %u\n", v->index, m.type());
//   }
//   if (r->finished())
//       for (const auto& outcome : std::move(*r).outcomes())
//           if (outcome) return nlpp::fail(*outcome);  // the first request that failed
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <nlpp/socket/reply_reader.hpp>

namespace nlpp {

/// One outcome per request of a batch, in order (nullopt: success).
using batch_outcomes = std::vector<std::optional<nlpp::error>>;

/// Sorts the answers to a batch of requests out per request (pure: no I/O).
class NLPP_API batch_reader {
public:
    /// How a request is answered: an ACK, a dump, or only errors.
    enum class answer : std::uint8_t { ack, dump, errors_only };
    /// What a message was, and for which request.
    struct verdict {
        reply_reader::verdict kind;  ///< what the message was
        std::size_t index = 0;       ///< the request answered (reply, done)
    };
    /// Names request i in its errors; default: "batch message i".
    using describer = std::function<request_info(std::size_t)>;

    /// `wire` is the batch as sent (seqs stamped, kept for extack paths);
    /// answers[i] says how its message i is answered. errc::invalid_argument
    /// when they disagree or the seqs do not follow each other.
    static result<batch_reader> make(std::uint32_t port, bytes wire, std::vector<answer> answers,
                                     describer describe = {});

    /// Classifies one message; `group` is the datagram's multicast group.
    /// Fails (for the whole batch) only on a message addressed to another
    /// port whose seq is no request's; every other failure is the outcome
    /// of the request it belongs to.
    result<verdict> classify(message_view m, std::uint32_t group = 0) {
        // The common case, inline: another reply to the request answered last.
        if (last_ < requests_.size() && requests_[last_].reader->plain_reply(m, group))
            return verdict{reply_reader::verdict::reply, last_};
        return classify_other(m, group);
    }

    /// Every request answered.
    bool finished() const noexcept { return open_ == 0; }
    /// A dump of the batch is still running: more may come though nothing
    /// is readable yet.
    bool dumping() const noexcept { return open_dumps_ > 0; }
    /// The kernel will say no more: the not-answered rule (see above).
    void end();

    std::size_t size() const noexcept { return requests_.size(); }  ///< the number of requests
    /// One outcome per request so far.
    const batch_outcomes& outcomes() const& noexcept { return outcomes_; }
    /// The outcomes, moved out.
    batch_outcomes&& outcomes() && noexcept { return std::move(outcomes_); }

private:
    struct request {
        bytes wire;
        answer how = answer::ack;
        bool complete = false;
        std::optional<reply_reader> reader{};  ///< made at the request's first answer
    };
    batch_reader(std::uint32_t port, describer describe)
        : port_(port), describe_(std::move(describe)) {}
    result<verdict> classify_other(message_view m, std::uint32_t group);
    std::optional<std::size_t> index_of(std::uint32_t seq) const noexcept;
    request_info info(std::size_t i) const;
    void complete(std::size_t i);

    std::uint32_t port_;
    std::uint32_t first_seq_ = 0;
    std::vector<request> requests_;
    batch_outcomes outcomes_;
    describer describe_;
    std::size_t open_ = 0, open_dumps_ = 0;
    std::size_t in_order_ = 0;  ///< errors_only requests below this are complete
    std::size_t last_ =
        static_cast<std::size_t>(-1);  ///< the request answered last (its reader exists)
};

}  // namespace nlpp
