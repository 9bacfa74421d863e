// nlpp-capture: regenerates the golden files in tests/golden from this kernel.
//
//   nlpp-capture genl-family NAME   the CTRL_CMD_GETFAMILY reply for NAME
//   nlpp-capture link NAME          the RTM_GETLINK reply for one link
//   nlpp-capture policy NAME        the first CTRL_CMD_GETPOLICY reply messages
// Prints the reply message(s) as hex, one message per paragraph.
#include <nlpp/core/dump.hpp>
#include <nlpp/genl/genl.hpp>

#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: nlpp-capture genl-family|link|policy NAME\n");
        return 2;
    }
    const std::string what = argv[1], name = argv[2];
    auto print = [](nlpp::message_view m) -> nlpp::result<void> {
        std::printf("%s\n", nlpp::to_hex(m.raw()).c_str());
        return {};
    };
    nlpp::result<void> r;
    if (what == "link") {
        auto s = nlpp::socket::open(NETLINK_ROUTE);
        if (!s) return std::fprintf(stderr, "%s\n", s.error().what().c_str()), 1;
        nlpp::message_builder b(RTM_GETLINK, 0);
        ifinfomsg ifi{};
        ifi.ifi_index = static_cast<int>(if_nametoindex(name.c_str()));
        b.put_header(ifi);
        b.put<std::uint32_t>(IFLA_EXT_MASK, RTEXT_FILTER_VF);
        r = s->request(b, print);
    } else {
        auto s = nlpp::socket::open(NETLINK_GENERIC);
        if (!s) return std::fprintf(stderr, "%s\n", s.error().what().c_str()), 1;
        const bool policy = what == "policy";
        auto b = nlpp::genl::make_request(nlpp::genl::ctrl_family_id, policy ? CTRL_CMD_GETPOLICY : CTRL_CMD_GETFAMILY, 2);
        b.put_string(CTRL_ATTR_FAMILY_NAME, name);
        r = policy ? s->dump(b, print) : s->request(b, print);
    }
    if (!r) return std::fprintf(stderr, "%s\n", r.error().what().c_str()), 1;
    return 0;
}
