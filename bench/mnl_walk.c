/* libmnl's callback API: mnl_cb_run with mnl_attr_parse per message. */
#include "route_walk.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static int attr_cb(const struct nlattr* a, void* data) {
    struct walk_result* out = data;
    out->attrs++;
    if (mnl_attr_get_payload_len(a) == 4) out->checksum ^= mnl_attr_get_u32(a) + mnl_attr_get_type(a);
    return MNL_CB_OK;
}

static int msg_cb(const struct nlmsghdr* nh, void* data) {
    struct walk_result* out = data;
    out->messages++;
    return mnl_attr_parse(nh, sizeof(struct rtmsg), attr_cb, data);
}

int mnl_walk(struct walk_result* out) {
    struct mnl_socket* nl = mnl_socket_open(NETLINK_ROUTE);
    if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) return -1;
    char buf[32768];
    struct nlmsghdr* nh = mnl_nlmsg_put_header(buf);
    nh->nlmsg_type = RTM_GETROUTE;
    nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nh->nlmsg_seq = 1;
    struct rtmsg* rt = mnl_nlmsg_put_extra_header(nh, sizeof(struct rtmsg));
    rt->rtm_family = AF_INET;
    unsigned port = mnl_socket_get_portid(nl);
    if (mnl_socket_sendto(nl, nh, nh->nlmsg_len) < 0) return -1;
    int ret;
    ssize_t n;
    while ((n = mnl_socket_recvfrom(nl, buf, sizeof buf)) > 0) {
        ret = mnl_cb_run(buf, (size_t)n, 1, port, msg_cb, out);
        if (ret <= MNL_CB_STOP) break;
    }
    mnl_socket_close(nl);
    return 0;
}
