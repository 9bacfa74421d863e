// The differences between two IPVS states, by reference into them: what
// diff() (diff.hpp) turns into events and plan() (reconcile.hpp) into
// changes, without copying a state first.
#pragma once

#include <span>
#include <vector>

#include <nlpp/ipvs/diff.hpp>

namespace nlpp::ipvs::detail {

/// What happens to the service a step belongs to.
enum class fate : std::uint8_t { stays, added, removed };

/// One difference. It points into the two states given to steps(), which
/// must outlive it.
struct step {
    event::kind what;
    ipvs::detail::fate fate;                   ///< of the step's service
    const service_entry* entry;                ///< the service: after, or before when removed
    const service* service_before = nullptr;   ///< service_edited
    const destination* dest = nullptr;         ///< destination steps: after (removed: before)
    const destination* dest_before = nullptr;  ///< dest_edited, dest_idle
};

/// Service by service in key order, the first of equal keys counting: its
/// own step (if any), then its destinations' in address order.
std::vector<step> steps(std::span<const service_entry> before,
                        std::span<const service_entry> after);

}  // namespace nlpp::ipvs::detail
