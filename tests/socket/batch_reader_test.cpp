// Demultiplexing a batch's answers against a message-level fake kernel:
// answers out of order, a missing ACK (nfnetlink's aborted batch), a wrong
// port, an error mid-batch, notifications interleaved, dumps in a batch,
// seqs that wrap past 0.
#include "../support/fake_kernel.hpp"

#include <gtest/gtest.h>

namespace {

using namespace nlpp::test;
using answer = nlpp::batch_reader::answer;
constexpr std::uint32_t port = 4242;
constexpr std::uint16_t fam = 0x20;

constexpr nlpp::attr_name svc_names[] = {{}, {"af"}, {"protocol"}, {"addr"}, {"port"}};
constexpr nlpp::attr_set svc_set{"service", svc_names};
constexpr nlpp::attr_name top_names[] = {{}, {"service", &svc_set}};
constexpr nlpp::attr_set top_set{"cmd", top_names};

// n requests of one service each (genl header, .service{.af, .port}).
nlpp::message_builder batch(std::size_t n, std::uint16_t flags = NLM_F_REQUEST | NLM_F_ACK) {
    nlpp::message_builder b(fam, flags);
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) b.begin(fam, flags);
        b.put_header(std::uint32_t{0x00010001});
        auto s = b.nest(1);
        b.put<std::uint16_t>(1, 2);
        b.put<std::uint16_t>(4, static_cast<std::uint16_t>(80 + i), nlpp::byte_order::big);
    }
    return b;
}

nlpp::batch_reader::describer names() {
    return [](std::size_t i) { return nlpp::request_info{"add service " + std::to_string(i), 4, &top_set}; };
}

bool all_ok(const nlpp::batch_outcomes& o) {
    for (const auto& e : o)
        if (e) return false;
    return true;
}

TEST(batch_reader, every_request_acked_in_order) {
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        wire all;
        for (auto r : reqs) all = concat({all, kerror(0, r.raw(), port)});
        return std::vector<datagram_in>{{all}};
    });
    auto b = batch(3);
    auto out = k.exchange(b, {answer::ack, answer::ack, answer::ack});
    ASSERT_FALSE(out.error) << out.error->what();
    EXPECT_FALSE(out.ended);
    ASSERT_EQ(out.outcomes.size(), 3u);
    EXPECT_TRUE(all_ok(out.outcomes));
}

TEST(batch_reader, answers_out_of_order_go_to_their_requests) {
    // Request 1 fails on its .service.port; the ACKs come last first.
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        return std::vector<datagram_in>{
            {kerror(0, reqs[2].raw(), port)},
            {concat({kerror(EINVAL, reqs[1].raw(), port, {.msg = "bad port", .offset = 16 + 4 + 4 + 8}),
                     kerror(0, reqs[0].raw(), port)})}};
    });
    auto b = batch(3);
    auto out = k.exchange(b, {answer::ack, answer::ack, answer::ack}, names());
    ASSERT_FALSE(out.error) << out.error->what();
    EXPECT_FALSE(out.ended);
    ASSERT_EQ(out.outcomes.size(), 3u);
    EXPECT_FALSE(out.outcomes[0]);
    EXPECT_FALSE(out.outcomes[2]);
    ASSERT_TRUE(out.outcomes[1]);
    EXPECT_EQ(out.outcomes[1]->errno_value(), EINVAL);
    // The path is rendered against request 1's own bytes.
    EXPECT_EQ(out.outcomes[1]->what(), "add service 1: Invalid argument (kernel: 'bad port', bad attribute: .service.port)");
}

TEST(batch_reader, missing_acks_after_a_failure_are_not_answered) {
    // nfnetlink aborts a batch at its first failure and ACKs nothing after.
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        return std::vector<datagram_in>{{concat({kerror(0, reqs[0].raw(), port), kerror(ENOENT, reqs[1].raw(), port)})}};
    });
    auto b = batch(4);
    auto out = k.exchange(b, {answer::ack, answer::ack, answer::ack, answer::ack}, names());
    ASSERT_FALSE(out.error) << out.error->what();
    EXPECT_TRUE(out.ended);
    EXPECT_FALSE(out.outcomes[0]);
    ASSERT_TRUE(out.outcomes[1]);
    EXPECT_EQ(out.outcomes[1]->errno_value(), ENOENT);
    for (std::size_t i : {2u, 3u}) {
        ASSERT_TRUE(out.outcomes[i]);
        EXPECT_TRUE(out.outcomes[i]->is(nlpp::errc::not_answered));
        EXPECT_EQ(out.outcomes[i]->what(), "add service " + std::to_string(i) +
                                               ": not answered; request 2 of the batch failed first");
    }
}

TEST(batch_reader, missing_acks_without_a_failure_count_as_successes) {
    // Kernels that do not ACK a batch's begin and end markers.
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        return std::vector<datagram_in>{{kerror(0, reqs[1].raw(), port)}};
    });
    auto b = batch(3);
    auto out = k.exchange(b, {answer::ack, answer::ack, answer::ack});
    ASSERT_FALSE(out.error) << out.error->what();
    EXPECT_TRUE(out.ended);
    EXPECT_TRUE(all_ok(out.outcomes));
}

