/* dns_int.h - what dns.c shares with dns_svcb.c: the message's text pool and the name reader. */
#ifndef NETPROBE_PROTO_DNS_INT_H
#define NETPROBE_PROTO_DNS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "netprobe/app.h"
#include "netprobe/cursor.h"
#include "netprobe/packet.h"

/* Room at the pool's end for one more string of up to `want` bytes (NULL: the pool is full),
 * and keeping the string written there (its offset). */
char *np_dns_text_room(struct np_dns *d, size_t want, size_t *cap);
uint16_t np_dns_text_keep(struct np_dns *d);
/* np_dns_name with at most max_jumps compression pointers (0: none allowed, a pointer is
 * NP_INVALID). */
enum np_verdict np_dns_name_walk(const struct np_cursor *msg, size_t *off, char *out, size_t cap,
				 unsigned max_jumps);
/* The data of an SVCB or HTTPS record at `at` of msg (rdlen bytes there, checked): its text
 * as dig presents it into rr->data, its parameters into d->svcb. NP_INVALID: a parameter
 * runs past the data, or a value has the wrong size for its key. */
enum np_verdict np_dns_svcb(struct np_dns *d, struct np_dns_rr *rr, const struct np_cursor *msg,
			    size_t at);

#endif
