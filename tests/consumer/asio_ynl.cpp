// Builds against an installed nlpp::asio_ynl: a coroutine dumps netdev's devices through the spec
// engine's client (a genetlink family: its id resolved at open).
#include <nlpp/asio/ynl.hpp>
#include <nlpp/ynl/spec.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <cstdio>

#include <fmt/core.h>

int main(int argc, char** argv) {
    if (argc != 2) return std::fprintf(stderr, "usage: consumer_asio_ynl NETDEV_SPEC\n"), 2;
    auto spec = nlpp::ynl::load_spec(argv[1]);
    if (!spec) return fmt::print(stderr, "{}\n", spec.error()), 1;
    asio::io_context io;
    auto c = nlpp::asio::ynl_client::open(io.get_executor(), *spec);
    if (!c) return fmt::print(stderr, "{}\n", c.error()), 1;
    int devices = -1;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            const nlpp::ynl::request all{spec->find_op("dev-get"), nlpp::ynl::mode::dump};
            auto d = c->dump(all);
            for (int n = 0;; ++n) {
                auto m = co_await d.next();
                if (!m) co_return fmt::print(stderr, "{}\n", m.error());
                if (!*m) co_return void(devices = n);
            }
        },
        asio::detached);
    io.run();
    std::printf("nlpp::asio_ynl: %d netdev devices\n", devices);
    return devices > 0 ? 0 : 1;
}
