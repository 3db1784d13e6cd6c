/* probe_opts.c - the options ping and trace share (probe_opts.h). The probe kinds' options come
 * from the module table, so a new probe module brings its --option along. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "probe_opts.h"

enum { OPT_KIND = 256, OPT_JSON = OPT_KIND + 64 };

static const struct option shared[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "interface", required_argument, NULL, 'I' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
};

#define MAX_OPTS 48

/* -p's ports (one run parses one command line). */
static uint16_t port_list[65535];

/* "N" or "N-M" (N <= M), each 1-65535. */
static bool port_range(const char *s, size_t len, uint64_t *lo, uint64_t *hi)
{
	char buf[16];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (!np_parse_uint(buf, 1, 65535, lo))
		return false;
	if (!dash) {
		*hi = *lo;
		return true;
	}
	return np_parse_uint(dash + 1, 1, 65535, hi) && *hi >= *lo;
}

bool probe_parse_ports(const char *arg, uint16_t *ports, uint32_t *n)
{
	uint8_t seen[65536 / 8];
	memset(seen, 0, sizeof seen);
	*n = 0;
	for (const char *s = arg;; s++) {
		size_t len = strcspn(s, ",");
		uint64_t lo, hi;
		if (!port_range(s, len, &lo, &hi))
			return false;
		for (uint64_t p = lo; p <= hi; p++) {
			if (seen[p / 8] & (1u << (p % 8)))
				continue;
			seen[p / 8] |= (uint8_t)(1u << (p % 8));
			ports[(*n)++] = (uint16_t)p;
		}
		s += len;
		if (!*s)
			return true;
	}
}

/* The long options: the probe kinds', the shared ones, the command's; NULL-terminated. */
static void long_options(const struct option *own, struct option *all)
{
	size_t n = 0;
	const struct np_probe_module *m;
	for (unsigned k = 0; (m = np_probe_module((enum np_probe_kind)k)) != NULL; k++)
		if (m->option)
			all[n++] = (struct option){ m->option, no_argument, NULL, OPT_KIND + (int)k };
	for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
		all[n++] = shared[i];
	for (; own && own->name && n < MAX_OPTS - 1; own++)
		all[n++] = *own;
	all[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* A shared option: 1 done, 0 not one, 2 a usage error (reported). */
static int shared_option(const char *cmd, int ch, struct probe_opts *o, const char **bad,
			 const char **want)
{
	if (ch >= OPT_KIND && ch < OPT_JSON) {
		const struct np_probe_module *m = np_probe_module((enum np_probe_kind)(ch - OPT_KIND));
		if (o->m->option && o->m != m) {
			np_errorf(cmd, "--syn and --udp are exclusive: one kind of probe at a time");
			return NP_EXIT_ERROR;
		}
		o->m = m;
		return 1;
	}
	switch (ch) {
	case OPT_JSON: o->json = true; return 1;
	case '4':
	case '6':
		if (o->family && o->family != ch - '0') {
			np_errorf(cmd, "-4 and -6 are exclusive");
			return NP_EXIT_ERROR;
		}
		o->family = ch - '0';
		return 1;
	case 'p':
		if (!probe_parse_ports(optarg, port_list, &o->nports)) {
			*bad = "port", *want = "1-65535, a range 8000-8100 or a list 22,80,8000-8100";
			return 1;
		}
		o->ports = port_list;
		o->port = port_list[0];
		return 1;
	case 'I':
		if (!*optarg)
			*bad = "interface", *want = "an interface name or a source address";
		o->iface = optarg;
		return 1;
	case 'n': return 1;
	}
	return 0;
}

/* After the options: the HOSTs (one, or several for a command that scans), and the port the
 * probe kind needs. */
static int args_tail(const struct probe_cmd *c, int argc, char **argv, struct probe_opts *o)
{
	const char *cmd = c->name;
	if (optind >= argc || (!c->many && optind != argc - 1)) {
		np_errorf(cmd, optind >= argc ? "no host given (try 'netprobe %s --help')"
					       : "one host at a time (try 'netprobe %s --help')",
			  cmd);
		return NP_EXIT_ERROR;
	}
	if (argc - optind > PROBE_MAX_TARGETS) {
		np_errorf(cmd, "%d hosts: at most %d targets a run", argc - optind, PROBE_MAX_TARGETS);
		return NP_EXIT_ERROR;
	}
	o->host = argv[optind];
	o->hosts = argv + optind;
	o->nhosts = argc - optind;
	for (int i = 0; i < o->nhosts; i++)
		if (!*o->hosts[i]) {
			np_errorf(cmd, "invalid host '' (want an address or a name)");
			return NP_EXIT_ERROR;
		}
	if (!c->many && o->nports > 1) {
		np_errorf(cmd, "one port at a time: -p %u, not a list", o->ports[0]);
		return NP_EXIT_ERROR;
	}
	if (o->m->port == NP_PORT_NONE && o->port) {
		np_errorf(cmd, "-p goes with --syn or --udp (%s has no port)", o->m->title);
		return NP_EXIT_ERROR;
	}
	if (o->m->port == NP_PORT_REQUIRED && !o->port) {
		np_errorf(cmd, "--%s needs a port: -p PORT", o->m->option);
		return NP_EXIT_ERROR;
	}
	if (o->m->port == NP_PORT_DEFAULT && !o->port) {
		o->port = o->m->default_port;
		port_list[0] = (uint16_t)o->port;
		o->ports = port_list;
		o->nports = 1;
	}
	return 0;
}

int probe_opts_parse(const struct probe_cmd *c, int argc, char **argv, struct probe_opts *o,
		     void *ctx)
{
	struct option all[MAX_OPTS];
	long_options(c->own, all);
	memset(o, 0, sizeof *o);
	o->m = np_probe_module(NP_PROBE_ICMP);
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, c->shortopts, all, NULL)) != -1) {
		const char *bad = NULL, *want = NULL;
		int rc = shared_option(c->name, ch, o, &bad, &want);
		if (rc == NP_EXIT_ERROR)
			return rc;
		if (rc == 0 && ch == 'h') {
			c->usage(stdout);
			return -1;
		}
		if (rc == 0 && (ch == ':' || ch == '?' || !c->parse(ctx, ch, optarg, &bad, &want)))
			return np_opt_error(c->name, ch, argv, all);
		if (bad) {
			np_errorf(c->name, "invalid %s '%s' (want %s)", bad, optarg, want);
			return NP_EXIT_ERROR;
		}
	}
	return args_tail(c, argc, argv, o) != 0 ? NP_EXIT_ERROR : 0;
}

int probe_cmd_main(const struct probe_cmd *c, int argc, char **argv, struct probe_opts *o,
		   void *ctx)
{
	int rc = probe_opts_parse(c, argc, argv, o, ctx);
	if (rc < 0)
		return NP_EXIT_OK;
	return rc != 0 ? rc : c->run(ctx);
}
