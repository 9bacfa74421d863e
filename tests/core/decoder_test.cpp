// The attribute decoder: typed reads, the first problem kept with its path,
// nests, unknown attributes skipped, malformed input.
#include <nlpp/core/builder.hpp>
#include <nlpp/core/decoder.hpp>
#include <nlpp/core/message.hpp>

#include "../support/wire.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using nlpp::attr_decoder;
using nlpp::test::little_endian;
using nlpp::test::wire;

constexpr nlpp::attr_name entry_names[] = {{}, {"id"}, {"name"}};
constexpr nlpp::attr_set entry_set{"entry", entry_names};
constexpr nlpp::attr_name inner_names[] = {{}, {"mtu"}, {"port"}};
constexpr nlpp::attr_set inner_set{"inner", inner_names};
constexpr nlpp::attr_name top_names[] = {{}, {"id"}, {"name"}, {"inner", &inner_set}, {"list"}};
constexpr nlpp::attr_set top_set{"top", top_names};

struct top {
    std::uint16_t id = 0;
    std::string name;
    std::uint32_t mtu = 0;
    std::uint16_t port = 0;
    std::vector<std::uint32_t> ids;
};

// Decodes top_set's attributes: 1 u16, 2 string, 3 nest {1 u32, 2 be16}, 4 nest of numbered {1 u32}.
std::optional<nlpp::error> decode(nlpp::bytes in, top& out) {
    attr_decoder d(nlpp::attr_range(in), "thing", &top_set);
    while (d.next()) {
        switch (d.type()) {
        case 1: out.id = d.get<std::uint16_t>(); break;
        case 2: out.name = d.get_string(); break;
        case 3:
            d.nested([&](attr_decoder& n) {
                while (n.next()) {
                    if (n.type() == 1) out.mtu = n.get<std::uint32_t>();
                    else if (n.type() == 2) out.port = n.get<std::uint16_t>(nlpp::byte_order::big);
                }
            });
            break;
        case 4:
            d.nested([&](attr_decoder& list) {
                while (list.next())
                    list.nested(entry_set, [&](attr_decoder& e) {
                        while (e.next())
                            if (e.type() == 1) out.ids.push_back(e.get<std::uint32_t>());
                    });
            });
            break;
        default: break;
        }
    }
    return d.error();
}

std::vector<std::byte> good_input() {
    return wire()
        .nla(6, 1).u16(7).raw("00 00")
        .nla(7, 2).raw("61 62 00 00")
        .nla(8, 9).u32(99)                                   // unknown: skipped
        .nla(20, 3).nla(8, 1).u32(1500).nla(6, 2).u16(80, nlpp::byte_order::big).raw("00 00")
        .nla(28, 4).nla(12, 1).nla(8, 1).u32(10).nla(12, 2).nla(8, 1).u32(20);
}

TEST(attr_decoder, reads_typed_values_and_skips_unknown_attributes) {
    top t;
    auto in = good_input();
    EXPECT_FALSE(decode(in, t));
    EXPECT_EQ(t.id, 7);
    EXPECT_EQ(t.name, "ab");
    EXPECT_EQ(t.mtu, 1500u);
    EXPECT_EQ(t.port, 80);
    EXPECT_EQ(t.ids, (std::vector<std::uint32_t>{10, 20}));
}

TEST(attr_decoder, byte_order_uint_sint_and_structs) {
    struct pair {
        std::uint32_t a, b;
    };
    std::vector<std::byte> in = wire().nla(8, 1).u32(0x11223344).nla(12, 2).u64(1ull << 40).nla(8, 3).u32(0xfffffffe)
                                      .nla(12, 4).u32(1).u32(2);
    attr_decoder d(nlpp::attr_range(in), "x");
    std::uint32_t be = 0;
    std::uint64_t u = 0;
    std::int64_t s = 0;
    pair p{};
    while (d.next()) {
        if (d.type() == 1) be = d.get<std::uint32_t>(nlpp::byte_order::big);
        if (d.type() == 2) u = d.get_uint();
        if (d.type() == 3) s = d.get_sint();
        if (d.type() == 4) p = d.get_struct<pair>();
    }
    EXPECT_TRUE(d.ok());
    EXPECT_FALSE(d.error());
    EXPECT_EQ(be, little_endian ? 0x44332211u : 0x11223344u);
    EXPECT_EQ(u, 1ull << 40);
    EXPECT_EQ(s, -2);
    EXPECT_EQ(p.b, 2u);
}

