// The receive loop's logic against a message-level fake kernel: errno,
// extended ACK with attribute paths, DUMP_INTR, seq and port checks,
// notifications during a request, truncation.
#include "../support/fake_kernel.hpp"

#include <nlpp/core/extack.hpp>

#include <gtest/gtest.h>

namespace {

using namespace nlpp::test;
constexpr std::uint32_t port = 4242;
constexpr std::uint16_t fam = 0x20;

// Names for a small family: .service{.af, .port}, .timeout
constexpr nlpp::attr_name svc_names[] = {{}, {"af"}, {"protocol"}, {"addr"}, {"port"}};
constexpr nlpp::attr_set svc_set{"service", svc_names};
constexpr nlpp::attr_name top_names[] = {{}, {"service", &svc_set}, {"dest"}, {"daemon"}, {"timeout-tcp"}};
constexpr nlpp::attr_set top_set{"cmd", top_names};

nlpp::message_builder service_request() {
    nlpp::message_builder b(fam, NLM_F_REQUEST | NLM_F_ACK);
    b.put_header(std::uint32_t{0x00010001});  // genl header: cmd 1, version 1
    {
        auto s = b.nest(1);
        b.put<std::uint16_t>(1, 2);
        b.put<std::uint16_t>(4, 80, nlpp::byte_order::big);
    }
    b.put<std::uint32_t>(4, 30);
    return b;
}

TEST(reply_reader, ack_completes_a_request) {
    fake_kernel k(port, [](nlpp::message_view req) {
        return std::vector<datagram_in>{{kerror(0, req.raw(), port)}};
    });
    auto b = service_request();
    auto out = k.exchange(b);
    EXPECT_TRUE(out.done);
    EXPECT_FALSE(out.error);
}

TEST(reply_reader, errno_with_extack_and_attribute_path) {
    // offset of the nested port attribute: 16 (nlmsghdr) + 4 (genl) + 4 (nest hdr) + 8 (af)
    fake_kernel k(port, [](nlpp::message_view req) {
        return std::vector<datagram_in>{
            {kerror(EINVAL, req.raw(), port, {.msg = "bad port", .offset = 16 + 4 + 4 + 8})}};
    });
    auto b = service_request();
    nlpp::request_info info{"add service", 4, &top_set};
    auto out = k.exchange(b, info);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->errno_value(), EINVAL);
    EXPECT_EQ(out.error->extack().message, "bad port");
    EXPECT_EQ(out.error->extack().attr_path, ".service.port");
    EXPECT_EQ(out.error->what(),
              "add service: Invalid argument (kernel: 'bad port', bad attribute: .service.port)");
}

TEST(reply_reader, missing_attribute_is_named) {
    fake_kernel k(port, [](nlpp::message_view req) {
        return std::vector<datagram_in>{{kerror(EINVAL, req.raw(), port, {.miss_type = 2, .miss_nest = 16 + 4})}};
    });
    auto b = service_request();
    auto out = k.exchange(b, {"add service", 4, &top_set});
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->extack().missing_path, ".service.protocol");
    EXPECT_NE(out.error->what().find("missing attribute: .service.protocol"), std::string::npos);
}

TEST(reply_reader, unknown_names_render_as_numbers) {
    fake_kernel k(port, [](nlpp::message_view req) {
        return std::vector<datagram_in>{{kerror(ERANGE, req.raw(), port, {.offset = 16 + 4 + 4 + 8})}};
    });
    auto b = service_request();
    auto out = k.exchange(b, {"x", 4, nullptr});
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->extack().attr_path, ".1.4");
}

TEST(reply_reader, eperm_names_the_capability) {
    fake_kernel k(port, [](nlpp::message_view req) {
        return std::vector<datagram_in>{{kerror(EPERM, req.raw(), port)}};
    });
    auto b = service_request();
    auto out = k.exchange(b, {"flush"});
    ASSERT_TRUE(out.error);
    EXPECT_NE(out.error->what().find("needs CAP_NET_ADMIN"), std::string::npos) << out.error->what();
}

TEST(reply_reader, dump_streams_until_done) {
    fake_kernel k(port, [](nlpp::message_view req) {
        auto seq = req.seq();
        return std::vector<datagram_in>{
            {concat({kmsg(fam, NLM_F_MULTI, seq, port), kmsg(fam, NLM_F_MULTI, seq, port)})},
            {concat({kmsg(fam, NLM_F_MULTI, seq, port), kdone(seq, port)})}};
    });
    nlpp::message_builder b(fam, NLM_F_REQUEST | NLM_F_DUMP);
    auto out = k.exchange(b);
    EXPECT_EQ(out.replies.size(), 3u);
    EXPECT_TRUE(out.done);
}

