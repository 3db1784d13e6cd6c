/* stats_tab.h - what the text and JSON renderings of `netprobe stats` share: the aligned table
 * (stats_text.c) and the cell formatters. */
#ifndef NETPROBE_PRINT_STATS_TAB_H
#define NETPROBE_PRINT_STATS_TAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/stats.h"

#define NP_TAB_MAXCOL 16
#define NP_TAB_CELL 64 /* "[IPv6 address]:port" and its NUL */

struct np_tab_col {
	const char *head;
	bool left;              /* names: left-aligned; numbers: right-aligned */
};

struct np_tab {
	const char *title;
	unsigned ncol;
	const struct np_tab_col *col;
	uint32_t nrow;
	void (*row)(const void *ctx, uint32_t r, char cells[][NP_TAB_CELL]);
	const void *ctx;
};

/* The title, the heads and the rows, each column as wide as its widest cell. */
void np_tab_print(FILE *out, const struct np_tab *t);
/* "addr:port" ("[addr]:port" for IPv6), or the address alone when port < 0. */
void np_stats_ep_text(char *cell, const struct np_endpoint *e, int port);
/* An interval's bound in seconds: 3 decimals when the step is whole milliseconds, else 6. */
void np_stats_io_bound(char *cell, int64_t us, int64_t step);
/* The expert items to show: Error first, then first-seen order; returns their count. */
uint32_t np_stats_expert_order(const struct np_stats_view *v, uint32_t *order);

#endif
