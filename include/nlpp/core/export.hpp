// nlpp/core/export.hpp: symbol visibility for the nlpp libraries.
//
// nlpp builds with -fvisibility=hidden; NLPP_API marks what the shared
// libraries export. Users never need it.
//
// Example:
//   struct NLPP_API family_info { /* ... */ };   // how nlpp's own headers mark what is exported
#pragma once

#define NLPP_API __attribute__((visibility("default")))