TEST(attr_decoder, the_first_problem_is_kept_with_the_attribute_name) {
    // id as 4 bytes instead of 2, then a name: the walk stops at the first problem.
    std::vector<std::byte> in = wire().nla(8, 1).u32(7).nla(6, 9).raw("61 00 00 00").nla(8, 1).u32(8);
    attr_decoder d(nlpp::attr_range(in), "thing", &top_set);
    std::size_t seen = 0;
    std::uint16_t id = 1;
    while (d.next()) {
        ++seen;
        id = d.get<std::uint16_t>();
    }
    EXPECT_EQ(seen, 1u);
    EXPECT_EQ(id, 0) << "a failed read gives a zero value";
    EXPECT_FALSE(d.ok());
    auto e = d.error();
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->is(nlpp::errc::attr_invalid));
    EXPECT_EQ(e->what(), "thing id: attribute 1: needs 2 bytes of payload, has 4: invalid attribute");
}

TEST(attr_decoder, problems_in_nests_carry_the_path_and_stop_the_outer_walk) {
    // inner.port of 4 bytes; list entry 2's id of 2 bytes (numbered entries, named fields).
    auto bad_port = wire().nla(12, 3).nla(8, 2).u32(80).nla(6, 1).u16(7).raw("00 00");
    top t;
    auto e = decode(bad_port.bytes(), t);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->what(), "thing inner.port: attribute 2: needs 2 bytes of payload, has 4: invalid attribute");
    EXPECT_EQ(t.id, 0) << "the walk stopped at the nest";

    auto bad_entry = wire().nla(28, 4).nla(12, 1).nla(8, 1).u32(10).nla(12, 2).nla(6, 1).u16(20).raw("00 00");
    e = decode(bad_entry.bytes(), t);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->what(), "thing list.2.id: attribute 1: needs 4 bytes of payload, has 2: invalid attribute");
}

TEST(attr_decoder, without_names_the_path_has_numbers) {
    std::vector<std::byte> in = wire().nla(12, 5).nla(8, 6).u16(1).raw("00 00");
    attr_decoder d(nlpp::attr_range(in), "");
    while (d.next())
        d.nested([](attr_decoder& n) {
            while (n.next()) (void)n.get<std::uint8_t>();
        });
    ASSERT_TRUE(d.error());
    EXPECT_EQ(d.error()->what(), "5.6: attribute 6: needs 1 bytes of payload, has 4: invalid attribute");
}

TEST(attr_decoder, malformed_attributes_are_reported_with_the_enclosing_nest) {
    // A top-level attribute whose length runs past the end.
    std::vector<std::byte> top_cut = wire().nla(6, 1).u16(7).raw("00 00").nla(40, 2).raw("61 62 00 00");
    top t;
    auto e = decode(top_cut, t);
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->is(nlpp::errc::truncated));
    EXPECT_EQ(e->what(), "thing: attribute at offset 8: nla_len points past the end of the enclosing data: truncated data");
    EXPECT_EQ(t.id, 7) << "attributes before the fault are read";
    // One inside inner: a length smaller than the header.
    std::vector<std::byte> nest_cut = wire().nla(16, 3).nla(8, 1).u32(9).nla(2, 2).raw("00 00");
    e = decode(nest_cut, t);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->what(), "thing inner: attribute at offset 8: nla_len is smaller than the attribute header: truncated data");
    EXPECT_EQ(t.mtu, 9u);
    // A message payload shorter than its family header.
    nlpp::message_builder b(20, 0);
    auto msg = b.finish().value();
    attr_decoder d(nlpp::message_view::parse(msg).value().attrs(4), "reply");
    EXPECT_FALSE(d.next());
    ASSERT_TRUE(d.error());
    EXPECT_NE(d.error()->what().find("reply: attribute at offset 0: message payload is shorter"), std::string::npos)
        << d.error()->what();
}

