/* cap_pcap.c - libpcap-backed sources: capture files (pcap and pcapng) and live interfaces.
 * Files are filtered in user space with pcap_offline_filter so every frame keeps its number in
 * the file (Wireshark's frame.number) whatever the filter; live handles filter in the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <linux/if_packet.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "netprobe/capture.h"
#include "netprobe/pcapng.h"
#include "netprobe/zread.h"
#include "netprobe/hot.h"

struct pcap_source {
	struct np_source base; /* first: the generic handle */
	pcap_t *pcap;
	bool live;
	bool no_wait; /* several -i: never wait in next() (cap_multi.c polls them all) */
	bool have_filter;
	int fd;         /* live: selectable descriptor, polled by us (the handle is non-blocking) */
	int stream_fd;  /* a capture file read from a pipe or FIFO: its descriptor; else -1 */
	pcap_dumper_t *dumper;
	int timeout_ms;
	struct bpf_program prog;
	/* "dropped by interface": the interface's own counters, opened with the handle (see
	 * ifdrop_open); -1 when not counted. */
	int ifdrop_fd[2];
	uint64_t ifdrop_base;
	/* live on a named interface: its name, and when it was first seen down (see link_lost);
	 * 0: up */
	char iface[64];
	int64_t down_since_ms;
	bool removed; /* libpcap said "The interface disappeared" */
	struct np_zread *z; /* a compressed file (or a plain one from a pipe): its reader; or NULL */
	struct np_ifnames *ifnames; /* live SLL2 (`any`): interface names by index; or NULL */
	int64_t join_us; /* --fanout: when the group was joined (CLOCK_REALTIME µs); 0: none */
};