TEST(batch_reader, wrong_port_on_a_request_is_its_outcome) {
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        return std::vector<datagram_in>{
            {concat({kerror(0, reqs[0].raw(), port), kmsg(fam, 0, reqs[1].seq(), port + 1), kerror(0, reqs[1].raw(), port)})}};
    });
    auto b = batch(2);
    auto out = k.exchange(b, {answer::ack, answer::ack}, names());
    ASSERT_FALSE(out.error) << out.error->what();
    EXPECT_FALSE(out.outcomes[0]);
    ASSERT_TRUE(out.outcomes[1]);
    EXPECT_TRUE(out.outcomes[1]->is(nlpp::errc::port_mismatch));
    EXPECT_NE(out.outcomes[1]->what().find("add service 1"), std::string::npos) << out.outcomes[1]->what();
    EXPECT_TRUE(out.replies.empty());
}

TEST(batch_reader, wrong_port_on_no_request_fails_the_batch) {
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        return std::vector<datagram_in>{{concat({kmsg(fam, 0, reqs[0].seq() - 7, port + 1), kerror(0, reqs[0].raw(), port)})}};
    });
    auto b = batch(1);
    auto out = k.exchange(b, {answer::ack});
    ASSERT_TRUE(out.error);
    EXPECT_TRUE(out.error->is(nlpp::errc::port_mismatch));
}

TEST(batch_reader, error_mid_batch_of_errors_only_requests) {
    // socket::request_batch's shape: only the last message asks for an ACK;
    // the kernel answers the others only when they fail, in order.
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        return std::vector<datagram_in>{
            {kerror(EEXIST, reqs[1].raw(), port, {.msg = "exists"})},
            {concat({kerror(ENOENT, reqs[2].raw(), port), kerror(0, reqs[3].raw(), port)})}};
    });
    auto b = batch(4, NLM_F_REQUEST);
    auto out = k.exchange(b, {answer::errors_only, answer::errors_only, answer::errors_only, answer::ack}, names());
    ASSERT_FALSE(out.error) << out.error->what();
    EXPECT_FALSE(out.ended);  // the last ACK closed the batch
    EXPECT_FALSE(out.outcomes[0]);
    ASSERT_TRUE(out.outcomes[1]);
    EXPECT_EQ(out.outcomes[1]->errno_value(), EEXIST);
    EXPECT_EQ(out.outcomes[1]->extack().message, "exists");
    ASSERT_TRUE(out.outcomes[2]);
    EXPECT_EQ(out.outcomes[2]->errno_value(), ENOENT);
    EXPECT_FALSE(out.outcomes[3]);
}

TEST(batch_reader, errors_only_requests_complete_when_a_later_one_is_answered) {
    auto b = batch(3, NLM_F_REQUEST);
    auto w = b.finish().value();
    std::uint32_t seq = 7;
    for (nlpp::message_view m : nlpp::message_range(w))
        nlpp::store<std::uint32_t>(w.subspan(static_cast<std::size_t>(m.raw().data() - w.data()) + 8), seq++);
    auto r = nlpp::batch_reader::make(port, w, {answer::errors_only, answer::errors_only, answer::ack});
    ASSERT_TRUE(r) << r.error();
    EXPECT_FALSE(r->finished());
    auto last = nlpp::message_view::parse(nlpp::bytes(w).subspan(static_cast<std::size_t>(2 * (w.size() / 3)))).value();
    auto ack = kerror(0, last.raw(), port);
    auto v = r->classify(nlpp::message_view::parse(ack).value());
    ASSERT_TRUE(v);
    EXPECT_EQ(v->kind, nlpp::reply_reader::verdict::done);
    EXPECT_EQ(v->index, 2u);
    EXPECT_TRUE(r->finished());
    EXPECT_TRUE(all_ok(r->outcomes()));
}

TEST(batch_reader, notifications_interleaved_with_replies_and_a_dump) {
    // A do with one reply, then a dump of two messages; multicast and
    // kernel-originated messages arrive between them.
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        const auto s0 = reqs[0].seq(), s1 = reqs[1].seq();
        return std::vector<datagram_in>{
            {kmsg(fam, 0, s0, port)},
            {kmsg(fam, 0, s0, port), 7},  // our own change, echoed to group 7
            {concat({kmsg(fam, 0, 0, 0), kerror(0, reqs[0].raw(), port), kmsg(fam, NLM_F_MULTI, s1, port)})},
            {kmsg(fam, 0, 0, 0)},
            {concat({kmsg(fam, NLM_F_MULTI, s1, port), kdone(s1, port)})}};
    });
    nlpp::message_builder b(fam, NLM_F_REQUEST | NLM_F_ACK);
    b.begin(fam, NLM_F_REQUEST | NLM_F_DUMP);
    auto out = k.exchange(b, {answer::ack, answer::dump});
    ASSERT_FALSE(out.error) << out.error->what();
    EXPECT_TRUE(all_ok(out.outcomes));
    EXPECT_EQ(out.notifications.size(), 3u);
    ASSERT_EQ(out.replies.size(), 3u);
    EXPECT_EQ(out.replies[0].first, 0u);
    EXPECT_EQ(out.replies[1].first, 1u);
    EXPECT_EQ(out.replies[2].first, 1u);
}