TEST(attr_decoder, invalid_keeps_the_callers_problem) {
    std::vector<std::byte> in = wire().nla(8, 1).u32(3).nla(8, 2).raw("61 62 63 00");
    attr_decoder d(nlpp::attr_range(in), "thing", &top_set);
    std::optional<nlpp::attr_view> name;
    while (d.next()) {
        if (d.type() == 2) name = d.attr();
    }
    EXPECT_FALSE(d.error());
    ASSERT_TRUE(name);
    d.invalid(*name, "not a known name");   // after the walk, with an attribute it walked
    d.invalid(*name, "a second problem");   // only the first is kept
    ASSERT_TRUE(d.error());
    EXPECT_EQ(d.error()->what(), "thing name: not a known name: invalid attribute");

    attr_decoder d2(nlpp::attr_range(in), "thing", &top_set);
    while (d2.next())
        if (d2.type() == 1 && d2.get<std::uint32_t>() > 2) d2.invalid("too big");
    ASSERT_TRUE(d2.error());
    EXPECT_EQ(d2.error()->what(), "thing id: too big: invalid attribute");
}

TEST(attr_decoder, nests_after_a_fixed_header) {
    // Attribute 7: a 2-byte header (padded to 4), then attributes; then one whose payload is shorter than the header.
    std::vector<std::byte> in = wire().nla(16, 7).u16(0xabcd).raw("00 00").nla(8, 1).u32(5);
    std::uint16_t header = 0;
    std::uint32_t id = 0;
    attr_decoder d(nlpp::attr_range(in), "msg");
    while (d.next()) {
        header = nlpp::load<std::uint16_t>(d.attr().payload());
        d.nested(&entry_set, 2, [&](attr_decoder& n) {
            while (n.next())
                if (n.type() == 1) id = n.get<std::uint32_t>();
        });
    }
    EXPECT_FALSE(d.error());
    EXPECT_EQ(header, 0xabcd);
    EXPECT_EQ(id, 5u);

    std::vector<std::byte> short_one = wire().nla(6, 7).u16(1).raw("00 00");
    attr_decoder s(nlpp::attr_range(short_one), "msg");
    while (s.next())
        s.nested(&entry_set, 4, [](attr_decoder& n) {
            while (n.next()) {
            }
        });
    ASSERT_TRUE(s.error());
    EXPECT_EQ(s.error()->what(), "msg 7: attribute at offset 0: payload is shorter than its fixed header: truncated data");
}

// Every prefix and every single-byte change of a good input decodes to
// values or to one error, never out of bounds (ASan runs this too).
TEST(attr_decoder, malformed_input_never_reads_out_of_range) {
    const std::vector<std::byte> good = good_input();
    std::size_t errors = 0;
    for (std::size_t cut = 0; cut <= good.size(); ++cut) {
        std::vector<std::byte> part(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
        top t;
        if (auto e = decode(part, t)) {
            ++errors;
            EXPECT_FALSE(e->what().empty());
        }
    }
    for (std::size_t i = 0; i < good.size(); ++i) {
        for (int v : {0x00, 0x01, 0x03, 0x7f, 0xff}) {
            std::vector<std::byte> bent = good;
            bent[i] = static_cast<std::byte>(v);
            top t;
            if (auto e = decode(bent, t)) {
                ++errors;
                EXPECT_FALSE(e->what().empty());
            }
        }
    }
    EXPECT_GT(errors, good.size()) << "cuts and changed lengths are reported";
}

}  // namespace
