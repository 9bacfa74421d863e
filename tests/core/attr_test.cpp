// Attribute and message views: iteration, bounds, scalars, faults.
#include <nlpp/core/builder.hpp>
#include <nlpp/core/dump.hpp>
#include <nlpp/core/message.hpp>

#include "../support/wire.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using nlpp::test::little_endian;
using nlpp::test::wire;

TEST(attr, walks_attributes_in_place) {
    // u32 type 1 = 0x11223344, string type 2 = "ab\0", u64 type 3
    std::vector<std::byte> buf = wire().nla(8, 1).u32(0x11223344).nla(7, 2).raw("61 62 00 00").nla(12, 3).u64(0x0000000200000001);
    nlpp::attr_range r(buf);
    std::vector<std::uint16_t> types;
    for (nlpp::attr_view a : r) types.push_back(a.type());
    EXPECT_EQ(types, (std::vector<std::uint16_t>{1, 2, 3}));
    EXPECT_FALSE(r.error());
    EXPECT_EQ(r.find(1)->get<std::uint32_t>().value(), 0x11223344u);
    EXPECT_EQ(r.find(1)->get<std::uint32_t>(nlpp::byte_order::big).value(), little_endian ? 0x44332211u : 0x11223344u);
    EXPECT_EQ(r.find(2)->get_string(), "ab");
    EXPECT_EQ(r.find(3)->get<std::uint64_t>().value(), 0x0000000200000001ull);
    EXPECT_EQ(r.find(3)->get_uint().value(), 0x0000000200000001ull);
    EXPECT_EQ(r.find(1)->get_uint().value(), 0x11223344u);
    EXPECT_FALSE(r.find(9));
}

TEST(attr, exact_lengths_are_enforced) {
    std::vector<std::byte> buf = wire().nla(6, 4).u16(0x05dc).raw("00 00");
    auto a = *nlpp::attr_range(buf).find(4);
    auto v = a.get<std::uint32_t>();
    ASSERT_FALSE(v);
    EXPECT_TRUE(v.error().is(nlpp::errc::attr_invalid));
    EXPECT_NE(v.error().what().find("needs 4 bytes of payload, has 2"), std::string::npos);
    EXPECT_EQ(a.get<std::uint16_t>().value(), 0x05dc);
    EXPECT_FALSE(a.get_uint());
    EXPECT_FALSE(a.get_sint());
    EXPECT_EQ(a.get<std::uint16_t>(nlpp::byte_order::big).value(), little_endian ? 0xdc05 : 0x05dc);
}

TEST(attr, string_without_nul) {
    std::vector<std::byte> buf = wire().nla(7, 1).raw("61 62 63 00");
    EXPECT_EQ(nlpp::attr_range(buf).find(1)->get_string(), "abc");
    std::vector<std::byte> buf2 = wire().nla(8, 1).raw("61 62 63 64");
    EXPECT_EQ(nlpp::attr_range(buf2).find(1)->get_string(), "abcd");
}

TEST(attr, nested_with_and_without_flag) {
    std::vector<std::byte> with = wire().nla(12, 0x8001).nla(8, 2).u32(5);
    std::vector<std::byte> without = wire().nla(12, 1).nla(8, 2).u32(5);
    for (auto* buf : {&with, &without}) {
        nlpp::attr_range r(*buf);
        auto outer = *r.find(1);
        EXPECT_EQ(outer.type(), 1);
        auto inner = outer.nested().find(2);
        ASSERT_TRUE(inner);
        EXPECT_EQ(inner->get<std::uint32_t>().value(), 5u);
    }
    EXPECT_TRUE(nlpp::attr_range(with).find(1)->nested_flag());
    EXPECT_FALSE(nlpp::attr_range(without).find(1)->nested_flag());
}

TEST(attr, malformed_lengths_stop_with_an_error) {
    const auto good = [] { return wire().nla(8, 1).u32(0); };
    struct tc {
        std::vector<std::byte> bytes;
        std::size_t good;
        const char* reason;
    } cases[] = {
        {good().u16(2), 1, "fewer than 4 bytes"},
        {good().nla(2, 2), 1, "smaller than the attribute header"},
        {good().nla(16, 2).raw("00 00"), 1, "past the end"},
        {wire().nla(0xffff, 1), 0, "past the end"},
    };
    for (const auto& c : cases) {
        nlpp::attr_range r(c.bytes);
        std::size_t n = 0;
        for ([[maybe_unused]] nlpp::attr_view a : r) ++n;
        EXPECT_EQ(n, c.good) << c.reason;
        ASSERT_TRUE(r.error()) << c.reason;
        EXPECT_NE(r.error()->what().find(c.reason), std::string::npos) << *r.error();
    }
}

