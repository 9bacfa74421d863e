// ACK parsing and attribute paths.
#include "../support/fake_kernel.hpp"

#include <nlpp/core/extack.hpp>

#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace {

using namespace nlpp::test;

TEST(ack, plain_ack_and_done) {
    nlpp::message_builder req(20, 0);
    auto r = req.finish().value();
    auto a = nlpp::parse_ack(nlpp::message_view::parse(kerror(0, r, 1)).value()).value();
    EXPECT_EQ(a.error, 0);
    EXPECT_FALSE(a.done);
    auto empty_done = kmsg(NLMSG_DONE, 0, 1, 1);
    auto d = nlpp::parse_ack(nlpp::message_view::parse(empty_done).value()).value();
    EXPECT_TRUE(d.done);
    EXPECT_EQ(d.error, 0);
}

TEST(ack, rejects_other_types) {
    auto m = kmsg(20, 0, 1, 1);
    auto a = nlpp::parse_ack(nlpp::message_view::parse(m).value());
    ASSERT_FALSE(a);
    EXPECT_TRUE(a.error().is(nlpp::errc::unexpected_message));
}

TEST(ack, bad_tlv_width_is_an_error) {
    auto m = kmsg(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 1, 1, [](nlpp::message_builder& b) {
        b.put_header(std::int32_t{-EINVAL});
        b.put_header(std::array<std::byte, 16>{});
        b.put<std::uint16_t>(NLMSGERR_ATTR_OFFS, 3);
    });
    auto a = nlpp::parse_ack(nlpp::message_view::parse(m).value());
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().what().find("extended ACK offset"), std::string::npos);
}

TEST(attr_path, outside_any_attribute_is_empty) {
    nlpp::message_builder b(20, 0);
    b.put<std::uint32_t>(1, 1);
    auto w = b.finish().value();
    EXPECT_EQ(nlpp::attr_path(w, 0, 4, nullptr), "");
    EXPECT_EQ(nlpp::attr_path(w, 0, 16, nullptr), ".1");
    EXPECT_EQ(nlpp::attr_path(w, 0, 400, nullptr), "");
    EXPECT_EQ(nlpp::missing_attr_path(w, 0, std::nullopt, 7, nullptr), ".7");
}

TEST(error, what_renders_everything) {
    nlpp::error e = nlpp::error::from_errno(EEXIST, "add service");
    nlpp::extack_info x;
    x.message = "exists";
    x.offset = 20;
    e.set_extack(x);
    EXPECT_EQ(e.what(), "add service: File exists (kernel: 'exists', bad attribute at offset 20)");
    e.set_hint("list the services first");
    EXPECT_EQ(e.what(), "add service: File exists (kernel: 'exists', bad attribute at offset 20); list the services first");
    nlpp::error w = nlpp::error(nlpp::errc::truncated, "inner").wrap("outer");
    EXPECT_EQ(w.what(), "outer: inner: truncated data");
    EXPECT_EQ(w.errno_value(), 0);
}

// An error is a code and a pointer; its details are copied, not shared.
TEST(error, small_and_copied_deeply) {
    EXPECT_LE(sizeof(nlpp::result<std::uint32_t>), 32u);
    nlpp::error none;
    EXPECT_EQ(none.context(), "");
    EXPECT_EQ(none.hint(), "");
    EXPECT_FALSE(none.extack().offset);
    nlpp::error a = nlpp::error::from_errno(ENOENT, "get service");
    a.set_hint("no such service");
    nlpp::error b = a;
    b.set_hint("changed");
    const nlpp::error& same = b;
    b = same;  // self-assignment keeps it
    EXPECT_EQ(a.what(), "get service: No such file or directory; no such service");
    EXPECT_EQ(b.what(), "get service: No such file or directory; changed");
    nlpp::error c = std::move(b);
    EXPECT_EQ(c.hint(), "changed");
    EXPECT_TRUE(c.code() == std::errc::no_such_file_or_directory);
}

TEST(error, prints_with_fmt_and_streams) {
    const nlpp::error e(nlpp::errc::timeout, "dump links");
    EXPECT_EQ(fmt::format("{}", e), "dump links: timed out waiting for the kernel");
    EXPECT_EQ(fmt::format("[{}]", nlpp::error(nlpp::errc::malformed, "")), "[malformed data]");
    std::ostringstream os;
    os << e;
    EXPECT_EQ(os.str(), e.what());
}

}  // namespace

namespace {
TEST(ack, error_field_must_be_an_errno) {
    for (std::int32_t bad : {1, -5000, INT32_MIN}) {
        auto m = nlpp::test::kmsg(NLMSG_ERROR, NLM_F_CAPPED, 1, 1, [&](nlpp::message_builder& b) {
            b.put_header(bad);
            b.put_header(std::array<std::byte, 16>{});
        });
        auto a = nlpp::parse_ack(nlpp::message_view::parse(m).value());
        ASSERT_FALSE(a) << bad;
        EXPECT_TRUE(a.error().is(nlpp::errc::malformed));
    }
}
}  // namespace
