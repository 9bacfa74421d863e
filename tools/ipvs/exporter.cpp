// nlpp-ipvs-exporter: IPVS services and destinations as Prometheus metrics,
// served over HTTP at /metrics by prometheus-cpp's pull exposer. A binary of
// its own, so that nlpp-ipvs (the ipvsadm drop-in) loads no HTTP stack.
// Each scrape takes a fresh snapshot through one long-lived client (a
// prometheus::Collectable: a service deleted meanwhile leaves the output).
// --per-destination=false keeps the service totals only (from the service dump
// alone: no destination dumps); --scope LIST
// exports the services of a scope (the syntax of `nlpp-ipvs apply --scope`).
// Bad input (a malformed --listen or --scope, no ip_vs module, no
// CAP_NET_ADMIN, an address that cannot be bound) is one line on stderr and
// exit status 1. The metric families are exporter_metrics.cpp's.
#include "exporter_metrics.hpp"

#include <nlpp/core/version.hpp>
#include <nlpp/ipvs/client.hpp>

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include <CLI/CLI.hpp>

#include <csignal>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace {

using namespace nlpp::ipvs;

class ipvs_collector : public prometheus::Collectable {
public:
    ipvs_collector(client c, std::optional<scope> within, bool per_destination)
        : ipvs_(std::move(c)), scope_(std::move(within)), per_destination_(per_destination) {}

    // Called by the exposer's threads on each scrape: one at a time.
    std::vector<prometheus::MetricFamily> Collect() const override {
        std::lock_guard lock(mutex_);
        const auto t0 = std::chrono::steady_clock::now();
        auto i = ipvs_.get_info();
        auto snap = i ? entries() : nlpp::fail(i.error());
        if (!snap) {  // no IPVS metrics: the scrape shows the failure; the exporter lives on
            std::fprintf(stderr, "nlpp-ipvs-exporter: scrape: %s\n", snap.error().what().c_str());
            return {};
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return cli::metric_families(*i, *snap, per_destination_, seconds);
    }

private:
    // The services of the scope with their destinations; without
    // per_destination the service dump alone (its stats are the totals).
    nlpp::result<std::vector<service_entry>> entries() const {
        if (per_destination_) return ipvs_.snapshot(scope_ ? &*scope_ : nullptr);
        auto all = ipvs_.services();
        if (!all) return nlpp::fail(all.error());
        std::vector<service_entry> out;
        out.reserve(all->size());
        for (auto& s : *all)
            if (!scope_ || scope_->contains(s.key)) out.push_back({std::move(s), {}});
        return out;
    }

    mutable std::mutex mutex_;
    mutable client ipvs_;
    std::optional<scope> scope_;
    bool per_destination_;
};

// ADDR:PORT with an IPv4 address or a bracketed IPv6 one, as civetweb takes it.
nlpp::result<std::string> listen_address(const std::string& text) {
    const auto bad = [&text](const char* why) {
        return nlpp::fail(nlpp::error(std::make_error_code(std::errc::invalid_argument),
                                      "--listen '" + text + "': " + why));
    };
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return bad("not ADDR:PORT");
    std::string host = text.substr(0, colon);
    const std::string port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        if (auto a = address::parse(host); !a || !a->is_v6())
            return bad("not an IPv6 address in brackets");
    } else if (auto a = address::parse(host); !a || a->is_v6()) {
        return bad("not an IPv4 address or [IPv6 address]");
    }
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) == 0 ||
        std::stoul(port) > 65535)
        return bad("the port is not 1 to 65535");
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "Serve IPVS services and destinations as Prometheus metrics at http://ADDR:PORT/metrics.",
        "nlpp-ipvs-exporter"};
    app.set_version_flag("--version", std::string("nlpp-ipvs-exporter ") + nlpp::version_string);
    std::string listen, scope_list;
    bool per_destination = true;
    app.add_option("--listen", listen, "Address and port to serve on: 127.0.0.1:9100, [::1]:9100")
        ->required();
    app.add_flag(
        "--per-destination", per_destination,
        "Export each destination's metrics (the default); --per-destination=false: the service totals only");
    app.add_option(
        "--scope", scope_list,
        "Export only these services: a comma-separated list of prefixes with optional protocol and "
        "port, and fwmark ranges (tcp:10.96.0.0/12:443,fwmark:100-199), as nlpp-ipvs apply --scope");
    CLI11_PARSE(app, argc, argv);

    const auto fail = [](const nlpp::error& e) {
        std::fprintf(stderr, "nlpp-ipvs-exporter: %s\n", e.what().c_str());
        return 1;
    };
    auto where = listen_address(listen);
    if (!where) return fail(where.error());
    std::optional<scope> within;
    if (app.count("--scope")) {
        auto s = scope::parse(scope_list);
        if (!s) return fail(s.error());
        within = std::move(*s);
    }
    auto ipvs = client::open();
    if (!ipvs) return fail(ipvs.error());
    if (auto i = ipvs->get_info(); !i)
        return fail(i.error());  // no CAP_NET_ADMIN: fail now, not at each scrape

    // SIGINT and SIGTERM end the exporter; blocked before the exposer's threads start, so they inherit the mask.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    auto collector =
        std::make_shared<ipvs_collector>(std::move(*ipvs), std::move(within), per_destination);
    std::unique_ptr<prometheus::Exposer> exposer;
    try {
        exposer = std::make_unique<prometheus::Exposer>(*where, 2);
    } catch (const std::exception& e) {  // civetweb could not bind
        std::fprintf(
            stderr,
            "nlpp-ipvs-exporter: cannot listen on %s (address in use, or not of this host)\n",
            where->c_str());
        return 1;
    }
    exposer->RegisterCollectable(collector);
    int sig = 0;
    sigwait(&stop, &sig);
    return 0;
}
