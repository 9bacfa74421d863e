/* The floor: a hand-written C dump of IPv4 routes over a raw netlink socket,
 * walking every attribute with the kernel's own NLMSG and RTA macros. */
#include "route_walk.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int c_walk(int fd, struct walk_result* out) {
    struct {
        struct nlmsghdr nh;
        struct rtmsg rt;
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = RTM_GETROUTE;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = 1;
    req.rt.rtm_family = AF_INET;
    if (send(fd, &req, sizeof req, 0) < 0) return -1;
    static char buf[32768];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) return -1;
        int len = (int)n;
        for (struct nlmsghdr* nh = (struct nlmsghdr*)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
            if (nh->nlmsg_type == NLMSG_DONE) return 0;
            if (nh->nlmsg_type == NLMSG_ERROR) return -1;
            struct rtmsg* rt = NLMSG_DATA(nh);
            int alen = (int)RTM_PAYLOAD(nh);
            out->messages++;
            for (struct rtattr* a = RTM_RTA(rt); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
                out->attrs++;
                if (RTA_PAYLOAD(a) == 4) {
                    unsigned v;
                    memcpy(&v, RTA_DATA(a), 4);
                    out->checksum ^= v + a->rta_type;
                }
            }
        }
    }
}
