// JSON -> wire -> JSON through every kernel spec and ours: a sample of
// every attribute of every operation's set (every sub-message format in
// turn) encodes and decodes back to the same JSON. Plus the encoder's
// conventions and its errors on bad input.
#include <nlpp/ynl/decode.hpp>
#include <nlpp/ynl/encode.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "../support/ynl_samples.hpp"
#include "../support/specs.hpp"

namespace {

using nlpp::test::kernel_spec;
using nlpp::test::kernel_spec_dir;

using namespace nlpp::ynl;
using json = nlohmann::ordered_json;

nlpp::result<json> round_trip(const spec& s, const operation& op, const json& in, std::vector<std::byte>* wire = nullptr) {
    nlpp::message_builder b(0x20, 0);
    if (auto r = put_request(s, op, in, b); !r) return nlpp::fail(r.error());
    auto bytes = b.finish();
    if (!bytes) return nlpp::fail(bytes.error());
    if (wire) wire->assign(bytes->begin(), bytes->end());
    auto m = nlpp::message_view::parse(*bytes);
    if (!m) return nlpp::fail(m.error());
    auto tree = decode(s, op, *m, {});
    std::string text;  // the text writer gives the same JSON
    auto r = decode_text(s, op, *m, text);
    if (tree && (!r || text != tree->dump()))
        return nlpp::fail(nlpp::errc::invalid_argument, "decode_text differs: " + text + " vs " + tree->dump());
    return tree;
}

TEST(ynl_roundtrip, every_spec_every_operation) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(kernel_spec_dir()))
        if (e.path().extension() == ".yaml") files.push_back(e.path());
    files.push_back(NLPP_OWN_SPECS "/ipvs.yaml");
    std::size_t messages = 0;
    for (const auto& f : files) {
        auto s = load_spec(f);
        ASSERT_TRUE(s) << s.error();
        std::size_t variants = 1;
        for (const auto& sm : s->sub_messages) variants = std::max(variants, sm.formats.size());
        for (const auto& op : s->operations) {
            if (!op.request_value || op.attribute_set.empty()) continue;
            for (std::size_t v = 0; v < variants; ++v) {
                const json in = nlpp::test::ynl_samples(*s, v).message(op);
                auto out = round_trip(*s, op, in);
                ASSERT_TRUE(out) << f << " " << op.name << " variant " << v << ": " << out.error() << "\n" << in.dump();
                ASSERT_EQ(out->dump(), in.dump()) << f << " " << op.name << " variant " << v;
                ++messages;
            }
        }
    }
    EXPECT_GT(messages, 300u);
}

class ynl_encode : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = load_spec(kernel_spec("rt-link"));
        ASSERT_TRUE(s) << s.error();
        link = std::move(*s);
        newlink = link.find_op("newlink");
    }
    std::string error_of(const json& in) {
        auto r = round_trip(link, *newlink, in);
        return r ? std::string("no error") : r.error().what();
    }
    spec link;
    const operation* newlink = nullptr;
};

TEST_F(ynl_encode, wire_layout_of_a_vlan_link) {
    std::vector<std::byte> wire;
    auto out = round_trip(link, *newlink,
                          json::parse(R"({"ifi-index": 0, "ifname": "v1", "link": 2,
                                          "linkinfo": {"kind": "vlan", "data": {"id": 10, "protocol": "8021q"}}})"),
                          &wire);
    ASSERT_TRUE(out) << out.error();
    EXPECT_EQ((*out)["linkinfo"]["data"]["id"], 10);
    EXPECT_EQ((*out)["linkinfo"]["data"]["protocol"], "8021q");
    // nlmsghdr 16 + ifinfomsg 16, then ifname "v1\0" (len 7, padded to 8).
    ASSERT_GE(wire.size(), 40u);
    EXPECT_EQ(nlpp::load<std::uint16_t>(nlpp::bytes(wire).subspan(32)), 7);
    EXPECT_EQ(nlpp::load<std::uint16_t>(nlpp::bytes(wire).subspan(34)), 3);  // IFLA_IFNAME
}

