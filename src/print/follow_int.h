/* follow_int.h - the parts of `netprobe follow`: the conversations and what they said
 * (follow.c) and how it is printed (follow_out.c). */
#ifndef NETPROBE_FOLLOW_INT_H
#define NETPROBE_FOLLOW_INT_H

#include "netprobe/follow.h"
#include "track/lru.h"

/* One piece of a dialogue, held until its conversation is printed. DATA pieces of one
 * direction that follow each other in the stream and in capture order are merged. */
struct fchunk {
	struct fchunk *next;
	uint8_t kind;          /* enum np_rchunk_kind */
	uint8_t dir;
	uint8_t why;           /* enum np_gap_why */
	uint64_t off;
	uint32_t len, cap;     /* cap: bytes of data[] allocated (DATA) */
	uint8_t data[];
};

/* A conversation with payload (nothing is allocated for one without). */
struct fconv {
	uint32_t conv;
	bool udp;
	struct np_endpoint ep[2];  /* client, server */
	struct np_tunnel_ref tun;  /* the tunnels of its first packet: the listing names them */
	uint64_t first_frame;
	struct np_rconv *rc;       /* TCP: the reassembler's state, or NULL (cap reached) */
	uint64_t bytes[2];         /* data delivered each way */
	uint64_t udp_off[2];
	struct fchunk *head, *tail;
	size_t held;               /* bytes of the chunks held */
	unsigned parts;            /* parts printed so far (--buffer-mem reached) */
	bool started;              /* its header is printed (stream mode) */
	struct np_follow *f;       /* for the reassembler's sink */
};

/* A TCP conversation in the tracker's slot: what the reassembler needs from before the first
 * payload (the ISNs) and what the listing says, in a fixed array (no allocation each). */
struct fslot {
	uint32_t conv;             /* 0: free */
	bool selected;
	bool done;                 /* its dialogue was printed (over): later segments ignored */
	bool isn_known[2];
	uint32_t isn[2];
	uint8_t st[2];             /* enum np_tcp_state after its last segment */
	struct np_tunnel_ref tun;  /* the tunnels of its first segment */
	uint64_t first_frame;
	uint64_t bytes[2];         /* data delivered each way, once done */
	struct fconv *fc;
};

/* One line of the listing. */
struct flist {
	uint32_t conv;
	bool udp;
	uint8_t st[2];
	struct np_endpoint ep[2];
	uint64_t bytes[2];
	uint64_t first_frame;
	struct np_tunnel_ref tun;
};

struct np_follow {
	struct np_follow_opts o;
	FILE *out;
	struct np_reasm *r;
	struct fslot *tcp;         /* [o.max_conv] */
	struct np_lru udp_lru;     /* UDP conversations, by 5-tuple */
	struct fconv **udp;        /* [o.max_udp] */
	uint32_t udp_next_id;
	size_t held;               /* all conversations' held chunks */
	const struct fconv *last;  /* stream mode: the conversation of the last piece printed */
	struct flist *list;
	size_t nlist, list_cap;
	uint64_t list_over;        /* conversations beyond NP_FOLLOW_LIST_MAX, not listed */
	struct np_follow_stats st;
};

/* follow_out.c */
/* One piece printed at once (stream mode); data: the bytes of a DATA piece. */
void np_fo_piece(struct np_follow *f, struct fconv *c, const struct fchunk *h, const uint8_t *data);
/* A conversation's held pieces (a part when !final), or in stream mode its end line. */
void np_fo_conv(struct np_follow *f, struct fconv *c, bool final);
/* The listing: every conversation, TCP then UDP, by number. */
void np_fo_list(struct np_follow *f);
void np_fo_endpoint(const struct np_endpoint *e, char *buf, size_t cap);

#endif
