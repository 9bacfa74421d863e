// The YNL spec loader: every upstream kernel spec (found through
// NLPP_SPEC_PATH, which the test command points at shared/specs/kernel) and
// the project's own specs load into one model; malformed specs are errors
// with file, line and reason; unknown keys are ignored.
#include <nlpp/ynl/spec.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "../support/specs.hpp"

namespace {

using nlpp::test::kernel_spec;
using nlpp::test::kernel_spec_dir;

using namespace nlpp::ynl;

TEST(ynl_spec, every_kernel_spec_and_ours_loads) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(kernel_spec_dir()))
        if (e.path().extension() == ".yaml") files.push_back(e.path());
    ASSERT_FALSE(files.empty()) << "no specs in " << kernel_spec_dir();
    files.push_back(NLPP_OWN_SPECS "/ipvs.yaml");
    for (const auto& f : files) {
        auto s = load_spec(f);
        ASSERT_TRUE(s) << s.error();
        EXPECT_FALSE(s->operations.empty()) << f;
        EXPECT_FALSE(s->attribute_sets.empty()) << f;
        for (const auto& op : s->operations)
            if (!op.attribute_set.empty()) {
                EXPECT_TRUE(s->find_set(op.attribute_set)) << f << " " << op.name;
            }
    }
    // ../shared holds 29 upstream specs; Debian's linux-source 6.12 has 19 of them.
    if (files.size() < 30) nlpp::test::not_run(std::to_string(30 - files.size()) + " of the 29 upstream specs");
}

TEST(ynl_spec, rt_link_model) {
    auto s = load_spec(kernel_spec("rt-link"));
    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(s->protocol, protocol::netlink_raw);
    EXPECT_EQ(s->protonum, 0u);
    const operation* get = s->find_op("getlink");
    ASSERT_TRUE(get);
    EXPECT_EQ(get->request_value, 18u);  // RTM_GETLINK
    EXPECT_EQ(get->reply_value, 16u);    // RTM_NEWLINK
    EXPECT_EQ(get->fixed_header, "ifinfomsg");
    const attr_set* link = s->find_set(get->attribute_set);
    ASSERT_TRUE(link);
    EXPECT_EQ(link->find("ifname")->value, 3);
    EXPECT_EQ(link->find("mtu")->type, attr_type::u32);
    const sub_message* data = s->find_sub_message("linkinfo-data-msg");
    ASSERT_TRUE(data);
    EXPECT_TRUE(data->find("vlan"));
    const definition* ifinfo = s->find_definition("ifinfomsg");
    ASSERT_TRUE(ifinfo);
    EXPECT_EQ(ifinfo->size, 16u);
    EXPECT_TRUE(s->find_definition("tc-tbf-qopt") == nullptr);  // lives in tc.yaml
    auto tc = load_spec(kernel_spec("tc"));
    ASSERT_TRUE(tc) << tc.error();
    // Upstream's tc-ratespec is five u8 and a u32 (9 bytes) where C's struct has 12, and its
    // tc-u32-sel lacks C's padding byte: both corrected at load, so tc-tbf-qopt is 2 * 12 + 3 * 4.
    EXPECT_EQ(tc->find_definition("tc-ratespec")->size, 12u);
    EXPECT_EQ(tc->find_definition("tc-tbf-qopt")->size, 36u);
    EXPECT_EQ(tc->find_definition("tc-u32-sel")->size, 16u + 16u);  // with one key
    // YAML aliases resolve: getqdisc's dump is an alias of its do.
    if (nlpp::test::spec_says("tc", "dump: *getqdisc-do"))
        EXPECT_TRUE(tc->find_op("getqdisc")->has_dump());
    else
        nlpp::test::not_run("a tc spec whose getqdisc dump is a YAML alias");
}

TEST(ynl_spec, genetlink_ids_and_our_ipvs_spec) {
    auto n = load_spec(kernel_spec("netdev"));
    ASSERT_TRUE(n) << n.error();
    EXPECT_EQ(n->protocol, protocol::genetlink);
    ASSERT_TRUE(n->find_op("dev-get"));
    EXPECT_EQ(n->find_op("dev-get")->request_value, 1u);
    EXPECT_FALSE(n->mcast_groups.empty());

    auto s = load_spec(NLPP_OWN_SPECS "/ipvs.yaml");
    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(s->protocol, protocol::genetlink_legacy);
    const operation* get = s->find_op("get-service");
    EXPECT_EQ(get->request_value, 4u);
    EXPECT_EQ(get->reply_value, 1u);
    EXPECT_EQ(s->find_op("get-info")->reply_value, 14u);
    EXPECT_EQ(s->find_op("flush")->request_value, 17u);
    const attr_set* svc = s->find_set("service-attrs");
    EXPECT_EQ(svc->find("port")->order, nlpp::byte_order::big);
    EXPECT_EQ(svc->find("stats64")->value, 12);
    EXPECT_EQ(s->find_definition("ip-vs-flags")->size, 8u);
    EXPECT_EQ(s->find_definition("svc-flags")->find("onepacket")->value, 4u);
}