TEST_F(ynl_encode, errors_name_the_attribute) {
    EXPECT_EQ(error_of(json::parse(R"({"mtu": -1})")), ".mtu: -1 does not fit u32: invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"mtu": "big"})")), ".mtu: expected an integer, got \"big\": invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"nosuch": 1})")), ".nosuch: no attribute 'nosuch' in set 'link-attrs': invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"ifname": 5})")), ".ifname: expected a string, got 5: invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"txqlen": 40000})")), ".txqlen: 40000 is above the maximum 32767: invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"linkinfo": {"data": {"id": 1}}})")),
              ".linkinfo.data: needs 'kind' (its selector) next to it: invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"linkinfo": {"kind": "nosuch", "data": {}}})")),
              ".linkinfo.data: sub-message 'linkinfo-data-msg' has no format for 'nosuch' (give its payload as a hex string): invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"linkinfo": {"kind": "vlan", "data": {"id": 70000}}})")),
              ".linkinfo.data(vlan).id: 70000 does not fit u16: invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"linkinfo": {"kind": "vlan", "data": {"protocol": "8021x"}}})")),
              ".linkinfo.data(vlan).protocol: '8021x' is not a value of enum 'vlan-protocols': invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"address": "zz"})")), ".address: 'zz' is not a valid mac: invalid argument");
    EXPECT_EQ(error_of(json::parse(R"([1])")), "request for 'newlink' must be a JSON object, got [1]: invalid argument");
    if (nlpp::test::spec_says("rt-link", "name: ns-ip6-target\n        type: indexed-array\n        sub-type: binary\n"
                                         "        display-hint: ipv6\n        checks:\n          exact-len: 16"))
        EXPECT_EQ(error_of(json::parse(R"({"linkinfo": {"kind": "bond", "data": {"ns-ip6-target": ["0102"]}}})")),
                  ".linkinfo.data(bond).ns-ip6-target[1]: 2 bytes, must be exactly 16: invalid argument");
    else
        nlpp::test::not_run("an rt-link spec with bond's ns-ip6-target exact-len check");
}

TEST_F(ynl_encode, mac_as_hex_or_text) {
    // pyynl's hex, MAC text, and MAC text with one-digit groups (as ip reads it) give the same bytes.
    for (const char* mac : {"02aabbccdd01", "02:aa:bb:cc:dd:01", "2:AA:bb:cc:dd:1"}) {
        auto out = round_trip(link, *newlink, json{{"address", mac}});
        ASSERT_TRUE(out) << mac << ": " << out.error();
        EXPECT_EQ((*out)["address"], "02:aa:bb:cc:dd:01") << mac;
    }
    EXPECT_EQ(error_of(json::parse(R"({"address": "02:aab:cc:dd:01"})")), ".address: '02:aab:cc:dd:01' is not a valid mac: invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"address": "02:aa:bb:cc:dd:"})")), ".address: '02:aa:bb:cc:dd:' is not a valid mac: invalid argument");
    EXPECT_EQ(error_of(json::parse(R"({"address": "02:aa::cc:dd:01"})")), ".address: '02:aa::cc:dd:01' is not a valid mac: invalid argument");
}

TEST_F(ynl_encode, trace_names_offsets_through_sub_messages) {
    nlpp::message_builder b(16, 0);
    request_trace t;
    auto in = json::parse(R"({"ifname": "v1", "linkinfo": {"kind": "vlan", "data": {"id": 10}}})");
    ASSERT_TRUE(put_request(link, *newlink, in, b, &t));
    // ifname at 32 (len 8), linkinfo at 40: kind at 44 (len 12), data at 56, id at 60.
    EXPECT_EQ(t.path_at(32), ".ifname");
    EXPECT_EQ(t.path_at(44), ".linkinfo.kind");
    EXPECT_EQ(t.path_at(60), ".linkinfo.data(vlan).id");
    EXPECT_EQ(t.path_at(4), "");
    EXPECT_EQ(t.missing(std::nullopt, 4), ".mtu");
    // Attribute 2 of vlan's set: 'flags' upstream, 'flag' in Debian's 6.12 spec.
    EXPECT_EQ(t.missing(56, 2), nlpp::test::spec_says("rt-link", "name: id\n        type: u16\n      -\n        name: flags\n")
                                    ? ".linkinfo.data(vlan).flags"
                                    : ".linkinfo.data(vlan).flag");
}

}  // namespace
