// nlpp/core/export.hpp: symbol visibility for the nlpp libraries.
//
// nlpp builds with -fvisibility=hidden; NLPP_API marks what the shared
// libraries export. Users never need it.
//
// Example:
//   class NLPP_API socket { ... };
#pragma once

#define NLPP_API __attribute__((visibility("default")))
