/* track_int.h - the tracker's parts: conversation table and state machine (track.c) and the
 * SYN-flood detector (synflood.c). */
#ifndef NETPROBE_TRACK_INT_H
#define NETPROBE_TRACK_INT_H

#include "lru.h"
#include "netprobe/track.h"

struct np_flood;

/* Microseconds since the epoch: the tracker's only notion of time (clamped: packet.h). */
static inline int64_t np_us(int64_t sec, uint32_t usec)
{
	return np_ts_clamp_sec(sec) * 1000000 + (int64_t)usec;
}

static inline void np_event_time(struct np_event *ev, int64_t us)
{
	ev->ts_sec = us / 1000000;
	ev->ts_usec = (uint32_t)(us % 1000000);
}

/* Room left in the out-array (track.h): advance and finish stop while there is still room for
 * what one release can say (an unanswered SYN and a ladder). */
#define NP_TRACK_RESERVE 4

static inline bool np_track_room(const struct np_track_events *out, unsigned k)
{
	return out->n + k <= NP_TRACK_EVENTS_MAX;
}

static inline void np_track_push(struct np_track_events *out, const struct np_event *ev)
{
	if (out->n < NP_TRACK_EVENTS_MAX)
		out->ev[out->n++] = *ev;
	else
		out->dropped++;
}

struct np_flood *np_flood_new(const struct np_track_opts *o);
void np_flood_free(struct np_flood *f);
/* Account one TCP segment to its destination's (or for replies, its source's) counters; a
 * target is its endpoint in the tunnels `tun` names (a VNI, a GRE key: track.h). */
void np_flood_segment(struct np_flood *f, const struct np_endpoint *src,
		      const struct np_endpoint *dst, const struct np_tunnel_ref *tun, uint16_t flags,
		      uint64_t n, int64_t now, struct np_track_events *out);
/* A handshake to `server` in `tun` completed: one fewer half-open connection. */
void np_flood_completed(struct np_flood *f, const struct np_endpoint *server,
			const struct np_tunnel_ref *tun, int64_t now);
/* Is a flood episode against `server` in `tun` going on? Counts the event as suppressed when so. */
bool np_flood_suppress(struct np_flood *f, const struct np_endpoint *server,
		       const struct np_tunnel_ref *tun);
/* Time passes: end episodes whose rate fell; final=true ends every episode. True when *out
 * filled up first: call again (same arguments) once it is emptied. */
bool np_flood_advance(struct np_flood *f, int64_t now, bool final, uint64_t n,
		      struct np_track_events *out);
uint64_t np_flood_episodes(const struct np_flood *f);

#endif