static struct pcap_source *ps(struct np_source *s)
{
	return (struct pcap_source *)s;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Has the interface gone down (ip link set IF down) or away (ip link del IF)? The packet socket
 * then reports ENETDOWN (POLLERR, SO_ERROR); libpcap reads it, checks the device, and either
 * returns "The interface disappeared" (gone) or keeps polling for the day it comes back up,
 * which it tells only through pcap_get_required_select_timeout(3PCAP) (a timeout is required
 * while the device is down). tcpdump waits; a diagnostic run stops instead, so that the user
 * hears of it, gets the summary and a complete -w file. Frames the kernel had captured but not
 * yet handed over (TPACKET_V3 hands a block over when it is full or after the read timeout)
 * are still delivered: the end is declared only after two read timeouts without any. */
static enum np_next link_lost(struct pcap_source *p, char *err, size_t errlen)
{
	int64_t now = now_ms();
	if (p->down_since_ms == 0)
		p->down_since_ms = now;
	if (now - p->down_since_ms < 2 * (int64_t)p->timeout_ms) {
		/* A block may still be handed over: wait for it as for any frame. */
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		if (p->fd >= 0)
			poll(&pfd, 1, p->timeout_ms);
		return NP_NEXT_TIMEOUT;
	}
	snprintf(err, errlen, "%s: %s; capture stopped", p->iface,
		 p->removed ? "the interface was removed" : "the interface went down");
	return NP_NEXT_GONE;
}

static bool link_down(const struct pcap_source *p)
{
	return p->iface[0] && pcap_get_required_select_timeout(p->pcap) != NULL;
}

NP_HOT static enum np_next pcap_next_frame(struct np_source *s, struct np_frame *f, char *err,
				    size_t errlen)
{
	struct pcap_source *p = ps(s);
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		errno = 0;
		int rc = pcap_next_ex(p->pcap, &h, &data);
		if (rc == 0 && p->live && p->fd >= 0) {
			/* Non-blocking handle: wait here, so the read timeout is ours to keep
			 * (libpcap's TPACKET_V3 loop may keep polling past it) and a signal ends
			 * the wait. */
			struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
			if (poll(&pfd, 1, p->no_wait ? 0 : p->timeout_ms) <= 0 && !link_down(p))
				return NP_NEXT_TIMEOUT;
			rc = pcap_next_ex(p->pcap, &h, &data);
		}
		if (rc < 0 && p->iface[0] &&
		    strcmp(pcap_geterr(p->pcap), "The interface disappeared") == 0) {
			/* libpcap's words for ENODEV after ENETDOWN (pcap-linux.c); it says so
			 * again at every call, and still hands over what is in the ring. */
			p->removed = true;
			rc = 0;
		}
		if (rc == 0 && (p->removed || link_down(p)))
			return link_lost(p, err, errlen);
		if (rc == 0)
			return NP_NEXT_TIMEOUT;
		if (rc == PCAP_ERROR_BREAK)
			return NP_NEXT_END;
		if (rc < 0 && !p->live && errno == EINTR) {
			/* A stop signal (SIGINT, SIGTERM: handlers without SA_RESTART, so that a
			 * capture read from a stalled pipe still ends) interrupted the read. */
			return NP_NEXT_END;
		}
		if (rc < 0) {
			/* The decompressor's words say why libpcap's read failed. */
			const char *zerr = np_zread_error(p->z);
			snprintf(err, errlen, "%s", zerr ? zerr : pcap_geterr(p->pcap));
			return NP_NEXT_ERROR;
		}
		p->down_since_ms = 0; /* a frame: the interface is up again (libpcap too) */
		if (p->join_us && (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec < p->join_us)
			continue; /* in the ring before the fanout join: every member has it */
		s->frames++;
		if (!p->live && p->have_filter && !pcap_offline_filter(&p->prog, h, data))
			continue;
		s->delivered++;
		f->n = p->live ? s->delivered : s->frames;
		/* A broken file may hold 1,000,000 microseconds or more: carried into the seconds
		 * here, once, so every output shows the same time (issue 14). */
		uint64_t usec = (uint64_t)(uint32_t)h->ts.tv_usec;
		f->ts_sec = (int64_t)h->ts.tv_sec + (int64_t)(usec / 1000000);
		f->ts_usec = (uint32_t)(usec % 1000000);
		f->caplen = h->caplen;
		f->len = h->len;
		f->dlt = s->dlt;
		f->data = data;
		f->ifnames = p->ifnames;
		f->iface = NULL; /* what only a pcapng file says (pcapng_r.c) */
		f->dir = NP_DIR_UNKNOWN;
		f->ncomments = 0;
		f->comments = NULL;
		return NP_NEXT_FRAME;
	}
}

static int pcap_set_filter_expr(struct np_source *s, const char *expr, char *err, size_t errlen)
{
	struct pcap_source *p = ps(s);
	struct bpf_program prog;
	/* Netmask unknown: only matters for "ip broadcast", which then refuses clearly. */
	if (pcap_compile(p->pcap, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		/* A long expression is shown by its start: the message stays one readable line. */
		int shown = strlen(expr) > 80 ? 72 : (int)strlen(expr);
		snprintf(err, errlen, "bad filter expression '%.*s%s': %s", shown, expr,
			 strlen(expr) > 80 ? "..." : "", pcap_geterr(p->pcap));
		return -1;
	}
	if (p->live) {
		int rc = pcap_setfilter(p->pcap, &prog);
		pcap_freecode(&prog);
		if (rc < 0) {
			snprintf(err, errlen, "cannot apply filter: %s", pcap_geterr(p->pcap));
			return -1;
		}
		return 0;
	}
	if (p->have_filter)
		pcap_freecode(&p->prog);
	p->prog = prog;
	p->have_filter = true;
	return 0;
}

/* Frames the interface itself lost, as libpcap 1.10 counts them for a promiscuous capture:
 * rx_missed_errors + rx_fifo_errors from /sys/class/net/IF/statistics, relative to the start.
 * libpcap reopens those files at every pcap_stats(); after the privilege drop and inside the
 * sandbox the opens fail, its total reads as 0 and its difference from the start wraps to a
 * huge number. So netprobe opens them once, with the handle, and reads them with pread(2). */
static const char *const ifdrop_names[2] = { "rx_missed_errors", "rx_fifo_errors" };

static uint64_t ifdrop_read(const struct pcap_source *p)
{
	uint64_t sum = 0;
	for (int i = 0; i < 2; i++) {
		char buf[32];
		ssize_t n = p->ifdrop_fd[i] >= 0 ? pread(p->ifdrop_fd[i], buf, sizeof buf - 1, 0) : -1;
		if (n <= 0)
			continue;
		buf[n] = '\0';
		char *end;
		errno = 0;
		uintmax_t v = strtoumax(buf, &end, 10);
		if (!errno && end != buf)
			sum += (uint64_t)v;
	}
	return sum;
}

static void ifdrop_open(struct pcap_source *p, const char *iface)
{
	for (int i = 0; i < 2; i++) {
		char path[128];
		p->ifdrop_fd[i] = -1;
		if (strchr(iface, '/') || snprintf(path, sizeof path, "/sys/class/net/%s/statistics/%s",
						   iface, ifdrop_names[i]) >= (int)sizeof path)
			continue;
		p->ifdrop_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
	}
	p->ifdrop_base = ifdrop_read(p);
}

static void pcap_source_stats(struct np_source *s, struct np_source_stats *st)
{
	struct pcap_source *p = ps(s);
	memset(st, 0, sizeof *st);
	st->frames = s->frames;
	st->delivered = s->delivered;
	struct pcap_stat ks;
	if (p->live && pcap_stats(p->pcap, &ks) == 0) {
		st->have_kernel = true;
		st->recv = ks.ps_recv;
		st->drop = ks.ps_drop;
		/* libpcap's ps_ifdrop is wrong once the sandbox is in place (ifdrop_read). */
		uint64_t now = ifdrop_read(p);
		st->ifdrop = now > p->ifdrop_base ? now - p->ifdrop_base : 0;
	}
}

static int pcap_dump_open_fp(struct np_source *s, FILE *fp, const char *name, char *err,
			     size_t errlen)
{
	struct pcap_source *p = ps(s);
	p->dumper = pcap_dump_fopen(p->pcap, fp);
	if (!p->dumper) {
		snprintf(err, errlen, "cannot write %s: %s", name, pcap_geterr(p->pcap));
		return -1;
	}
	return 0;
}

static int pcap_dump_frame(struct np_source *s, const struct np_frame *f)
{
	struct pcap_source *p = ps(s);
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)f->ts_sec;
	h.ts.tv_usec = (suseconds_t)f->ts_usec;
	h.caplen = f->caplen;
	h.len = f->len;
	pcap_dump((u_char *)p->dumper, &h, f->data);
	return ferror(pcap_dump_file(p->dumper)) ? -1 : 0;
}

static void pcap_dump_close_fp(struct np_source *s)
{
	struct pcap_source *p = ps(s);
	if (p->dumper)
		pcap_dump_close(p->dumper);
	p->dumper = NULL;
}

static void pcap_source_close(struct np_source *s)
{
	struct pcap_source *p = ps(s);
	if (p->dumper)
		pcap_dump_close(p->dumper); /* fclose: the -w file was flushed and checked before */
	if (p->have_filter)
		pcap_freecode(&p->prog);
	pcap_close(p->pcap);
	free(p->ifnames);
	for (int i = 0; i < 2; i++)
		if (p->ifdrop_fd[i] >= 0)
			close(p->ifdrop_fd[i]);
	free(p);
}

/* An offline capture from a pipe: idle when the pipe is empty (poll). libpcap's stdio buffer
 * may still hold frames (then the frames are handed over a little early, which costs a write
 * while we wait for the writer anyway), or only part of the next one (then the next read
 * waits): no API says which, so poll decides. One poll(2) per frame, pipes only. */
static bool pcap_source_idle(struct np_source *s)
{
	struct pcap_source *p = ps(s);
	if (p->stream_fd < 0)
		return false;
	struct pollfd pfd = { .fd = p->stream_fd, .events = POLLIN };
	return poll(&pfd, 1, 0) == 0;
}

/* Files and live handles differ only in where the filter runs and how frames are numbered. */
static const struct np_source_ops pcap_ops = {
	.kind = "pcap",
	.next = pcap_next_frame,
	.set_filter = pcap_set_filter_expr,
	.stats = pcap_source_stats,
	.dump_open = pcap_dump_open_fp,
	.dump = pcap_dump_frame,
	.dump_close = pcap_dump_close_fp,
	.close = pcap_source_close,
	.idle = pcap_source_idle,
};

/* A source's fields around an opened handle, no descriptor of its own yet. */
static void init_source(struct pcap_source *p, pcap_t *pcap, bool live)
{
	p->base.ops = &pcap_ops;
	p->base.dlt = pcap_datalink(pcap);
	p->base.snaplen = (uint32_t)pcap_snapshot(pcap);
	p->pcap = pcap;
	p->live = live;
	p->fd = -1;
	p->stream_fd = -1;
	p->ifdrop_fd[0] = p->ifdrop_fd[1] = -1;
}

/* The source around an opened handle; NULL (the handle closed, the error said) when out of
 * memory. */
static struct pcap_source *wrap(pcap_t *pcap, bool live, char *err, size_t errlen)
{
	struct pcap_source *p = calloc(1, sizeof *p);
	if (!p) {
		pcap_close(pcap);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	init_source(p, pcap, live);
	return p;
}

/* A capture from an open stream: plain, or gzip/zstd by its first bytes (zread.c). On success
 * the source owns `under`; on failure it is still the caller's. errno kept (EINTR: a stop). */
static int open_reader(struct np_source **out, FILE *under, const char *name, char *err,
		       size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "", zerr[256];
	struct pcap_source *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct np_zread *z;
	FILE *fp = np_zread_open(under, &z, zerr, sizeof zerr);
	if (!fp) {
		int e = errno;
		free(p);
		snprintf(err, errlen, "%s: %s", name, zerr);
		errno = e;
		return -1;
	}
	/* pcapng: netprobe's own reader (pcapng.h says why); anything else goes back to
	 * libpcap as it came (the 4 bytes read are still in stdio's buffer: ungetc puts them
	 * back without copying, in glibc as in any stdio that has just read them). */
	uint8_t m[4];
	size_t got = fread(m, 1, 4, fp);
	if (got == 4 && m[0] == 0x0A && m[1] == 0x0D && m[2] == 0x0D && m[3] == 0x0A) {
		free(p);
		if (np_pcapng_open(out, fp, z, zerr, sizeof zerr) == 0)
			return 0;
		int e = errno;
		snprintf(err, errlen, "%s: %s", name, zerr);
		if (fp != under) {
			np_zread_detach(z);
			fclose(fp);
		}
		errno = e;
		return -1;
	}
	while (got > 0)
		if (ungetc(m[--got], fp) == EOF) {
			snprintf(err, errlen, "%s: cannot read the file's start again", name);
			if (fp != under) {
				np_zread_detach(z);
				fclose(fp);
			}
			free(p);
			errno = EIO;
			return -1;
		}
	clearerr(fp);
	pcap_t *pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (!pcap) {
		int e = errno;
		const char *why = np_zread_error(z) ? np_zread_error(z) : ebuf;
		snprintf(err, errlen, "%s: %s", name, why);
		if (fp != under) { /* the reader goes, `under` stays the caller's */
			np_zread_detach(z);
			fclose(fp);
		}
		free(p);
		errno = e;
		return -1;
	}
	init_source(p, pcap, false);
	p->z = z;
	*out = &p->base;
	return 0;
}

int np_source_open_file(struct np_source **out, const char *path, char *err, size_t errlen)
{
	/* "-": standard input, through a copy of its descriptor (closing the source leaves fd 0
	 * alone, as libpcap does). A FIFO's open waits for its writer (EINTR for a stop). */
	int fd = strcmp(path, "-") == 0 ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
					: open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	FILE *under = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (!under) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	struct stat st;
	bool fifo = fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
	if (open_reader(out, under, path, err, errlen) < 0) {
		int e = errno;
		fclose(under);
		errno = e;
		return -1;
	}
	if (fifo && (*out)->ops == &pcap_ops)
		ps(*out)->stream_fd = fd;
	else if (fifo)
		np_pcapng_stream_fd(*out, fd);
	return 0;
}

int np_source_open_stream(struct np_source **out, FILE *fp, const char *name, char *err,
			  size_t errlen)
{
	return open_reader(out, fp, name, err, errlen);
}

/* `any` gives Linux cooked frames; in their version 2 (LINUX_SLL2, libpcap 1.10) each one
 * carries the index of its interface, which the lines show as tcpdump 4.99 does (it asks for
 * it the same way). Left as it is where libpcap does not offer it. */
static void cooked_v2(pcap_t *pcap)
{
	int *dlts;
	int n = pcap_datalink(pcap) == DLT_LINUX_SLL ? pcap_list_datalinks(pcap, &dlts) : 0;
	bool v2 = false;
	for (int i = 0; i < n; i++)
		v2 = v2 || dlts[i] == DLT_LINUX_SLL2;
	if (n > 0)
		pcap_free_datalinks(dlts);
	if (v2)
		(void)pcap_set_datalink(pcap, DLT_LINUX_SLL2); /* on failure SLL stays: no harm */
}

/* --fanout: the activated handle's packet socket joins the PACKET_FANOUT_HASH group `group`
 * (packet(7)): the kernel hands each packet to one member, chosen by a hash of its flow that
 * is the same both ways, so that a conversation stays with one process. libpcap has no call
 * for it (its PR #869); the option works on the socket with its TPACKET_V3 ring already set.
 * Returns the time of the join (CLOCK_REALTIME microseconds, the clock of the packets'
 * stamps), or -1 with err. */
static int64_t fanout_join(pcap_t *pcap, const char *iface, uint16_t group, char *err,
			   size_t errlen)
{
	int arg = (int)group | (PACKET_FANOUT_HASH << 16);
	if (setsockopt(pcap_fileno(pcap), SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) {
		/* EINVAL: the group exists on this host with another type or device */
		snprintf(err, errlen, "%s: cannot join fanout group %u: %s%s", iface, group,
			 strerror(errno), errno == EINVAL ? " (the group is in use with another "
							    "interface or fanout mode)" : "");
		return -1;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int np_source_open_live(struct np_source **out, const char *iface, const struct np_live_opts *o,
			char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pcap = pcap_create(iface, ebuf);
	if (!pcap) {
		snprintf(err, errlen, "%s: %s", iface, ebuf);
		return -1;
	}
	pcap_set_snaplen(pcap, o->snaplen > 0 ? o->snaplen : 262144);
	pcap_set_promisc(pcap, o->promisc);
	pcap_set_timeout(pcap, o->timeout_ms > 0 ? o->timeout_ms : 100);
	pcap_set_immediate_mode(pcap, o->immediate);
	if (o->buffer_kib > 0)
		pcap_set_buffer_size(pcap, o->buffer_kib * 1024);
	int rc = pcap_activate(pcap);
	if (rc < 0) {
		const char *why = rc == PCAP_ERROR_PERM_DENIED
					  ? "permission denied (live capture needs CAP_NET_RAW: run with sudo)"
				  : rc == PCAP_ERROR_NO_SUCH_DEVICE ? "no such interface"
								    : pcap_geterr(pcap);
		char names[320] = "";
		if (rc == PCAP_ERROR_NO_SUCH_DEVICE) /* what there is, so the user need not ask */
			np_capture_dev_names(names, sizeof names);
		snprintf(err, errlen, "%s: %s%s%s%s", iface, why, names[0] ? " (available: " : "",
			 names, names[0] ? "; netprobe watch -D lists them)" : "");
		pcap_close(pcap);
		return -1;
	}
	if (o->direction &&
	    pcap_setdirection(pcap, o->direction == NP_DIR_IN ? PCAP_D_IN : PCAP_D_OUT) < 0) {
		snprintf(err, errlen, "%s: %s", iface, pcap_geterr(pcap));
		pcap_close(pcap);
		return -1;
	}
	cooked_v2(pcap);
	int64_t join_us = 0;
	if (o->fanout && (join_us = fanout_join(pcap, iface, o->fanout_group, err, errlen)) < 0) {
		pcap_close(pcap);
		return -1;
	}
	struct pcap_source *p = wrap(pcap, true, err, errlen);
	if (!p)
		return -1;
	p->join_us = join_us;
	/* Without the table the lines show the index (as for a file): not worth failing for. */
	if (p->base.dlt == DLT_LINUX_SLL2)
		p->ifnames = np_capture_ifnames_load();
	p->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 100;
	p->no_wait = o->no_wait;
	if (strcmp(iface, "any") != 0) /* "any" never goes down: a device of it does */
		snprintf(p->iface, sizeof p->iface, "%s", iface);
	if (o->promisc && strcmp(iface, "any") != 0) /* libpcap counts them only then */
		ifdrop_open(p, iface);
	p->fd = pcap_get_selectable_fd(pcap);
	if (p->fd >= 0 && pcap_setnonblock(pcap, 1, ebuf) < 0)
		p->fd = -1;
	*out = &p->base;
	return 0;
}

int np_source_live_fd(const struct np_source *s)
{
	const struct pcap_source *p = (const struct pcap_source *)s;
	return p->live ? p->fd : -1;
}
