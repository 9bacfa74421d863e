// nlpp-ipvs's listings without a kernel: the scaling of large counters.
// Without --exact, ipvsadm 1.31 prints a counter in 9 columns as it is
// below 10^8, then as thousands with K below 10^9, millions with M below
// 10^11, billions with G below 10^14 and trillions with T above (each
// rounded down, in 8 columns before the letter). With --exact it prints the
// whole number with at least one space before it, in 9 columns at least.
// The expected strings below are written out from that rule; real traffic
// that large is out of reach in the test VM (tests/ipvs/traffic_vs_ipvsadm.sh
// compares the small numbers with ipvsadm itself).
#include "listing.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace {

using namespace nlpp::ipvs;
namespace bits = nlpp::ipvs::cli::fmt_bits;

address ip(const char* s) { return address::parse(s).value(); }

service_entry entry_with(const stats& svc, const stats& dest) {
    service_entry e;
    e.service.key = virtual_service{protocol::tcp, ip("203.0.113.1"), 80};
    e.service.scheduler = "rr";
    e.service.stats = svc;
    destination d;
    d.address = ip("192.0.2.10");
    d.port = 8080;
    d.fwd = forwarding::masq;
    d.stats = dest;
    e.destinations.push_back(d);
    return e;
}

// The service line of a --stats listing whose Conns counter is n, without
// the name column and the four zero counters after it.
std::string conns_column(std::uint64_t n, unsigned format) {
    const std::string block = cli::service_block(entry_with({.conns = n}, {}), bits::numeric | bits::stats | format);
    const std::string line = block.substr(0, block.find('\n'));
    const std::string name = "TCP  203.0.113.1:80              ", zeros = "        0        0        0        0";
    if (line.size() < name.size() + zeros.size() || !line.starts_with(name) || !line.ends_with(zeros)) {
        ADD_FAILURE() << "unexpected line: '" << line << "'";
        return line;
    }
    return line.substr(name.size(), line.size() - name.size() - zeros.size());
}

TEST(ipvs_listing, counters_scale_at_ipvsadms_boundaries) {
    EXPECT_EQ(conns_column(0, 0), "        0");
    EXPECT_EQ(conns_column(99'999'999, 0), " 99999999");
    EXPECT_EQ(conns_column(100'000'000, 0), "  100000K");
    EXPECT_EQ(conns_column(123'456'789, 0), "  123456K");  // rounded down
    EXPECT_EQ(conns_column(999'999'999, 0), "  999999K");
    EXPECT_EQ(conns_column(1'000'000'000, 0), "    1000M");
    EXPECT_EQ(conns_column(4'294'967'296, 0), "    4294M");
    EXPECT_EQ(conns_column(99'999'999'999, 0), "   99999M");
    EXPECT_EQ(conns_column(100'000'000'000, 0), "     100G");
    EXPECT_EQ(conns_column(99'999'999'999'999, 0), "   99999G");
    EXPECT_EQ(conns_column(100'000'000'000'000, 0), "     100T");
    EXPECT_EQ(conns_column(std::numeric_limits<std::uint64_t>::max(), 0), "18446744T");
}

TEST(ipvs_listing, exact_counters_keep_every_digit) {
    EXPECT_EQ(conns_column(0, bits::exact), "        0");
    EXPECT_EQ(conns_column(99'999'999, bits::exact), " 99999999");
    EXPECT_EQ(conns_column(100'000'000, bits::exact), " 100000000");
    EXPECT_EQ(conns_column(99'999'999'999'999, bits::exact), " 99999999999999");
    EXPECT_EQ(conns_column(std::numeric_limits<std::uint64_t>::max(), bits::exact), " 18446744073709551615");
}

TEST(ipvs_listing, every_stats_column_scales) {
    const stats big{.conns = 100'000'000, .inpkts = 1'000'000'000, .outpkts = 100'000'000'000,
                    .inbytes = 100'000'000'000'000, .outbytes = 42};
    const std::string block = cli::service_block(entry_with(big, big), bits::numeric | bits::stats);
    EXPECT_EQ(block,
              "TCP  203.0.113.1:80                100000K    1000M     100G     100T       42\n"
              "  -> 192.0.2.10:8080               100000K    1000M     100G     100T       42\n");
}

TEST(ipvs_listing, rates_scale_bytes_only_for_destinations) {
    // ipvsadm prints a destination's CPS, InPPS and OutPPS unscaled in 8
    // columns, and its byte rates (and every rate of a service) scaled.
    const stats r{.cps = 123'456'789, .inpps = 1, .outpps = 100'000'000, .inbps = 100'000'000, .outbps = 5};
    EXPECT_EQ(cli::service_block(entry_with(r, r), bits::numeric | bits::rate),
              "TCP  203.0.113.1:80                123456K        1  100000K  100000K        5\n"
              "  -> 192.0.2.10:8080              123456789        1 100000000  100000K        5\n");
    EXPECT_EQ(cli::service_block(entry_with(r, r), bits::numeric | bits::rate | bits::exact),
              "TCP  203.0.113.1:80               123456789        1 100000000 100000000        5\n"
              "  -> 192.0.2.10:8080              123456789        1 100000000 100000000        5\n");
}

}  // namespace
