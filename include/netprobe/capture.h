/* capture.h - capture sources: one opaque handle over a capture file or a live interface, so the
 * rest of the pipeline cannot tell them apart. */
#ifndef NETPROBE_CAPTURE_H
#define NETPROBE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/packet.h"

struct np_source;

enum np_next {
	NP_NEXT_FRAME,   /* *f holds a frame, valid until the next call */
	NP_NEXT_END,     /* end of file, or the source was asked to stop */
	NP_NEXT_TIMEOUT, /* live: nothing arrived within the read timeout */
	NP_NEXT_ERROR,   /* err holds the reason (e.g. a capture file cut in the middle) */
	NP_NEXT_GONE,    /* live: the interface went down or was removed (err says which);
			  * every frame captured before was delivered: the capture is complete
			  * up to here, but the run did not end as asked (exit status 2) */
};

struct np_source_stats {
	uint64_t frames;     /* frames read from the source, before filtering */
	uint64_t delivered;  /* frames that passed the filter */
	bool have_kernel;    /* live only: the figures below are meaningful */
	uint64_t recv, drop, ifdrop;
};

/* The op table every kind of source fills in. */
struct np_source_ops {
	const char *kind;
	enum np_next (*next)(struct np_source *s, struct np_frame *f, char *err, size_t errlen);
	int (*set_filter)(struct np_source *s, const char *expr, char *err, size_t errlen);
	void (*stats)(struct np_source *s, struct np_source_stats *st);
	int (*dump_open)(struct np_source *s, FILE *fp, const char *name, char *err, size_t errlen);
	int (*dump)(struct np_source *s, const struct np_frame *f);
	void (*dump_close)(struct np_source *s);
	void (*close)(struct np_source *s);
	bool (*idle)(struct np_source *s);
	/* Its interfaces, in order (NULL past the last); NULL op: none of its own. */
	const struct np_frame_if *(*iface)(struct np_source *s, unsigned i);
};

struct np_source {
	const struct np_source_ops *ops;
	int dlt;
	uint32_t snaplen;  /* the capture's snapshot length (a pcapng file: each interface's) */
	uint64_t frames;
	uint64_t delivered;
};

struct np_live_opts {
	int snaplen;
	bool promisc;
	bool immediate;
	int buffer_kib;  /* 0: libpcap's default */
	int timeout_ms;
	uint8_t direction; /* NP_DIR_IN or NP_DIR_OUT: only the frames received, or only those
			    * sent (pcap_setdirection); NP_DIR_UNKNOWN: both */
	bool no_wait;    /* next() never waits: NP_NEXT_TIMEOUT at once when nothing is there
			  * (the caller polls np_source_live_fd) */
	/* --fanout: join the PACKET_FANOUT_HASH group fanout_group once the handle is active
	 * (libpcap has no API for it: setsockopt on its socket); frames stamped before the join
	 * were also delivered to the other members' sockets and are skipped. */
	bool fanout;
	uint16_t fanout_group;
};

/* Open a pcap or pcapng file ("-" is standard input). Returns 0, or -1 with err filled. */
int np_source_open_file(struct np_source **out, const char *path, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Read a pcap or pcapng capture from an open stream (e.g. fmemopen over a buffer, for the
 * fuzzers). On success the source owns `fp` and closes it; on failure the caller still does.
 * `name` only labels errors. Returns 0, or -1 with err filled. */
int np_source_open_stream(struct np_source **out, FILE *fp, const char *name, char *err,
			  size_t errlen) __attribute__((warn_unused_result));
/* Open a live interface. Returns 0, or -1 with err filled. */
int np_source_open_live(struct np_source **out, const char *iface, const struct np_live_opts *o,
			char *err, size_t errlen) __attribute__((warn_unused_result));

/* Several interfaces (-i A -i B): each with its own link type, and two live handles, one for
 * the frames it receives and one for those it sends (libpcap gives a frame's direction only
 * on `any`), so that each frame says its interface (f->iface) and direction (f->dir); the
 * frames are handed over oldest first among those that have arrived, numbered across all.
 * 2 <= n <= 16. Returns 0, or -1 with err naming the interface that failed. */
int np_source_open_multi(struct np_source **out, const char *const *ifaces, unsigned n,
			 const struct np_live_opts *o, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* A live source's descriptor to poll(2), or -1. */
int np_source_live_fd(const struct np_source *s);

/* -D: the interfaces libpcap can capture on, one a line, as `tcpdump -D` prints them
 * ("1.eth0 [Up, Running, Connected]"). Returns 0, or -1 with err filled. */
int np_capture_list_devs(FILE *out, char *err, size_t errlen) __attribute__((warn_unused_result));
/* Their names, "eth0, any, lo" (cut with ", ..." to fit len); "" when none can be listed. */
void np_capture_dev_names(char *buf, size_t len);

/* The interfaces of this network namespace by index (if_nameindex(3)), for a live capture
 * whose frames name only the index; read before the sandbox forbids the socket it needs.
 * NULL when out of memory or when they cannot be listed. free() it. */
struct np_ifnames *np_capture_ifnames_load(void);

/* Compile and apply a BPF filter (libpcap syntax). Returns 0, or -1 with libpcap's text in err. */
int np_source_set_filter(struct np_source *s, const char *expr, char *err, size_t errlen)
	__attribute__((warn_unused_result));
enum np_next np_source_next(struct np_source *s, struct np_frame *f, char *err, size_t errlen);
/* Would the next np_source_next() wait for input? True only for a capture read from a pipe or
 * FIFO that has nothing buffered and nothing to read (a live source says so by returning
 * NP_NEXT_TIMEOUT; a regular file never waits). */
bool np_source_idle(struct np_source *s);
void np_source_stats(struct np_source *s, struct np_source_stats *st);
/* The source's interface i (a pcapng file's, or each of several -i), NULL past the last or
 * when it has no interfaces of its own (a pcap file, one live interface). */
const struct np_frame_if *np_source_iface(struct np_source *s, unsigned i);
/* -w: write every frame the source delivers as classic pcap (libpcap's dumper, with the
 * source's link type and snapshot length) to `fp`, an open stream (outfile.h decides which;
 * `name` is for messages). On success the source owns fp and fcloses it with itself. */
int np_source_dump_open(struct np_source *s, FILE *fp, const char *name, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Returns 0, or -1 when the stream has failed (e.g. a full disk): pcap_dump() reports nothing,
 * so this looks at ferror() on the dumper's stream. */
int np_source_dump(struct np_source *s, const struct np_frame *f);
/* -w with rotation: close the dumper and its stream (fclose), so that np_source_dump_open can
 * start the next file. */
void np_source_dump_close(struct np_source *s);
void np_source_close(struct np_source *s);

#endif
