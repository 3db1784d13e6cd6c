/* watch.h - the parts of `netprobe watch`: options (cmd_watch.c), one run from the opened
 * source to the end-of-run report (watch_run.c), and the -w parent/worker split
 * (watch_split.c). */
#ifndef NETPROBE_CLI_WATCH_H
#define NETPROBE_CLI_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "netprobe/annot.h"
#include "netprobe/capture.h"
#include "netprobe/match.h"
#include "netprobe/print.h"
#include "netprobe/printer.h"
#include "netprobe/track.h"

#define CMD "watch"

struct watch_opts {
	const char *read_file;
	const char *iface;
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
	double duration;  /* seconds; 0: no limit */
	uint64_t buffer_kib;
	struct np_match match;
	struct np_track_opts track;
	char *filter; /* BPF expression from the remaining arguments, or NULL */
	struct np_printer_opts out; /* the output chosen, once, from the options above */
};

/* What -w writes (watch_out.c): classic pcap through the source's dumper, or pcapng with
 * netprobe's analysis as packet comments. */
struct np_pcapng_w;
struct np_wout {
	bool ng;                   /* pcapng */
	struct np_pcapng_w *ng_w;
	struct np_annot annot;     /* the current frame's comments (the pipeline fills them) */
	const char *live_name;     /* the live interface's name, or NULL */
	int64_t first_us, last_us; /* the first and last frame written (-1: none) */
};
/* After the source and FILE are open: the writer for the format (--format, else by FILE's
 * name: ".pcapng"). Returns 0, or -1 with err. */
int np_wout_open(struct np_wout *w, const struct watch_opts *o, struct np_source *src, FILE *fp,
		 const char *dev, char *err, size_t errlen);
/* One frame (pkt: its decoded packet, for the interface and direction). -1: the stream failed. */
int np_wout_frame(struct np_wout *w, struct np_source *src, const struct np_frame *f,
		  const struct np_packet *pkt);
/* The end of the capture (pcapng: the statistics blocks with the summary and the kernel's
 * counters), before the file is completed. -1: the stream failed. */
int np_wout_end(struct np_wout *w, const struct np_source_stats *st, const struct np_run_stats *rs);
/* After the file was completed (or abandoned), with the source closed. */
void np_wout_close(struct np_wout *w);

/* One run: open the source (and the -w file), drop privileges, enter the sandbox, then the
 * frames through the pipeline and the end-of-run report. handover_fd and parent: the -w
 * worker's pipe to its parent and the parent's pid (-1 and 0 without the split). Returns the
 * exit status. */
int np_watch_run(const struct watch_opts *o, int handover_fd, pid_t parent);
/* -w FILE: split into a renaming parent and a capturing worker; otherwise np_watch_run. */
int np_watch_split(const struct watch_opts *o);

#endif
