// nlpp/core/version.hpp: the library version (semantic versioning).
//
// CMake reads these three lines; the shared libraries' SONAME carries the
// major version.
//
// Example:
//   static_assert(nlpp::version_major == 0);
#pragma once

#define NLPP_VERSION_MAJOR 0
#define NLPP_VERSION_MINOR 2
#define NLPP_VERSION_PATCH 0

namespace nlpp {
inline constexpr int version_major = NLPP_VERSION_MAJOR;
inline constexpr int version_minor = NLPP_VERSION_MINOR;
inline constexpr int version_patch = NLPP_VERSION_PATCH;
inline constexpr const char* version_string = "0.2.0";
}  // namespace nlpp
