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
struct mnl_socket;
struct mnl_socket* mnl_open(void); /* opened and bound; NULL on failure */
int mnl_walk(struct mnl_socket* nl, struct walk_result* out);

#ifdef __cplusplus
}
#endif
