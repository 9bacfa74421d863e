// Generic netlink against the real kernel: families compared with
// `genl ctrl list`, the per-socket cache, policies, a typed family trait.
#include "../support/kernel.hpp"

#include <nlpp/genl/genl.hpp>

#include <linux/genetlink.h>

#include <map>
#include <regex>

namespace {

using nlpp::test::netns;

TEST(genl_kernel, families_match_genl_ctrl_list) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto c = nlpp::genl::client::open({.netns = ns.name()});
    ASSERT_TRUE(c) << c.error();
    auto fams = c->families();
    ASSERT_TRUE(fams) << fams.error();

    std::map<std::string, int> theirs;
    const std::string text = ns.run("genl ctrl list");
    std::regex re("Name: (\\S+)\\s+ID: (0x[0-9a-f]+)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
        theirs[(*it)[1]] = std::stoi((*it)[2], nullptr, 16);
    ASSERT_FALSE(theirs.empty());
    std::map<std::string, int> ours;
    for (const auto& f : *fams) ours[f.name] = f.id;
    EXPECT_EQ(ours, theirs);
}

TEST(genl_kernel, resolution_is_cached_and_missing_families_are_clear) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto c = nlpp::genl::client::open({.netns = ns.name()});
    ASSERT_TRUE(c);
    auto a = c->family("nlctrl");
    ASSERT_TRUE(a) << a.error();
    EXPECT_EQ((*a)->id, nlpp::genl::ctrl_family_id);
    EXPECT_EQ((*a)->group("notify"), 0x10u);
    auto b = c->family("nlctrl");
    EXPECT_EQ(*a, *b);  // the same cached entry
    auto missing = c->family("IPVS-no-such");
    ASSERT_FALSE(missing);
    EXPECT_TRUE(missing.error().is(nlpp::errc::family_not_found));
    EXPECT_NE(missing.error().what().find("module loaded"), std::string::npos);
}

TEST(genl_kernel, resolve_on_a_socket_the_caller_keeps) {
    // Every family `genl ctrl list` names, resolved on one socket: ids,
    // versions and multicast groups as genl prints them.
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto s = nlpp::socket::open(NETLINK_GENERIC, {.netns = ns.name()});
    ASSERT_TRUE(s) << s.error();
    const std::string text = ns.run("genl ctrl list");
    std::regex family_re("Name: (\\S+)\\s+ID: (0x[0-9a-f]+)\\s+Version: (0x[0-9a-f]+)");
    std::regex group_re("ID-(0x[0-9a-f]+)\\s+name: (\\S+)");
    int checked = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), family_re); it != std::sregex_iterator(); ++it) {
        const std::string name = (*it)[1];
        auto f = nlpp::genl::resolve(*s, name);
        ASSERT_TRUE(f) << f.error();
        EXPECT_EQ(f->name, name);
        EXPECT_EQ(f->id, std::stoi((*it)[2], nullptr, 16)) << name;
        EXPECT_EQ(f->version, static_cast<std::uint32_t>(std::stoi((*it)[3], nullptr, 16))) << name;
        // The groups are listed between this family's header and the next one's.
        const auto from = static_cast<std::size_t>(it->position() + it->length());
        const auto next = text.find("Name: ", from);
        const std::string block = text.substr(from, next == std::string::npos ? std::string::npos : next - from);
        std::map<std::string, std::uint32_t> theirs, ours;
        for (auto g = std::sregex_iterator(block.begin(), block.end(), group_re); g != std::sregex_iterator(); ++g)
            theirs[(*g)[2]] = static_cast<std::uint32_t>(std::stoul((*g)[1], nullptr, 16));
        for (const auto& g : f->mcast_groups) ours[g.name] = g.id;
        EXPECT_EQ(ours, theirs) << name;
        ++checked;
    }
    EXPECT_GT(checked, 0);
    auto missing = nlpp::genl::resolve(*s, "no-such-family");
    ASSERT_FALSE(missing);
    EXPECT_TRUE(missing.error().is(nlpp::errc::family_not_found));
    // A socket of another protocol is refused before anything is sent.
    auto route = nlpp::socket::open(NETLINK_ROUTE, {.netns = ns.name()});
    ASSERT_TRUE(route);
    auto wrong = nlpp::genl::resolve(*route, "nlctrl");
    ASSERT_FALSE(wrong);
    EXPECT_TRUE(wrong.error().is(nlpp::errc::invalid_argument)) << wrong.error();
}

TEST(genl_kernel, policy_of_nlctrl) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto c = nlpp::genl::client::open({.netns = ns.name()});
    ASSERT_TRUE(c);
    auto p = c->policy("nlctrl");
    ASSERT_TRUE(p) << p.error();
    auto idx = p->ops.at(CTRL_CMD_GETFAMILY).do_policy.value();
    EXPECT_EQ(p->policies.at(idx).at(CTRL_ATTR_FAMILY_NAME).max_length, 15u);
    auto none = c->policy("no-such-family");
    ASSERT_FALSE(none);
    EXPECT_TRUE(none.error().is(nlpp::errc::family_not_found));
}

struct ctrl_family {
    static constexpr std::string_view name = "nlctrl";
    static constexpr std::uint8_t version = 2;
    static constexpr std::size_t header_size = 0;
    enum class command : std::uint8_t { get_family = CTRL_CMD_GETFAMILY };
};
static_assert(nlpp::genl::family<ctrl_family>);

TEST(genl_kernel, typed_family_trait) {
    NLPP_REQUIRE_ROOT();
    netns ns;
    auto c = nlpp::genl::client::open({.netns = ns.name()});
    ASSERT_TRUE(c);
    auto b = c->message<ctrl_family>(ctrl_family::command::get_family);
    ASSERT_TRUE(b) << b.error();
    std::size_t n = 0;
    auto r = c->raw().dump(*b, [&](nlpp::message_view m) -> nlpp::result<void> {
        auto f = nlpp::genl::parse_family(m);
        if (!f) return nlpp::fail(f.error());
        ++n;
        return {};
    });
    ASSERT_TRUE(r) << r.error();
    EXPECT_GT(n, 5u);
}

}  // namespace

#include <nlpp/ipvs/client.hpp>

namespace {
// This host kernel has no IPVS: the client says which module is missing.
TEST(genl_kernel, missing_ipvs_family_names_the_module) {
    NLPP_REQUIRE_ROOT();
    if (std::getenv("NLPP_IN_VM")) GTEST_SKIP() << "the VM kernel has IPVS";
    netns ns;
    auto c = nlpp::ipvs::client::open({.netns = ns.name()});
    if (c) GTEST_SKIP() << "this kernel has IPVS";
    EXPECT_TRUE(c.error().is(nlpp::errc::family_not_found));
    EXPECT_NE(c.error().what().find("ip_vs module not loaded"), std::string::npos) << c.error();
}
}  // namespace