TEST(batch_reader, a_running_dump_is_waited_for) {
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        return std::vector<datagram_in>{{concat({kerror(0, reqs[0].raw(), port), kmsg(fam, NLM_F_MULTI, reqs[1].seq(), port)})}};
    });
    nlpp::message_builder b(fam, NLM_F_REQUEST | NLM_F_ACK);
    b.begin(fam, NLM_F_REQUEST | NLM_F_DUMP);
    auto out = k.exchange(b, {answer::ack, answer::dump});
    ASSERT_TRUE(out.error);  // a socket would have waited for the rest of the dump
    EXPECT_TRUE(out.error->is(nlpp::errc::timeout));
}

TEST(batch_reader, interrupted_dump_in_a_batch_is_its_outcome) {
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        const auto s = reqs[0].seq();
        return std::vector<datagram_in>{{concat({kmsg(fam, NLM_F_MULTI | NLM_F_DUMP_INTR, s, port), kdone(s, port),
                                                 kerror(0, reqs[1].raw(), port)})}};
    });
    nlpp::message_builder b(fam, NLM_F_REQUEST | NLM_F_DUMP);
    b.begin(fam, NLM_F_REQUEST | NLM_F_ACK);
    auto out = k.exchange(b, {answer::dump, answer::ack});
    ASSERT_FALSE(out.error) << out.error->what();
    ASSERT_TRUE(out.outcomes[0]);
    EXPECT_TRUE(out.outcomes[0]->is(nlpp::errc::dump_interrupted));
    EXPECT_FALSE(out.outcomes[1]);
    EXPECT_EQ(out.replies.size(), 1u);
}

TEST(batch_reader, late_replies_are_skipped_and_the_first_error_stands) {
    fake_batch_kernel k(port, [](std::span<const nlpp::message_view> reqs) {
        const auto s = reqs[0].seq();
        return std::vector<datagram_in>{{concat({kmsg(fam, 0, s - 1, port), kerror(EBUSY, reqs[0].raw(), port),
                                                 kerror(EPERM, reqs[0].raw(), port), kmsg(fam, 0, s, port),
                                                 kerror(0, reqs[1].raw(), port)})}};
    });
    auto b = batch(2);
    auto out = k.exchange(b, {answer::ack, answer::ack});
    ASSERT_FALSE(out.error) << out.error->what();
    ASSERT_TRUE(out.outcomes[0]);
    EXPECT_EQ(out.outcomes[0]->errno_value(), EBUSY);
    EXPECT_FALSE(out.outcomes[1]);
    EXPECT_TRUE(out.replies.empty());
}

TEST(batch_reader, seqs_wrapping_past_zero) {
    // Seqs 0xfffffffe, 0xffffffff, 1, 2: 0 is never assigned.
    fake_batch_kernel k(
        port,
        [](std::span<const nlpp::message_view> reqs) {
            EXPECT_EQ(reqs[2].seq(), 1u);
            return std::vector<datagram_in>{{concat({kerror(0, reqs[0].raw(), port), kerror(0, reqs[1].raw(), port),
                                                     kerror(EINVAL, reqs[2].raw(), port), kerror(0, reqs[3].raw(), port)})}};
        },
        0xfffffffe);
    auto b = batch(4);
    auto out = k.exchange(b, {answer::ack, answer::ack, answer::ack, answer::ack});
    ASSERT_FALSE(out.error) << out.error->what();
    EXPECT_FALSE(out.ended);
    EXPECT_FALSE(out.outcomes[0]);
    EXPECT_FALSE(out.outcomes[1]);
    ASSERT_TRUE(out.outcomes[2]);
    EXPECT_EQ(out.outcomes[2]->errno_value(), EINVAL);
    EXPECT_FALSE(out.outcomes[3]);
}

TEST(batch_reader, answers_must_match_the_messages) {
    auto b = batch(2);
    auto w = b.finish().value();
    nlpp::store<std::uint32_t>(w.subspan(8), 5);
    nlpp::store<std::uint32_t>(w.subspan(w.size() / 2 + 8), 6);
    auto few = nlpp::batch_reader::make(port, w, {answer::ack});
    ASSERT_FALSE(few);
    EXPECT_TRUE(few.error().is(nlpp::errc::invalid_argument));
    EXPECT_FALSE(nlpp::batch_reader::make(port, w, {answer::ack, answer::ack, answer::ack}));
    EXPECT_TRUE(nlpp::batch_reader::make(port, w, {answer::ack, answer::ack}));
    nlpp::store<std::uint32_t>(w.subspan(w.size() / 2 + 8), 9);
    auto gap = nlpp::batch_reader::make(port, w, {answer::ack, answer::ack});
    ASSERT_FALSE(gap);
    EXPECT_NE(gap.error().what().find("seq 9, expected 6"), std::string::npos) << gap.error();
}

}  // namespace