TEST(ynl_spec, malformed_specs_say_where_and_why) {
    const std::string head = "# SPDX-License-Identifier: BSD-3-Clause\n";
    struct tc {
        std::string yaml, expect;
    } cases[] = {
        {head + "doc: x\nattribute-sets: []\noperations: {list: []}\n", "t.yaml:2: the spec has no 'name'"},
        {head + "name: t\nattribute-sets:\n  - name: a\n    attributes:\n      - name: x\n        type: u33\noperations: {list: []}\n",
         "t.yaml:6: attribute 'x': unknown type 'u33'"},
        {head + "name: t\nattribute-sets:\n  - name: a\n    attributes:\n      - name: x\n        type: nest\n        nested-attributes: nope\noperations: {list: []}\n",
         "t.yaml:6: attribute 'x' of set 'a': unknown nested-attributes 'nope'"},
        {head + "name: t\nattribute-sets: [\n", "t.yaml:"},
        {"name: t\nattribute-sets: []\noperations: {list: []}\n", "t.yaml:1: a spec must start with an SPDX license line"},
        {head + "name: t\nprotocol: carrier-pigeon\nattribute-sets: []\noperations: {list: []}\n", "t.yaml:3: unknown protocol"},
        {head + "name: t\nprotocol: netlink-raw\nattribute-sets: []\noperations: {list: []}\n", "needs 'protonum'"},
        {head + "name: t\nattribute-sets: []\noperations:\n  list:\n    - name: a\n      attribute-set: missing\n",
         "operation 'a': unknown attribute-set 'missing'"},
    };
    for (const auto& c : cases) {
        auto s = parse_spec(c.yaml, "/some/dir/t.yaml");
        ASSERT_FALSE(s) << c.yaml;
        EXPECT_NE(s.error().what().find(c.expect), std::string::npos) << s.error();
    }
    auto ok = parse_spec(head + "name: t\nfuture-key: 1\nattribute-sets: []\noperations: {list: [], future: 2}\n", "t.yaml");
    EXPECT_TRUE(ok) << ok.error();
}

// YAML syntax errors name file, line and column (libfyaml's, counted from 1)
// as the loader's own errors do; the base is our specs/ipvs.yaml.
TEST(ynl_spec, yaml_syntax_errors_say_line_and_column) {
    std::ifstream f(NLPP_OWN_SPECS "/ipvs.yaml");
    std::vector<std::string> lines;
    for (std::string l; std::getline(f, l);) lines.push_back(l);
    ASSERT_GT(lines.size(), 60u);
    ASSERT_EQ(lines[35], "    name: svc-flags");
    ASSERT_EQ(lines[36], "    type: flags");
    const auto parse = [](std::vector<std::string> v) {
        std::string y;
        for (const auto& l : v) y += l + "\n";
        return parse_spec(y, "/tmp/x/broken.yaml");
    };
    auto unclosed = lines;  // an unclosed flow sequence as line 41; noticed at the next '-'
    unclosed.insert(unclosed.begin() + 40, "  - name: [unclosed");
    auto unterminated = lines;  // an opening quote at line 36, column 11, never closed
    unterminated[35] = "    name: \"svc-flags";
    auto indent = lines;  // line 37 indented by 3 where its mapping has 4
    indent[36] = "   type: flags";
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {unclosed, "broken.yaml:43:3: not valid YAML: wrongly indented block sequence in flow mode"},
        {unterminated, "broken.yaml:36:11: not valid YAML: wrongly indented double-quoted scalar"},
        {indent, "broken.yaml:37:4: not valid YAML: did not find expected '-' indicator"},
    };
    for (const auto& [yaml, expect] : cases) {
        auto s = parse(yaml);
        ASSERT_FALSE(s) << expect;
        EXPECT_EQ(s.error().what().rfind(expect, 0), 0u) << s.error();
    }
    ASSERT_TRUE(parse(lines));
}

TEST(ynl_spec, find_by_family_name) {
    ::setenv("NLPP_SPEC_PATH", (kernel_spec_dir() + ":" + NLPP_OWN_SPECS).c_str(), 1);
    auto p = find_spec("rt-link");
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(*p, kernel_spec("rt-link"));  // rt-link.yaml, or rt_link.yaml in Debian's set
    EXPECT_TRUE(find_spec("ipvs"));
    EXPECT_TRUE(find_spec("IPVS"));  // the kernel's family name
    if (!kernel_spec("net-shaper").empty())
        EXPECT_TRUE(find_spec("net-shaper"));  // file net_shaper.yaml
    else
        nlpp::test::not_run("the net-shaper spec (net_shaper.yaml)");
    auto none = find_spec("no-such-family");
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().what().find("NLPP_SPEC_PATH"), std::string::npos);
}

}  // namespace
