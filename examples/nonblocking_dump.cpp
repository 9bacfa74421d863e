// Drives a dump from an epoll loop: a non-blocking socket, its fd in the
// caller's event loop, and nlpp's pure reply_reader over each datagram.
//
//   nonblocking_dump [NETNS]
#include <nlpp/core/builder.hpp>
#include <nlpp/socket/socket.hpp>

#include <linux/rtnetlink.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/core.h>

int main(int argc, char** argv) {
    auto sock = nlpp::socket::open(NETLINK_ROUTE, {.netns = argc > 1 ? argv[1] : "", .nonblocking = true});
    if (!sock) return fmt::print(stderr, "{}\n", sock.error()), 1;

    nlpp::message_builder req(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
    req.put_header(ifinfomsg{});
    auto seq = sock->send(req);
    if (!seq) return fmt::print(stderr, "{}\n", seq.error()), 1;
    nlpp::reply_reader reader(*seq, sock->port_id());

    int ep = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    epoll_ctl(ep, EPOLL_CTL_ADD, sock->fd(), &ev);
    std::size_t links = 0;
    while (!reader.finished()) {
        epoll_event ready;
        if (epoll_wait(ep, &ready, 1, 1000) <= 0) break;           // your loop would serve other fds too
        for (;;) {
            auto d = sock->receive();
            if (!d) {
                if (d.error().is(nlpp::errc::would_block)) break;   // back to epoll
                return fmt::print(stderr, "{}\n", d.error()), 1;
            }
            for (nlpp::message_view m : nlpp::message_range(d->data)) {
                auto v = reader.classify(m, d->group);
                if (!v) return fmt::print(stderr, "{}\n", v.error()), 1;
                if (*v == nlpp::reply_reader::verdict::reply) ++links;
                if (*v == nlpp::reply_reader::verdict::notification) sock->queue_notification(m);
            }
            if (reader.finished()) break;
        }
    }
    close(ep);
    std::printf("%zu links\n", links);
    return reader.finished() ? 0 : 1;
}
