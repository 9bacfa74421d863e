// Prints the links and routes of a network namespace, then every change, from a coroutine on an
// Asio io_context (nlpp::asio, docs/async.md). Subscribes before dumping, so that no change falls
// between the dump and the notifications; after lost notifications (events_lost) it resyncs.
//   example_async_monitor [NETNS|-] [SECONDS]     (SECONDS: stop after that long; default: never)
#include <nlpp/asio/socket.hpp>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/core.h>

namespace {

std::string address(int family, nlpp::bytes b) {
    char text[INET6_ADDRSTRLEN] = "?";
    if (b.size() == 4 || b.size() == 16) ::inet_ntop(family, b.data(), text, sizeof text);
    return text;
}

// One line per link or route message: "link add 2 eth0", "route del 10.0.0.0/24 table 254".
void print(nlpp::message_view m) {
    const bool gone = m.type() == RTM_DELLINK || m.type() == RTM_DELROUTE;
    if (m.type() == RTM_NEWLINK || m.type() == RTM_DELLINK) {
        auto ifi = m.fixed_header<ifinfomsg>();
        if (!ifi) return;
        auto name = m.attrs(sizeof(ifinfomsg)).find(IFLA_IFNAME);
        fmt::print("link {} {} {}\n", gone ? "del" : "add", ifi->ifi_index,
                   name ? std::string(name->get_string()) : "?");
    } else if (m.type() == RTM_NEWROUTE || m.type() == RTM_DELROUTE) {
        auto rt = m.fixed_header<rtmsg>();
        if (!rt) return;
        auto dst = m.attrs(sizeof(rtmsg)).find(RTA_DST);
        auto table = m.attrs(sizeof(rtmsg)).find(RTA_TABLE);
        fmt::print("route {} {}/{} table {}\n", gone ? "del" : "add",
                   dst ? address(rt->rtm_family, dst->payload()) : "default", rt->rtm_dst_len,
                   table ? table->get<std::uint32_t>().value_or(rt->rtm_table) : rt->rtm_table);
    }
}

nlpp::message_builder dump_of(std::uint16_t type) {
    nlpp::message_builder b(type, 0);
    if (type == RTM_GETLINK)
        b.put_header(ifinfomsg{});
    else
        b.put_header(rtmsg{});
    return b;
}

// Links and routes now: resync() for links (it drops the notifications that the dump supersedes),
// then a plain dump of routes (notifications arriving meanwhile stay queued).
asio::awaitable<nlpp::result<void>> state(nlpp::asio::socket& s) {
    const nlpp::reply_handler show = [](nlpp::message_view m) -> nlpp::result<void> {
        print(m);
        return {};
    };
    auto links = dump_of(RTM_GETLINK);
    const nlpp::request_info what{"dump links"};
    if (auto r = co_await s.resync(links, show, what); !r) co_return r;
    auto req = dump_of(RTM_GETROUTE);
    auto routes = s.dump(req, {"dump routes"});
    for (;;) {
        auto m = co_await routes.next();
        if (!m) co_return nlpp::fail(std::move(m.error()));
        if (!*m) co_return nlpp::result<void>{};
        print(**m);
    }
}

asio::awaitable<void> monitor(nlpp::asio::socket& s, int& status) {
    for (;;) {
        auto r = co_await state(s);
        if (r) break;
        if (!r.error().is(nlpp::errc::dump_interrupted)) {  // interrupted: changed meanwhile, again
            fmt::print(stderr, "{}\n", r.error());
            co_return;
        }
    }
    std::fflush(stdout);
    for (;;) {
        auto n = co_await s.next_notification();
        if (!n) {
            if (n.error().errno_value() != ECANCELED)  // ECANCELED: closed when the time was up
                fmt::print(stderr, "{}\n", n.error());
            else
                status = 0;
            co_return;
        }
        if (std::holds_alternative<nlpp::asio::events_lost>(*n)) {
            fmt::print("# notifications lost: the state again\n");
            if (auto r = co_await state(s); !r) {
                fmt::print(stderr, "{}\n", r.error());
                co_return;
            }
        } else {
            print(std::get<nlpp::owned_message>(*n).view());
        }
        std::fflush(stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::string netns = argc > 1 && std::string(argv[1]) != "-" ? argv[1] : "";
    const double seconds = argc > 2 ? std::atof(argv[2]) : 0;
    asio::io_context io;
    auto s = nlpp::asio::socket::open(io.get_executor(), NETLINK_ROUTE, {.netns = netns});
    if (!s) return fmt::print(stderr, "{}\n", s.error()), 1;
    for (auto group : {RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE})  // before the dumps
        if (auto r = s->subscribe(group); !r) return fmt::print(stderr, "{}\n", r.error()), 1;
    int status = 1;
    asio::co_spawn(io, monitor(*s, status), asio::detached);
    asio::steady_timer stop(io);
    if (seconds > 0) {
        stop.expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::duration<double>(seconds)));
        stop.async_wait([&](std::error_code ec) {
            if (!ec) s->close();  // the pending next_notification() completes with ECANCELED
        });
    }
    io.run();
    return status;
}
