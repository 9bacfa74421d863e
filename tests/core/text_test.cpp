// nlpp/core/text.hpp: hex both ways and dotted IPv4. The expected texts are
// what Python's bytes.hex(sep) and inet_ntop(3) print for the same bytes.
#include <nlpp/core/text.hpp>

#include <arpa/inet.h>

#include <gtest/gtest.h>

#include <array>
#include <initializer_list>
#include <string>
#include <vector>

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> v) {
    std::vector<std::byte> out;
    for (unsigned x : v) out.push_back(static_cast<std::byte>(x));
    return out;
}

TEST(text, hex_with_and_without_separators) {
    const auto b = bytes_of({0x02, 0xaa, 0x0f, 0xff});
    EXPECT_EQ(nlpp::hex(b), "02aa0fff");
    EXPECT_EQ(nlpp::hex(b, ':'), "02:aa:0f:ff");
    EXPECT_EQ(nlpp::hex(b, ' '), "02 aa 0f ff");
    EXPECT_EQ(nlpp::hex({}), "");
    std::vector<std::byte> seventeen(17, std::byte{1});
    EXPECT_EQ(nlpp::to_hex(seventeen), "01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01\n01\n");
}

TEST(text, from_hex_takes_separators_between_bytes_only) {
    EXPECT_EQ(nlpp::from_hex("02aa0FFF").value(), bytes_of({0x02, 0xaa, 0x0f, 0xff}));
    EXPECT_EQ(nlpp::from_hex("02 aa\n0f\t ff\n").value(), bytes_of({0x02, 0xaa, 0x0f, 0xff}));
    EXPECT_EQ(nlpp::from_hex("02:aa-0f", ":-").value(), bytes_of({0x02, 0xaa, 0x0f}));
    EXPECT_FALSE(nlpp::from_hex("02:aa"));       // ':' is not a default separator
    EXPECT_FALSE(nlpp::from_hex("0 2"));         // not within a byte
    EXPECT_FALSE(nlpp::from_hex("02a"));         // a lone digit
    EXPECT_FALSE(nlpp::from_hex("0g"));
    EXPECT_TRUE(nlpp::from_hex("").value().empty());
}

TEST(text, ipv4_as_inet_ntop_writes_it) {
    for (const char* s : {"0.0.0.0", "192.0.2.1", "10.100.9.255", "255.255.255.255", "1.22.133.4"}) {
        std::array<std::byte, 4> b;
        ASSERT_EQ(inet_pton(AF_INET, s, b.data()), 1);
        char want[INET_ADDRSTRLEN];
        ASSERT_TRUE(inet_ntop(AF_INET, b.data(), want, sizeof want));
        EXPECT_EQ(nlpp::ipv4_text(b), want);
    }
}

}  // namespace
