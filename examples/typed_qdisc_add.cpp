// Adds a tbf qdisc (rate 1 Mbit/s) through C++ generated from the kernel's
// tc spec: the options are the sub-message chosen by kind "tbf", with the
// nested struct tc-tbf-qopt and its tc-ratespec members. Then lists qdiscs.
//   example_typed_qdisc_add NETNS IFINDEX
#include <tc.hpp>

#include <nlpp/socket/socket.hpp>

#include <linux/netlink.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/core.h>

namespace tc = nlpp::gen::tc;

int main(int argc, char** argv) {
    if (argc < 3) return std::fprintf(stderr, "usage: example_typed_qdisc_add NETNS IFINDEX\n"), 2;
    auto sock = nlpp::socket::open(tc::spec_info::protocol, {.netns = argv[1]});
    if (!sock) return fmt::print(stderr, "{}\n", sock.error()), 1;

    tc::tcmsg hdr{};
    hdr.ifindex = std::atoi(argv[2]);
    hdr.handle = 0x10000;      // 1:
    hdr.parent = 0xffffffff;   // root
    tc::ops::newqdisc::attributes q;  // the set "attrs" (attrs_ in C++: the rule for reserved names)
    q.kind = "tbf";
    auto& tbf = q.options.emplace().tbf.emplace();
    tbf.parms.emplace().rate.rate = 125000;  // bytes per second
    tbf.parms->limit = 10000;
    tbf.parms->buffer = 80000000;
    tbf.burst = 10000;
    auto add = nlpp::gen::request<tc::ops::newqdisc>({hdr, q}, NLM_F_CREATE | NLM_F_EXCL);
    if (auto r = sock->request(add, {}, {"add tbf qdisc"}); !r) return fmt::print(stderr, "{}\n", r.error()), 1;

    auto dump = nlpp::gen::request<tc::ops::getqdisc>({});
    auto qdiscs = sock->dump(dump, {"dump qdiscs"});
    for (nlpp::message_view m : qdiscs) {
        nlpp::gen::message<tc::ops::getqdisc> reply;
        if (auto r = nlpp::gen::parse<tc::ops::getqdisc>(m, reply); !r) return fmt::print(stderr, "{}\n", r.error()), 1;
        const auto& [h, a] = reply;
        std::printf("dev %d %s handle %x", h.ifindex, a.kind.value_or("?").c_str(), h.handle >> 16);
        if (a.options && a.options->tbf && a.options->tbf->parms) std::printf(" rate %u limit %u", a.options->tbf->parms->rate.rate, a.options->tbf->parms->limit);
        std::printf("\n");
    }
    return qdiscs.error() ? 1 : 0;
}
