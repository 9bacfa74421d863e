// Generated code against the real kernel in a fresh netns: a request the
// kernel rejects is rendered with the generated name tables (extack path by
// name), the typed link dump finds what it made, and family_socket does,
// dumps and receives notifications for a netlink-raw family (rt-link) and a
// genetlink one (netdev, resolved through nlctrl).
#include "../support/kernel.hpp"

#include <netdev.hpp>
#include <nlctrl.hpp>
#include <rt_link.hpp>

#include <nlpp/socket/socket.hpp>

#include <linux/netlink.h>

namespace {

namespace rt = nlpp::gen::rt_link;

TEST(gen_kernel, kernel_errors_name_the_attribute_through_generated_tables) {
    NLPP_REQUIRE_ROOT();
    nlpp::test::netns ns;
    auto s = nlpp::socket::open(rt::spec_info::protocol, {.netns = ns.name()});
    ASSERT_TRUE(s) << s.error();
    rt::ops::newlink::attributes link;
    link.ifname = std::string(20, 'x');  // longer than IFNAMSIZ: the policy rejects it
    link.linkinfo.emplace().kind = "bridge";
    auto b = nlpp::gen::request<rt::ops::newlink>({{}, link}, NLM_F_CREATE | NLM_F_EXCL);
    auto r = s->request(b, {}, {"add link", rt::ifinfomsg::wire_size, &rt::ops::newlink::names()});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().extack().attr_path, ".ifname") << r.error();

    link.ifname = "br7";
    b = nlpp::gen::request<rt::ops::newlink>({{}, link}, NLM_F_CREATE | NLM_F_EXCL);
    ASSERT_TRUE(s->request(b, {}, {"add link", rt::ifinfomsg::wire_size, &rt::ops::newlink::names()}));
    auto dump = nlpp::gen::request<rt::ops::getlink>({});
    bool found = false;
    auto links = s->dump(dump, {"dump links"});
    for (nlpp::message_view m : links) {
        nlpp::gen::message<rt::ops::getlink> reply;
        ASSERT_TRUE(nlpp::gen::parse<rt::ops::getlink>(m, reply));
        const auto& a = reply.attrs;
        if (a.ifname == "br7") found = a.linkinfo && a.linkinfo->kind == "bridge" && a.linkinfo->data && a.linkinfo->data->bridge;
    }
    EXPECT_FALSE(links.error());
    EXPECT_TRUE(found) << "br7 with its bridge data (a typed sub-message)";
}

namespace nd = nlpp::gen::netdev;

// Waits (bounded) for a notification of Op that satisfies `want`.
template <class Op, class Socket, class F>
bool notified(Socket& s, F&& want) {
    for (int i = 0; i < 64; ++i) {
        auto m = s.next_notification();
        if (!m) return false;
        auto typed = Socket::template as<Op>(m->view());
        if (typed && *typed && want(**typed)) return true;
    }
    return false;
}

TEST(gen_kernel, family_socket_speaks_rt_link) {
    NLPP_REQUIRE_ROOT();
    nlpp::test::netns ns;
    auto s = nlpp::gen::family_socket<rt::spec_info>::open({.netns = ns.name()});
    ASSERT_TRUE(s) << s.error();
    ASSERT_TRUE(s->subscribe("rtnlgrp-link"));
    EXPECT_FALSE(s->subscribe("no-such-group"));

    nlpp::gen::message<rt::ops::newlink> add;
    add.attrs.ifname = "br9";
    add.attrs.linkinfo.emplace().kind = "bridge";
    auto made = s->do_(add, NLM_F_CREATE | NLM_F_EXCL);
    ASSERT_TRUE(made) << made.error();
    auto too_long = add;
    too_long.attrs.txqlen = 40000;  // the spec's check: at most 32767
    auto refused = s->do_(too_long, NLM_F_CREATE | NLM_F_EXCL);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().context(), "newlink: .txqlen: 40000 is above the maximum 32767") << refused.error();
    auto again = s->do_(add, NLM_F_CREATE | NLM_F_EXCL);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().errno_value(), EEXIST) << again.error();

    int index = 0;
    auto d = s->dump(nlpp::gen::message<rt::ops::getlink>{}, [&](const nlpp::gen::message<rt::ops::getlink>& link) {
        if (link.attrs.ifname == "br9") index = link.header.ifi_index;
    });
    ASSERT_TRUE(d) << d.error();
    EXPECT_GT(index, 0);
    EXPECT_TRUE(notified<rt::ops::newlink>(*s, [&](const auto& m) { return m.attrs.ifname == "br9" && m.header.ifi_index == index; }));
}

TEST(gen_kernel, family_socket_speaks_netdev_through_nlctrl) {
    NLPP_REQUIRE_ROOT();
    nlpp::test::netns ns;
    auto s = nlpp::gen::family_socket<nd::spec_info>::open({.netns = ns.name()});
    ASSERT_TRUE(s) << s.error();
    EXPECT_GT(s->family_id(), 0);
    ASSERT_TRUE(s->subscribe("mgmt"));

    nlpp::gen::message<nd::ops::dev_get> lo;
    lo.attrs.ifindex = 1;
    auto zero = lo;
    zero.attrs.ifindex = 0;  // the spec's check: at least 1
    auto refused = s->do_(zero);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().context(), "dev-get: .ifindex: 0 is below the minimum 1") << refused.error();
    auto r = s->do_(lo);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->attrs.ifindex, 1u);
    int devices = 0;
    ASSERT_TRUE(s->dump(nlpp::gen::message<nd::ops::dev_get>{}, [&](const auto&) { ++devices; }));
    EXPECT_GE(devices, 1);

    auto links = nlpp::gen::family_socket<rt::spec_info>::open({.netns = ns.name()});
    ASSERT_TRUE(links) << links.error();
    nlpp::gen::message<rt::ops::newlink> add;
    add.attrs.ifname = "br10";
    add.attrs.linkinfo.emplace().kind = "bridge";
    ASSERT_TRUE(links->do_(add, NLM_F_CREATE | NLM_F_EXCL));
    EXPECT_TRUE(notified<nd::ops::dev_add_ntf>(*s, [](const auto& m) { return m.attrs.ifindex.has_value(); }));
}

// nlctrl's policy dump through the generated API: nest-type-value entries
// (policy index, attribute type) typed, as `genl` and the golden capture show them.
TEST(gen_kernel, typed_nest_type_value_policy_dump) {
    NLPP_REQUIRE_ROOT();
    namespace nc = nlpp::gen::nlctrl;
    auto s = nlpp::gen::family_socket<nc::spec_info>::open();
    ASSERT_TRUE(s) << s.error();
    nlpp::gen::message<nc::ops::getpolicy> req;
    req.attrs.family_name = "nlctrl";
    std::size_t entries = 0;
    bool family_name = false;
    auto r = s->dump(req, [&](const nlpp::gen::message<nc::ops::getpolicy>& m) {
        if (!m.attrs.policy) return;
        for (const auto& e : *m.attrs.policy) {
            ++entries;
            if (e.ids[1] == 2 && e.attrs.type == nc::attr_type::nul_string && e.attrs.max_length == 15u) family_name = true;
        }
    });
    ASSERT_TRUE(r) << r.error();
    EXPECT_GT(entries, 3u);
    EXPECT_TRUE(family_name) << "CTRL_ATTR_FAMILY_NAME: nul-string of at most 15 bytes";
}

}  // namespace
