// nlpp-ipvs's JSON state schema: what `-L --json` prints and `apply` reads
// back (documented in docs/ipvs.md, "The JSON state schema"). Pure
// functions, testable without a kernel.
#pragma once

#include <nlpp/ipvs/client.hpp>
#include <nlpp/ipvs/scope.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nlpp::ipvs::cli {

// The two JSON forms of a state: the listing (-L --json) carries each
// service's and destination's stats, connection counts and the kernel's
// "hashed" flag; the saved state (-S --json) only what apply reads back.
enum class json_form { listing, saved };
nlohmann::ordered_json to_json(const std::vector<service_entry>& entries,
                               json_form form = json_form::listing);  // {"services": [...]}
// One service's key and settings, one destination's settings (and, in a
// listing, connection counts), without stats and destinations.
nlohmann::ordered_json to_json(const service& s, json_form form = json_form::listing);
nlohmann::ordered_json to_json(const destination& d, json_form form = json_form::listing);
nlohmann::ordered_json to_json(const timeouts& t);
nlohmann::ordered_json to_json(const std::vector<sync_daemon>& ds);
// What `apply` reads: the desired services and the file's "scope" (a list
// of scope items, scope.hpp; none: nullopt).
struct desired_state {
    std::vector<service_entry> services;
    std::optional<ipvs::scope> scope;
};
// Reads a desired state from JSON text (with simdjson: a 10,000-service file
// in milliseconds); errors name the JSON path ("$.services[2].destinations[0].port: ...").
result<desired_state> state_from_json(std::string_view text);
// Called with the file's scope once the JSON and its scope are read, before
// its services are (apply starts its snapshot of the kernel then, so that the
// two overlap); not called if reading fails before that.
using scope_callback = std::function<void(const std::optional<ipvs::scope>&)>;
// The same from a file ("-": standard input); errors name the file too.
result<desired_state> read_state(const std::string& file, const scope_callback& on_scope = {});
// How read_state() reads a regular file: the first `size` bytes of `fd`
// (whose last page has room for simdjson's padding) parsed where the kernel
// maps them; nullopt if it cannot map them. Should the file shrink meanwhile,
// the program says so on stderr and exits with status 2.
std::optional<result<desired_state>> read_mapped(int fd, std::size_t size, const std::string& file,
                                                 const scope_callback& on_scope = {});

}  // namespace nlpp::ipvs::cli
