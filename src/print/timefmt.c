/* timefmt.c - the printing context and the time column of every packet view (-t: relative,
 * delta, epoch, local and UTC clock), tcpdump's formats. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "netprobe/print.h"
#include "core/sbuf.h"
#include "netprobe/hot.h"

void np_print_init(struct np_print_ctx *ctx, FILE *out, enum np_tsfmt tsfmt, bool color)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->out = out;
	ctx->tsfmt = tsfmt;
	ctx->color = color;
	ctx->ladder_width = NP_LADDER_WIDTH_DEFAULT;
}

bool np_tsfmt_parse(const char *s, enum np_tsfmt *out)
{
	static const struct {
		const char *name;
		enum np_tsfmt fmt;
	} fmts[] = {
		{ "r", NP_TS_RELATIVE }, { "a", NP_TS_ABSOLUTE }, { "ad", NP_TS_ABS_DATE },
		{ "u", NP_TS_UTC },      { "ud", NP_TS_UTC_DATE }, { "e", NP_TS_EPOCH },
		{ "d", NP_TS_DELTA },
	};
	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		if (strcmp(s, fmts[i].name) == 0) {
			*out = fmts[i].fmt;
			return true;
		}
	}
	return false;
}

NP_HOT static void fmt_seconds(struct np_sbuf *sb, int64_t sec, uint32_t usec, int64_t base_sec,
			uint32_t base_usec)
{
	/* Clamped (packet.h): a crafted file's times must not overflow the difference. */
	int64_t us = (np_ts_clamp_sec(sec) - np_ts_clamp_sec(base_sec)) * 1000000 +
		     ((int64_t)usec - (int64_t)base_usec);
	/* "%s%" PRId64 ".%06" PRId64 of the sign and the magnitude, by hand: this runs per line. */
	uint64_t mag = (uint64_t)us;
	if (us < 0) {
		np_sb_ch(sb, '-');
		mag = (uint64_t)0 - mag;
	}
	np_sb_uint(sb, mag / 1000000, 0, ' ');
	np_sb_ch(sb, '.');
	np_sb_uint(sb, mag % 1000000, 6, '0');
}

/* The text before the '.' of a clock time: the date and time of day, or the bare seconds when
 * the time does not convert (a year past int's range). */
static size_t clock_prefix(int64_t sec, bool utc, bool date, char *buf, size_t cap)
{
	time_t t = (time_t)sec;
	struct tm tm;
	struct np_sbuf sb = np_sb_make(buf, cap);
	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm))) {
		np_sb_int(&sb, sec);
		return sb.len;
	}
	size_t n = strftime(buf, cap, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
	return n;
}

/* localtime_r and strftime cost more than the rest of a line: the text is kept for the second
 * it was made for and redone whenever the second (or the format) changes, so a DST switch or
 * a jump backwards is seen at the first packet of the new second. TZ does not change while we
 * run (nothing calls setenv/tzset). */
static void fmt_clock(struct np_print_ctx *ctx, struct np_sbuf *sb, int64_t sec, uint32_t usec,
		      bool utc, bool date)
{
	unsigned key = (unsigned)ctx->tsfmt + 1;
	if (ctx->clock_key != key || ctx->clock_sec != sec) {
		ctx->clock_len = clock_prefix(sec, utc, date, ctx->clock_text, sizeof ctx->clock_text);
		ctx->clock_sec = sec;
		ctx->clock_key = key;
	}
	np_sb_mem(sb, ctx->clock_text, ctx->clock_len);
	np_sb_ch(sb, '.');
	np_sb_uint(sb, usec, 6, '0');
}

NP_HOT size_t np_format_time(struct np_print_ctx *ctx, const struct np_frame *f, char *buf, size_t cap)
{
	struct np_sbuf sb = np_sb_make(buf, cap);
	if (!ctx->have_first) {
		ctx->have_first = true;
		ctx->first_sec = ctx->prev_sec = f->ts_sec;
		ctx->first_usec = ctx->prev_usec = f->ts_usec;
	}
	switch (ctx->tsfmt) {
	case NP_TS_RELATIVE:
		fmt_seconds(&sb, f->ts_sec, f->ts_usec, ctx->first_sec, ctx->first_usec);
		break;
	case NP_TS_DELTA:
		fmt_seconds(&sb, f->ts_sec, f->ts_usec, ctx->prev_sec, ctx->prev_usec);
		break;
	case NP_TS_EPOCH:
		fmt_seconds(&sb, f->ts_sec, f->ts_usec, 0, 0);
		break;
	case NP_TS_ABSOLUTE:
	case NP_TS_ABS_DATE:
		fmt_clock(ctx, &sb, f->ts_sec, f->ts_usec, false, ctx->tsfmt == NP_TS_ABS_DATE);
		break;
	case NP_TS_UTC:
	case NP_TS_UTC_DATE:
		fmt_clock(ctx, &sb, f->ts_sec, f->ts_usec, true, ctx->tsfmt == NP_TS_UTC_DATE);
		break;
	}
	ctx->prev_sec = f->ts_sec;
	ctx->prev_usec = f->ts_usec;
	return sb.len;
}
