/* follow.h - the parts of `netprobe follow`: options (cmd_follow.c) and one run (follow_run.c). */
#ifndef NETPROBE_CLI_FOLLOW_H
#define NETPROBE_CLI_FOLLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "netprobe/follow.h"
#include "netprobe/match.h"
#include "netprobe/track.h"

#define FOLLOW_CMD "follow"

struct follow_cli {
	const char *read_file;
	const char *iface;
	int color;              /* -1 auto, 0 never, 1 always */
	double duration;        /* live: seconds; 0 no limit */
	bool dir_given;
	struct np_match match;
	struct np_track_opts track;
	struct np_follow_opts fo;
};

int np_follow_run(struct follow_cli *o);

#endif
