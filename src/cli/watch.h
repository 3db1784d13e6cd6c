/* watch.h - the parts of `netprobe watch`: options (cmd_watch.c), one run from the opened
 * source to the end-of-run report (watch_run.c), and the -w parent/worker split
 * (watch_split.c). */
#ifndef NETPROBE_CLI_WATCH_H
#define NETPROBE_CLI_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

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
	double duration;  /* seconds; 0: no limit */
	uint64_t buffer_kib;
	struct np_match match;
	struct np_decode_as decode_as; /* --decode-as */
	struct np_track_opts track;
	char *filter; /* BPF expression from the remaining arguments, or NULL */
	struct np_printer_opts out; /* the output chosen, once, from the options above */
};

/* One run: open the source (and the -w file), drop privileges, enter the sandbox, then the
 * frames through the pipeline and the end-of-run report. handover_fd and parent: the -w
 * worker's pipe to its parent and the parent's pid (-1 and 0 without the split). Returns the
 * exit status. */
int np_watch_run(const struct watch_opts *o, int handover_fd, pid_t parent);
/* -w FILE: split into a renaming parent and a capturing worker; otherwise np_watch_run. */
int np_watch_split(const struct watch_opts *o);

#endif
