/* watch.h - the parts of `netprobe watch`: options (cmd_watch.c), one run from the opened
 * source to the end-of-run report (watch_run.c), and the -w parent/worker split
 * (watch_split.c). */
#ifndef NETPROBE_CLI_WATCH_H
#define NETPROBE_CLI_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

#include "netprobe/annot.h"
#include "netprobe/capture.h"
#include "netprobe/match.h"
#include "netprobe/print.h"
#include "netprobe/printer.h"
#include "netprobe/track.h"

#define CMD "watch"

/* --fanout's most workers: far more than the cores of any machine that one interface feeds. */
#define NP_FANOUT_MAX 64

struct watch_opts {
	const char *cmd; /* the command that runs (its messages' prefix): NULL for "watch" */
	const char *read_file;
	const char *iface;      /* the first -i */
#define NP_WATCH_MAX_IFACES 16
	const char *ifaces[NP_WATCH_MAX_IFACES]; /* every -i, in order (several: one handle each) */
	unsigned nifaces;
	bool list_devs; /* -D */
	uint64_t count; /* 0: no limit */
	bool verbose;
	bool hex;
	bool text;             /* -A */
	bool payload_hex;      /* -X */
	enum np_payload_enc payload_enc; /* --payload */
	uint32_t payload_max;  /* --payload-max (UINT32_MAX: all); 0: not given */
	bool brief;            /* -q */
	bool json;
	bool ecs;              /* --json=ecs (json is set too) */
	bool cid_seed_given;
	uint16_t cid_seed;     /* --community-id-seed */
	const char *ipfix;     /* --ipfix [udp:|tcp:]HOST:PORT, or NULL */
	uint32_t ipfix_active_s; /* --ipfix-active-timeout (0: not given) */
	bool events;
	bool ladder;
	unsigned ladder_width; /* --width, or the terminal's; 0: NP_LADDER_WIDTH_DEFAULT */
	enum np_tsfmt tsfmt;
	int color; /* -1 auto, 0 never, 1 always */
	bool absolute;
	bool summary;
	bool states;      /* --states: TCP state changes between the lines too */
	const char *write_file;
	bool overwrite;   /* -w may replace an existing file */
	enum np_wfmt { NP_WFMT_AUTO, NP_WFMT_PCAP, NP_WFMT_PCAPNG } write_format; /* --format */
	uint64_t rot_size;         /* -C, bytes; 0: none */
	uint32_t rot_secs;         /* -G; 0: none */
	uint32_t rot_count;        /* -W; 0: keep every file */
	const char *post_rotate;   /* --post-rotate CMD, or NULL */
	double duration;  /* seconds; 0: no limit */
	uint64_t buffer_kib;
	uint64_t write_buffer;    /* --write-buffer, bytes (NP_WQ_DEFAULT_BYTES unless given) */
	struct np_match match;
	struct np_decode_as decode_as; /* --decode-as */
	struct np_track_opts track;
	char *filter; /* BPF expression from the remaining arguments, or NULL */
	struct np_printer_opts out; /* the output chosen, once, from the options above */
	uint32_t fanout;            /* --fanout N workers; 0: one process, no parent */
	bool fanout_group_given;
	uint32_t fanout_group;      /* --fanout-group ID (the workers': given or made up) */
	const struct np_fanout_worker *worker; /* set in a --fanout worker only */
};

/* --fanout (watch_fanout.c): what a worker leaves its parent at the end, in memory shared
 * before the fork, so that the parent prints one summary that adds the workers up. */
struct np_fanout_end {
	bool done;                  /* the worker got to the end of its run */
	bool complete;              /* ...normally (NP_END_COMPLETE): its figures count */
	bool kernel;                /* st holds the kernel's counters */
	bool ipfix;                 /* it exported (ipfix_records, ipfix_failed) */
	bool ipfix_failed;
	uint64_t ipfix_records;
	struct np_run_stats rs;
	struct np_source_stats st;
};
struct np_fanout_worker {
	unsigned index, n;          /* worker index of n */
	bool tty;                   /* the parent's standard output is a terminal */
	struct np_fanout_end *end;  /* this worker's slot */
	int ready_fd;               /* a byte once joined to the group, then closed */
	int64_t t0_sec;             /* the start of the capture (CLOCK_REALTIME), which the */
	uint32_t t0_usec;           /* relative times of every worker count from */
};
/* --fanout N: N workers, each its own capture, tracker and printer, in one PACKET_FANOUT
 * group; their standard output merged line by line; one summary. Returns the exit status. */
int np_watch_fanout(const struct watch_opts *o);
/* A worker's end (watch_run.c): its figures into its slot instead of the summary. */
void np_fanout_record(const struct watch_opts *o, const struct np_run_stats *rs,
		      const struct np_source_stats *st, enum np_run_end end);

