// nlpp-ipvs top (see top.hpp).
#include "top.hpp"

#include "watch.hpp"

#include <curses.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <tuple>

#include <fmt/format.h>

namespace nlpp::ipvs::cli {
namespace {

constexpr const char* usage =
    "usage: nlpp-ipvs top [--interval SECONDS] [--sort cps|packets|bytes|weight|active]\n";

struct column_name {
    top_column column;
    const char* name;
    int key;
};
constexpr column_name columns[] = {{top_column::cps, "cps", 'c'},
                                   {top_column::packets, "packets", 'p'},
                                   {top_column::bytes, "bytes", 'b'},
                                   {top_column::weight, "weight", 'w'},
                                   {top_column::active, "active", 'a'}};

// What a row shows, for a service (sums over its destinations) or a destination.
struct row {
    std::uint64_t weight = 0, active = 0, inactive = 0;
    const ipvs::stats* stats = nullptr;
    std::uint64_t value(top_column c) const {
        switch (c) {
        case top_column::cps: return stats->cps;
        case top_column::packets: return stats->inpps + stats->outpps;
        case top_column::bytes: return stats->inbps + stats->outbps;
        case top_column::weight: return weight;
        case top_column::active: return active;
        }
        return 0;
    }
};

row of(const destination& d) { return {d.weight, d.active_conns, d.inactive_conns, &d.stats}; }
row of(const service_entry& e) {
    row r{0, 0, 0, &e.service.stats};
    for (const auto& d : e.destinations) {
        r.weight += d.weight;
        r.active += d.active_conns;
        r.inactive += d.inactive_conns;
    }
    return r;
}

constexpr const char* row_format = "{:<40} {:<7} {:>6} {:>7} {:>9} {:>8} {:>9} {:>9} {:>11} {:>11}";

std::string line(std::string_view name, std::string_view kind, const row& r) {
    const auto& s = *r.stats;
    return fmt::format(row_format, name, kind, r.weight, r.active, r.inactive, s.cps, s.inpps,
                       s.outpps, s.inbps, s.outbps);
}

}  // namespace

std::variant<top_options, int> parse_top(const std::vector<std::string>& args) {
    top_options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        const std::string* v = i + 1 < args.size() ? &args[i + 1] : nullptr;
        if (a == "--interval") {
            auto secs = seconds_arg("top", v, 0.1, 3600);
            if (!secs) return 2;
            o.interval = std::chrono::duration_cast<std::chrono::milliseconds>(*secs);
            ++i;
        } else if (a == "--sort") {
            const auto* c = v ? std::find_if(std::begin(columns), std::end(columns),
                                             [&](const column_name& n) { return *v == n.name; })
                              : std::end(columns);
            if (c == std::end(columns))
                return std::fprintf(
                           stderr,
                           "top: --sort needs one of cps, packets, bytes, weight, active, got '%s'\n",
                           v ? v->c_str() : ""),
                       2;
            o.sort = c->column;
            ++i;
        } else {
            return std::fprintf(stderr, "top: unexpected argument %s\n%s", a.c_str(), usage), 2;
        }
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return std::fprintf(
                   stderr,
                   "top: needs a terminal (standard input and output); for a stream of changes, "
                   "see nlpp-ipvs watch\n"),
               2;
    return o;
}

std::vector<std::string> top_lines(std::vector<service_entry> entries, top_column sort) {
    // Largest first; equal values by key, so that rows keep their places.
    auto order = [sort](const row& ra, const row& rb, const auto& ka, const auto& kb) {
        const auto va = ra.value(sort), vb = rb.value(sort);
        return va != vb ? va > vb : ka < kb;
    };
    std::sort(entries.begin(), entries.end(), [&](const service_entry& a, const service_entry& b) {
        return order(of(a), of(b), a.service.key, b.service.key);
    });
    std::vector<std::string> out;
    out.push_back(fmt::format(row_format, "Service / -> Destination", "Sched", "Weight", "ActConn",
                              "InActConn", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"));
    for (auto& e : entries) {
        out.push_back(line(key_string(e.service.key), e.service.scheduler, of(e)));
        std::sort(e.destinations.begin(), e.destinations.end(),
                  [&](const destination& a, const destination& b) {
                      return order(of(a), of(b), std::tie(a.address, a.port),
                                   std::tie(b.address, b.port));
                  });
        for (const auto& d : e.destinations)
            out.push_back(
                line("  -> " + endpoint_string(d.address, d.port), forwarding_name(d.fwd), of(d)));
    }
    return out;
}

int top(client& ipvs, const top_options& o) {
    auto first = ipvs.snapshot();  // a failure is told before the screen is taken
    if (!first) return std::fprintf(stderr, "top: %s\n", first.error().what().c_str()), 1;
    if (!initscr()) return std::fprintf(stderr, "top: cannot start the terminal (TERM?)\n"), 2;
    cbreak();
    noecho();
    curs_set(0);
    keypad(stdscr, TRUE);
    top_column sort = o.sort;
    auto snap = std::move(first);
    for (;;) {
        if (!snap) {
            endwin();
            return std::fprintf(stderr, "top: %s\n", snap.error().what().c_str()), 1;
        }
        erase();
        std::string keys;
        for (const auto& c : columns)
            keys += fmt::format("  {}{} {}", c.column == sort ? "*" : "", static_cast<char>(c.key),
                                c.name);
        mvaddnstr(0, 0,
                  fmt::format("nlpp-ipvs top: {} services, every {} ms, sort by{}  q quit",
                              snap->size(), o.interval.count(), keys)
                      .c_str(),
                  COLS);
        const auto rows = top_lines(std::move(*snap), sort);
        for (std::size_t i = 0; i < rows.size() && static_cast<int>(i) + 2 < LINES; ++i)
            mvaddnstr(static_cast<int>(i) + 2, 0, rows[i].c_str(), COLS);
        refresh();
        // Keys until the next refresh; a column key redraws at once.
        const auto next = std::chrono::steady_clock::now() + o.interval;
        bool redraw = false;
        while (!redraw) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                next - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            timeout(static_cast<int>(left.count()));
            const int ch = getch();
            if (ch == 'q' || ch == 'Q') {
                endwin();
                return 0;
            }
            redraw = ch == KEY_RESIZE;
            for (const auto& c : columns)
                if (ch == c.key) sort = c.column, redraw = true;
        }
        snap = ipvs.snapshot();
    }
}

}  // namespace nlpp::ipvs::cli
