// The message builder: layout, padding, nests, overflow.
#include <nlpp/core/builder.hpp>
#include <nlpp/core/dump.hpp>
#include <nlpp/core/message.hpp>

#include "../support/wire.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace {

std::string hex_of(nlpp::result<nlpp::mutable_bytes> r) { return nlpp::to_hex(r.value()); }

TEST(builder, writes_header_padding_and_length) {
    nlpp::message_builder b(0x1234, 0x0005);
    b.put_header(std::array<std::uint8_t, 2>{0xaa, 0xbb});
    b.put<std::uint16_t>(1, 80, nlpp::byte_order::big);
    b.put_string(2, "ab");
    b.put_flag(3);
    using nlpp::test::wire;
    EXPECT_EQ(hex_of(b.finish()), nlpp::to_hex(wire()
                                                   .nlmsg(40, 0x1234, 0x0005)
                                                   .raw("aa bb 00 00")
                                                   .nla(6, 1)
                                                   .u16(80, nlpp::byte_order::big)
                                                   .raw("00 00")
                                                   .nla(7, 2)
                                                   .raw("61 62 00 00")
                                                   .nla(4, 3)
                                                   .bytes()));
}

TEST(builder, nests_patch_their_length_and_can_be_cancelled) {
    nlpp::message_builder b(16, 0);
    {
        auto n = b.nest(1);
        b.put<std::uint32_t>(2, 9);
        {
            auto inner = b.nest(3, false);
            b.put<std::uint8_t>(4, 1);
        }
    }
    {
        auto gone = b.nest(5);
        b.put<std::uint32_t>(6, 1);
        gone.cancel();
    }
    using nlpp::test::wire;
    EXPECT_EQ(hex_of(b.finish()),
              nlpp::to_hex(wire().nlmsg(40, 16).nla(24, 0x8001).nla(8, 2).u32(9).nla(12, 3).nla(5, 4).u8(1).raw("00 00 00").bytes()));
}

TEST(builder, round_trips_through_the_views) {
    nlpp::message_builder b(16, 0);
    b.put<std::uint64_t>(1, 0x0102030405060708ull);
    b.put<std::int32_t>(2, -5);
    auto m = nlpp::message_view::parse(b.finish().value()).value();
    auto attrs = m.attrs();
    EXPECT_EQ(attrs.find(1)->get<std::uint64_t>().value(), 0x0102030405060708ull);
    EXPECT_EQ(attrs.find(2)->get<std::int32_t>().value(), -5);
    EXPECT_EQ(attrs.find(2)->get_sint().value(), -5);
}

TEST(builder, overflow_is_sticky_on_caller_storage) {
    std::array<std::byte, 32> storage{};
    nlpp::message_builder b(storage, 16, 0);
    b.put<std::uint32_t>(1, 1);  // 24 bytes
    EXPECT_TRUE(b.ok());
    b.put<std::uint64_t>(2, 1);  // would be 36
    EXPECT_FALSE(b.ok());
    b.put<std::uint8_t>(3, 1);  // would fit, but the error latched
    auto r = b.finish();
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(nlpp::errc::message_size));
}

TEST(builder, owned_storage_grows_to_its_limit) {
    nlpp::message_builder b(16, 0, 4096);
    std::string big(1000, 'x');
    for (int i = 0; i < 3; ++i) b.put_string(1, big);
    EXPECT_TRUE(b.ok());
    b.put_string(1, big);
    b.put_string(1, big);
    EXPECT_FALSE(b.ok());
}

TEST(builder, attribute_over_64k_is_an_error) {
    nlpp::message_builder b(16, 0);
    std::string big(70000, 'x');
    b.put_string(1, big);
    EXPECT_FALSE(b.finish());

    nlpp::message_builder b2(16, 0);
    {
        auto n = b2.nest(1);
        for (int i = 0; i < 3; ++i) b2.put_string(2, std::string(30000, 'y'));
    }
    EXPECT_FALSE(b2.finish());
}

TEST(builder, batch_of_messages) {
    nlpp::message_builder b(16, 1);
    b.put<std::uint32_t>(1, 1);
    b.begin(17, 2);
    b.begin(18, 3);
    b.put<std::uint8_t>(1, 1);
    auto wire = b.finish().value();
    std::vector<std::uint32_t> lens;
    for (auto m : nlpp::message_range(wire)) lens.push_back(m.length());
    EXPECT_EQ(lens, (std::vector<std::uint32_t>{24, 16, 24}));
}

TEST(builder, move_keeps_contents) {
    nlpp::message_builder a(16, 0);
    a.put<std::uint32_t>(1, 42);
    nlpp::message_builder b = std::move(a);
    auto m = nlpp::message_view::parse(b.finish().value()).value();
    EXPECT_EQ(m.attrs().find(1)->get<std::uint32_t>().value(), 42u);
}

TEST(dump, annotates_header_and_attributes) {
    nlpp::message_builder b(16, 0x5);
    {
        auto n = b.nest(1);
        b.put_string(2, "lo");
    }
    auto m = nlpp::message_view::parse(b.finish().value()).value();
    static constexpr nlpp::attr_name inner[] = {{}, {}, {"name"}};
    static constexpr nlpp::attr_set inner_set{"inner", inner};
    static constexpr nlpp::attr_name outer[] = {{}, {"info", &inner_set}};
    static constexpr nlpp::attr_set outer_set{"outer", outer};
    std::string s = nlpp::format_message(m, 0, &outer_set);
    EXPECT_NE(s.find("flags REQUEST,ACK"), std::string::npos) << s;
    EXPECT_NE(s.find("attr info"), std::string::npos) << s;
    EXPECT_NE(s.find("attr name"), std::string::npos) << s;
    EXPECT_NE(s.find("lo"), std::string::npos) << s;
    std::string guessed = nlpp::format_message(m);
    EXPECT_NE(guessed.find("  |    7|--|    2|"), std::string::npos) << guessed;
}

TEST(hex, round_trip_and_errors) {
    auto v = nlpp::from_hex("0a ff\n10").value();
    EXPECT_EQ(nlpp::to_hex(v), "0a ff 10\n");
    EXPECT_FALSE(nlpp::from_hex("0g"));
    EXPECT_FALSE(nlpp::from_hex("abc"));
}

}  // namespace