TEST(attr, unpadded_last_attribute_is_accepted) {
    std::vector<std::byte> buf = wire().nla(5, 1).u8(7);
    nlpp::attr_range r(buf);
    std::size_t n = 0;
    for (nlpp::attr_view a : r) {
        ++n;
        EXPECT_EQ(a.get<std::uint8_t>().value(), 7);
    }
    EXPECT_EQ(n, 1u);
    EXPECT_FALSE(r.error());
}

TEST(attr, index_keeps_known_types_and_skips_the_rest) {
    std::vector<std::byte> buf = wire().nla(8, 1).u32(1).nla(8, 7).u32(2).nla(8, 2).u32(3);
    auto tb = nlpp::attr_range(buf).index<4>();
    ASSERT_TRUE(tb[1] && tb[2]);
    EXPECT_FALSE(tb[3]);
    EXPECT_EQ(tb[2]->get<std::uint32_t>().value(), 3u);
}

TEST(attr, fixed_struct) {
    struct two {
        std::uint32_t a, b;
    };
    std::vector<std::byte> buf = wire().nla(12, 7).u32(1).u32(0xffffffff);
    auto s = nlpp::attr_range(buf).find(7)->get_struct<two>();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->a, 1u);
    EXPECT_EQ(s->b, 0xffffffffu);
    struct three {
        std::uint32_t a, b, c;
    };
    EXPECT_FALSE(nlpp::attr_range(buf).find(7)->get_struct<three>());
}

TEST(message, walks_a_datagram) {
    nlpp::message_builder b(20, 0x1);
    b.put<std::uint32_t>(1, 7);
    b.begin(21, 0x2);
    b.put_string(2, "x");
    auto wire = b.finish().value();
    nlpp::message_range msgs(wire);
    std::vector<std::uint16_t> types;
    for (nlpp::message_view m : msgs) {
        types.push_back(m.type());
        EXPECT_EQ(m.length() % 4, 0u);
    }
    EXPECT_EQ(types, (std::vector<std::uint16_t>{20, 21}));
    EXPECT_FALSE(msgs.error());
}

TEST(message, malformed_headers_are_errors) {
    std::vector<std::byte> short_hdr = wire().u32(16).u16(20).u16(0).u32(0);
    nlpp::message_range r1(short_hdr);
    EXPECT_EQ(r1.begin(), r1.end());
    ASSERT_TRUE(r1.error());
    EXPECT_TRUE(r1.error()->is(nlpp::errc::truncated));

    std::vector<std::byte> too_long = wire().nlmsg(32, 20);
    nlpp::message_range r2(too_long);
    EXPECT_EQ(r2.begin(), r2.end());
    EXPECT_NE(r2.error()->what().find("past the end of the datagram"), std::string::npos);

    std::vector<std::byte> tiny_len = wire().nlmsg(4, 20);
    nlpp::message_range r3(tiny_len);
    EXPECT_EQ(r3.begin(), r3.end());
    EXPECT_NE(r3.error()->what().find("smaller than the message header"), std::string::npos);

    EXPECT_FALSE(nlpp::message_view::parse(short_hdr));
    EXPECT_FALSE(nlpp::message_view::parse(too_long));
}

TEST(message, family_header_must_fit) {
    nlpp::message_builder b(20, 0);
    b.put_header(std::uint16_t{1});
    auto wire = b.finish().value();
    auto m = nlpp::message_view::parse(wire).value();
    EXPECT_FALSE(m.attrs(4).error());
    auto short_range = m.attrs(8);
    EXPECT_EQ(short_range.begin(), short_range.end());
    ASSERT_TRUE(short_range.error());
    EXPECT_NE(short_range.error()->what().find("shorter than its family header"), std::string::npos);
    EXPECT_FALSE(m.fixed_header<std::uint64_t>());
}

}  // namespace
