/* watch_check.c - what watch's option parser leaves to plain functions: the options that
 * contradict each other, -C's size and the BPF expression made of the remaining words. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "watch.h"

/* Options that contradict each other: one line saying which, rather than a silent winner. */
const char *np_watch_conflict(const struct watch_opts *o)
{
	bool to_stdout = o->write_file && strcmp(o->write_file, "-") == 0;
	if (o->read_file && o->iface)
		return "-r and -i are exclusive: read a file or capture live, not both";
	for (unsigned i = 0; o->nifaces > 1 && i < o->nifaces; i++) {
		if (strcmp(o->ifaces[i], "any") == 0)
			return "-i any captures on every interface already: name the interfaces, or "
			       "give -i any alone";
		for (unsigned j = 0; j < i; j++)
			if (strcmp(o->ifaces[i], o->ifaces[j]) == 0)
				return "the same interface is given twice with -i";
	}
	if (o->list_devs && (o->read_file || o->iface || o->write_file))
		return "-D lists the interfaces and exits; it does not go with -r, -i or -w";
	if (o->json && o->events)
		return "--json and --events are exclusive (--json already carries the events)";
	if (o->brief && (o->json || o->events))
		return "-q shortens the packet lines; --json and --events print none";
	if (to_stdout && (o->json || o->events || o->ladder || o->verbose || o->hex || o->text ||
			  o->payload_hex))
		return "-w - writes the capture to standard output, which cannot also carry "
		       "--json, --events, --ladder, -v, -x, -A or -X";
	if ((o->text || o->payload_hex) && (o->json || o->events))
		return "-A and -X add to the packet lines; --json and --events print none "
		       "(--json takes --payload)";
	if (o->ipfix_active_s && !o->ipfix)
		return "--ipfix-active-timeout goes with --ipfix";
	if (o->cid_seed_given && !o->ecs)
		return "--community-id-seed goes with --json=ecs (its network.community_id)";
	if (o->ecs && (o->payload_enc || o->ladder))
		return "--json=ecs prints events and conversations, not packets: no --payload or "
		       "--ladder";
	if (o->payload_enc && !o->json)
		return "--payload adds the payload to --json's objects (as text: -A, in hex: -X)";
	if (o->payload_max && !o->text && !o->payload_hex && !o->payload_enc)
		return "--payload-max goes with -A, -X or --json --payload";
	if (o->write_buffer && !o->write_file)
		return "--write-buffer sizes the buffer in front of -w FILE; it goes with -w";
	if (o->overwrite && !o->write_file)
		return "--overwrite goes with -w FILE";
	if (o->write_format && !o->write_file)
		return "--format says what -w writes; it goes with -w FILE";
	bool rotating = o->rot_size || o->rot_secs;
	if ((rotating || o->rot_count || o->post_rotate) && !o->write_file)
		return "-C, -G, -W and --post-rotate go with -w FILE";
	if (rotating && to_stdout)
		return "-C and -G start new files; -w - is one stream";
	if ((o->rot_count || o->post_rotate) && !rotating)
		return "-W and --post-rotate go with -C or -G (the files they act on)";
	if ((o->fanout || o->fanout_group_given) && o->read_file)
		return "--fanout and --fanout-group share a live interface's packets; a file (-r) "
		       "is read by one process";
	if ((o->fanout || o->fanout_group_given) && o->write_file)
		return "--fanout and --fanout-group do not go with -w (each process would write "
		       "part of the traffic; capture with one process)";
	if (o->fanout && (o->verbose || o->hex || o->text || o->payload_hex || o->ladder))
		return "--fanout merges whole lines of its workers: -v, -x, -A, -X and --ladder "
		       "print blocks of several lines (use --json)";
	if ((o->fanout || o->fanout_group_given) && o->nifaces > 1)
		return "--fanout and --fanout-group share one interface's packets; give one -i";
	if (o->fanout && o->count)
		return "-c counts the packets of one process; with --fanout end with --duration or "
		       "Ctrl-C";
	if (o->buffer_kib && o->read_file)
		return "-B sizes a live capture's kernel buffer; it does not apply to -r";
	return NULL;
}

/* -C: millions of bytes as tcpdump counts them, or KiB, MiB, GiB with k, M, G (tcpdump 4.99's
 * suffixes). */
bool np_parse_size(const char *arg, uint64_t lo, uint64_t hi, uint64_t *out)
{
	size_t n = strlen(arg);
	char buf[32];
	if (n == 0 || n >= sizeof buf)
		return false;
	uint64_t unit = 1000000;
	switch (arg[n - 1]) {
	case 'k': case 'K': unit = 1024; break;
	case 'm': case 'M': unit = 1024 * 1024; break;
	case 'g': case 'G': unit = 1024 * 1024 * 1024; break;
	default: n++; break;
	}
	snprintf(buf, sizeof buf, "%.*s", (int)(n - 1), arg);
	uint64_t v;
	if (!np_parse_uint(buf, 1, hi / unit, &v))
		return false;
	*out = v * unit;
	return *out >= lo && *out <= hi;
}

/* The remaining arguments, joined by spaces (a BPF expression, as tcpdump takes it). */
char *np_join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

const char *np_join_names(const char *const *names, unsigned n, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < n && at < len; i++) {
		int k = snprintf(buf + at, len - at, "%s%s", i ? ", " : "", names[i]);
		if (k < 0)
			break;
		at += (size_t)k;
	}
	return buf;
}
