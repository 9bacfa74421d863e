// Fuzz target: the JSON that `nlpp-ipvs apply FILE` reads (state_from_json),
// and the /proc/net/ip_vs_conn text that `nlpp-ipvs -c` reads. The first
// byte chooses which (and the listing's format bits, always numeric: name
// lookups are the resolver's business, and took 20 ms an input); what parses
// as a state is printed back as JSON.
#include "listing.hpp"
#include "state_json.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] & 1) {
        (void)nlpp::ipvs::cli::connections(text, (data[0] >> 1) | nlpp::ipvs::cli::fmt_bits::numeric);
        return 0;
    }
    if (auto s = nlpp::ipvs::cli::state_from_json(text)) (void)nlpp::ipvs::cli::to_json(s->services).dump();
    else (void)s.error().what();
    return 0;
}
