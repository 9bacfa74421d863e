/* Shared result of the route-dump walkers (nlpp, hand-written C, libmnl). */
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct walk_result {
    uint64_t messages;
    uint64_t attrs;
    uint32_t checksum; /* XOR over every 4-byte attribute, so no walk is optimised away */
};

int c_walk(int fd, struct walk_result* out);
int mnl_walk(struct walk_result* out);

#ifdef __cplusplus
}
#endif
