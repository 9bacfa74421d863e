// nlpp-ipvs's JSON state schema: what `-L --json` prints and `apply` reads
// back (documented in docs/ipvs.md, "The JSON state schema"). Pure
// functions, testable without a kernel.
#pragma once

#include <nlpp/ipvs/client.hpp>

#include <nlohmann/json.hpp>

#include <vector>

namespace nlpp::ipvs::cli {

nlohmann::ordered_json to_json(const std::vector<service_entry>& entries);  // {"services": [...]}
nlohmann::ordered_json to_json(const timeouts& t);
nlohmann::ordered_json to_json(const std::vector<sync_daemon>& ds);
// Reads a desired state; errors name the JSON path ("$.services[2].destinations[0].port: ...").
result<std::vector<service_entry>> state_from_json(const nlohmann::json& j);
// The file's "scope": a list of scope items (scope.hpp); none: nullopt.
result<std::optional<scope>> scope_from_json(const nlohmann::json& j);

}  // namespace nlpp::ipvs::cli