/* What -w writes (watch_out.c): classic pcap through the source's dumper, or pcapng with
 * netprobe's analysis as packet comments. */
struct np_pcapng_w;
struct np_outfile;
struct np_wq;
struct np_wout {
	bool ng;                   /* pcapng */
	/* -C/-G: the files go to the parent as records on the handover pipe (see below) */
	bool rotating;
	int fd;                    /* the pipe to the parent */
	const struct watch_opts *o;
	struct np_source *src;
	struct np_outfile *of;     /* its fp follows the current file */
	uint32_t seq;              /* the current file's number, from 1 (0: none open) */
	int64_t period;            /* -G: the current file's period (its start / rot_secs) */
	uint64_t bytes;            /* -C: bytes in the current file */
	long gmtoff;               /* -G: local time's offset, so periods start on local hours */
	uint64_t nframes;          /* frames in the current file */
	bool isb_done;             /* its statistics blocks are written (pcapng) */
	struct np_pcapng_w *ng_w;
	struct np_annot annot;     /* the current frame's comments (the pipeline fills them) */
	const char *live_name;     /* the live interface's name, or NULL */
	int64_t first_us, last_us; /* the first and last frame written (-1: none) */
	struct np_wq *wq;          /* the -w buffer (the outfile's, or own_wq), or NULL */
	struct np_wq *own_wq;      /* -C/-G: the buffer in front of the pipe to the parent */
	uint64_t written, dropped; /* frames written, and not written because wq was full */
};
/* After the source and FILE are open: the writer for the format (--format, else by FILE's
 * name: ".pcapng"). With -C/-G no FILE is open: the files are made by the parent, told
 * through fd (the handover pipe), from the first frame on. Returns 0, or -1 with err. */
int np_wout_open(struct np_wout *w, const struct watch_opts *o, struct np_source *src,
		 struct np_outfile *of, int fd, const char *dev, char *err, size_t errlen);
/* One frame (pkt: its decoded packet, for the interface and direction); when the -w buffer
 * has no room for it, counted in w->dropped instead. -1: the stream failed. */
int np_wout_frame(struct np_wout *w, struct np_source *src, const struct np_frame *f,
		  const struct np_packet *pkt);
/* The end of the capture (pcapng: the statistics blocks with the summary and the kernel's
 * counters), before the file is completed. -1: the stream failed. */
int np_wout_end(struct np_wout *w, const struct np_source_stats *st, const struct np_run_stats *rs);
/* After the file was completed (or abandoned), with the source closed. */
void np_wout_close(struct np_wout *w);
/* -C/-G: the last file was completed (flushed): tell the parent to finish it. */
int np_wout_complete(struct np_wout *w);

/* -C/-G (watch_out.c, watch_rotate.c): the worker sends its files to the parent on the
 * handover pipe as records, a type byte and a 32-bit length (host order) then the bytes:
 * NEW (int64 start time, uint32 sequence number: the parent makes the name and creates
 * NAME.partial), DATA (bytes of the current file), END (complete: fsync, rename, ring,
 * --post-rotate). The parent alone creates, renames and deletes files. */
#define NP_ROT_NEW 'N'
#define NP_ROT_DATA 'D'
#define NP_ROT_END 'E'
/* The parent's side: returns the exit status. */
int np_rotate_parent(const struct watch_opts *o, pid_t worker, int rfd, const sigset_t *old);
/* A file's name: strftime(pattern, local time of `start`), then "_" and the sequence number
 * (5 digits at least) before the extension of the last component, or at the end. */
int np_rotate_name(const char *pattern, int64_t start, uint32_t seq, char *buf, size_t len);

/* One run: open the source (and the -w file), drop privileges, enter the sandbox, then the
 * frames through the pipeline and the end-of-run report. handover_fd and parent: the -w
 * worker's pipe to its parent and the parent's pid (-1 and 0 without the split). Returns the
 * exit status. */
int np_watch_run(const struct watch_opts *o, int handover_fd, pid_t parent);
/* -w FILE: split into a renaming parent and a capturing worker; otherwise np_watch_run. */
int np_watch_split(const struct watch_opts *o);

/* watch_usage.c: --help. */
void np_watch_usage(FILE *out);
/* watch_check.c: one line naming two options that contradict each other, or NULL. */
const char *np_watch_conflict(const struct watch_opts *o);
/* -C SIZE: millions of bytes as tcpdump counts them, or KiB/MiB/GiB with k/M/G, in [lo, hi]. */
bool np_parse_size(const char *arg, uint64_t lo, uint64_t hi, uint64_t *out);
/* names[0..n) joined by ", " into buf (cut to fit); returns buf. */
const char *np_join_names(const char *const *names, unsigned n, char *buf, size_t len);
/* argv[0..argc) joined by spaces (malloc'd), or NULL if out of memory. */
char *np_join_args(int argc, char **argv);

#endif
