/* libmnl's callback API: mnl_cb_run with mnl_attr_parse per message. The socket
 * is opened and bound by mnl_open(), outside the timed walk, as the other
 * walkers' sockets are. */
#include "route_walk.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

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

struct mnl_socket* mnl_open(void) {
    struct mnl_socket* nl = mnl_socket_open(NETLINK_ROUTE);
    if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        mnl_socket_close(nl);
        return NULL;
    }
    return nl;
}

int mnl_walk(struct mnl_socket* nl, struct walk_result* out) {
    char buf[32768];
    struct nlmsghdr* nh = mnl_nlmsg_put_header(buf);
    nh->nlmsg_type = RTM_GETROUTE;
    nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nh->nlmsg_seq = 1;
    struct rtmsg* rt = mnl_nlmsg_put_extra_header(nh, sizeof(struct rtmsg));
    rt->rtm_family = AF_INET;
    unsigned port = mnl_socket_get_portid(nl);
    if (mnl_socket_sendto(nl, nh, nh->nlmsg_len) < 0) return -1;
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
        if (n < 0) return -1;
        int ret = mnl_cb_run(buf, (size_t)n, 1, port, msg_cb, out);
        if (ret == MNL_CB_ERROR) return -1;
        if (ret == MNL_CB_STOP) return 0;
    }
}
