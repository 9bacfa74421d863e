// The YNL decoder against the real kernel, in a fresh netns: rt-link dumps
// (fixed header, nests, the bridge's sub-message selected by kind) compared with
// `ip -d -j link`, and nlctrl families (genetlink) compared with nlpp::genl.
#include "../support/kernel.hpp"
#include "../support/specs.hpp"

#include <nlpp/genl/genl.hpp>
#include <nlpp/ynl/decode.hpp>

#include <cstdlib>
#include <map>

namespace {

using nlpp::test::kernel_spec;
using nlpp::test::kernel_spec_dir;

using nlpp::test::netns;

TEST(ynl_kernel, rt_link_dump_matches_ip) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    ns.run("ip link add va type veth peer name vb");
    ns.run("ip link add br0 type bridge");
    ns.run("ip link set va mtu 1400");
    auto spec = nlpp::ynl::load_spec(kernel_spec("rt-link"));
    ASSERT_TRUE(spec) << spec.error();
    const auto* op = spec->find_op("getlink");
    ASSERT_TRUE(op);
    auto sock = nlpp::socket::open(static_cast<int>(spec->protonum), {.netns = ns.name()});
    ASSERT_TRUE(sock) << sock.error();
    nlpp::message_builder req(static_cast<std::uint16_t>(*op->request_value), 0);
    std::vector<std::byte> header(spec->find_definition(op->fixed_header)->size);
    req.put_header(nlpp::bytes(header));
    std::map<std::string, nlohmann::ordered_json> ours;
    auto r = sock->dump(req, [&](nlpp::message_view m) -> nlpp::result<void> {
        auto j = nlpp::ynl::decode(*spec, *op, m);
        if (!j) return nlpp::fail(j.error());
        ours[(*j)["ifname"].get<std::string>()] = *j;
        return {};
    });
    ASSERT_TRUE(r) << r.error();
    auto theirs = nlohmann::json::parse(ns.run("ip -d -j link show"));
    ASSERT_EQ(ours.size(), theirs.size());
    for (const auto& l : theirs) {
        const auto& o = ours.at(l["ifname"].get<std::string>());
        EXPECT_EQ(o["ifi-index"].get<int>(), l["ifindex"].get<int>());
        EXPECT_EQ(o["mtu"].get<unsigned>(), l["mtu"].get<unsigned>());
        if (l.contains("address")) {
            EXPECT_EQ(o["address"].get<std::string>(), l["address"].get<std::string>());
        }
        if (l.contains("linkinfo")) {
            EXPECT_EQ(o["linkinfo"]["kind"].get<std::string>(), l["linkinfo"]["info_kind"].get<std::string>()) << o.dump();
        }
    }
    // The bridge's settings sit in a sub-message chosen by kind = "bridge".
    for (const auto& l : theirs)
        if (l["ifname"] == "br0") {
            const auto& data = ours.at("br0")["linkinfo"]["data"];
            EXPECT_EQ(data["stp-state"].get<unsigned>(), l["linkinfo"]["info_data"]["stp_state"].get<unsigned>()) << data.dump();
            EXPECT_EQ(data["max-age"].get<unsigned>(), l["linkinfo"]["info_data"]["max_age"].get<unsigned>()) << data.dump();
        }
}

TEST(ynl_kernel, nlctrl_families_match_genl) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto spec = nlpp::ynl::load_spec(kernel_spec("nlctrl"));
    ASSERT_TRUE(spec) << spec.error();
    const auto* op = spec->find_op("getfamily");
    ASSERT_TRUE(op);
    auto gc = nlpp::genl::client::open({.netns = ns.name()});
    ASSERT_TRUE(gc);
    auto families = gc->families();
    ASSERT_TRUE(families);
    auto b = nlpp::genl::make_request(nlpp::genl::ctrl_family_id, static_cast<std::uint8_t>(*op->request_value), 1);
    std::map<std::string, unsigned> ours;
    auto r = gc->raw().dump(b, [&](nlpp::message_view m) -> nlpp::result<void> {
        auto j = nlpp::ynl::decode(*spec, *op, m);
        if (!j) return nlpp::fail(j.error());
        ours[(*j)["family-name"].get<std::string>()] = (*j)["family-id"].get<unsigned>();
        return {};
    });
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(ours.size(), families->size());
    for (const auto& f : *families) EXPECT_EQ(ours.at(f.name), f.id) << f.name;
}

}  // namespace
