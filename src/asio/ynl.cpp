// The spec engine's client on the Asio socket: requests built and replies decoded by nlpp::ynl.
#include <nlpp/asio/ynl.hpp>

#include <functional>
#include <string>
#include <system_error>
#include <utility>

namespace nlpp::asio {
namespace {

std::string what(const ynl::operation& op, ynl::mode m) {
    return op.name + (m == ynl::mode::dump ? " dump" : " do");
}

using do_result = result<std::optional<nlohmann::ordered_json>>;

// A request that could not be built, failing when awaited.
::asio::awaitable<do_result> failed(error e) { co_return fail(std::move(e)); }

// A do request already built: sent, its reply decoded, a kernel error's attributes named.
::asio::awaitable<do_result> run_built(socket& sock, const ynl::spec& s, const ynl::operation& op,
                                       message_builder b, ynl::request_trace trace,
                                       ynl::decode_options options) {
    const request_info info{what(op, ynl::mode::do_request)};
    result<std::optional<owned_message>> reply{std::nullopt};
    try {
        reply = co_await sock.do_request(b, info);
    } catch (const std::system_error& e) {  // the caller's coroutine was already cancelled
        co_return fail(error(e.code(), info.what));
    }
    if (!reply) {
        error e = std::move(reply.error());
        trace.annotate(e);
        co_return fail(std::move(e));
    }
    if (!*reply) co_return std::optional<nlohmann::ordered_json>{};
    auto j = ynl::decode(s, op, (*reply)->view(), options);
    if (!j) co_return fail(std::move(j.error()).wrap(op.name + " reply"));
    co_return std::optional<nlohmann::ordered_json>(std::move(*j));
}

}  // namespace

ynl_dump::ynl_dump(const ynl::spec& s, const ynl::operation& op, dump_range r, ynl::request_trace t,
                   ynl::decode_options options)
    : spec_(&s), op_(&op), range_(std::move(r)), trace_(std::move(t)), options_(options) {}

::asio::awaitable<result<const nlohmann::ordered_json*>> ynl_dump::next() {
    if (failed_) co_return fail(*failed_);
    result<std::optional<message_view>> m{std::nullopt};
    try {
        m = co_await range_->next();
    } catch (const std::system_error& e) {  // the caller's coroutine was already cancelled
        co_return fail(error(e.code(), what(*op_, ynl::mode::dump)));
    }
    if (!m) {
        error e = std::move(m.error());
        trace_.annotate(e);
        co_return fail(std::move(e));
    }
    if (!*m) co_return nullptr;
    auto j = ynl::decode(*spec_, *op_, **m, options_);
    if (!j) co_return fail(std::move(j.error()).wrap(op_->name + " reply"));
    one_ = std::move(*j);
    co_return &one_;
}

result<ynl_client> ynl_client::open(::asio::any_io_executor ex, const ynl::spec& s,
                                    const socket_options& options) {
    socket_options blocking = options;  // genetlink: nlctrl answers on a blocking socket
    blocking.nonblocking = false;
    auto tmp = nlpp::socket::open(static_cast<int>(s.protonum), blocking);
    if (!tmp) return fail(std::move(tmp.error()));
    auto f = ynl::resolve_family(s, *tmp);
    if (!f) return fail(std::move(f.error()));
    auto sock = socket::open(std::move(ex), static_cast<int>(s.protonum), options);
    if (!sock) return fail(std::move(sock.error()));
    return ynl_client(s, std::move(*sock), std::move(*f));
}

::asio::awaitable<do_result> ynl_client::run(const ynl::request& req,
                                             const ynl::decode_options& options) {
    ynl::request_trace trace;
    std::optional<message_builder> b;
    if (req.mode != ynl::mode::do_request)
        return failed(
            error(errc::invalid_argument, "ynl_client::run: a do request; dumps go to dump()"));
    if (auto r = ynl::build_request(*spec_, family_.id, req, b, &trace); !r)
        return failed(std::move(r.error()));
    return run_built(sock_, *spec_, *req.op, std::move(*b), std::move(trace), options);
}

ynl_dump ynl_client::dump(const ynl::request& req, const ynl::decode_options& options) {
    if (req.mode != ynl::mode::dump)
        return ynl_dump(error(errc::invalid_argument, "ynl_client::dump: a dump request"));
    ynl::request_trace trace;
    std::optional<message_builder> b;
    if (auto r = ynl::build_request(*spec_, family_.id, req, b, &trace); !r)
        return ynl_dump(std::move(r.error()));
    return ynl_dump(*spec_, *req.op, sock_.dump(*b, {what(*req.op, ynl::mode::dump)}),
                    std::move(trace), options);
}

result<void> ynl_client::subscribe(std::string_view group) {
    auto id = ynl::find_group(*spec_, family_.groups, group);
    if (!id) return fail(std::move(id.error()));
    return sock_.subscribe(*id);
}

::asio::awaitable<result<ynl_notification>> ynl_client::next_notification(
    ynl::decode_options options) {
    result<notification> n{events_lost{}};
    try {
        n = co_await sock_.next_notification();
    } catch (const std::system_error& e) {  // the caller's coroutine was already cancelled
        co_return fail(error(e.code(), "next notification"));
    }
    if (!n) co_return fail(std::move(n.error()));
    if (std::holds_alternative<events_lost>(*n)) co_return ynl_notification(events_lost{});
    auto d =
        ynl::decode_notification(*spec_, family_.id, std::get<owned_message>(*n).view(), options);
    if (!d) co_return fail(std::move(d.error()));
    co_return ynl_notification(std::move(*d));
}

::asio::awaitable<result<void>> ynl_client::resync(
    const ynl::request& req, std::function<result<void>(nlohmann::ordered_json)> on_state,
    ynl::decode_options options) {
    if (req.mode != ynl::mode::dump)
        co_return fail(errc::invalid_argument, "ynl_client::resync: a dump request");
    ynl::request_trace trace;
    std::optional<message_builder> b;
    if (auto r = ynl::build_request(*spec_, family_.id, req, b, &trace); !r)
        co_return fail(std::move(r.error()));
    const ynl::operation& op = *req.op;
    // Named, not temporaries in the co_await expression: GCC 12 destroys those twice.
    const reply_handler decode_one = [&](message_view m) -> result<void> {
        auto j = ynl::decode(*spec_, op, m, options);
        if (!j) return fail(std::move(j.error()).wrap(op.name + " reply"));
        return on_state(std::move(*j));
    };
    const request_info info{what(op, ynl::mode::dump)};
    result<void> r;
    try {
        r = co_await sock_.resync(*b, decode_one, info);
    } catch (const std::system_error& e) {  // the caller's coroutine was already cancelled
        co_return fail(error(e.code(), info.what));
    }
    if (!r) {
        error e = std::move(r.error());
        trace.annotate(e);
        co_return fail(std::move(e));
    }
    co_return result<void>{};
}

}  // namespace nlpp::asio
