// Attribute and message views: iteration, bounds, scalars, faults.
#include <nlpp/core/builder.hpp>
#include <nlpp/core/dump.hpp>
#include <nlpp/core/message.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace {

std::vector<std::byte> hex(std::string_view s) { return nlpp::from_hex(s).value(); }

TEST(attr, walks_attributes_in_place) {
    // u32 type 1 = 0x11223344, string type 2 = "ab\0", u64 type 3
    auto buf = hex("08 00 01 00 44 33 22 11  07 00 02 00 61 62 00 00  0c 00 03 00 01 00 00 00 02 00 00 00");
    nlpp::attr_range r(buf);
    std::vector<std::uint16_t> types;
    for (nlpp::attr_view a : r) types.push_back(a.type());
    EXPECT_EQ(types, (std::vector<std::uint16_t>{1, 2, 3}));
    EXPECT_FALSE(r.error());
    EXPECT_EQ(r.find(1)->get<std::uint32_t>().value(), 0x11223344u);
    EXPECT_EQ(r.find(1)->get<std::uint32_t>(nlpp::byte_order::big).value(), 0x44332211u);
    EXPECT_EQ(r.find(2)->get_string(), "ab");
    EXPECT_EQ(r.find(3)->get<std::uint64_t>().value(), 0x0000000200000001ull);
    EXPECT_EQ(r.find(3)->get_uint().value(), 0x0000000200000001ull);
    EXPECT_EQ(r.find(1)->get_uint().value(), 0x11223344u);
    EXPECT_FALSE(r.find(9));
}

TEST(attr, exact_lengths_are_enforced) {
    auto buf = hex("06 00 04 00 dc 05 00 00");
    auto a = *nlpp::attr_range(buf).find(4);
    auto v = a.get<std::uint32_t>();
    ASSERT_FALSE(v);
    EXPECT_TRUE(v.error().is(nlpp::errc::attr_invalid));
    EXPECT_NE(v.error().what().find("needs 4 bytes of payload, has 2"), std::string::npos);
    EXPECT_EQ(a.get<std::uint16_t>().value(), 0x05dc);
    EXPECT_FALSE(a.get_uint());
    EXPECT_FALSE(a.get_sint());
    EXPECT_EQ(a.get<std::uint16_t>(nlpp::byte_order::big).value(), 0xdc05);
}

TEST(attr, string_without_nul) {
    auto buf = hex("07 00 01 00 61 62 63 00");
    EXPECT_EQ(nlpp::attr_range(buf).find(1)->get_string(), "abc");
    auto buf2 = hex("08 00 01 00 61 62 63 64");
    EXPECT_EQ(nlpp::attr_range(buf2).find(1)->get_string(), "abcd");
}

TEST(attr, nested_with_and_without_flag) {
    auto with = hex("0c 00 01 80  08 00 02 00 05 00 00 00");
    auto without = hex("0c 00 01 00  08 00 02 00 05 00 00 00");
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
    struct tc {
        const char* bytes;
        std::size_t good;
        const char* reason;
    } cases[] = {
        {"08 00 01 00 00 00 00 00  02 00", 1, "fewer than 4 bytes"},
        {"08 00 01 00 00 00 00 00  02 00 02 00", 1, "smaller than the attribute header"},
        {"08 00 01 00 00 00 00 00  10 00 02 00 00 00", 1, "past the end"},
        {"ff ff 01 00", 0, "past the end"},
    };
    for (const auto& c : cases) {
        auto buf = hex(c.bytes);
        nlpp::attr_range r(buf);
        std::size_t n = 0;
        for ([[maybe_unused]] nlpp::attr_view a : r) ++n;
        EXPECT_EQ(n, c.good) << c.bytes;
        ASSERT_TRUE(r.error()) << c.bytes;
        EXPECT_NE(r.error()->what().find(c.reason), std::string::npos) << r.error()->what();
    }
}

TEST(attr, unpadded_last_attribute_is_accepted) {
    auto buf = hex("05 00 01 00 07");
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
    auto buf = hex("08 00 01 00 01 00 00 00  08 00 07 00 02 00 00 00  08 00 02 00 03 00 00 00");
    auto tb = nlpp::attr_range(buf).index<4>();
    ASSERT_TRUE(tb[1] && tb[2]);
    EXPECT_FALSE(tb[3]);
    EXPECT_EQ(tb[2]->get<std::uint32_t>().value(), 3u);
}

TEST(attr, fixed_struct) {
    struct two {
        std::uint32_t a, b;
    };
    auto buf = hex("0c 00 07 00 01 00 00 00 ff ff ff ff");
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
    auto short_hdr = hex("10 00 00 00 14 00 00 00 00 00 00 00");
    nlpp::message_range r1(short_hdr);
    EXPECT_EQ(r1.begin(), r1.end());
    ASSERT_TRUE(r1.error());
    EXPECT_TRUE(r1.error()->is(nlpp::errc::truncated));

    auto too_long = hex("20 00 00 00 14 00 00 00 00 00 00 00 00 00 00 00");
    nlpp::message_range r2(too_long);
    EXPECT_EQ(r2.begin(), r2.end());
    EXPECT_NE(r2.error()->what().find("past the end of the datagram"), std::string::npos);

    auto tiny_len = hex("04 00 00 00 14 00 00 00 00 00 00 00 00 00 00 00");
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
