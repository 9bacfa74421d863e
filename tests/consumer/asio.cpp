// Builds against an installed nlpp::asio: a coroutine dumps this namespace's links.
#include <nlpp/asio/socket.hpp>

#include <linux/rtnetlink.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <cstdio>

#include <fmt/core.h>

int main() {
    asio::io_context io;
    auto s = nlpp::asio::socket::open(io.get_executor(), NETLINK_ROUTE);
    if (!s) return fmt::print(stderr, "{}\n", s.error()), 1;
    int links = -1;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            nlpp::message_builder b(RTM_GETLINK, 0);
            b.put_header(ifinfomsg{});
            auto d = s->dump(b, {"dump links"});
            for (int n = 0;; ++n) {
                auto m = co_await d.next();
                if (!m) co_return fmt::print(stderr, "{}\n", m.error());
                if (!*m) co_return void(links = n);
            }
        },
        asio::detached);
    io.run();
    std::printf("nlpp::asio: %d links\n", links);
    return links > 0 ? 0 : 1;
}