TEST(reply_reader, dump_intr_is_reported_after_the_dump) {
    fake_kernel k(port, [](nlpp::message_view req) {
        auto seq = req.seq();
        return std::vector<datagram_in>{{concat({kmsg(fam, NLM_F_MULTI, seq, port),
                                                 kmsg(fam, NLM_F_MULTI | NLM_F_DUMP_INTR, seq, port),
                                                 kmsg(fam, NLM_F_MULTI, seq, port), kdone(seq, port)})}};
    });
    nlpp::message_builder b(fam, NLM_F_REQUEST | NLM_F_DUMP);
    auto out = k.exchange(b, {"dump links"});
    EXPECT_EQ(out.replies.size(), 3u);
    ASSERT_TRUE(out.error);
    EXPECT_TRUE(out.error->is(nlpp::errc::dump_interrupted));
    EXPECT_NE(out.error->what().find("retry"), std::string::npos);
}

TEST(reply_reader, done_with_error_and_extack) {
    fake_kernel k(port, [](nlpp::message_view req) {
        auto done = kmsg(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, req.seq(), port, [](nlpp::message_builder& b) {
            b.put_header(std::int32_t{-EOPNOTSUPP});
            b.put_string(NLMSGERR_ATTR_MSG, "no dump for you");
        });
        return std::vector<datagram_in>{{done}};
    });
    nlpp::message_builder b(fam, NLM_F_REQUEST | NLM_F_DUMP);
    auto out = k.exchange(b);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->errno_value(), EOPNOTSUPP);
    EXPECT_EQ(out.error->extack().message, "no dump for you");
}

TEST(reply_reader, stale_replies_are_skipped_and_notifications_kept) {
    fake_kernel k(port, [](nlpp::message_view req) {
        auto seq = req.seq();
        return std::vector<datagram_in>{
            {kmsg(fam, NLM_F_MULTI, seq - 1, port)},   // late reply to an abandoned request
            {kmsg(fam, 0, seq, port), 5},               // a multicast echo of our own change
            {kmsg(fam, 0, 0, 0)},                       // a kernel notification
            {concat({kmsg(fam, 0, seq, port), kerror(0, req.raw(), port)})}};
    });
    auto b = service_request();
    auto out = k.exchange(b);
    EXPECT_EQ(out.replies.size(), 1u);
    EXPECT_EQ(out.notifications.size(), 2u);
    EXPECT_TRUE(out.done);
}

TEST(reply_reader, wrong_port_is_an_error) {
    fake_kernel k(port, [](nlpp::message_view req) {
        return std::vector<datagram_in>{{kmsg(fam, 0, req.seq(), port + 1)}};
    });
    auto b = service_request();
    auto out = k.exchange(b);
    ASSERT_TRUE(out.error);
    EXPECT_TRUE(out.error->is(nlpp::errc::port_mismatch));
}

TEST(reply_reader, truncated_datagram_is_an_error) {
    fake_kernel k(port, [](nlpp::message_view req) {
        auto m = kmsg(fam, 0, req.seq(), port, [](nlpp::message_builder& b) { b.put<std::uint32_t>(1, 1); });
        m.resize(m.size() - 6);
        return std::vector<datagram_in>{{m}};
    });
    auto b = service_request();
    auto out = k.exchange(b);
    ASSERT_TRUE(out.error);
    EXPECT_TRUE(out.error->is(nlpp::errc::truncated));
}

TEST(reply_reader, malformed_ack_is_an_error) {
    fake_kernel k(port, [](nlpp::message_view req) {
        return std::vector<datagram_in>{
            {kmsg(NLMSG_ERROR, 0, req.seq(), port, [](nlpp::message_builder& b) { b.put_header(std::int32_t{-1}); })}};
    });
    auto b = service_request();
    auto out = k.exchange(b);
    ASSERT_TRUE(out.error);
    EXPECT_TRUE(out.error->is(nlpp::errc::truncated));
}

TEST(reply_reader, uncapped_error_skips_the_echoed_request) {
    fake_kernel k(port, [](nlpp::message_view req) {
        auto e = kmsg(NLMSG_ERROR, NLM_F_ACK_TLVS, req.seq(), port, [&](nlpp::message_builder& b) {
            b.put_header(std::int32_t{-ENOENT});
            b.put_header(req.raw());
            b.put_string(NLMSGERR_ATTR_MSG, "no such thing");
        });
        return std::vector<datagram_in>{{e}};
    });
    auto b = service_request();
    auto out = k.exchange(b);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->errno_value(), ENOENT);
    EXPECT_EQ(out.error->extack().message, "no such thing");
}

}  // namespace
