// nlpp/ipvs/diff.hpp: what changed between two IPVS snapshots.
//
// The kernel sends no IPVS change events, so whoever wants to follow IPVS
// polls: diff() compares two snapshots (client::snapshot) and returns one
// ordered list of events: services added, removed or edited (scheduler,
// flags, timeout, netmask, persistence engine), destinations added, removed
// or edited (forwarding, weight, thresholds, tunnel) and a destination's
// active connections reaching zero. The order is defined: every service
// event before every destination event, each sorted by key (a service's
// key, then a destination's address and port). A service added or removed
// brings its destinations' added or removed events with it. Counters and
// rates are not compared (they move all the time); diff(a, a) is empty.
// plan() (reconcile.hpp) is this diff from the current to the desired state.
//
// Example (given nlpp::ipvs::client& ipvs):
//   auto before = ipvs.snapshot();
//   if (!before) return nlpp::fail(before.error());
//   /* ... a second later ... */
//   auto after = ipvs.snapshot();
//   if (!after) return nlpp::fail(after.error());
//   for (const auto& e : nlpp::ipvs::diff(*before, *after))
//       std::puts(e.describe().c_str());  // "~ dest TCP 10.0.0.1:80 -> 192.0.2.2:80 weight 1 -> 5"
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlpp/ipvs/types.hpp>

namespace nlpp::ipvs {

/// One change between two snapshots.
struct event {
    /// What changed.
    enum class kind : std::uint8_t {
        service_added,
        service_removed,
        service_edited,
        dest_added,
        dest_removed,
        dest_edited,
        dest_idle,  ///< active connections went from some to zero
    };
    event::kind what = kind::service_added;  ///< what changed
    /// The service as it is after (removed: as it was before); for a
    /// destination event, the service it belongs to.
    ipvs::service service{};
    std::optional<ipvs::service> service_before{};  ///< service_edited
    std::optional<destination> dest{};              ///< destination events: after (removed: before)
    std::optional<destination> dest_before{};       ///< dest_edited, dest_idle

    /// One line: "+ service TCP 10.0.0.1:80 rr", "- dest TCP 10.0.0.1:80 -> 192.0.2.2:80",
    /// "~ service FWM 5 scheduler rr -> wrr", "~ dest ... weight 1 -> 5",
    /// "= dest ... active connections 3 -> 0" (docs/ipvs.md lists every field).
    NLPP_API std::string describe() const;
};

/// "service-added", "service-removed", "service-edited", "dest-added",
/// "dest-removed", "dest-edited", "dest-idle".
NLPP_API std::string_view event_name(event::kind k) noexcept;

/// True when a and b have the same settings: what an edit can change.
/// @{
NLPP_API bool same_settings(const service& a, const service& b) noexcept;
NLPP_API bool same_settings(const destination& a, const destination& b) noexcept;
/// @}

/// The events that turn `before` into `after`, in the order above. When a
/// snapshot names a key twice (a service, or a destination of a service),
/// the first one counts.
NLPP_API std::vector<event> diff(std::span<const service_entry> before,
                                 std::span<const service_entry> after);

}  // namespace nlpp::ipvs
