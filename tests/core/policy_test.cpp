// validate(): policy tables check integer sizes and ranges, string and
// binary lengths, flags and nests, naming the attribute path.
#include <nlpp/core/attr.hpp>
#include <nlpp/core/builder.hpp>
#include <nlpp/core/policy.hpp>

#include <gtest/gtest.h>

namespace {

constexpr nlpp::attr_name vlan_names[] = {{}, {"id", nullptr, nlpp::attr_kind::u16, 0, 0xffffffff, 0, 4094},
                                          {"port", nullptr, nlpp::attr_kind::u16, 0, 0xffffffff, 1, 65535, nlpp::byte_order::big}};
constexpr nlpp::attr_set vlan_set{"vlan", vlan_names};
constexpr nlpp::attr_name link_names[] = {{},
                                          {"ifname", nullptr, nlpp::attr_kind::string, 1, 15},
                                          {"data", &vlan_set, nlpp::attr_kind::nest},
                                          {"up", nullptr, nlpp::attr_kind::flag},
                                          {"address", nullptr, nlpp::attr_kind::binary, 6, 6},
                                          {"weight", nullptr, nlpp::attr_kind::s32, 0, 0xffffffff, -10, 10},
                                          {"raw"}};
constexpr nlpp::attr_set link_set{"link", link_names};

// The attributes of a built message (no fixed header).
template <class F>
nlpp::result<void> check(F&& fill) {
    nlpp::message_builder b(16, 0);
    fill(b);
    auto wire = b.finish();
    EXPECT_TRUE(wire);
    return nlpp::validate(wire->subspan(16), link_set);
}

std::string what(const nlpp::result<void>& r) { return r ? "" : r.error().context(); }

TEST(policy, valid_attributes_pass) {
    auto r = check([](nlpp::message_builder& b) {
        b.put_string(1, "vlan7");
        auto n = b.nest(2);
        b.put<std::uint16_t>(1, 4094);
        b.put<std::uint16_t>(2, 80, nlpp::byte_order::big);
        n.end();
        b.put_flag(3);
        const std::byte mac[6] = {};
        b.put(4, nlpp::bytes(mac, 6));
        b.put<std::int32_t>(5, -10);
        b.put<std::uint64_t>(6, 1);  // `any`: not checked
        b.put<std::uint32_t>(9, 1);  // unknown to the table: left to the kernel
    });
    EXPECT_TRUE(r) << r.error();
}

TEST(policy, violations_name_the_attribute) {
    EXPECT_EQ(what(check([](nlpp::message_builder& b) { b.put_string(1, "a-name-of-twenty-chars"); })), ".ifname: 22 bytes, at most 15 allowed");
    EXPECT_EQ(what(check([](nlpp::message_builder& b) { b.put_string(1, ""); })), ".ifname: 0 bytes, at least 1 needed");
    EXPECT_EQ(what(check([](nlpp::message_builder& b) {
                  auto n = b.nest(2);
                  b.put<std::uint16_t>(1, 5000);
              })),
              ".data.id: 5000 is above the maximum 4094");
    EXPECT_EQ(what(check([](nlpp::message_builder& b) {
                  auto n = b.nest(2);
                  b.put<std::uint16_t>(2, 0, nlpp::byte_order::big);
              })),
              ".data.port: 0 is below the minimum 1");
    EXPECT_EQ(what(check([](nlpp::message_builder& b) {
                  auto n = b.nest(2);
                  b.put<std::uint32_t>(1, 1);
              })),
              ".data.id: 4 bytes, a 2-byte integer expected");
    EXPECT_EQ(what(check([](nlpp::message_builder& b) { b.put<std::uint32_t>(3, 1); })), ".up: a flag carries no payload, this one has 4 bytes");
    EXPECT_EQ(what(check([](nlpp::message_builder& b) { b.put<std::uint32_t>(4, 1); })), ".address: 4 bytes, at least 6 needed");
    EXPECT_EQ(what(check([](nlpp::message_builder& b) { b.put<std::int32_t>(5, -11); })), ".weight: -11 is below the minimum -10");
}

TEST(policy, malformed_attributes_are_an_error) {
    const std::byte bad[] = {std::byte{40}, std::byte{0}, std::byte{1}, std::byte{0}};  // length past the end
    auto r = nlpp::validate(nlpp::bytes(bad, 4), link_set);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(nlpp::errc::truncated) || r.error().is(nlpp::errc::malformed)) << r.error();
}

TEST(policy, nests_deeper_than_32_levels_are_refused) {
    static nlpp::attr_name recursive[] = {{}, {"inner", nullptr, nlpp::attr_kind::nest}};
    static const nlpp::attr_set set{"deep", recursive};
    recursive[1].nested = &set;
    nlpp::message_builder b(16, 0);
    std::vector<nlpp::nest_guard> levels;
    for (int i = 0; i < 40; ++i) levels.push_back(b.nest(1));
    while (!levels.empty()) levels.pop_back();
    auto wire = b.finish();
    ASSERT_TRUE(wire);
    auto r = nlpp::validate(wire->subspan(16), set);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().context().find("nested deeper than 32 levels"), std::string::npos) << r.error();
}

}  // namespace
