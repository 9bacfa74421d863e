// Generated code against the real kernel in a fresh netns: a request the
// kernel rejects is rendered with the generated name tables (extack path by
// name), and the typed link dump agrees with ip.
#include "../support/kernel.hpp"

#include <rt_link.hpp>

#include <nlpp/socket/socket.hpp>

#include <linux/netlink.h>

namespace {

namespace rt = nlpp::gen::rt_link;

TEST(gen_kernel, kernel_errors_name_the_attribute_through_generated_tables) {
    NLPP_REQUIRE_ROOT();
    nlpp::test::netns ns;
    auto s = nlpp::socket::open(rt::spec_info::protocol, {.netns = ns.name()});
    ASSERT_TRUE(s) << s.error().what();
    rt::ops::newlink::attributes link;
    link.ifname = std::string(20, 'x');  // longer than IFNAMSIZ: the policy rejects it
    link.linkinfo.emplace().kind = "bridge";
    auto b = nlpp::gen::request<rt::ops::newlink>(rt::ifinfomsg{}, link, NLM_F_CREATE | NLM_F_EXCL);
    auto r = s->request(b, {}, {"add link", rt::ifinfomsg::wire_size, &rt::ops::newlink::names()});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().extack.attr_path, ".ifname") << r.error().what();

    link.ifname = "br7";
    b = nlpp::gen::request<rt::ops::newlink>(rt::ifinfomsg{}, link, NLM_F_CREATE | NLM_F_EXCL);
    ASSERT_TRUE(s->request(b, {}, {"add link", rt::ifinfomsg::wire_size, &rt::ops::newlink::names()}));
    auto dump = nlpp::gen::request<rt::ops::getlink>(rt::ifinfomsg{}, {});
    bool found = false;
    auto links = s->dump(dump, {"dump links"});
    for (nlpp::message_view m : links) {
        rt::ifinfomsg h;
        rt::ops::getlink::attributes a;
        ASSERT_TRUE(nlpp::gen::parse<rt::ops::getlink>(m, h, a));
        if (a.ifname == "br7") found = a.linkinfo && a.linkinfo->kind == "bridge" && a.linkinfo->data && a.linkinfo->data->bridge;
    }
    EXPECT_FALSE(links.error());
    EXPECT_TRUE(found) << "br7 with its bridge data (a typed sub-message)";
}

}  // namespace
