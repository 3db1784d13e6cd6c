/* tls_names.h - Wireshark's names for TLS cipher suites, named groups and alert descriptions
 * (tls_names.c, generated); NULL for a value the table does not name. */
#ifndef NP_PROTO_TLS_NAMES_H
#define NP_PROTO_TLS_NAMES_H

#include <stdbool.h>
#include <stdint.h>

const char *np_tls_cipher_name(uint16_t v);
const char *np_tls_group_name(uint16_t v);
const char *np_tls_alert_name(uint8_t v);
/* A GREASE value (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa. */
bool np_tls_grease(uint16_t v);

#endif
